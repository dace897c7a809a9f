// SPDX-License-Identifier: Apache-2.0
// The follow-up mails of an unused link: the reminder is the patient's notice again with the
// same link, in the envelope's language; the expiry notice names the patient, every document
// and the resend command, in the practice's language; neither has an attachment.
#include <catch2/catch.hpp>

#include "notice/notice_followup.hpp"
#include "tests/unit/mime/mime_test_util.hpp"

namespace sealpost::notice {
namespace {

constexpr std::int64_t kT0 = 1795773720;  // 2026-11-27 11:02 CET
constexpr std::string_view kToken = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

vault::DueFollowUp sample(vault::FollowUpKind kind) {
    vault::DueFollowUp f;
    f.id = {0x3f, 0x2a, 0x9c, 0x0e, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    f.kind = kind;
    f.expires_at = kT0;
    f.sender = "praxis@example.ch";
    f.recipient = "patient@example.org";
    f.language = "fr";
    f.phone_e164 = "+41791234567";
    f.subject = "Facture";
    f.documents = {"Rechnung.pdf", "Beleg <b>.pdf"};
    if (kind == vault::FollowUpKind::reminder) {
        f.token.assign(kToken.begin(), kToken.end());
    }
    return f;
}

PracticeConfig practice() {
    PracticeConfig p;
    p.name = "Praxis Muster";
    return p;
}

TEST_CASE("the reminder is the notice again, same link, the envelope's language",
          "[notice][followup]") {
    auto t = seal::NoticeTemplates::load(std::filesystem::path(SEALPOST_SOURCE_DIR) /
                                         "policies/templates");
    REQUIRE(t);
    auto mail = compose_reminder(practice(), *t, sample(vault::FollowUpKind::reminder), kT0);
    REQUIRE(mail);
    const auto m = mime::test::parse_ok(*mail);
    CHECK(m.attachments().empty());
    CHECK(mime::test::has(*mail, "To: patient@example.org"));
    CHECK(mime::test::has(*mail, "From: Praxis Muster <praxis@example.ch>"));
    CHECK(mime::test::has(*mail, "Rappel"));
    CHECK(mime::test::has(*mail, std::string("https://localhost:8443/d/") + std::string(kToken)));

    auto no_link = sample(vault::FollowUpKind::reminder);
    no_link.token.clear();
    CHECK_FALSE(compose_reminder(practice(), *t, no_link, kT0));
}

TEST_CASE("the expiry notice names patient, documents and the resend command",
          "[notice][followup]") {
    const auto f = sample(vault::FollowUpKind::expiry);
    const auto mail = expiry_notice_mail(practice(), Language::de, f);
    CHECK(mail.from == "praxis@example.ch");
    CHECK(mail.to == "praxis@example.ch");
    CHECK(mail.subject == "Link abgelaufen, Dokumente nicht abgerufen (Praxis Muster)");
    CHECK(
        mail.notice.text.starts_with("Der Link für patient@example.org ist am 27. November "
                                     "2026 abgelaufen, ohne dass die Dokumente geöffnet "
                                     "wurden.\n\n"));
    CHECK(mime::test::has(mail.notice.text, "- Rechnung.pdf\n- Beleg <b>.pdf\n"));
    CHECK(mime::test::has(mail.notice.text,
                          "    sealpost resend 3f2a9c0e0102030405060708090a0b0c\n"));
    CHECK(mime::test::has(mail.notice.html, "<li>Beleg &lt;b&gt;.pdf</li>"));
    CHECK_FALSE(mime::test::has(mail.notice.html, "<b>.pdf"));
    for (const Language lang : {Language::fr, Language::it, Language::en}) {
        const auto other = expiry_notice_mail(practice(), lang, f);
        CHECK(mime::test::has(other.notice.text, "sealpost resend 3f2a9c0e"));
        CHECK(other.subject != mail.subject);
    }
    auto composed = compose_expiry_notice(practice(), f, kT0);
    REQUIRE(composed);
    CHECK(mime::test::parse_ok(*composed).attachments().empty());
    auto nobody = f;
    nobody.sender.clear();
    CHECK_FALSE(compose_expiry_notice(practice(), nobody, kT0));
}

}  // namespace
}  // namespace sealpost::notice
