// SPDX-License-Identifier: Apache-2.0
// mime_rewrite on the fixtures: sealed attachments gone, the notice in every body part,
// charsets, untouched parts byte-identical, headers kept, CRLF output that parses again.
#include <catch2/catch.hpp>

#include "mime/mime_rewrite.hpp"
#include "tests/unit/mime/mime_test_util.hpp"

namespace sealpost::mime {
namespace {

using test::between;
using test::fixture;
using test::has;
using test::parse_ok;

const MimeNotice kNotice{
    "Ihre Dokumente: https://portal.example.ch/d/TOKEN123 (Code an \u2022\u202267)\n",
    "<div class=\"sealpost\">Link: <a href=\"https://portal.example.ch/d/"
    "TOKEN123\">\u00f6ffnen</a> \u2022\u202267</div>"};

std::string rewrite_ok(const MimeMessage& m, std::vector<std::size_t> seal,
                       std::optional<std::string> subject = std::nullopt) {
    MimeRewriteRequest req{std::move(seal), kNotice, std::move(subject)};
    auto out = mime_rewrite(m, req);
    INFO((out ? std::string() : out.error().detail));
    REQUIRE(out);
    return std::move(out).value();
}

/// Every line ends in CRLF: no bare LF, no bare CR.
bool all_crlf(std::string_view s) {
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\n' && (i == 0 || s[i - 1] != '\r')) {
            return false;
        }
        if (s[i] == '\r' && (i + 1 == s.size() || s[i + 1] != '\n')) {
            return false;
        }
    }
    return true;
}

/// CRLF -> LF, for comparing decoded text (RFC 2049 canonical CRLF) with literals.
std::string lf(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (!(s[i] == '\r' && i + 1 < s.size() && s[i + 1] == '\n')) {
            out.push_back(s[i]);
        }
    }
    return out;
}

std::string header_block(std::string_view msg) {
    return std::string(msg.substr(0, msg.find("\r\n\r\n") + 2));
}

TEST_CASE("rewrite: both PDFs removed, notice in the text part, headers kept", "[mime][rewrite]") {
    const std::string raw = fixture("mixed_text_2pdf.eml");
    const auto m = parse_ok(raw);
    const std::string out = rewrite_ok(m, {0, 1}, "Rechnung November");

    CHECK(all_crlf(out));
    CHECK_FALSE(has(out, "application/pdf"));
    CHECK_FALSE(has(out, "JVBERi0"));  // base64 of "%PDF-"
    // Headers: same lines in the same order, Subject replaced in place.
    std::string expected_headers = header_block(raw);
    const std::string old_subject = "Subject: Rechnung November [secure]\r\n";
    expected_headers.replace(expected_headers.find(old_subject), old_subject.size(),
                             "Subject: Rechnung November\r\n");
    CHECK(header_block(out) == expected_headers);

    const auto again = parse_ok(out);
    CHECK(again.attachments().empty());
    REQUIRE(again.bodies().size() == 1);
    const std::string& text = again.bodies()[0].text;
    CHECK(has(text, "Anbei die Rechnung f\u00fcr November."));
    CHECK(has(text, "https://portal.example.ch/d/TOKEN123 (Code an \u2022\u202267)"));
    CHECK(text.find("Praxis Muster") < text.find("TOKEN123"));  // appended after the body
    CHECK(again.bodies()[0].charset == "utf-8");
    CHECK(again.subject() == "Rechnung November");
}

TEST_CASE("rewrite: a kept PDF is byte-identical, the sealed one is gone", "[mime][rewrite]") {
    const std::string raw = fixture("mixed_text_2pdf.eml");
    const auto m = parse_ok(raw);
    const std::string out = rewrite_ok(m, {1});
    const std::string start = "Content-Type: application/pdf; name=\"Rechnung";
    const std::string kept = start + between(raw, start, "--=_outer");
    REQUIRE(kept.size() > 100);
    CHECK(has(out, "--=_outer\r\n" + kept + "--=_outer"));
    CHECK_FALSE(has(out, "Beleg.pdf"));
    // The preamble is kept too, and the Subject when no new one is given.
    CHECK(has(out, "\r\n\r\nThis is a multi-part message in MIME format.\r\n"));
    CHECK(has(out, "Subject: Rechnung November [secure]\r\n"));
    const auto again = parse_ok(out);
    REQUIRE(again.attachments().size() == 1);
    CHECK(again.attachments()[0].bytes == m.attachments()[0].bytes);
}

TEST_CASE("rewrite: alternative body, ISO-8859-1 text re-encoded, HTML before </BODY>",
          "[mime][rewrite]") {
    const std::string raw = fixture("alternative_rfc2231.eml");
    const auto m = parse_ok(raw);
    const std::string out = rewrite_ok(m, {0}, "R\u00fcckforderung");
    CHECK(all_crlf(out));
    CHECK_FALSE(has(out, "X-Sealpost-Phone"));
    CHECK_FALSE(has(out, "application/pdf"));
    CHECK(has(out, "Message-ID: <fixture-alt@therapie-muster.ch>\r\n"));
    CHECK(has(out, "\r\nSubject: =?UTF-8?Q?R=C3=BCckforderung?=\r\nContent-Type: multipart/mixed"));

    const auto again = parse_ok(out);
    CHECK(again.subject() == "R\u00fcckforderung");
    REQUIRE(again.bodies().size() == 2);
    // "••" is not in ISO-8859-1: the plain part became UTF-8, its text intact.
    const auto& plain = again.bodies()[0];
    CHECK(plain.content_type == "text/plain");
    CHECK(plain.charset == "utf-8");
    CHECK(has(plain.text, "Gr\u00fcezi, hier der R\u00fcckforderungsbeleg."));
    CHECK(has(plain.text, "TOKEN123 (Code an \u2022\u202267)"));
    const auto& html = again.bodies()[1];
    CHECK(html.content_type == "text/html");
    CHECK(has(html.text, "<p>Gruezi</p>" + kNotice.html + "</BODY></html>"));
}

TEST_CASE("rewrite: a charset that holds the notice is kept, body bytes unchanged",
          "[mime][rewrite]") {
    // windows-1252 has U+2022 (0x95) and o-umlaut (0xF6): the notice is converted instead.
    const std::string raw =
        "From: a@b.ch\r\nTo: c@d.ch\r\nSubject: s\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n"
        "Content-Type: text/html; charset=windows-1252\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        "<p>Gr\xfc"
        "ezi</p>\r\n--b\r\nContent-Type: application/pdf; name=a.pdf\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--b--\r\n";
    const auto m = parse_ok(raw);
    const std::string out = rewrite_ok(m, {0});
    CHECK(has(out, "charset=windows-1252"));
    const auto again = parse_ok(out);
    REQUIRE(again.bodies().size() == 1);
    CHECK(lf(again.bodies()[0].text) == "<p>Gr\u00fcezi</p>\n" + kNotice.html);
}

TEST_CASE("rewrite: a PDF-only message gets a text+HTML notice body", "[mime][rewrite]") {
    const std::string raw = fixture("single_pdf.eml");
    const auto m = parse_ok(raw);
    const std::string out = rewrite_ok(m, {0});
    CHECK(all_crlf(out));
    CHECK(has(out, "Message-ID: <fixture-single@therapie-muster.ch>\r\n"));
    // The old part's Content-* headers went with it; the others are as they were.
    CHECK(out.rfind("From: Praxis Muster <praxis@therapie-muster.ch>\r\nTo: patient@example.ch\r\n"
                    "Date: Fri, 27 Nov 2026 08:00:00 +0100\r\n"
                    "Message-ID: <fixture-single@therapie-muster.ch>\r\nMIME-Version: 1.0\r\n"
                    "Subject: Scan\r\nContent-Type: multipart/alternative; boundary=",
                    0) == 0);
    CHECK_FALSE(has(out, "Content-Disposition"));
    CHECK(has(out, "Content-Type: multipart/alternative"));
    CHECK_FALSE(has(out, "scan.pdf"));
    const auto again = parse_ok(out);
    CHECK(again.attachments().empty());
    REQUIRE(again.bodies().size() == 2);
    CHECK(again.bodies()[0].content_type == "text/plain");
    CHECK(lf(again.bodies()[0].text) == kNotice.text);
    CHECK(again.bodies()[1].content_type == "text/html");
    CHECK(has(lf(again.bodies()[1].text), "<body>\n" + kNotice.html + "\n</body>"));
}

TEST_CASE("rewrite: the inline logo stays byte-identical, the PDF goes", "[mime][rewrite]") {
    const std::string raw = fixture("inline_image.eml");
    const auto m = parse_ok(raw);
    const std::string out = rewrite_ok(m, select_all(m, true));
    const std::string logo =
        "Content-Type: image/png\r\n" + between(raw, "Content-Type: image/png\r\n", "--r--");
    CHECK(has(out, logo));
    CHECK_FALSE(has(out, "Rechnung.pdf"));
    const auto again = parse_ok(out);
    REQUIRE(again.attachments().size() == 1);
    CHECK(again.attachments()[0].inline_image);
    REQUIRE(again.bodies().size() == 1);
    CHECK(
        has(again.bodies()[0].text, "<img src=\"cid:logo%40praxis\">" + kNotice.html + "</body>"));
}

TEST_CASE("rewrite: a forwarded message is sealed whole", "[mime][rewrite]") {
    const auto m = parse_ok(fixture("nested_rfc822.eml"));
    const std::string out = rewrite_ok(m, {0});
    CHECK_FALSE(has(out, "message/rfc822"));
    CHECK_FALSE(has(out, "bericht.pdf"));
    CHECK_FALSE(has(out, "Bericht anbei"));
    const auto again = parse_ok(out);
    CHECK(again.attachments().empty());
    REQUIRE(again.bodies().size() == 1);
    CHECK(lf(again.bodies()[0].text) == "See the forwarded message.\n\n" + kNotice.text);
}

TEST_CASE("rewrite: refusals", "[mime][rewrite]") {
    const auto signed_msg = parse_ok(fixture("signed.eml"));
    auto s = mime_rewrite(signed_msg, {{0}, kNotice, std::nullopt});
    REQUIRE_FALSE(s);
    CHECK(s.error().detail == "mime:signed_or_encrypted: not rewritten");

    const auto m = parse_ok(fixture("mixed_text_2pdf.eml"));
    auto none = mime_rewrite(m, {{}, kNotice, std::nullopt});
    REQUIRE_FALSE(none);
    CHECK(has(none.error().detail, "mime:selection"));
    auto dup = mime_rewrite(m, {{0, 0}, kNotice, std::nullopt});
    REQUIRE_FALSE(dup);
    auto out_of_range = mime_rewrite(m, {{2}, kNotice, std::nullopt});
    REQUIRE_FALSE(out_of_range);
    CHECK(has(out_of_range.error().detail, "bad index 2"));
}

TEST_CASE("rewrite: the parsed message is reusable, rewrites do not leak into each other",
          "[mime][rewrite]") {
    const auto m = parse_ok(fixture("mixed_text_2pdf.eml"));
    MimeRewriteRequest a{{0, 1}, {"LINK-A\n", "<p>A</p>"}, std::nullopt};
    MimeRewriteRequest b{{0, 1}, {"LINK-B\n", "<p>B</p>"}, std::nullopt};
    auto out_a = mime_rewrite(m, a);
    auto out_b = mime_rewrite(m, b);
    REQUIRE(out_a);
    REQUIRE(out_b);
    CHECK(has(*out_a, "LINK-A"));
    CHECK_FALSE(has(*out_a, "LINK-B"));
    CHECK(has(*out_b, "LINK-B"));
    CHECK_FALSE(has(*out_b, "LINK-A"));
    CHECK(m.attachments().size() == 2);
}

TEST_CASE("rewrite: a body that swallows the notice when decoded is refused", "[mime][rewrite]") {
    // Found by fuzz_mime_rewrite (seeds/mime_rewrite/regress-utf7-swallows-notice): an HTML part
    // in UTF-7 whose text ends in an invalid base64 run. UTF-7 holds the notice, so the notice was
    // appended in UTF-7 after it, but decoding stopped at the invalid run: the link was lost.
    const std::string broken =
        "Content-Type: multipart/mixed; boundary=\"h\"\r\n\r\n"
        "--h\r\nContent-Type: text/html; charset=utf-7\r\n\r\n+0ure\r\n"
        "--h\r\nContent-Type: application/pdf\r\n\r\n%PDF\r\n--h--\r\n";
    const auto m = parse_ok(broken);
    REQUIRE(m.attachments().size() == 1);
    auto out = mime_rewrite(m, {{0}, kNotice, std::nullopt});
    REQUIRE_FALSE(out);
    CHECK(out.error().detail == "mime:verify: the notice does not read back in part 1");

    // Valid UTF-7 keeps its charset and reads back with the notice.
    std::string valid = broken;
    valid.replace(valid.find("+0ure"), 5, "Gr+APw-ezi");
    const auto ok = parse_ok(rewrite_ok(parse_ok(valid), {0}));
    REQUIRE(ok.bodies().size() == 1);
    CHECK(ok.bodies()[0].charset == "utf-7");
    CHECK(has(ok.bodies()[0].text, "Gr\u00fcezi"));
    CHECK(has(ok.bodies()[0].text, kNotice.html));
}

}  // namespace
}  // namespace sealpost::mime
