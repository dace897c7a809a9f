// SPDX-License-Identifier: Apache-2.0
// The portal's pages: the shipped templates and catalogs load and render in every language,
// forms carry the CSRF field and the documented URLs, every value is escaped, and the SMS fits
// one GSM-7 message.
#include <catch2/catch.hpp>

#include <filesystem>
#include <regex>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "core/core_template.hpp"
#include "portal/portal_i18n.hpp"
#include "portal/portal_pages.hpp"
#include "tests/unit/portal/portal_test_util.hpp"

namespace sealpost::portal {
namespace {

using test::has;
using test::zurich_time;

namespace fs = std::filesystem;

fs::path shipped() {
    return SEALPOST_PORTAL_TEMPLATES;
}

// 2026-12-27 10:00 UTC = 11:00 in Zurich (CET); 2026-11-27 10:00 UTC; 2026-11-27 13:30 UTC.
constexpr std::int64_t kExpires = 1798365600;
constexpr std::int64_t kExpired = 1795773600;
constexpr std::int64_t kUntil = 1795786200;

constexpr const char* kCsrf = "csrf-TOKEN_123";
constexpr const char* kLink = "/d/AbC_dEf-123";

std::size_t count(const std::string& s, std::string_view part) {
    std::size_t n = 0;
    for (std::size_t pos = s.find(part); pos != std::string::npos; pos = s.find(part, pos + 1)) {
        ++n;
    }
    return n;
}

std::shared_ptr<const Pages> load_shipped() {
    auto p = Pages::load(shipped());
    INFO((p ? std::string() : p.error().detail));
    REQUIRE(p);
    return p.value();
}

PageContext context(std::string lang) {
    PageContext c;
    c.lang = std::move(lang);
    c.practice_name = "Praxis Muster";
    c.csrf = kCsrf;
    c.link_path = kLink;
    return c;
}

std::vector<DocumentRow> two_documents() {
    return {{0, "Rechnung-2026-1127.pdf", "application/pdf", 182'400},
            {1, "Rückforderungsbeleg.xml", "application/xml", 1'234'567}};
}

LandingPage landing_page() {
    return {two_documents(), "\u2022\u202267", ""};
}

/// Every page the portal can show, in `lang`.
std::vector<std::pair<std::string, std::string>> all_pages(const Pages& pages,
                                                           const std::string& lang) {
    const PageContext c = context(lang);
    std::vector<std::pair<std::string, std::string>> out;
    out.emplace_back("landing", pages.landing(c, landing_page()));
    out.emplace_back("code", pages.code(c, CodePage{"\u2022\u202267", "code_sent", 0, false}));
    out.emplace_back("renew", pages.code(c, CodePage{"\u2022\u202267", "code_wrong", 3, true}));
    out.emplace_back("documents", pages.documents(c, DocumentsPage{two_documents(), kExpires, ""}));
    out.emplace_back("expired", pages.expired(c, ExpiredPage{kExpired, "\u2022\u202267", ""}));
    for (const MessageKind k :
         {MessageKind::not_found, MessageKind::gone, MessageKind::locked_for_now,
          MessageKind::locked_for_good, MessageKind::too_many_codes, MessageKind::bad_request,
          MessageKind::forbidden, MessageKind::session_expired, MessageKind::sms_failed,
          MessageKind::busy, MessageKind::unavailable}) {
        out.emplace_back("message " + std::to_string(static_cast<int>(k)),
                         pages.message(c, MessagePage{k, kUntil, kLink}));
    }
    out.emplace_back("help", pages.help(c));
    out.emplace_back("privacy", pages.privacy(c, PrivacyPage{}));
    return out;
}

/// The text between `<form` and `</form>` for each form in a page.
std::vector<std::string> forms(const std::string& html) {
    std::vector<std::string> out;
    for (std::size_t pos = html.find("<form"); pos != std::string::npos;
         pos = html.find("<form", pos + 1)) {
        const std::size_t end = html.find("</form>", pos);
        REQUIRE(end != std::string::npos);
        out.push_back(html.substr(pos, end - pos));
    }
    return out;
}

/// Code points of a UTF-8 string (the shipped texts are valid UTF-8).
std::u32string code_points(std::string_view s) {
    std::u32string out;
    for (std::size_t i = 0; i < s.size();) {
        const auto c = static_cast<unsigned char>(s[i]);
        const std::size_t n = c < 0x80 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
        char32_t cp = n == 1 ? c : n == 2 ? (c & 0x1f) : n == 3 ? (c & 0x0f) : (c & 0x07);
        for (std::size_t k = 1; k < n; ++k) {
            cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3f);
        }
        out.push_back(cp);
        i += n;
    }
    return out;
}

/// 3GPP TS 23.038 GSM 7-bit default alphabet (basic set): an SMS outside it is sent as UCS-2,
/// where one message holds only 70 characters.
bool gsm7(std::string_view s) {
    static const std::u32string basic = code_points(
        "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
        "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà");
    for (const char32_t c : code_points(s)) {
        if (basic.find(c) == std::u32string::npos) {
            return false;
        }
    }
    return true;
}

TEST_CASE("every page renders in every language", "[pages]") {
    zurich_time();
    const auto pages = load_shipped();
    const std::regex handler(R"(\son[a-z]+\s*=)", std::regex::icase);
    for (const auto lang : kLanguages) {
        for (const auto& [name, html] : all_pages(*pages, std::string(lang))) {
            INFO(concat({lang, " ", name, "\n", html}));
            CHECK(html.rfind("<!DOCTYPE html>\n<html lang=\"" + std::string(lang) + "\">", 0) == 0);
            CHECK(has(html,
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"));
            CHECK(has(html, "<link rel=\"stylesheet\" href=\"/static/portal.css\">"));
            CHECK(
                std::regex_search(html, std::regex("<title>[^<{]+ \u2013 Praxis Muster</title>")));
            CHECK(std::regex_search(html, std::regex("<h1>[^<{]+</h1>")));
            // No template or catalog placeholder is left, so no brace at all.
            CHECK_FALSE(has(html, "{"));
            CHECK_FALSE(has(html, "}"));
            // What the portal's CSP forbids: scripts, inline styles, handlers, other origins.
            CHECK_FALSE(has(html, "<script"));
            CHECK_FALSE(has(html, "<style"));
            CHECK_FALSE(has(html, "style="));
            CHECK_FALSE(std::regex_search(html, handler));
            CHECK_FALSE(has(html, "http"));
            CHECK_FALSE(has(html, "//"));
            CHECK(has(html, "href=\"/help?lang=" + std::string(lang) + "\""));
            CHECK(has(html, "href=\"/privacy?lang=" + std::string(lang) + "\""));
            for (const auto& form : forms(html)) {
                if (has(form, "method=\"post\"")) {
                    CHECK(has(form,
                              "<input type=\"hidden\" name=\"csrf\" value=\"csrf-TOKEN_123\">"));
                }
            }
            // Every visible input has a label pointing at it.
            const std::regex input(R"re(<input ([^>]*)>)re");
            for (auto it = std::sregex_iterator(html.begin(), html.end(), input);
                 it != std::sregex_iterator(); ++it) {
                const std::string attrs = (*it)[1];
                if (has(attrs, "type=\"hidden\"")) {
                    continue;
                }
                std::smatch id;
                REQUIRE(std::regex_search(attrs, id, std::regex("id=\"([^\"]+)\"")));
                CHECK(has(html, "<label for=\"" + id[1].str() + "\""));
            }
        }
    }
}

TEST_CASE("each language has its own words", "[pages]") {
    const auto pages = load_shipped();
    struct Case {
        const char* lang;
        const char* landing;
        const char* button;
    };
    for (const Case c :
         {Case{"de", "Praxis Muster hat Ihnen 2 Dokumente gesendet:", "Code per SMS senden"},
          Case{"fr", "Praxis Muster vous a envoyé 2 documents\u00a0:", "Recevoir le code par SMS"},
          Case{"it", "Praxis Muster Le ha inviato 2 documenti:", "Ricevere il codice via SMS"},
          Case{"en", "Praxis Muster has sent you 2 documents:", "Send code by SMS"}}) {
        const std::string html = pages->landing(context(c.lang), landing_page());
        INFO(html);
        CHECK(has(html, std::string("<p>") + c.landing + "</p>"));
        CHECK(has(html, std::string("<button type=\"submit\" class=\"button\">") + c.button));
    }
    // An unknown language renders German (the portal passes choose_language's result anyway).
    const std::string xx = pages->landing(context("xx"), landing_page());
    CHECK(has(xx, "<html lang=\"de\">"));
    CHECK(has(xx, "Code per SMS senden"));
}

TEST_CASE("landing: practice, document names, masked phone and the code form", "[pages]") {
    const auto pages = load_shipped();
    const std::string html = pages->landing(context("de"), landing_page());
    INFO(html);
    CHECK(has(html, "<h1>Dokumente von Praxis Muster</h1>"));
    CHECK(has(html, "<li>Rechnung-2026-1127.pdf</li>\n<li>Rückforderungsbeleg.xml</li>"));
    CHECK(has(html, "an Ihre Handynummer mit der Endung \u2022\u202267."));
    CHECK(has(html, "<p class=\"practice\">Praxis Muster</p>"));
    // Nothing about the files but their names before the code check.
    CHECK_FALSE(has(html, "KB"));
    CHECK_FALSE(has(html, "PDF"));
    const auto f = forms(html);
    REQUIRE(f.size() == 1);
    CHECK(has(f[0], "<form method=\"post\" action=\"/d/AbC_dEf-123/code\">"));

    LandingPage one = landing_page();
    one.documents.resize(1);
    one.notice = "session_expired";
    const std::string single = pages->landing(context("en"), one);
    CHECK(has(single, "<p>Praxis Muster has sent you one document:</p>"));
    CHECK(has(single, "<p class=\"notice notice-error\" role=\"alert\">Your session has ended."));
}

TEST_CASE("code page: the input, both forms and the notices", "[pages]") {
    const auto pages = load_shipped();
    CodePage p{"\u2022\u202267", "", 0, false};
    std::string html = pages->code(context("de"), p);
    INFO(html);
    CHECK(has(html, "<form method=\"post\" action=\"/d/AbC_dEf-123/verify\" class=\"card\">"));
    CHECK(has(html, "<label for=\"code\">Code aus der SMS</label>"));
    CHECK(has(html,
              "<input class=\"code-input\" id=\"code\" name=\"code\" type=\"text\" "
              "inputmode=\"numeric\" autocomplete=\"one-time-code\" pattern=\"[0-9]*\" "
              "minlength=\"6\" maxlength=\"6\" required autofocus"));
    CHECK(has(html, "6 Ziffern, 10 Minuten gültig."));
    CHECK(has(html, "an die Nummer mit der Endung \u2022\u202267 gesendet haben."));
    CHECK(has(html, "<h1>Code eingeben</h1>"));
    const auto f = forms(html);
    REQUIRE(f.size() == 2);
    CHECK(has(f[1], "<form method=\"post\" action=\"/d/AbC_dEf-123/code\">"));
    CHECK(has(f[1], ">Neuen Code senden</button>"));
    CHECK_FALSE(has(html, "role=\"alert\""));

    p.code_length = 8;
    p.code_minutes = 15;
    p.renewal = true;
    p.notice = "code_wrong";
    p.tries_left = 3;
    html = pages->code(context("de"), p);
    CHECK(has(html, "minlength=\"8\" maxlength=\"8\""));
    CHECK(has(html, "8 Ziffern, 15 Minuten gültig."));
    CHECK(has(html, "<title>Link erneuern \u2013 Praxis Muster</title>"));
    CHECK(has(html, "<h1>Link erneuern</h1>"));
    CHECK(has(html, "Danach ist Ihr Link wieder gültig."));
    CHECK(has(html,
              "<p class=\"notice notice-error\" role=\"alert\">Dieser Code stimmt nicht. "
              "Sie haben noch 3 Versuche.</p>"));
    p.tries_left = 1;
    CHECK(has(pages->code(context("de"), p), "Sie haben noch einen Versuch.</p>"));
    p.notice = "code_sent";
    CHECK(has(pages->code(context("en"), p),
              "<p class=\"notice\" role=\"status\">Code sent. The SMS can take a minute.</p>"));
    // Every documented notice has a text in every language; anything else shows nothing.
    for (const auto lang : kLanguages) {
        for (const auto n : kNotices) {
            p.notice = std::string(n);
            CHECK(has(pages->code(context(std::string(lang)), p), "class=\"notice"));
        }
    }
    p.notice = "<script>alert(1)</script>";
    html = pages->code(context("de"), p);
    CHECK_FALSE(has(html, "class=\"notice"));
    CHECK_FALSE(has(html, "script"));
}

TEST_CASE("documents page: rows, downloads, ZIP form and expiry", "[pages]") {
    zurich_time();
    const auto pages = load_shipped();
    const std::string html =
        pages->documents(context("de"), DocumentsPage{two_documents(), kExpires, "renewed"});
    INFO(html);
    CHECK(has(html, "<p class=\"until\">Verfügbar bis 27.12.2026.</p>"));
    CHECK(has(html, "role=\"status\">Ihr Link wurde erneuert und ist bis zum 27.12.2026 gültig."));
    const auto f = forms(html);
    REQUIRE(f.size() == 1);
    CHECK(has(f[0], "<form method=\"get\" action=\"/d/AbC_dEf-123/zip\""));
    // A GET form puts its fields in the URL: the CSRF token must not travel there.
    CHECK_FALSE(has(f[0], "csrf"));
    CHECK(has(f[0], "<input type=\"checkbox\" id=\"doc-0\" name=\"d\" value=\"0\" checked>"));
    CHECK(has(f[0], "<input type=\"checkbox\" id=\"doc-1\" name=\"d\" value=\"1\" checked>"));
    CHECK(has(f[0], "<label for=\"doc-0\" class=\"doc-name\">Rechnung-2026-1127.pdf</label>"));
    CHECK(has(f[0], "<p class=\"doc-meta\">PDF \u00b7 182\u00a0KB</p>"));
    CHECK(has(f[0], "<p class=\"doc-meta\">XML \u00b7 1.2\u00a0MB</p>"));
    CHECK(has(f[0],
              "href=\"/d/AbC_dEf-123/doc/0\">Herunterladen<span class=\"visually-hidden\">: "
              "Rechnung-2026-1127.pdf</span></a>"));
    CHECK(has(f[0], "href=\"/d/AbC_dEf-123/doc/1\">"));
    CHECK(has(f[0], "<button type=\"submit\" class=\"button\">Ausgewählte herunterladen (ZIP)"));

    // One rule per language for sizes: fr and it write a decimal comma, fr says Ko/Mo.
    const std::string fr =
        pages->documents(context("fr"), DocumentsPage{two_documents(), kExpires, ""});
    CHECK(has(fr, "PDF \u00b7 182\u00a0Ko<"));
    CHECK(has(fr, "XML \u00b7 1,2\u00a0Mo<"));
    CHECK(has(fr, "Disponibles jusqu\u2019au 27.12.2026."));
    const std::string it =
        pages->documents(context("it"), DocumentsPage{two_documents(), kExpires, ""});
    CHECK(has(it, "XML \u00b7 1,2\u00a0MB<"));
    const std::string en =
        pages->documents(context("en"), DocumentsPage{two_documents(), kExpires, ""});
    CHECK(has(en, "XML \u00b7 1.2\u00a0MB<"));
    CHECK(has(en, "Available until 27.12.2026."));

    // One document: nothing to select, so no checkbox and no ZIP button; the download stays.
    const std::string one = pages->documents(
        context("de"), DocumentsPage{{{4, "Bericht.png", "image/png", 999}}, kExpires, ""});
    CHECK_FALSE(has(one, "checkbox"));
    CHECK_FALSE(has(one, "(ZIP)"));
    CHECK(has(one, "<p class=\"doc-name\">Bericht.png</p>"));
    CHECK(has(one, "<p class=\"doc-meta\">Bild \u00b7 1\u00a0KB</p>"));
    CHECK(has(one, "href=\"/d/AbC_dEf-123/doc/4\""));
}

TEST_CASE("document types from content types", "[pages]") {
    const auto pages = load_shipped();
    const auto meta = [&](const std::string& lang, const std::string& type) {
        const std::string html =
            pages->documents(context(lang), DocumentsPage{{{0, "f", type, 2000}}, kExpires, ""});
        const std::size_t at = html.find("<p class=\"doc-meta\">");
        REQUIRE(at != std::string::npos);
        const std::size_t start = at + 20;
        return html.substr(start, html.find(" \u00b7", start) - start);
    };
    CHECK(meta("de", "application/pdf") == "PDF");
    CHECK(meta("de", "Application/PDF; name=x") == "PDF");
    CHECK(meta("de", "text/xml") == "XML");
    CHECK(meta("de", "application/vnd.forum-datenaustausch+xml") == "XML");
    CHECK(meta("fr", "image/jpeg") == "Image");
    CHECK(meta("it", "image/png") == "Immagine");
    CHECK(meta("de", "text/plain") == "Text");
    CHECK(meta("en", "application/vnd.openxmlformats-officedocument.wordprocessingml.document") ==
          "Word");
    CHECK(meta("en", "application/vnd.ms-excel") == "Excel");
    CHECK(meta("de", "application/zip") == "ZIP");
    CHECK(meta("de", "application/x-tar") == "TAR");
    CHECK(meta("de", "") == "Datei");
    CHECK(meta("en", "garbage") == "File");
    CHECK(meta("de", "application/<b>") == "&lt;B&gt;");
}

TEST_CASE("expired page: date and the renewal form", "[pages]") {
    zurich_time();
    const auto pages = load_shipped();
    const std::string html =
        pages->expired(context("de"), ExpiredPage{kExpired, "\u2022\u202267", ""});
    INFO(html);
    CHECK(has(html, "<h1>Dieser Link ist abgelaufen</h1>"));
    CHECK(has(html, "Dieser Link ist am 27.11.2026 abgelaufen."));
    CHECK(has(html, "an die Nummer mit der Endung \u2022\u202267."));
    const auto f = forms(html);
    REQUIRE(f.size() == 1);
    CHECK(has(f[0], "<form method=\"post\" action=\"/d/AbC_dEf-123/code\">"));
    CHECK(has(f[0], ">Neuen Link anfordern</button>"));
    CHECK(has(pages->expired(context("en"), ExpiredPage{kExpired, "\u2022\u202267", ""}),
              "This link expired on 27.11.2026."));
}

TEST_CASE("message pages say what happened and until when", "[pages]") {
    zurich_time();
    const auto pages = load_shipped();
    const PageContext de = context("de");
    std::string html = pages->message(de, MessagePage{MessageKind::locked_for_good, 0, ""});
    INFO(html);
    CHECK(has(html, "<h1>Link gesperrt</h1>"));
    CHECK(has(html,
              "Nach zu vielen falschen Codes ist dieser Link zu Ihrem Schutz gesperrt. "
              "Bitte wenden Sie sich an Praxis Muster, um einen neuen Link zu erhalten."));
    CHECK(has(pages->message(context("en"), MessagePage{MessageKind::locked_for_good, 0, ""}),
              "Please ask Praxis Muster for a new link."));

    html = pages->message(de, MessagePage{MessageKind::locked_for_now, kUntil, ""});
    CHECK(has(html, "<p>Bitte versuchen Sie es am 27.11.2026 ab 14:30 Uhr wieder.</p>"));
    html = pages->message(context("fr"), MessagePage{MessageKind::too_many_codes, kUntil, ""});
    CHECK(has(html, "<p>Veuillez réessayer le 27.11.2026 à partir de 14:30.</p>"));
    html = pages->message(context("en"), MessagePage{MessageKind::too_many_codes, 0, ""});
    CHECK(has(html, "<p>Please try again later.</p>"));
    // Summer time: 2026-07-31 22:30 UTC is 00:30 on 1 August in Zurich.
    html = pages->message(context("it"), MessagePage{MessageKind::locked_for_now, 1785537000, ""});
    CHECK(has(html, "<p>Riprovi il 01.08.2026 a partire dalle 00:30.</p>"));

    // Every kind has its own title, and no message page has a form.
    std::set<std::string> titles;
    for (int k = 0; k <= static_cast<int>(MessageKind::unavailable); ++k) {
        html = pages->message(de, MessagePage{static_cast<MessageKind>(k), kUntil, ""});
        std::smatch m;
        REQUIRE(std::regex_search(html, m, std::regex("<h1>([^<]+)</h1>")));
        titles.insert(m[1]);
        CHECK_FALSE(has(html, "<form"));
    }
    CHECK(titles.size() == 12);

    // A back link only to this origin.
    CHECK(has(pages->message(de, MessagePage{MessageKind::forbidden, 0, kLink}),
              "<a class=\"button secondary\" href=\"/d/AbC_dEf-123\">Zurück</a>"));
    for (const char* bad : {"//evil.example/x", "/\\evil.example", "https://evil.example",
                            "javascript:alert(1)", "/d/x y"}) {
        CHECK_FALSE(has(pages->message(de, MessagePage{MessageKind::forbidden, 0, bad}), "Zurück"));
    }
}

TEST_CASE("help page in every language", "[pages]") {
    const auto pages = load_shipped();
    PageContext c = context("fr");
    c.link_path.clear();
    c.csrf.clear();
    const std::string html = pages->help(c);
    INFO(html);
    CHECK(has(html, "<h1>Aide</h1>"));
    CHECK(has(html, "<a href=\"/help?lang=de\" hreflang=\"de\" lang=\"de\">Deutsch</a>"));
    CHECK(has(html,
              "<a href=\"/help?lang=fr\" hreflang=\"fr\" lang=\"fr\" aria-current=\"true\">"
              "Français</a>"));
    CHECK(count(html, "<h2>") == 8);
    CHECK_FALSE(has(html, "<form"));
    for (const auto lang : kLanguages) {
        const std::string h = pages->help(context(std::string(lang)));
        CHECK(count(h, "Praxis Muster") >= 5);
    }
    CHECK(
        has(pages->help(context("de")), "nach Ablauf der Aufbewahrungsfrist automatisch gelöscht"));
}

TEST_CASE("every footer names the practice's contact, each detail only when set", "[pages]") {
    const auto pages = load_shipped();
    PageContext c = context("fr");
    c.address = "Rue du Midi 1, 1003 Lausanne";
    c.phone = "+41 21 123 45 67";
    c.email = "cabinet@physio-lac.ch";
    for (const std::string& html :
         {pages->landing(c, landing_page()), pages->help(c),
          pages->documents(c, DocumentsPage{two_documents(), kExpires, ""}),
          pages->code(c, CodePage{"\u2022\u202267", "code_sent", 0, false})}) {
        INFO(html);
        const auto footer = html.substr(html.find("<footer"));
        CHECK(has(footer,
                  "<address class=\"contact\">Praxis Muster<br>Rue du Midi 1, 1003 Lausanne<br>"
                  "Téléphone: <a href=\"tel:+41211234567\">+41 21 123 45 67</a><br>E-mail: "
                  "<a href=\"mailto:cabinet@physio-lac.ch\">cabinet@physio-lac.ch</a></address>"));
        CHECK(has(footer, "<a href=\"/privacy?lang=fr\">Protection des données</a>"));
    }
    // Unset details are left out, not shown empty.
    const std::string bare = pages->help(context("de"));
    CHECK(has(bare, "<address class=\"contact\">Praxis Muster</address>"));
    CHECK_FALSE(has(bare, "tel:"));
    CHECK_FALSE(has(bare, "mailto:"));
    // Hostile values stay text.
    c.address = "<script>x</script>";
    c.phone = "\"><b>";
    CHECK_FALSE(has(pages->help(c), "<script>x"));
    CHECK_FALSE(has(pages->help(c), "\"><b>"));
}

TEST_CASE("privacy page: controller, what, how long, who, how to ask, in four languages",
          "[pages]") {
    const auto pages = load_shipped();
    PrivacyPage p;
    p.link_days = 14;
    p.retention_days = 60;
    p.max_days = 200;
    p.gateway = "api.aspsms.com";
    p.privacy_url = "https://physio-lac.ch/datenschutz";
    p.privacy_text = "Datenschutzberater: M. Rochat\n\n<b>Zweiter</b> Absatz";
    for (const auto lang : kLanguages) {
        PageContext c = context(std::string(lang));
        c.email = "praxis@example.ch";
        const std::string html = pages->privacy(c, p);
        INFO(html);
        CHECK(html.rfind("<!DOCTYPE html>\n<html lang=\"" + std::string(lang) + "\">", 0) == 0);
        CHECK(count(html, "<h2>") == 7);
        CHECK(has(html, "14"));
        CHECK(has(html, "60"));
        CHECK(has(html, "200"));
        CHECK(has(html, " (api.aspsms.com)"));
        CHECK(has(html, "<a href=\"https://physio-lac.ch/datenschutz\">"));
        CHECK(has(html, "<p>Datenschutzberater: M. Rochat</p>"));
        CHECK(has(html, "<p>&lt;b&gt;Zweiter&lt;/b&gt; Absatz</p>"));
        CHECK(has(html, "www.edoeb.admin.ch"));
        CHECK(count(html, "mailto:praxis@example.ch") == 2);  // the page and the footer
        CHECK_FALSE(has(html, "{"));
        CHECK_FALSE(has(html, "<script"));
    }
    CHECK(has(pages->privacy(context("de"), p), "<h1>Datenschutzerklärung</h1>"));
    CHECK(has(pages->privacy(context("fr"), p), "Ce qui est enregistré"));
    CHECK(has(pages->privacy(context("it"), p), "Chi tratta i Suoi dati"));
    CHECK(has(pages->privacy(context("en"), p), "Your link works for 14 days."));
    // Without a URL, a text or a named gateway: no empty link, section or parentheses.
    const std::string plain = pages->privacy(context("en"), PrivacyPage{});
    CHECK_FALSE(has(plain, "href=\"\""));
    CHECK_FALSE(has(plain, "()"));
    CHECK(count(plain, "<h2>") == 6);
}

TEST_CASE("landing hides document names when asked, the documents page never", "[pages]") {
    const auto pages = load_shipped();
    LandingPage hidden = landing_page();
    hidden.hide_names = true;
    for (const auto& [lang, word] : std::vector<std::pair<std::string, std::string>>{
             {"de", "Dokument"}, {"fr", "Document"}, {"it", "Documento"}, {"en", "Document"}}) {
        const std::string html = pages->landing(context(lang), hidden);
        INFO(html);
        CHECK(has(html, "<li>" + word + " 1</li>\n<li>" + word + " 2</li>"));
        CHECK_FALSE(has(html, "Rechnung"));
        CHECK_FALSE(has(html, "ckforderungsbeleg"));
    }
    CHECK(has(pages->landing(context("de"), landing_page()), "<li>Rechnung-2026-1127.pdf</li>"));
    CHECK(has(pages->documents(context("de"), DocumentsPage{two_documents(), kExpires, ""}),
              "Rechnung-2026-1127.pdf"));
}

TEST_CASE("language switcher: four links, the current one marked", "[pages]") {
    const auto pages = load_shipped();
    const std::string html = pages->landing(context("it"), landing_page());
    INFO(html);
    CHECK(has(html,
              "<nav class=\"lang-nav\" aria-label=\"Lingua\"><ul class=\"lang-switch\">"
              "<li><a href=\"/d/AbC_dEf-123?lang=de\" hreflang=\"de\" lang=\"de\">Deutsch</a></li>"
              "<li><a href=\"/d/AbC_dEf-123?lang=fr\" hreflang=\"fr\" lang=\"fr\">Français</a></li>"
              "<li><a href=\"/d/AbC_dEf-123?lang=it\" hreflang=\"it\" lang=\"it\" "
              "aria-current=\"true\">Italiano</a></li>"
              "<li><a href=\"/d/AbC_dEf-123?lang=en\" hreflang=\"en\" lang=\"en\">English</a>"
              "</li></ul></nav>"));
    CHECK(count(html, "aria-current") == 1);
    CHECK(has(html, "<a href=\"/help?lang=it\">Aiuto</a>"));
    CHECK(has(html, "<a href=\"/privacy?lang=it\">Protezione dei dati</a>"));

    PageContext none = context("en");
    none.link_path.clear();
    const std::string nf = pages->message(none, MessagePage{MessageKind::not_found, 0, ""});
    CHECK(has(nf, "<a href=\"?lang=de\" hreflang=\"de\" lang=\"de\">Deutsch</a>"));
    CHECK(has(nf, "<a href=\"?lang=en\" hreflang=\"en\" lang=\"en\" aria-current=\"true\">"));
}

TEST_CASE("hostile names and values render inert", "[pages]") {
    const auto pages = load_shipped();
    PageContext c = context("de");
    c.practice_name = "Dr. \"O'Brien\" & <b>Söhne</b>";
    c.csrf = "\"><script>alert(1)</script>";
    c.link_path = "/d/\"onmouseover=alert(1)";
    c.has_logo = true;
    LandingPage p = landing_page();
    p.documents = {{0, "<script>alert(1)</script>.pdf", "application/pdf", 1},
                   {1, "Rechnung\u202Efdp.exe\r\nX-Evil: 1", "application/pdf", 1}};
    p.masked_phone = "<i>67</i>";
    p.notice = "code_sent";
    const std::string esc_practice = "Dr. &quot;O&#39;Brien&quot; &amp; &lt;b&gt;Söhne&lt;/b&gt;";

    for (const std::string& html :
         {pages->landing(c, p), pages->documents(c, DocumentsPage{p.documents, kExpires, ""}),
          pages->code(c, CodePage{p.masked_phone, "code_wrong", 2, false}),
          pages->expired(c, ExpiredPage{kExpired, p.masked_phone, ""}),
          pages->message(c, MessagePage{MessageKind::gone, 0, ""})}) {
        INFO(html);
        CHECK_FALSE(has(html, "<script"));
        CHECK_FALSE(has(html, "<b>"));
        CHECK_FALSE(has(html, "<i>"));
        CHECK_FALSE(has(html, "\"onmouseover"));
        CHECK_FALSE(has(html, "\u202E"));
        CHECK_FALSE(has(html, "\r"));
        CHECK(has(html, "<title>"));
        CHECK(has(html, "<img class=\"logo\" src=\"/static/logo\" alt=\"" + esc_practice + "\">"));
        CHECK(has(html, esc_practice + "</title>"));
        if (has(html, "method=\"post\"")) {
            CHECK(has(html,
                      "name=\"csrf\" value=\"&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;\">"));
            CHECK(has(html, "action=\"/d/&quot;onmouseover=alert(1)/"));
        }
    }
    const std::string landing = pages->landing(c, p);
    CHECK(has(landing, "<li>&lt;script&gt;alert(1)&lt;/script&gt;.pdf</li>"));
    CHECK(has(landing, "<li>Rechnungfdp.exe  X-Evil: 1</li>"));
    CHECK(has(landing, "Endung &lt;i&gt;67&lt;/i&gt;."));
    CHECK(has(pages->message(c, MessagePage{MessageKind::gone, 0, ""}),
              "Bei Fragen wenden Sie sich bitte an " + esc_practice + ".</p>"));
    CHECK(has(pages->documents(c, DocumentsPage{p.documents, kExpires, ""}),
              "<label for=\"doc-0\" class=\"doc-name\">&lt;script&gt;alert(1)&lt;/script&gt;.pdf"
              "</label>"));
}

TEST_CASE("SMS text: short, names the practice, has the code, no link", "[pages][sms]") {
    const auto pages = load_shipped();
    const std::string practice40 = "Physiotherapie Muster-Beispiel, Uster ZH";
    REQUIRE(practice40.size() == 40);
    CHECK(pages->sms_text("de", "Praxis Muster", "123456") ==
          "Ihr Code für Praxis Muster: 123456. Gültig 10 Minuten. Geben Sie ihn nicht weiter.");
    CHECK(pages->sms_text("en", "Praxis Muster", "123456", 5) ==
          "Your code for Praxis Muster: 123456. Valid for 5 minutes. Do not share it.");
    for (const auto lang : kLanguages) {
        // The longest the config allows: a 10-digit code valid for 60 minutes.
        const std::string sms = pages->sms_text(lang, practice40, "1234567890", 60);
        INFO(sms);
        CHECK(has(sms, practice40));
        CHECK(has(sms, "1234567890"));
        CHECK_FALSE(has(sms, "http"));
        CHECK_FALSE(has(sms, "www"));
        CHECK_FALSE(has(sms, "/"));
        CHECK(code_points(sms).size() <= 160);
        CHECK(gsm7(sms));
    }
    CHECK(pages->sms_text("xx", "Praxis Muster", "123456") ==
          pages->sms_text("de", "Praxis Muster", "123456"));
    CHECK(
        has(pages->sms_text("fr", "Praxis\nMuster", "42"), "Votre code pour Praxis Muster : 42."));
}

}  // namespace
}  // namespace sealpost::portal

namespace sealpost::portal {
namespace {

TEST_CASE("voice text: the code twice, digit by digit, in each language", "[pages][voice]") {
    const auto pages = load_shipped();
    CHECK(spoken_digits("481592") == "4, 8, 1, 5, 9, 2");
    CHECK(spoken_digits("12 3x") == "1, 2, 3");
    CHECK(spoken_digits("").empty());
    const std::vector<std::pair<std::string_view, std::string_view>> expected{
        {"de",
         "Guten Tag, hier ist Praxis Muster. Ihr Code lautet: 4, 8, 1, 5, 9, 2. Ich wiederhole: "
         "4, 8, 1, 5, 9, 2. Auf Wiederhören."},
        {"fr",
         "Bonjour, ici Praxis Muster. Votre code est : 4, 8, 1, 5, 9, 2. Je répète : "
         "4, 8, 1, 5, 9, 2. Au revoir."},
        {"it",
         "Buongiorno, qui Praxis Muster. Il Suo codice è: 4, 8, 1, 5, 9, 2. Ripeto: "
         "4, 8, 1, 5, 9, 2. Arrivederci."},
        {"en",
         "Hello, this is Praxis Muster. Your code is: 4, 8, 1, 5, 9, 2. I repeat: "
         "4, 8, 1, 5, 9, 2. Goodbye."},
    };
    for (const auto& [lang, text] : expected) {
        CHECK(pages->voice_text(lang, "Praxis Muster", "481592") == text);
    }
    for (const auto lang : kLanguages) {
        const std::string t = pages->voice_text(lang, "Praxis\nMuster", "1234567890");
        INFO(t);
        CHECK(count(t, "1, 2, 3, 4, 5, 6, 7, 8, 9, 0") == 2);
        CHECK_FALSE(has(t, "1234567890"));  // never read as one big number
        CHECK(has(t, "Praxis Muster"));
        CHECK_FALSE(has(t, "http"));
    }
    CHECK(pages->voice_text("xx", "P", "12") == pages->voice_text("de", "P", "12"));
}

TEST_CASE("a landline: the pages offer a call instead of an SMS", "[pages][voice]") {
    zurich_time();
    const auto pages = load_shipped();
    LandingPage l = landing_page();
    l.by_call = true;
    const std::string landing = pages->landing(context("de"), l);
    INFO(landing);
    CHECK(has(landing, "rufen wir Sie auf Ihrer Festnetznummer mit Endung \u2022\u202267 an"));
    CHECK(has(landing, ">Rufen Sie mich mit dem Code an</button>"));
    CHECK_FALSE(has(landing, "SMS"));
    CHECK(has(pages->landing(context("fr"), l), ">Appelez-moi avec le code</button>"));
    CHECK(has(pages->landing(context("it"), l), ">Mi chiami con il codice</button>"));
    CHECK(has(pages->landing(context("en"), l), ">Call me with the code</button>"));

    CodePage c{"\u2022\u202267", "call_started", 0, false};
    c.by_call = true;
    for (const auto lang : kLanguages) {
        const std::string html = pages->code(context(std::string(lang)), c);
        INFO(html);
        CHECK_FALSE(has(html, "SMS"));
        CHECK(has(html, "role=\"status\""));
    }
    const std::string code = pages->code(context("en"), c);
    CHECK(has(code, "We are calling you now."));
    CHECK(has(code, "<label for=\"code\">Code from the call</label>"));
    CHECK(has(code, "Enter the code we read to you on the phone (number ending in"));
    CHECK(has(code, ">Call me again</button>"));

    ExpiredPage e{kExpired, "\u2022\u202267", ""};
    e.by_call = true;
    CHECK(has(pages->expired(context("en"), e), "we call you on the number ending in"));
    // Without by_call the SMS wording stays.
    CHECK(has(pages->landing(context("en"), landing_page()), ">Send code by SMS</button>"));
    MessagePage m;
    m.kind = MessageKind::call_failed;
    CHECK(has(pages->message(context("en"), m), "The call could not be placed just now."));
}

}  // namespace
}  // namespace sealpost::portal
