// SPDX-License-Identifier: Apache-2.0
// Follow-ups of unused links with an injected clock: the reminder is due remind_before the
// link expires and the expiry notice once it expired, each listed until it is sent and never
// after; a used, revoked or reissued link, a policy switched off, and a vault reopened after
// the send (a restart) give none. The records are sealed at rest.
#include <string>

#include "vault_test_fixture.hpp"

namespace sealpost::vault::test {
namespace {

constexpr std::int64_t kDay = 86400;

struct Armed {
    Fixture fx;
    std::optional<Vault> v;
    EnvelopeId id{};
    std::string token;

    explicit Armed(bool reminder = true, bool expiry = true) {
        fx.opts.arm_reminder = reminder;
        fx.opts.arm_expiry_notice = expiry;
        v.emplace(fx.open());
        auto link = v->envelope_create(
            sample_input({{"Rechnung-Juli.pdf", "application/pdf", pattern(10, 1)},
                          {"Beleg-Juli.pdf", "application/pdf", pattern(20, 2)}}));
        REQUIRE(link);
        id = link->id;
        token.assign(link->token.data(), link->token.size());
    }
    std::vector<DueFollowUp> due(const FollowUpPolicy& p = {}) {
        auto l = v->followup_due(p, 100);
        REQUIRE(l);
        return std::move(l).value();
    }
    std::size_t audit_count(AuditKind kind) {
        auto trail = v->audit_list(id);
        REQUIRE(trail);
        std::size_t n = 0;
        for (const auto& e : *trail) {
            n += e.kind == kind ? 1U : 0U;
        }
        return n;
    }
};

TEST_CASE("a reminder is due remind_before expiry, opened with the same token, once",
          "[vault][followup]") {
    Armed a;
    CHECK(a.due().empty());  // fresh link: nothing
    a.fx.clock = kT0 + 23 * kDay - 1;
    CHECK(a.due().empty());  // one second before the 7 days before expiry
    a.fx.clock = kT0 + 23 * kDay;
    auto due = a.due();
    REQUIRE(due.size() == 1);
    const DueFollowUp& f = due[0];
    CHECK(f.id == a.id);
    CHECK(f.kind == FollowUpKind::reminder);
    CHECK_FALSE(f.unreadable);
    CHECK(std::string(f.token.data(), f.token.size()) == a.token);
    CHECK(f.recipient == "patient@example.ch");
    CHECK(f.sender == "praxis@therapie-muster.ch");
    CHECK(f.language == "de");
    CHECK(f.phone_e164 == "+41791234567");
    CHECK(f.subject == "Rechnung Juli");
    CHECK(f.documents == std::vector<std::string>{"Rechnung-Juli.pdf", "Beleg-Juli.pdf"});
    CHECK(f.expires_at == kT0 + 30 * kDay);

    // The same token still opens the envelope: the reminder carries a working link.
    CHECK(a.v->envelope_open(a.token));

    REQUIRE(a.v->followup_sent(a.id, FollowUpKind::reminder));
    CHECK(a.audit_count(AuditKind::reminded) == 1);
    CHECK(a.due().empty());
    // A restart: the vault reopened still knows it was sent.
    a.v.reset();
    a.v.emplace(a.fx.open());
    CHECK(a.due().empty());
    auto again = a.v->followup_sent(a.id, FollowUpKind::reminder);
    REQUIRE_FALSE(again);
    CHECK(again.error().code == Errc::not_found);
    CHECK(a.audit_count(AuditKind::reminded) == 1);
}

TEST_CASE("the expiry notice is due once the link expired unused, once", "[vault][followup]") {
    Armed a;
    a.fx.clock = kT0 + 30 * kDay - 1;
    for (const auto& f : a.due()) {
        CHECK(f.kind == FollowUpKind::reminder);  // not yet the expiry
    }
    a.fx.clock = kT0 + 30 * kDay;
    auto due = a.due();
    REQUIRE(due.size() == 1);  // the reminder is too late now, and gone
    CHECK(due[0].kind == FollowUpKind::expiry);
    CHECK(due[0].token.empty());  // the sender's notice has no link
    CHECK(due[0].documents.size() == 2);
    CHECK(due[0].recipient == "patient@example.ch");
    REQUIRE(a.v->followup_sent(a.id, FollowUpKind::expiry));
    CHECK(a.audit_count(AuditKind::expiry_notified) == 1);
    CHECK(a.audit_count(AuditKind::reminded) == 0);
    a.v.reset();
    a.v.emplace(a.fx.open());
    a.fx.clock = kT0 + 40 * kDay;
    CHECK(a.due().empty());
}

TEST_CASE("a used link gets no reminder and no expiry notice", "[vault][followup]") {
    Armed a;
    REQUIRE(a.v->audit_append(a.id, AuditKind::verified));  // the portal after a right code
    a.fx.clock = kT0 + 23 * kDay;
    CHECK(a.due().empty());
    a.fx.clock = kT0 + 31 * kDay;
    CHECK(a.due().empty());
    // and the records are gone, not just skipped
    a.v.reset();
    std::size_t keys = 0;
    with_raw(a.fx.opts, [&](kv::Txn& txn, const RawDbs& d) {
        for (const auto& k : raw_keys(txn, d.portal)) {
            keys += k.size() == 24 && std::equal(a.id.begin(), a.id.end(), k.begin() + 8) ? 1U : 0U;
        }
    });
    CHECK(keys == 0);
}

TEST_CASE("opening the page is not using the link", "[vault][followup]") {
    Armed a;
    REQUIRE(a.v->envelope_open(a.token));
    REQUIRE(a.v->audit_append(a.id, AuditKind::code_sent));
    a.fx.clock = kT0 + 23 * kDay;
    CHECK(a.due().size() == 1);
}

TEST_CASE("switched off, reissued or revoked: nothing is due", "[vault][followup]") {
    SECTION("not armed at creation") {
        Armed a(false, false);
        a.fx.clock = kT0 + 31 * kDay;
        CHECK(a.due().empty());
    }
    SECTION("switched off in the policy later") {
        Armed a;
        a.fx.clock = kT0 + 23 * kDay;
        FollowUpPolicy off;
        off.remind_patient = false;
        off.notify_sender_on_expiry = false;
        CHECK(a.due(off).empty());
        CHECK(a.due().empty());  // dropped for good, not postponed
    }
    SECTION("reissued: the reminder's token is dead; the expiry follows the new link") {
        Armed a;
        a.fx.clock = kT0 + 10 * kDay;
        REQUIRE(a.v->envelope_reissue(a.id, a.fx.escrow()));
        a.fx.clock = kT0 + 33 * kDay;  // past the first expiry, 7 days before the new one
        CHECK(a.due().empty());
        a.fx.clock = kT0 + 40 * kDay;
        auto due = a.due();
        REQUIRE(due.size() == 1);
        CHECK(due[0].kind == FollowUpKind::expiry);
        CHECK(due[0].expires_at == kT0 + 40 * kDay);
    }
    SECTION("revoked") {
        Armed a;
        REQUIRE(a.v->envelope_revoke(a.id));
        a.fx.clock = kT0 + 31 * kDay;
        CHECK(a.due().empty());
    }
}

TEST_CASE("a failed send waits for its retry", "[vault][followup]") {
    Armed a;
    a.fx.clock = kT0 + 23 * kDay;
    REQUIRE(a.due().size() == 1);
    REQUIRE(a.v->followup_retry_later(a.id, FollowUpKind::reminder, kT0 + 23 * kDay + 60));
    CHECK(a.due().empty());
    a.fx.clock = kT0 + 23 * kDay + 60;
    auto due = a.due();
    REQUIRE(due.size() == 1);
    CHECK(due[0].attempts == 1);
    REQUIRE(a.v->followup_drop(a.id, FollowUpKind::reminder));
    CHECK(a.due().empty());
    CHECK(a.audit_count(AuditKind::reminded) == 0);
}

TEST_CASE("the batch limit holds", "[vault][followup]") {
    Armed a;
    for (int i = 0; i < 4; ++i) {
        REQUIRE(a.v->envelope_create(
            sample_input({{"Rechnung.pdf", "application/pdf", pattern(10, 3)}})));
    }
    a.fx.clock = kT0 + 23 * kDay;
    auto l = a.v->followup_due({}, 3);
    REQUIRE(l);
    CHECK(l->size() == 3);
}

TEST_CASE("follow-up records hold no token or address in clear", "[vault][followup]") {
    Armed a;
    a.v.reset();
    with_raw(a.fx.opts, [&](kv::Txn& txn, const RawDbs& d) {
        std::size_t records = 0;
        for (const auto& k : raw_keys(txn, d.portal)) {
            auto v = txn.get(d.portal, k);
            REQUIRE(v);
            if (!*v || k.size() != 24) {
                continue;
            }
            const std::string value((*v)->begin(), (*v)->end());
            ++records;
            CHECK(value.find(a.token) == std::string::npos);
            CHECK(value.find("patient@example.ch") == std::string::npos);
            CHECK(value.find("Rechnung-Juli") == std::string::npos);
        }
        CHECK(records == 2);
    });
}

}  // namespace
}  // namespace sealpost::vault::test
