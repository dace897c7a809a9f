// SPDX-License-Identifier: Apache-2.0
// The template engine: catalog keys, escaped values, lists, raw fragments, the plain-text output
// of the notices, and the errors that stop a broken template at load (cited by line for the
// portal's pages, by byte for the notices).
#include <catch2/catch.hpp>

#include <string>

#include "core/core_template.hpp"

namespace sealpost {
namespace {

/// The names the notice templates supply (proxy/seal_notice.hpp).
constexpr Template::Names kNotice{
    .vars = "practice documents link expires phone", .keys = false, .cite = Template::Cite::byte};

/// Renders `t` as a portal page does: HTML, with `{{t:key}}`s from `catalog`.
std::string page(const Template& t, const TemplateValues& catalog, const TemplateValues& vars,
                 const TemplateValues& raws) {
    return t.render({.output = Template::Output::html,
                     .vars = &vars,
                     .raws = &raws,
                     .key = [&catalog](std::string_view k) -> const std::string* {
                         const auto it = catalog.find(k);
                         return it == catalog.end() ? nullptr : &it->second;
                     }});
}

TEST_CASE("template engine: keys, escaped values, raw fragments", "[template]") {
    const TemplateValues cat = {{"greet", "Hello {name} & welcome"}};
    auto t = Template::parse("<p>{{t:greet}}</p><a href=\"{{href}}\">{{{frag}}}</a>",
                             {.vars = "name href", .raws = "frag"});
    REQUIRE(t);
    CHECK(page(*t, cat, {{"name", "<Eve>"}, {"href", "/x?a=1&b=\"2\""}}, {{"frag", "<b>ok</b>"}}) ==
          "<p>Hello &lt;Eve&gt; &amp; welcome</p><a "
          "href=\"/x?a=1&amp;b=&quot;2&quot;\"><b>ok</b></a>");
    CHECK(Template::parse("{{nope}}", {.vars = "name"}).error().detail ==
          "line 1: unknown placeholder {{nope}}");
    CHECK(Template::parse("\n{{{name}}}", {.vars = "name"}).error().detail ==
          "line 2: unknown placeholder {{{name}}}");
    CHECK(Template::parse("{{ name }}", {.vars = "name"}).error().detail ==
          "line 1: malformed placeholder ' name '");
    CHECK(Template::parse("x {{name", {.vars = "name"}).error().detail == "line 1: unclosed {{");
    // A value is never parsed again: braces in a file name stay text.
    CHECK(page(*t, cat, {{"name", "{{t:greet}} {href}"}}, {}) ==
          "<p>Hello {{t:greet}} {href} &amp; welcome</p><a href=\"\"></a>");
    CHECK(escape_text("a'b\"c<d>&\x01\u2066e") == "a&#39;b&quot;c&lt;d&gt;&amp; e");
    CHECK(substitute("{a}-{b}-{missing}", {{"a", "1"}, {"b", "{a}"}}) == "1-{a}-");
}

TEST_CASE("template syntax errors are reported at load, cited by byte", "[template]") {
    auto ok = Template::parse("Hi {{practice}}, {{link}}.", kNotice);
    REQUIRE(ok);
    REQUIRE(ok->pieces().size() == 5);
    CHECK(ok->pieces()[1].kind == Template::Piece::Kind::var);
    CHECK(ok->pieces()[1].text == "practice");
    CHECK(ok->pieces()[4].text == ".");

    auto unknown = Template::parse("Hi {{patient_name}}", kNotice);
    REQUIRE_FALSE(unknown);
    CHECK(unknown.error().code == Errc::invalid_argument);
    CHECK(unknown.error().detail == "unknown placeholder {{patient_name}} at byte 3");
    auto unclosed = Template::parse("Hi {{link", kNotice);
    REQUIRE_FALSE(unclosed);
    CHECK(unclosed.error().detail == "unclosed {{ at byte 3");
    // Where keys and fragments are not supplied, they are unknown placeholders too.
    CHECK(Template::parse("{{t:practice}}", kNotice).error().detail ==
          "unknown placeholder {{t:practice}} at byte 0");
    CHECK(Template::parse("{{{practice}}}", kNotice).error().detail ==
          "unknown placeholder {{{practice}}} at byte 0");
}

TEST_CASE("lists and plain-text output: cleaned, never escaped for HTML", "[template]") {
    auto t = Template::parse("{{practice}}:\n{{documents}}\n", kNotice);
    REQUIRE(t);
    const TemplateValues vars = {{"practice", "Praxis \"Muster\" & Co\r\n"}};
    const TemplateLists lists = {{"documents", {"<a>.pdf", "Rechnung\r\nFake\u202efdp.exe"}}};
    CHECK(t->render({.output = Template::Output::text, .vars = &vars, .lists = &lists}) ==
          "Praxis \"Muster\" & Co  :\n- <a>.pdf\n- Rechnung  Fakefdp.exe\n");
    CHECK(t->render({.output = Template::Output::html, .vars = &vars, .lists = &lists}) ==
          "Praxis &quot;Muster&quot; &amp; Co  :\n<li>&lt;a&gt;.pdf</li><li>Rechnung  "
          "Fakefdp.exe</li>\n");
    // An empty list renders as nothing; a missing value as "".
    const TemplateLists none = {{"documents", {}}};
    CHECK(t->render({.output = Template::Output::text, .lists = &none}) == ":\n\n");
}

}  // namespace
}  // namespace sealpost
