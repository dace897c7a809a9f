// SPDX-License-Identifier: Apache-2.0
// The sealing rewrite's settle step against a real throwaway vault: the upstream's 2xx marks
// the envelope sent (deferred commit), a refusal discards it, an unknown outcome leaves it
// pending, and purge keeps a pending envelope until its link has expired.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "proxy/proxy_seal.hpp"
#include "tests/unit/vault/vault_test_fixture.hpp"

namespace sealpost::proxy {
namespace {

using vault::test::Fixture;
using vault::test::kT0;

constexpr std::int64_t kDay = 86400;

/// A SealContext on the shipped default policy and templates and the fixture's vault.
std::shared_ptr<SealContext> context(Fixture& fx) {
    const std::filesystem::path src(SEALPOST_SOURCE_DIR);
    auto ctx = std::make_shared<SealContext>();
    ctx->practice.name = "Praxis Muster";
    ctx->practice.base_url = "https://portal.example.ch";
    ctx->practice.internal_domains = {"praxis.example.ch"};
    ctx->policy = std::make_shared<policy::PolicyStore>(src / "policies" / "default.toml");
    auto tpl = seal::NoticeTemplates::load(src / "policies" / "templates");
    REQUIRE(tpl);
    ctx->templates = std::make_shared<const seal::NoticeTemplates>(std::move(tpl).value());
    ctx->vault = std::make_shared<vault::Vault>(fx.open());
    return ctx;
}

Submission envelope() {
    Submission sub;
    sub.session_id = "s1";
    sub.client_ip = "127.0.0.1";
    sub.mail.reverse_path = "mpa@praxis.example.ch";
    smtp::RcptArgs r;
    r.forward_path = "patient@example.org";
    sub.rcpts.push_back(r);
    return sub;
}

/// One PDF attachment and the patient's mobile in the subject; CRLF lines as after DATA.
std::string message() {
    return "From: mpa@praxis.example.ch\r\n"
           "To: patient@example.org\r\n"
           "Subject: Rechnung [sms:079 123 45 67]\r\n"
           "MIME-Version: 1.0\r\n"
           "Content-Type: multipart/mixed; boundary=\"b\"\r\n"
           "\r\n"
           "--b\r\n"
           "Content-Type: text/plain; charset=utf-8\r\n"
           "\r\n"
           "Guten Tag\r\n"
           "--b\r\n"
           "Content-Type: application/pdf; name=\"Rechnung.pdf\"\r\n"
           "Content-Disposition: attachment; filename=\"Rechnung.pdf\"\r\n"
           "Content-Transfer-Encoding: base64\r\n"
           "\r\n"
           "JVBERi0xLjQKJcfsj6IK\r\n"
           "--b--\r\n";
}

/// Seals message() and returns the one group's settle and its envelope's state afterwards.
struct Sealed {
    std::function<void(SendOutcome)> settle;
    vault::EnvelopeId id{};
};
Sealed seal_one(const std::shared_ptr<SealContext>& ctx) {
    const DeliveryFn rewrite = make_seal_delivery(ctx);
    auto out = rewrite(envelope(), message());
    INFO((out ? std::string() : out.error().detail));
    REQUIRE(out);
    REQUIRE_FALSE(out->refusal);
    REQUIRE(out->groups.size() == 1);
    REQUIRE(out->groups[0].settle);
    auto listed = ctx->vault->envelope_list(vault::ListFilter::all).value();
    REQUIRE_FALSE(listed.empty());
    const auto& last =
        *std::max_element(listed.begin(), listed.end(),
                          [](const auto& a, const auto& b) { return a.created_at < b.created_at; });
    CHECK(last.state == vault::EnvelopeState::pending);  // durable before the upstream sees it
    return {std::move(out->groups[0].settle), last.id};
}

std::optional<vault::EnvelopeState> state_of(vault::Vault& v, const vault::EnvelopeId& id) {
    const auto listed = v.envelope_list(vault::ListFilter::all).value();
    for (const auto& s : listed) {
        if (s.id == id) {
            return s.state;
        }
    }
    return std::nullopt;
}

TEST_CASE("settle: accepted marks sent, refused discards, unknown stays pending", "[proxy][seal]") {
    Fixture fx;
    auto ctx = context(fx);
    vault::Vault& v = *ctx->vault;

    fx.clock = kT0;
    Sealed accepted = seal_one(ctx);
    fx.clock = kT0 + 1;
    Sealed refused = seal_one(ctx);
    fx.clock = kT0 + 2;
    Sealed unknown = seal_one(ctx);

    fx.clock = kT0 + 10;
    accepted.settle(SendOutcome::accepted);
    refused.settle(SendOutcome::refused);
    unknown.settle(SendOutcome::unknown);
    CHECK(state_of(v, accepted.id) == vault::EnvelopeState::sent);
    CHECK_FALSE(state_of(v, refused.id));
    CHECK(state_of(v, unknown.id) == vault::EnvelopeState::pending);
    const auto details = v.envelope_show(accepted.id, fx.escrow());
    REQUIRE(details);
    CHECK(details->summary.sent_at == kT0 + 10);

    // The mail of the unknown outcome may be in the patient's inbox: its link lives until it
    // expires, then purge removes the orphan.
    fx.clock = kT0 + 2 + 3600;
    CHECK(v.vault_purge().value().orphans == 0);
    CHECK(state_of(v, unknown.id) == vault::EnvelopeState::pending);
    fx.clock = kT0 + 2 + 30 * kDay;
    CHECK(v.vault_purge().value().orphans == 1);
    CHECK_FALSE(state_of(v, unknown.id));
    CHECK(state_of(v, accepted.id) == vault::EnvelopeState::sent);
}

/// message() with another subject and extra header lines.
std::string message_with(std::string_view subject, std::string_view extra = {}) {
    std::string m = message();
    const auto at = m.find("Subject: ");
    const auto eol = m.find("\r\n", at);
    m.replace(at, eol - at, "Subject: " + std::string(subject));
    m.insert(m.find("MIME-Version"), extra);
    return m;
}

Submission envelope_to(std::string_view rcpt) {
    Submission sub = envelope();
    sub.rcpts[0].forward_path = std::string(rcpt);
    return sub;
}

TEST_CASE("rewrite: the stored contact wins, a differing tag is refused masked",
          "[proxy][seal][tag-rules]") {
    Fixture fx;
    auto ctx = context(fx);
    REQUIRE(ctx->vault->contact_set("patient@example.org", "+41781112289", "fr"));
    const DeliveryFn rewrite = make_seal_delivery(ctx);

    auto out = rewrite(envelope(), message());  // tag ...45 67, contact ...22 89
    REQUIRE(out);
    REQUIRE(out->refusal);
    CHECK(*out->refusal ==
          "The mobile number in the subject (ending 67) differs from the one stored for "
          "p***@example.org (ending 89): remove the tag or update the contact");
    CHECK(ctx->vault->envelope_list(vault::ListFilter::all).value().empty());

    // The same number as stored: sealed for the contact (its language, no override needed).
    out = rewrite(envelope(), message_with("Rechnung [sms:+41 78 111 22 89]"));
    REQUIRE(out);
    REQUIRE_FALSE(out->refusal);
    REQUIRE(out->groups.size() == 1);
    CHECK(out->groups[0].message.find("Vos documents") != std::string::npos);
    CHECK(out->groups[0].message.find("111 22 89") == std::string::npos);

    // With the override on, the tag's number is used; learning keeps the stored contact.
    ctx->allow_phone_override = true;
    ctx->learn_contacts = true;
    out = make_seal_delivery(ctx)(envelope(), message());
    REQUIRE(out);
    REQUIRE_FALSE(out->refusal);
    REQUIRE(out->groups.size() == 1);
    out->groups[0].settle(SendOutcome::accepted);
    CHECK(ctx->vault->contact_get("patient@example.org").value().phone_e164 == "+41781112289");
}

TEST_CASE("rewrite: a tag in a reply or forward to a recipient without contact is refused",
          "[proxy][seal][tag-rules]") {
    Fixture fx;
    auto ctx = context(fx);
    const DeliveryFn rewrite = make_seal_delivery(ctx);
    const std::string refused =
        "An [sms:...] tag in a reply or forward is not accepted for p***@example.org (it may "
        "come from the other side): store the number with 'sealpost contacts set', or write a "
        "new message instead of a reply";
    for (const auto& [subject, extra] : std::vector<std::pair<std::string, std::string>>{
             {"Re: Rechnung [sms:079 123 45 67]", ""},
             {"[ext] AW: WG: Rechnung [sms:079 123 45 67]", ""},
             {"[sms:079 123 45 67] Fwd: Rechnung", ""},
             {"Bitte an \"[sms:079 123 45 67]\" senden", ""},
             {"Rechnung [sms:079 123 45 67]", "In-Reply-To: <a@example.org>\r\n"},
             {"Rechnung [sms:079 123 45 67]", "References: <a@example.org>\r\n"}}) {
        INFO(subject << " / " << extra);
        auto out = rewrite(envelope(), message_with(subject, extra));
        REQUIRE(out);
        REQUIRE(out->refusal);
        CHECK(*out->refusal == refused);
    }
    // The same subject, fresh: sealed.
    auto out = rewrite(envelope(), message_with("Rechnung [sms:079 123 45 67]"));
    REQUIRE(out);
    CHECK_FALSE(out->refusal);
}

TEST_CASE("rewrite: passing groups lose the tag and the header, nothing else",
          "[proxy][seal][strip]") {
    Fixture fx;
    auto ctx = context(fx);
    const DeliveryFn rewrite = make_seal_delivery(ctx);
    const std::string original =
        message_with("Rechnung [sms:079 123 45 67]", "X-Sealpost-Phone: 079 123 45 67\r\n");
    std::string expected = message_with("Rechnung");
    auto out = rewrite(envelope_to("mpa@praxis.example.ch"), std::string(original));
    REQUIRE(out);
    REQUIRE(out->groups.size() == 1);
    CHECK_FALSE(out->groups[0].settle);
    CHECK(out->groups[0].message == expected);

    // A plain mail to a patient (nothing to seal) and an unparsable one to a colleague.
    const std::string plain =
        "From: mpa@praxis.example.ch\r\nSubject: =?utf-8?q?Termin_[sms:079_123_45_67]?=\r\n"
        "X-Sealpost-Phone: +41791234567\r\n\r\nBis morgen\r\n";
    out = rewrite(envelope(), std::string(plain));
    REQUIRE(out);
    REQUIRE(out->groups.size() == 1);
    CHECK(out->groups[0].message.find("1234567") == std::string::npos);
    CHECK(out->groups[0].message.find("45_67") == std::string::npos);
    CHECK(out->groups[0].message.find("\r\n\r\nBis morgen\r\n") != std::string::npos);
    const std::string broken =
        "From: mpa@praxis.example.ch\r\nSubject: x [sms:079 123 45 67]\r\nMIME-Version: 1.0\r\n"
        "Content-Type: multipart/mixed\r\n\r\nno boundary\r\n";
    out = rewrite(envelope_to("mpa@praxis.example.ch"), std::string(broken));
    REQUIRE(out);
    REQUIRE(out->groups.size() == 1);
    CHECK(out->groups[0].message.find("45 67") == std::string::npos);
}

}  // namespace
}  // namespace sealpost::proxy
