// SPDX-License-Identifier: Apache-2.0
// The practice's download notice: the mail's exact wording in each language, escaping of a
// hostile file name, refusal of a notice without a usable sender.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <ctime>

#include "notice/notice_download.hpp"
#include "tests/unit/mime/mime_test_util.hpp"

namespace sealpost::notice {
namespace {

constexpr std::int64_t kT0 = 1795773720;  // 2026-11-27 11:02 CET

vault::QueuedNotice sample() {
    vault::QueuedNotice n;
    n.id = {0x3f, 0x2a, 0x9c, 0x0e, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    n.doc_index = 0;
    n.downloaded_at = kT0;
    n.next_attempt_at = kT0;
    n.sender = "praxis@example.ch";
    n.recipient_masked = "p***@example.org";
    n.file_name = "Rechnung-2026-1127.pdf";
    return n;
}

PracticeConfig practice() {
    PracticeConfig p;
    p.name = "Praxis Muster";
    return p;
}

constexpr std::string_view kId = "3f2a9c0e0102030405060708090a0b0c";

TEST_CASE("the notice names envelope, document, time and masked recipient", "[notice]") {
    ::setenv("TZ", "UTC", 1);  // NOLINT(concurrency-mt-unsafe): tests run on one thread
    ::tzset();
    const auto mail = download_notice_mail(practice(), Language::de, sample());
    CHECK(mail.from == "praxis@example.ch");  // no from_address: the sender itself
    CHECK(mail.to == "praxis@example.ch");
    CHECK(mail.from_name == "Praxis Muster");
    CHECK(mail.subject == "Dokument abgerufen (Praxis Muster)");
    CHECK(mail.notice.text ==
          "p***@example.org hat das Dokument «Rechnung-2026-1127.pdf» am 27.11.2026 11:02 CET "
          "abgerufen.\n\n"
          "Sendung: 3f2a9c0e0102030405060708090a0b0c\n"
          "Dokument: Rechnung-2026-1127.pdf\n"
          "Empfänger: p***@example.org\n"
          "Abgerufen: 27.11.2026 11:02 CET\n\n"
          "Automatische Mitteilung von sealpost, einmal pro Sendung beim ersten Abruf. Verlauf: "
          "sealpost show 3f2a9c0e0102030405060708090a0b0c\n");
    CHECK(mail.notice.html.find("<tr><th align=\"left\">Sendung</th><td>" + std::string(kId) +
                                "</td></tr>") != std::string::npos);

    PracticeConfig with_from = practice();
    with_from.from_address = "sealpost@example.ch";
    CHECK(download_notice_mail(with_from, Language::de, sample()).from == "sealpost@example.ch");
}

TEST_CASE("the notice comes in the four languages", "[notice]") {
    ::setenv("TZ", "UTC", 1);  // NOLINT(concurrency-mt-unsafe)
    ::tzset();
    const auto fr = download_notice_mail(practice(), Language::fr, sample());
    CHECK(fr.subject == "Document téléchargé (Praxis Muster)");
    CHECK(
        fr.notice.text.starts_with("p***@example.org a téléchargé le document « "
                                   "Rechnung-2026-1127.pdf » le 27.11.2026 11:02 CET.\n"));
    const auto it = download_notice_mail(practice(), Language::it, sample());
    CHECK(it.subject == "Documento scaricato (Praxis Muster)");
    CHECK(it.notice.text.find("\nInvio: " + std::string(kId) + "\n") != std::string::npos);
    const auto en = download_notice_mail(practice(), Language::en, sample());
    CHECK(en.subject == "Document downloaded (Praxis Muster)");
    CHECK(
        en.notice.text.starts_with("p***@example.org downloaded the document "
                                   "\u201cRechnung-2026-1127.pdf\u201d on 27.11.2026 11:02 CET."));
    CHECK(en.notice.text.find("\nRecipient: p***@example.org\n") != std::string::npos);
}

TEST_CASE("a hostile file name cannot forge lines or markup", "[notice]") {
    auto n = sample();
    n.file_name = "a\r\nBcc: x@evil.example\u202e<b>fdp.exe";
    const auto mail = download_notice_mail(practice(), Language::en, n);
    CHECK(mail.notice.text.find("Document: a  Bcc: x@evil.example<b>fdp.exe\n") !=
          std::string::npos);
    CHECK(mail.notice.html.find("<b>") == std::string::npos);
    CHECK(mail.notice.html.find("&lt;b&gt;fdp.exe") != std::string::npos);
}

TEST_CASE("the composed notice is in the staff's language", "[notice][lang]") {
    PracticeConfig p = practice();
    p.default_language = Language::de;
    p.staff_language = Language::fr;
    auto out = compose_download_notice(p, sample(), kT0 + 60);
    REQUIRE(out);
    auto parsed = mime::MimeMessage::parse(std::string(*out));
    REQUIRE(parsed);
    CHECK(parsed->subject() == "Document t\u00e9l\u00e9charg\u00e9 (Praxis Muster)");
    // Unset, the staff read the default language.
    p.staff_language.reset();
    p.default_language = Language::it;
    out = compose_download_notice(p, sample(), kT0 + 60);
    REQUIRE(out);
    parsed = mime::MimeMessage::parse(std::string(*out));
    REQUIRE(parsed);
    CHECK(parsed->subject() == "Documento scaricato (Praxis Muster)");
}

TEST_CASE("the composed mail has the two text parts and no attachment", "[notice]") {
    auto out = compose_download_notice(practice(), sample(), kT0 + 60);
    REQUIRE(out);
    CHECK(out->find("\r\nTo: praxis@example.ch\r\n") != std::string::npos);
    CHECK(out->find("Content-Disposition: attachment") == std::string::npos);
    auto parsed = mime::MimeMessage::parse(std::string(*out));
    REQUIRE(parsed);
    CHECK(parsed->text_parts() == 2);
    CHECK(parsed->attachments().empty());
}

TEST_CASE("a notice without a usable sender is refused for good", "[notice]") {
    auto none = sample();
    none.sender.clear();
    auto r = compose_download_notice(practice(), none, kT0);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::invalid_argument);
    auto bad = sample();
    bad.sender = "praxis@example.ch>, other@example.org";
    r = compose_download_notice(practice(), bad, kT0);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::invalid_argument);
}

}  // namespace
}  // namespace sealpost::notice
