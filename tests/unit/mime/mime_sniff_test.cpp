// SPDX-License-Identifier: Apache-2.0
// Content detection (mime/mime_sniff) and the shapes parsers disagree on (mime/mime_shape,
// through MimeMessage::parse): magic numbers, names, files hidden in text, near-boundary lines,
// duplicate content headers, unknown transfer encodings.
#include <catch2/catch.hpp>

#include <set>

#include "mime/mime_shape.hpp"
#include "mime/mime_sniff.hpp"
#include "tests/unit/mime/mime_test_util.hpp"

namespace sealpost::mime {
namespace {

using namespace std::string_literals;

std::string b64(std::string_view in) {
    static constexpr char kAlphabet[] =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const auto n = (static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16U) |
                       (static_cast<unsigned>(static_cast<unsigned char>(in[i + 1])) << 8U) |
                       static_cast<unsigned>(static_cast<unsigned char>(in[i + 2]));
        out += kAlphabet[(n >> 18U) & 63U];
        out += kAlphabet[(n >> 12U) & 63U];
        out += kAlphabet[(n >> 6U) & 63U];
        out += kAlphabet[n & 63U];
    }
    if (i + 1 == in.size()) {
        const auto n = static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16U;
        out += kAlphabet[(n >> 18U) & 63U];
        out += kAlphabet[(n >> 12U) & 63U];
        out += "==";
    } else if (i + 2 == in.size()) {
        const auto n = (static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16U) |
                       (static_cast<unsigned>(static_cast<unsigned char>(in[i + 1])) << 8U);
        out += kAlphabet[(n >> 18U) & 63U];
        out += kAlphabet[(n >> 12U) & 63U];
        out += kAlphabet[(n >> 6U) & 63U];
        out += '=';
    }
    return out;
}

std::string lines76(std::string_view s) {
    std::string out;
    for (std::size_t i = 0; i < s.size(); i += 76) {
        out += std::string(s.substr(i, 76)) + "\r\n";
    }
    return out;
}

const std::string kPdf = "%PDF-1.4\n% sniff test document with enough bytes to be a file\n" +
                         std::string(200, 'x') + "\n%%EOF\n";
const std::string kPng = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR logo"s;

constexpr std::string_view kHead =
    "From: praxis@example.ch\r\nTo: patient@example.org\r\nSubject: t\r\nMIME-Version: 1.0\r\n";

std::string reason_of(const std::string& data) {
    auto m = MimeMessage::parse(data);
    REQUIRE_FALSE(m);
    return std::string(refusal_reason(m.error()));
}

TEST_CASE("sniff: magic numbers of documents and images", "[mime][sniff]") {
    CHECK(sniff_type(kPdf) == "application/pdf");
    CHECK(sniff_type(std::string(900, ' ') + "%PDF-1.7") == "application/pdf");
    CHECK(sniff_type(std::string(1030, ' ') + "%PDF-1.7").empty());  // past Acrobat's window
    CHECK(sniff_type("PK\x03\x04rest") == "application/zip");
    CHECK(sniff_type("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1...") == "application/x-ole-storage");
    CHECK(sniff_type("{\\rtf1\\ansi") == "application/rtf");
    CHECK(sniff_type("II*\0\x08\0\0\0"s) == "image/tiff");
    CHECK(sniff_type("MM\0*\0\0\0\x08"s) == "image/tiff");
    CHECK(sniff_type("\xFF\xD8\xFF\xE0") == "image/jpeg");
    CHECK(sniff_type(kPng) == "image/png");
    CHECK(sniff_type("GIF89a....") == "image/gif");
    CHECK(sniff_type("\0\0\0\x18"
                     "ftypheic\0\0\0\0"s) == "image/heic");
    CHECK(sniff_type("\0\0\0\x18"
                     "ftypmif1\0\0\0\0"s) == "image/heif");
    CHECK(sniff_type("\x78\x9F\x3E\x22\x01") == "application/ms-tnef");
    CHECK(sniff_type("\xEF\xBB\xBF  <?xml version=\"1.0\"?><invoice/>") == "application/xml");
    CHECK(sniff_type("Guten Tag,\r\nanbei die Rechnung.").empty());
    CHECK(sniff_type("").empty());
}

TEST_CASE("sniff: names and inline images", "[mime][sniff]") {
    CHECK(type_for_name("Befund.PDF") == "application/pdf");
    CHECK(type_for_name("Befund.pdf. ") == "application/pdf");  // Windows drops the dot
    CHECK(type_for_name("logo.png") == "image/png");
    CHECK(type_for_name("README").empty());
    CHECK(is_document_name("a.docx"));
    CHECK(is_document_name("winmail.dat"));
    CHECK_FALSE(is_document_name("logo.jpg"));
    CHECK_FALSE(is_document_name(""));
    CHECK(is_inline_image_of("image/png", kPng));
    CHECK(is_inline_image_of("image/jpg", "\xFF\xD8\xFF\xE0 jfif"));
    CHECK_FALSE(is_inline_image_of("image/gif", kPng));  // not the declared type
    CHECK_FALSE(is_inline_image_of("image/png", kPdf));
    CHECK_FALSE(is_inline_image_of("image/png", kPng + std::string(2000, '\0') + kPdf));
    CHECK_FALSE(is_inline_image_of("image/tiff", "II*\0\x08\0\0\0"s));  // a scan format
    CHECK(container_holds_pdf("\x78\x9F\x3E\x22 stuff " + kPdf));
    CHECK(container_holds_pdf("PK\x03\x04" + std::string(22, '\x01') + "\x0A\0\0\0"s +
                              "Befund.pdf" + "deflated"));
    CHECK_FALSE(container_holds_pdf("PK\x03\x04" + std::string(22, '\x01') + "\x08\0\0\0"s +
                                    "logo.png" + "deflated"));
}

TEST_CASE("sniff: files hidden in text", "[mime][sniff]") {
    CHECK(hidden_file_in_text("Hallo\r\n\r\nbegin 644 Befund.pdf\r\nM)5!$\r\n`\r\nend\r\n") ==
          "uuencode");
    CHECK(hidden_file_in_text("begin 0644 x.bin\n") == "uuencode");
    CHECK(hidden_file_in_text("begin-base64 644 Befund.pdf\n") == "uuencode");
    CHECK(hidden_file_in_text("=ybegin line=128 size=10 name=a.pdf\r\n") == "yEnc");
    CHECK(hidden_file_in_text("(This file must be converted with BinHex 4.0)\r\n") == "BinHex");
    CHECK(hidden_file_in_text("Guten Tag\r\n\r\n" + lines76(b64(kPdf)) + "Gruss\r\n") == "base64");
    CHECK(hidden_file_in_text(b64(kPdf)) == "base64");  // one long line
    // Not files: prose, a begin without a mode, base64 of text, a PGP-like block of noise.
    CHECK_FALSE(hidden_file_in_text("begin the meeting at 10\r\nend\r\n"));
    CHECK_FALSE(hidden_file_in_text("Let us begin 644 times\r\n"));
    CHECK_FALSE(hidden_file_in_text(lines76(b64(std::string(300, 'a')))));
    CHECK_FALSE(hidden_file_in_text("Guten Tag,\r\nanbei die Rechnung.\r\n"));
}

TEST_CASE("sniff: transfer encodings of RFC 2045 6.1 only", "[mime][sniff]") {
    for (const char* ok : {"7bit", "8BIT", " binary ", "Base64", "quoted-printable\t"}) {
        CHECK(is_standard_encoding(ok));
    }
    for (const char* bad : {"x-uuencode", "base-64", "base64 (comment)", "", "uuencode"}) {
        CHECK_FALSE(is_standard_encoding(bad));
    }
}

TEST_CASE("shape: near-boundary lines against every boundary", "[mime][shape]") {
    const std::set<std::string> b{"SEP", "IN"};
    CHECK_FALSE(detail::near_boundary_line("--SEP\r\nx\r\n--IN\r\n--IN--  \r\n--SEP--\r\n", b));
    CHECK(detail::near_boundary_line("--SEP\r\n--SEPx\r\n", b) == 7U);
    CHECK(detail::near_boundary_line("--SEP junk\r\n", b) == 0U);
    CHECK(detail::near_boundary_line("--SEP--junk\r\n", b) == 0U);
    CHECK(detail::near_boundary_line("a\r\n--INNER\r\n", b) == 3U);
    CHECK_FALSE(detail::near_boundary_line("-- \r\nSignatur\r\n", b));
    std::set<std::string> found;
    detail::raw_boundaries(
        "Content-Type: multipart/mixed; BOUNDARY=\"a b\"; x=1\r\n boundary=tok;\r\n", found);
    CHECK(found == std::set<std::string>{"a b", "tok"});
}

TEST_CASE("parse: a text body whose bytes are a PDF is an attachment", "[mime][shape]") {
    const std::string data = std::string(kHead) +
                             "Content-Type: multipart/mixed; boundary=\"S\"\r\n\r\n--S\r\n"
                             "Content-Type: text/plain\r\n\r\nHallo\r\n--S\r\n"
                             "Content-Type: text/plain\r\nContent-Transfer-Encoding: base64\r\n"
                             "\r\n" +
                             lines76(b64(kPdf)) + "--S--\r\n";
    const auto m = test::parse_ok(data);
    REQUIRE(m.attachments().size() == 1);
    CHECK(m.text_parts() == 1);
    const auto& a = m.attachments()[0];
    CHECK(a.content_type == "application/pdf");
    CHECK(a.declared_type == "text/plain");
    CHECK(a.file_name == "attachment-1.pdf");
    CHECK(a.bytes == kPdf);
}

TEST_CASE("parse: a PDF dressed as an inline image is a document", "[mime][shape]") {
    auto related = [](std::string_view img_headers, std::string_view bytes) {
        return std::string(kHead) +
               "Content-Type: multipart/related; boundary=\"R\"\r\n\r\n--R\r\n"
               "Content-Type: text/html\r\n\r\n<img src=\"cid:logo@p\">\r\n--R\r\n" +
               std::string(img_headers) + "Content-Transfer-Encoding: base64\r\n\r\n" +
               lines76(b64(bytes)) + "--R--\r\n";
    };
    const auto logo =
        test::parse_ok(related("Content-Type: image/png\r\nContent-ID: <logo@p>\r\n", kPng));
    REQUIRE(logo.attachments().size() == 1);
    CHECK(logo.attachments()[0].inline_image);

    const auto pdf =
        test::parse_ok(related("Content-Type: image/png\r\nContent-ID: <logo@p>\r\n", kPdf));
    REQUIRE(pdf.attachments().size() == 1);
    CHECK_FALSE(pdf.attachments()[0].inline_image);
    CHECK(pdf.attachments()[0].content_type == "application/pdf");
    CHECK(pdf.attachments()[0].type_readings ==
          std::vector<std::string>{"application/pdf", "image/png"});

    const auto named = test::parse_ok(
        related("Content-Type: image/png; name=\"Befund.pdf\"\r\nContent-ID: <logo@p>\r\n", kPng));
    CHECK_FALSE(named.attachments()[0].inline_image);
    const auto unreferenced =
        test::parse_ok(related("Content-Type: image/png\r\nContent-ID: <other@p>\r\n", kPng));
    CHECK_FALSE(unreferenced.attachments()[0].inline_image);
}

TEST_CASE("parse: a forwarded message is read with what it holds", "[mime][shape]") {
    const std::string data =
        std::string(kHead) +
        "Content-Type: multipart/mixed; boundary=\"S\"\r\n\r\n--S\r\n"
        "Content-Type: text/plain\r\n\r\nHallo\r\n--S\r\nContent-Type: message/rfc822\r\n\r\n"
        "Subject: inner\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"I\"\r\n"
        "\r\n--I\r\nContent-Type: application/octet-stream; name=\"Befund.pdf\"\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n" +
        lines76(b64(kPdf)) + "--I--\r\n--S--\r\n";
    const auto m = test::parse_ok(data);
    REQUIRE(m.attachments().size() == 1);
    const auto& t = m.attachments()[0].type_readings;
    CHECK(t.front() == "message/rfc822");
    CHECK(std::find(t.begin(), t.end(), "application/pdf") != t.end());
    CHECK(m.attachments()[0].other_names == std::vector<std::string>{"Befund.pdf"});
}

TEST_CASE("parse: shapes parsers disagree on are refused with their reason", "[mime][shape]") {
    const std::string mixed = std::string(kHead) +
                              "Content-Type: multipart/mixed; boundary=\"SEP\"\r\n\r\n--SEP\r\n"
                              "Content-Type: text/plain\r\n\r\nHallo\r\n";
    const std::string pdf_part =
        "Content-Type: application/pdf\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n" +
        lines76(b64(kPdf));
    CHECK(reason_of(mixed + "--SEPx\r\n" + pdf_part + "--SEP--\r\n") == "ambiguous_boundary");
    CHECK(reason_of(mixed + "--SEP junk\r\n" + pdf_part + "--SEP--\r\n") == "ambiguous_boundary");
    CHECK(reason_of(mixed + "--SEP\r\nContent-Type: text/plain\r\n" + pdf_part + "--SEP--\r\n") ==
          "duplicate_header");
    CHECK(reason_of(mixed + "--SEP\r\nContent-Transfer-Encoding: 7bit\r\n" + pdf_part +
                    "--SEP--\r\n") == "duplicate_header");
    CHECK(reason_of(std::string(kHead) + "Content-Type: text/plain\r\n" +
                    "Content-Type: text/html\r\n\r\nx\r\n") == "duplicate_header");
    CHECK(reason_of(mixed + "--SEP\r\nContent-Type: application/pdf\r\n"
                            "Content-Transfer-Encoding: x-uuencode\r\n\r\nbegin\r\n--SEP--\r\n") ==
          "unknown_encoding");
    CHECK(reason_of(std::string(kHead) + "Content-Type: text/plain\r\n\r\nHallo\r\n\r\n" +
                    "begin 644 Befund.pdf\r\nM)5!$\r\n`\r\nend\r\n") == "encoded_file_in_text");
    auto m = MimeMessage::parse(std::string(kHead) + "Content-Type: text/plain\r\n\r\n" +
                                "=ybegin line=128 size=3 name=a.pdf\r\nabc\r\n=yend\r\n");
    REQUIRE_FALSE(m);
    CHECK(refusal_subject(m.error()) == "yEnc");
    // A text part with an unknown encoding is read as it stands: not refused.
    CHECK(MimeMessage::parse(std::string(kHead) + "Content-Type: text/plain\r\n" +
                             "Content-Transfer-Encoding: 8-bit\r\n\r\nHallo\r\n"));
}

}  // namespace
}  // namespace sealpost::mime
