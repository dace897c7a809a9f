// SPDX-License-Identifier: Apache-2.0
// MimeMessage::parse on hand-made fixtures (tests/data/mime): the attachment inventory,
// RFC 2231 names, inline images, nested messages, signed mail, and refusals.
#include <catch2/catch.hpp>

#include <algorithm>

#include "tests/unit/mime/mime_test_util.hpp"

namespace sealpost::mime {
namespace {

using namespace std::string_literals;
using test::fixture;
using test::parse_ok;

std::string refusal(std::string_view name) {
    auto m = MimeMessage::parse(fixture(name));
    REQUIRE_FALSE(m);
    CHECK(m.error().code == Errc::invalid_argument);
    return m.error().detail;
}

TEST_CASE("mixed text and two PDFs: two attachments with decoded bytes", "[mime][parse]") {
    const auto m = parse_ok(fixture("mixed_text_2pdf.eml"));
    REQUIRE(m.attachments().size() == 2);
    CHECK(m.text_parts() == 1);
    CHECK_FALSE(m.is_signed());
    CHECK_FALSE(m.is_encrypted());
    CHECK(m.subject() == "Rechnung November [secure]");
    const auto& a = m.attachments()[0];
    CHECK(a.content_type == "application/pdf");
    CHECK(a.file_name == "Rechnung-2026-1127.pdf");
    CHECK(a.has_file_name);
    CHECK(a.path == "2");
    CHECK(a.bytes == "%PDF-1.4\n% Rechnung 2026-1127 (fixture)\n%%EOF\n");
    const auto& b = m.attachments()[1];
    CHECK(b.file_name == "Beleg.pdf");
    CHECK(b.bytes == "%PDF-1.4\n% Rueckforderungsbeleg (fixture)\n\x00\x01\x02\xff%%EOF\n"s);
    CHECK(b.size() == 52);
    CHECK(select_all(m, true) == std::vector<std::size_t>{0, 1});
    CHECK(m.root_content_type() == "multipart/mixed");
    CHECK(m.header("x-mailer") == "fixture");
    CHECK(m.header("Message-Id") == "<fixture-mixed@therapie-muster.ch>");
    CHECK(m.header("Sensitivity").empty());
    REQUIRE(m.headers().size() == 8);
    CHECK(m.headers()[0].name == "From");
    CHECK(m.headers()[7].name == "Content-Type");
}

TEST_CASE("RFC 2231 UTF-8 file name inside mixed with an alternative body", "[mime][parse]") {
    const auto m = parse_ok(fixture("alternative_rfc2231.eml"));
    REQUIRE(m.attachments().size() == 1);
    CHECK(m.text_parts() == 2);
    const auto& a = m.attachments()[0];
    CHECK(a.file_name ==
          "R\xC3\xBC"
          "ckforderungsbeleg M\xC3\xA4rz.pdf");
    CHECK(a.content_type == "application/pdf");
    CHECK(a.bytes == test::read_bytes(std::filesystem::path(SEALPOST_SOURCE_DIR) / "tests" /
                                      "data" / "samples" / "Rueckforderungsbeleg-2026-1127.pdf"));
    CHECK(m.subject() ==
          "R\xC3\xBC"
          "ckforderung [sms:+41 79 123 45 67]");
}

TEST_CASE("a message that is only a PDF", "[mime][parse]") {
    const auto m = parse_ok(fixture("single_pdf.eml"));
    REQUIRE(m.attachments().size() == 1);
    CHECK(m.text_parts() == 0);
    CHECK(m.attachments()[0].file_name == "scan.pdf");
    CHECK(m.attachments()[0].path == "1");
    CHECK(m.attachments()[0].bytes == "%PDF-1.4\n% Rechnung 2026-1127 (fixture)\n%%EOF\n");
}

TEST_CASE("image referenced by cid: from HTML is an inline image", "[mime][parse]") {
    const auto m = parse_ok(fixture("inline_image.eml"));
    REQUIRE(m.attachments().size() == 2);
    const auto& img = m.attachments()[0];
    CHECK(img.content_type == "image/png");
    CHECK(img.content_id == "logo@praxis");
    CHECK(img.inline_image);
    CHECK(img.bytes == std::string("\x89PNG\r\n\x1a\n fixture logo"));
    CHECK_FALSE(img.has_file_name);
    CHECK(img.file_name == "attachment-1.png");
    // Named only in Content-Type (no Content-Disposition): still an attachment.
    CHECK(m.attachments()[1].file_name == "Rechnung.pdf");
    CHECK_FALSE(m.attachments()[1].inline_image);
    CHECK(select_all(m, true) == std::vector<std::size_t>{1});
    CHECK(select_all(m, false) == std::vector<std::size_t>{0, 1});
}

TEST_CASE("a forwarded message/rfc822 is one attachment", "[mime][parse]") {
    const auto m = parse_ok(fixture("nested_rfc822.eml"));
    REQUIRE(m.attachments().size() == 1);
    const auto& a = m.attachments()[0];
    CHECK(a.content_type == "message/rfc822");
    CHECK(a.file_name == "attachment-1.eml");
    CHECK(test::has(a.bytes.value(), "Subject: Bericht\r\n"));
    CHECK(test::has(a.bytes.value(), "Content-Type: application/pdf; name=\"bericht.pdf\"\r\n"));
    CHECK(m.text_parts() == 1);
}

TEST_CASE("multipart/signed is detected", "[mime][parse]") {
    const auto m = parse_ok(fixture("signed.eml"));
    CHECK(m.is_signed());
    CHECK_FALSE(m.is_encrypted());
    REQUIRE(m.attachments().size() == 1);
    CHECK(m.attachments()[0].content_type == "application/pkcs7-signature");
}

TEST_CASE("encrypted S/MIME is detected", "[mime][parse]") {
    const std::string msg =
        "From: a@b.ch\r\nTo: c@d.ch\r\nSubject: x\r\nMIME-Version: 1.0\r\n"
        "Content-Type: application/pkcs7-mime; smime-type=enveloped-data; name=smime.p7m\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\nMIAGCSqGSIb3DQEHA6CAMIACAQAx\r\n";
    const auto m = parse_ok(msg);
    CHECK(m.is_encrypted());
    CHECK(m.root_content_type() == "application/pkcs7-mime");
    CHECK(m.root_smime_type() == "enveloped-data");
}

TEST_CASE("broken or missing boundaries are refused, never passed", "[mime][parse]") {
    CHECK(test::has(refusal("broken_boundary.eml"), "mime:parser_warning"));
    CHECK(test::has(refusal("no_boundary.eml"), "mime:parser_warning: multipart_without_boundary"));
}

TEST_CASE("own limits: depth and part count", "[mime][parse]") {
    std::string deep = "From: a@b.ch\r\nMIME-Version: 1.0\r\n";
    for (int i = 0; i < 25; ++i) {
        // "b1=" is no prefix of "b10=" (a prefix would be an ambiguous boundary).
        deep += "Content-Type: multipart/mixed; boundary=\"b" + std::to_string(i) +
                "=\"\r\n\r\n--b" + std::to_string(i) + "=\r\n";
    }
    deep += "Content-Type: text/plain\r\n\r\nx\r\n";
    for (int i = 24; i >= 0; --i) {
        deep += "--b" + std::to_string(i) + "=--\r\n";
    }
    auto d = MimeMessage::parse(deep);
    REQUIRE_FALSE(d);
    CHECK(test::has(d.error().detail, "mime:too_deep"));
    // The same message within a generous limit parses.
    CHECK(MimeMessage::parse(deep, MimeLimits{40, 200}));

    std::string wide =
        "From: a@b.ch\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=w\r\n\r\n";
    for (int i = 0; i < 200; ++i) {
        wide += "--w\r\nContent-Type: text/plain\r\n\r\nx\r\n";
    }
    wide += "--w--\r\n";
    auto w = MimeMessage::parse(wide);
    REQUIRE_FALSE(w);
    CHECK(test::has(w.error().detail, "mime:too_many_parts"));
    CHECK(MimeMessage::parse(wide, MimeLimits{20, 201}));
}

TEST_CASE("very deep nesting is refused without crashing", "[mime][parse]") {
    constexpr int kLevels = 3000;
    std::string mp = "From: a@b.ch\r\nMIME-Version: 1.0\r\n";
    std::string msg = mp;
    for (int i = 0; i < kLevels; ++i) {
        mp += "Content-Type: multipart/mixed; boundary=\"d" + std::to_string(i) + "\"\r\n\r\n--d" +
              std::to_string(i) + "\r\n";
        msg += "Content-Type: message/rfc822\r\n\r\nFrom: x@y.ch\r\n";
    }
    mp += "Content-Type: text/plain\r\n\r\nx\r\n";
    msg += "Content-Type: text/plain\r\n\r\nx\r\n";
    for (const std::string* data : {&mp, &msg}) {
        auto m = MimeMessage::parse(*data);
        REQUIRE_FALSE(m);
        INFO(m.error().detail);
        CHECK((test::has(m.error().detail, "mime:too_deep") ||
               test::has(m.error().detail, "nesting_overflow")));
    }
}

TEST_CASE("a body part hidden in the preamble is refused", "[mime][parse]") {
    const std::string msg =
        "From: a@b.ch\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=p\r\n\r\n"
        "Content-Type: application/pdf\r\n\r\nJVBERi0=\r\n--p\r\nContent-Type: text/plain\r\n\r\n"
        "x\r\n--p--\r\n";
    auto m = MimeMessage::parse(msg);
    REQUIRE_FALSE(m);
    CHECK(test::has(m.error().detail, "content outside body parts"));
}

TEST_CASE("a NUL octet is refused: GMime would merge the next header on output", "[mime][parse]") {
    // Found by fuzz_mime_rewrite (seeds/mime_rewrite/regress-nul-in-header): the sealed output
    // lost its Content-Type into the header before it.
    const std::string msg =
        "X-Note: a\0b\r\nContent-Type: multipart/mixed; boundary=\"h\"\r\n\r\n"
        "--h\r\nContent-Type: text/html\r\n\r\n<p>x</p>\r\n--h\r\n"
        "Content-Type: application/pdf\r\n\r\n%PDF\r\n--h--\r\n"s;
    auto m = MimeMessage::parse(msg);
    REQUIRE_FALSE(m);
    CHECK(m.error().code == Errc::invalid_argument);
    CHECK(m.error().detail == "mime:nul_octet: at offset 9");
    // The same message without the NUL parses, with its attachment.
    std::string clean = msg;
    clean[9] = ' ';
    CHECK(parse_ok(clean).attachments().size() == 1);
}

}  // namespace
}  // namespace sealpost::mime

namespace sealpost::mime {
namespace {

/// A message with one 8bit attachment `content` (CRLF lines, no NUL) and one small PDF.
std::string two_part_mail(const std::string& content, const std::string& name) {
    return "From: a@example.ch\r\nTo: b@example.org\r\nSubject: big\r\nMIME-Version: 1.0\r\n"
           "Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n"
           "--b1\r\nContent-Type: text/plain\r\n\r\nHallo\r\n"
           "--b1\r\nContent-Type: application/octet-stream\r\nContent-Transfer-Encoding: 8bit\r\n"
           "Content-Disposition: attachment; filename=\"" +
           name + "\"\r\n\r\n" + content +
           "\r\n--b1\r\nContent-Type: application/pdf\r\n"
           "Content-Disposition: attachment; filename=\"small.pdf\"\r\n\r\n"
           "%PDF-1.4\r\n% Rechnung\r\n%%EOF\r\n--b1--\r\n";
}

/// `n` bytes of 98-character lines, with `insert` placed at `at`.
std::string lines(std::size_t n, std::size_t at, const std::string& insert) {
    std::string s;
    while (s.size() < n) {
        s += std::string(98, 'x') + "\r\n";
    }
    s.resize(n);
    s.replace(at, insert.size(), insert);
    return s;
}

}  // namespace

TEST_CASE("an attachment over the hold budget is scanned, not held, and read again whole",
          "[mime][parse][bounds]") {
    // A ZIP local header naming a PDF (name length 0x0105: no NUL in 8bit data) straddling
    // the first 64 KiB piece: the windowed scan still finds it.
    const std::string name(257, 'n');
    const std::string zip = "PK\x03\x04" + std::string(22, 'a') + "\x05\x01" + "aa" + name + ".pdf";
    const std::string content = lines(300'000, 65'536 - 40, zip);
    MimeLimits limits;
    limits.hold_bytes = 1000;  // the small PDF fits, the large part does not
    auto m = MimeMessage::parse(two_part_mail(content, "archiv.bin"), limits);
    REQUIRE(m);
    REQUIRE(m->attachments().size() == 2);
    const auto& big = m->attachments()[0];
    CHECK_FALSE(big.bytes.has_value());
    CHECK(big.size() == content.size());
    CHECK(std::find(big.type_readings.begin(), big.type_readings.end(), "application/pdf") !=
          big.type_readings.end());
    CHECK(m->attachment_bytes(0).value() == content);
    const auto& small = m->attachments()[1];
    REQUIRE(small.bytes.has_value());
    CHECK(small.content_type == "application/pdf");
    CHECK(m->attachment_bytes(1).value() == *small.bytes);
    // The same message with everything held gives the same inventory and digests.
    auto held = MimeMessage::parse(two_part_mail(content, "archiv.bin"));
    REQUIRE(held);
    CHECK(held->attachments()[0].bytes == content);
    CHECK(held->attachments()[0].digest == big.digest);
    CHECK(held->attachments()[0].type_readings == big.type_readings);
    // Pieces handed to a sink are at most 64 KiB and a sink's error stops the read.
    std::size_t pieces = 0;
    const Status st = m->attachment_write(0, [&](std::string_view p) -> Status {
        CHECK(p.size() <= 65536);
        if (++pieces == 2) {
            return make_error(Errc::io, "stop");
        }
        return {};
    });
    REQUIRE_FALSE(st);
    CHECK(st.error().detail == "stop");
    CHECK(pieces == 2);
}

}  // namespace sealpost::mime
