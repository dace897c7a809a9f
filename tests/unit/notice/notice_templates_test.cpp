// SPDX-License-Identifier: Apache-2.0
// Notice templates: the shipped files load and render in all four languages with the right
// date, values are HTML-escaped, unknown placeholders fail at load.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "core/core_text.hpp"
#include "notice/notice_templates.hpp"
#include "test_tempdir.hpp"
#include "tests/unit/mime/mime_test_util.hpp"

namespace sealpost::seal {
namespace {

using mime::test::has;

std::filesystem::path shipped() {
    return std::filesystem::path(SEALPOST_SOURCE_DIR) / "policies" / "templates";
}

// 2026-12-27 10:00 UTC.
constexpr std::int64_t kExpiry = 1798365600;

NoticeValues values() {
    NoticeValues v;
    v.practice = "Praxis Muster";
    v.documents = {"Rechnung-2026-1127.pdf", "R\u00fcckforderungsbeleg M\u00e4rz.pdf"};
    v.link = "https://portal.example.ch/d/AbC_dEf-123";
    v.expires_at = kExpiry;
    v.phone_e164 = "+41791234567";
    return v;
}

TEST_CASE("dates in the recipient's language, Swiss local time", "[notice]") {
    CHECK(format_date(kExpiry, Language::de) == "27. Dezember 2026");
    CHECK(format_date(kExpiry, Language::fr) == "27 d\u00e9cembre 2026");
    CHECK(format_date(kExpiry, Language::it) == "27 dicembre 2026");
    CHECK(format_date(kExpiry, Language::en) == "27 December 2026");
    // 2026-02-28 23:30 UTC is already 1 March in Zurich (CET, +1).
    CHECK(format_date(1772321400, Language::fr) == "1er mars 2026");
    CHECK(format_date(1772321400, Language::de) == "1. M\u00e4rz 2026");
    // 2026-07-31 22:30 UTC is 1 August 00:30 CEST (+2); 21:30 UTC is still 31 July.
    CHECK(format_date(1785537000, Language::it) == "1 agosto 2026");
    CHECK(format_date(1785533400, Language::en) == "31 July 2026");
}

TEST_CASE("shipped templates render in all four languages", "[notice]") {
    auto t = NoticeTemplates::load(shipped());
    INFO((t ? std::string() : t.error().detail));
    REQUIRE(t);
    struct Case {
        Language lang;
        const char* date;
        const char* word;  // a word only that language's notice has
    };
    for (const Case c : {Case{Language::de, "27. Dezember 2026", "Handynummer"},
                         Case{Language::fr, "27 d\u00e9cembre 2026", "courriel"},
                         Case{Language::it, "27 dicembre 2026", "cellulare"},
                         Case{Language::en, "27 December 2026", "mobile number"}}) {
        const auto n = t->render(c.lang, values());
        for (const std::string* s : {&n.text, &n.html}) {
            INFO(*s);
            CHECK(has(*s, c.date));
            CHECK(has(*s, c.word));
            CHECK(has(*s, "Praxis Muster"));
            CHECK(has(*s, "https://portal.example.ch/d/AbC_dEf-123"));
            CHECK(has(*s, "\u2022\u202267"));
            CHECK_FALSE(has(*s, "+41791234567"));
            CHECK_FALSE(has(*s, "{{"));
        }
        CHECK(has(n.text, "- Rechnung-2026-1127.pdf\n- R\u00fcckforderungsbeleg M\u00e4rz.pdf\n"));
        CHECK(
            has(n.html,
                "<li>Rechnung-2026-1127.pdf</li><li>R\u00fcckforderungsbeleg M\u00e4rz.pdf</li>"));
        CHECK(has(n.html, "href=\"https://portal.example.ch/d/AbC_dEf-123\""));
    }
}

TEST_CASE("hostile values are escaped in HTML and cleaned in text", "[notice]") {
    auto t = NoticeTemplates::load(shipped());
    REQUIRE(t);
    auto v = values();
    v.documents = {"<script>alert('x')</script>&.pdf", "Rechnung\r\nFake line\u202efdp.exe"};
    v.practice = "Praxis \"Muster\" & Co";
    const auto n = t->render(Language::en, v);
    CHECK_FALSE(has(n.html, "<script>"));
    CHECK(has(n.html, "<li>&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;&amp;.pdf</li>"));
    CHECK(has(n.html, "Praxis &quot;Muster&quot; &amp; Co"));
    CHECK_FALSE(has(n.html, "Praxis \"Muster\""));
    // No forged line, no right-to-left override.
    CHECK(has(n.text, "- Rechnung  Fake linefdp.exe\n"));
    CHECK_FALSE(has(n.html, "\u202e"));
    CHECK(text::html_escape("a<b>&\"'") == "a&lt;b&gt;&amp;&quot;&#39;");
}

TEST_CASE("hidden document names are numbered in the patient's language", "[notice]") {
    PracticeConfig p;
    const std::vector<std::string> names = {"Befund-Psychiatrie.pdf", "Bericht.pdf"};
    CHECK(notice_document_names(p, Language::de, names) == names);
    p.hide_document_names = true;
    CHECK(notice_document_names(p, Language::de, names) ==
          std::vector<std::string>{"Dokument 1", "Dokument 2"});
    CHECK(notice_document_names(p, Language::fr, names) ==
          std::vector<std::string>{"Document 1", "Document 2"});
    CHECK(notice_document_names(p, Language::it, names) ==
          std::vector<std::string>{"Documento 1", "Documento 2"});
    CHECK(notice_document_names(p, Language::en, {}).empty());
}

TEST_CASE("template syntax errors are reported at load", "[notice]") {
    // The syntax itself is checked in tests/unit/core/core_template_test.cpp.
    // A directory with one bad file fails as a whole and names the file.
    const sealpost::test::TempDir tmp;
    const std::filesystem::path& dir = tmp.path();
    std::filesystem::copy(shipped(), dir, std::filesystem::copy_options::recursive);
    {
        std::ofstream f(dir / "notice.it.html", std::ios::trunc);
        f << "<p>{{practise}}</p>";
    }
    auto bad = NoticeTemplates::load(dir);
    REQUIRE_FALSE(bad);
    INFO(bad.error().detail);
    CHECK(has(bad.error().detail, "notice.it.html: unknown placeholder {{practise}}"));
    std::filesystem::remove(dir / "notice.it.html");
    auto missing = NoticeTemplates::load(dir);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == Errc::io);
}

}  // namespace
}  // namespace sealpost::seal
