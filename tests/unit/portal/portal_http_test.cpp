// SPDX-License-Identifier: Apache-2.0
// The portal's request helpers, sessions, CSRF tokens and per-IP limit.
#include <catch2/catch.hpp>

#include "portal/portal_app.hpp"
#include "portal/portal_http.hpp"
#include "portal/portal_sessions.hpp"

namespace sealpost::portal {
namespace {

TEST_CASE("form values decode, repeat and stay bounded", "[portal][http]") {
    CHECK(form_decode("a+b%20c%C3%A4") == std::optional<std::string>("a b c\xc3\xa4"));
    CHECK_FALSE(form_decode("%4"));
    CHECK_FALSE(form_decode("%zz"));
    CHECK_FALSE(form_decode("a%00b"));
    CHECK(form_values("d=0&d=1&x=2&d=%zz&d", "d") == std::vector<std::string>{"0", "1"});
    CHECK(form_value("csrf=abc&code=12+34", "code") == "12 34");
    CHECK(form_value("", "code").empty());
    std::string many;
    for (int i = 0; i < 5000; ++i) {
        many += "d=1&";
    }
    CHECK(form_values(many, "d", 10).size() == 10);
}

TEST_CASE("cookies are found by exact name", "[portal][http]") {
    const std::string h = "__Host-sealpost-csrf=v1; __Host-sealpost=s2;x=\"q\"";
    CHECK(cookie_value(h, "__Host-sealpost") == "s2");
    CHECK(cookie_value(h, "__Host-sealpost-csrf") == "v1");
    CHECK(cookie_value(h, "x") == "q");
    CHECK(cookie_value(h, "sealpost").empty());
}

TEST_CASE("Content-Disposition follows RFC 6266 and cannot be abused", "[portal][http]") {
    CHECK(content_disposition("Rechnung-2026.pdf", "document") ==
          "attachment; filename=\"Rechnung-2026.pdf\"");
    CHECK(content_disposition("Rückforderungsbeleg.pdf", "document") ==
          "attachment; filename=\"R_ckforderungsbeleg.pdf\"; "
          "filename*=UTF-8''R%C3%BCckforderungsbeleg.pdf");
    CHECK(content_disposition("a\"b\\c%d.pdf", "document") ==
          "attachment; filename=\"a_b_c_d.pdf\"; filename*=UTF-8''a%22b_c%25d.pdf");  // '\\' is a
                                                                                      // path
                                                                                      // separator
    CHECK(content_disposition("../../etc/passwd", "document") ==
          "attachment; filename=\"_.._etc_passwd\"");
    // A right-to-left override would show "fdp.exe" as "exe.pdf": it is dropped.
    CHECK(sanitize_file_name("invoice\xe2\x80\xaegpj.exe", "d") == "invoicegpj.exe");
    CHECK(sanitize_file_name("a\r\nSet-Cookie: x", "d") == "aSet-Cookie_ x");
    CHECK(sanitize_file_name("...", "document") == "document");
    CHECK(sanitize_file_name("\xff\xfe.pdf", "d") == "__.pdf");
    CHECK(sanitize_file_name(std::string(500, 'a'), "d").size() == 200);
}

TEST_CASE("only plain content types go out", "[portal][http]") {
    CHECK(safe_content_type("application/pdf") == "application/pdf");
    CHECK(safe_content_type("Application/PDF; name=x.pdf") == "application/pdf");
    CHECK(safe_content_type("text/html") == "application/octet-stream");
    CHECK(safe_content_type("image/svg+xml") == "application/octet-stream");
    CHECK(safe_content_type("pdf") == "application/octet-stream");
    CHECK(safe_content_type("a/b\r\nX: y") == "application/octet-stream");
    CHECK(safe_content_type("") == "application/octet-stream");
}

TEST_CASE("the security headers are the documented set", "[portal][http]") {
    std::vector<std::string> names;
    for (const auto& [n, v] : security_headers()) {
        names.emplace_back(n);
    }
    CHECK(names == std::vector<std::string>{"Cache-Control", "Referrer-Policy",
                                            "Strict-Transport-Security", "Content-Security-Policy",
                                            "X-Content-Type-Options", "X-Frame-Options",
                                            "X-Robots-Tag", "Cross-Origin-Opener-Policy",
                                            "Cross-Origin-Resource-Policy"});
}

TEST_CASE("sessions: bound to one envelope, idle and absolute limits", "[portal][session]") {
    std::int64_t now = 1000;
    SessionStore store(std::chrono::seconds(900), std::chrono::seconds(3600), 10,
                       [&] { return now; });
    vault::EnvelopeId a{};
    a[0] = 1;
    vault::EnvelopeId b{};
    b[0] = 2;
    auto c = store.create(a);
    REQUIRE(c);
    const std::string cookie(c->begin(), c->end());
    CHECK(cookie.size() == 43);
    CHECK(store.valid(cookie, a));
    CHECK_FALSE(store.valid(cookie, b));
    CHECK_FALSE(store.valid(cookie + "x", a));
    CHECK_FALSE(store.valid("", a));
    now += 899;
    CHECK(store.valid(cookie, a));  // use refreshes the idle timer
    now += 899;
    CHECK(store.valid(cookie, a));
    now += 900;
    CHECK_FALSE(store.valid(cookie, a));  // idle

    auto d = store.create(a);
    const std::string busy(d->begin(), d->end());
    for (int i = 0; i < 7; ++i) {
        now += 600;
        CHECK(store.valid(busy, a) == (i < 5));  // 3600 s absolute, however busy
    }
    auto e = store.create(b);
    const std::string third(e->begin(), e->end());
    CHECK(store.first_download(third, 0));
    CHECK_FALSE(store.first_download(third, 0));
    CHECK(store.first_download(third, 1));
    store.end(third);
    CHECK_FALSE(store.valid(third, b));
}

TEST_CASE("session store stays bounded", "[portal][session]") {
    std::int64_t now = 0;
    SessionStore store(std::chrono::seconds(900), std::chrono::seconds(3600), 3,
                       [&] { return now; });
    vault::EnvelopeId id{};
    std::vector<std::string> cookies;
    for (int i = 0; i < 5; ++i) {
        ++now;
        auto c = store.create(id);
        cookies.emplace_back(c->begin(), c->end());
    }
    CHECK(store.size() == 3);
    CHECK_FALSE(store.valid(cookies[0], id));  // the oldest went first
    CHECK(store.valid(cookies[4], id));
}

TEST_CASE("CSRF tokens are bound to visitor and link", "[portal][csrf]") {
    const CsrfGuard guard;
    const std::string v1 = CsrfGuard::new_visitor().value();
    const std::string v2 = CsrfGuard::new_visitor().value();
    const std::string t = guard.token(v1, "/d/abc");
    CHECK(guard.check(v1, "/d/abc", t));
    CHECK_FALSE(guard.check(v2, "/d/abc", t));
    CHECK_FALSE(guard.check(v1, "/d/abd", t));
    CHECK_FALSE(guard.check(v1, "/d/abc", t.substr(1)));
    CHECK_FALSE(guard.check("", "/d/abc", guard.token("", "/d/abc")));
    CHECK_FALSE(guard.check(v1, "/d/abc", ""));
    CHECK_FALSE(CsrfGuard().check(v1, "/d/abc", t));  // a restart makes old forms stale
}

TEST_CASE("per-IP limit counts, refunds and forgets", "[portal][limit]") {
    std::int64_t now = 0;
    IpLimiter lim(2, 2, [&] { return now; });
    std::int64_t retry = 0;
    CHECK(lim.allow("10.0.0.1", &retry));
    CHECK(lim.allow("10.0.0.1", &retry));
    CHECK_FALSE(lim.allow("10.0.0.1", &retry));
    CHECK(retry == 3600);
    lim.refund("10.0.0.1");
    CHECK(lim.allow("10.0.0.1", &retry));
    CHECK(lim.allow("10.0.0.2", &retry));
    CHECK(lim.allow("10.0.0.3", &retry));  // full table: the quietest is forgotten
    now = 3600;
    CHECK(lim.allow("10.0.0.1", &retry));
}

}  // namespace
}  // namespace sealpost::portal
