// SPDX-License-Identifier: Apache-2.0
// sealpost's own notice mails: headers, encodings, the notice in both parts, and refusal of
// addresses or header values that would redirect or split the message.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <ctime>

#include "notice/notice_compose.hpp"
#include "tests/unit/mime/mime_test_util.hpp"

namespace sealpost::mime {
namespace {

using test::between;
using test::has;

constexpr std::int64_t kT0 = 1795773720;  // 2026-11-27 10:02 UTC

NoticeMail sample() {
    NoticeMail m;
    m.from_name = "Praxis M\u00fcller";
    m.from = "praxis@example.ch";
    m.to = "patient@example.ch";
    m.subject = "Ihre Rechnung f\u00fcr November";
    m.date = kT0;
    m.notice.text = "Ihre Dokumente: https://portal.example.ch/d/AbC_dEf-123\n";
    m.notice.html =
        "<p>Ihre Dokumente: <a href=\"https://portal.example.ch/d/AbC\">\u00f6ffnen</a></p>";
    return m;
}

std::string compose_ok(const NoticeMail& m) {
    auto out = compose_notice_mail(m);
    INFO((out ? std::string() : out.error().detail));
    REQUIRE(out);
    return *out;
}

TEST_CASE("a notice mail carries the headers a mail client shows", "[compose]") {
    ::setenv("TZ", "UTC", 1);  // NOLINT(concurrency-mt-unsafe): tests run on one thread
    ::tzset();
    const std::string out = compose_ok(sample());
    const std::string head = out.substr(0, out.find("\r\n\r\n") + 2);
    CHECK(has(head, "Date: Fri, 27 Nov 2026 10:02:00 +0000\r\n"));
    CHECK(has(head, "To: patient@example.ch\r\n"));
    CHECK(has(head, "MIME-Version: 1.0\r\n"));
    CHECK(has(head, "Content-Type: multipart/alternative; boundary="));
    // Non-ASCII display name and subject are RFC 2047 encoded: the header is 7-bit.
    for (const char c : head) {
        CHECK(static_cast<unsigned char>(c) < 0x80);
    }
    CHECK(has(head, "<praxis@example.ch>\r\n"));
    const std::string id = between(head, "Message-Id: <", ">\r\n");
    CHECK(id.size() == 32 + 1 + 10);
    CHECK(id.substr(32) == "@example.ch");
    CHECK(compose_ok(sample()).find(id) == std::string::npos);  // a new id each time

    auto parsed = test::parse_ok(out);
    CHECK(parsed.subject() == "Ihre Rechnung f\u00fcr November");
    CHECK(parsed.attachments().empty());
    REQUIRE(parsed.bodies().size() == 2);
    CHECK(parsed.bodies()[0].content_type == "text/plain");
    CHECK(parsed.bodies()[0].charset == "utf-8");
    CHECK(has(parsed.bodies()[0].text, "https://portal.example.ch/d/AbC_dEf-123"));
    CHECK(parsed.bodies()[1].content_type == "text/html");
    CHECK(has(parsed.bodies()[1].text, "\u00f6ffnen</a></p>"));
    // CRLF everywhere (RFC 5322 section 2.1), 7-bit body (quoted-printable).
    for (std::size_t i = 0; i < out.size(); ++i) {
        if (out[i] == '\n') {
            REQUIRE(i > 0);
            CHECK(out[i - 1] == '\r');
        }
        CHECK(static_cast<unsigned char>(out[i]) < 0x80);
    }
}

TEST_CASE("a notice mail refuses header injection and odd addresses", "[compose]") {
    for (const char* to :
         {"a@b.ch, evil@x.ch", "A <a@b.ch>", "a@b.ch\r\nBcc: evil@x.ch", "", "no-at-sign"}) {
        NoticeMail m = sample();
        m.to = to;
        auto out = compose_notice_mail(m);
        INFO(to);
        REQUIRE_FALSE(out);
        CHECK(out.error().code == Errc::invalid_argument);
    }
    NoticeMail m = sample();
    m.subject = "Rechnung\r\nBcc: evil@x.ch";
    CHECK_FALSE(compose_notice_mail(m));
    m = sample();
    m.from_name = "Praxis\nBcc: evil@x.ch";
    CHECK_FALSE(compose_notice_mail(m));
}

}  // namespace
}  // namespace sealpost::mime
