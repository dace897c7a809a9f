// The portal's template engine: catalog keys, escaped values, raw fragments, and the errors
// that stop a broken template at load.
#include <catch2/catch.hpp>

#include "portal/portal_i18n.hpp"
#include "portal/portal_template.hpp"

namespace sealpost::portal {
namespace {

TEST_CASE("template engine: keys, escaped values, raw fragments", "[template]") {
    auto cat = Catalog::parse("greet = Hello {name} & welcome\n", "f");
    REQUIRE(cat);
    auto t = Template::parse("<p>{{t:greet}}</p><a href=\"{{href}}\">{{{frag}}}</a>", "name href",
                             "frag");
    REQUIRE(t);
    CHECK(
        t->render(*cat, {{"name", "<Eve>"}, {"href", "/x?a=1&b=\"2\""}}, {{"frag", "<b>ok</b>"}}) ==
        "<p>Hello &lt;Eve&gt; &amp; welcome</p><a "
        "href=\"/x?a=1&amp;b=&quot;2&quot;\"><b>ok</b></a>");
    CHECK(Template::parse("{{nope}}", "name", "").error().detail ==
          "line 1: unknown placeholder {{nope}}");
    CHECK(Template::parse("\n{{{name}}}", "name", "").error().detail ==
          "line 2: unknown placeholder {{{name}}}");
    CHECK(Template::parse("{{ name }}", "name", "").error().detail ==
          "line 1: malformed placeholder ' name '");
    CHECK(Template::parse("x {{name", "name", "").error().detail == "line 1: unclosed {{");
    // A value is never parsed again: braces in a file name stay text.
    CHECK(t->render(*cat, {{"name", "{{t:greet}} {href}"}}, {}) ==
          "<p>Hello {{t:greet}} {href} &amp; welcome</p><a href=\"\"></a>");
    CHECK(escape_text("a'b\"c<d>&\x01\u2066e") == "a&#39;b&quot;c&lt;d&gt;&amp; e");
}

}  // namespace
}  // namespace sealpost::portal
