// SPDX-License-Identifier: Apache-2.0
// The portal's SMS-code guard with an injected clock: code format, rate limits, tries that
// kill a code, the lock after wrong tries spread over codes, the lifetime lock, withdrawal,
// reissue, revoke.
#include <set>
#include <string>

#include "vault_test_fixture.hpp"

namespace sealpost::vault::test {
namespace {

struct Guarded {
    Fixture fx;
    Vault v = fx.open();
    EnvelopeId id{};
    CodePolicy policy;

    Guarded() {
        auto link = v.envelope_create(sample_input({{"r.pdf", "application/pdf", pattern(10, 1)}}));
        REQUIRE(link);
        id = link->id;
    }
    std::string issue() {
        auto r = v.code_issue(id, policy);
        REQUIRE(r);
        REQUIRE(r->code);
        return {r->code->code.begin(), r->code->code.end()};
    }
    CodeCheck verify(std::string_view code) {
        auto r = v.code_verify(id, code, policy);
        REQUIRE(r);
        return *r;
    }
};

std::string wrong_for(const std::string& code) {
    std::string w = code;
    w[0] = w[0] == '9' ? '0' : static_cast<char>(w[0] + 1);
    return w;
}

TEST_CASE("a code is six random digits, valid for its ttl and used up once", "[vault][portal]") {
    Guarded g;
    const std::string code = g.issue();
    CHECK(code.size() == 6);
    CHECK(code.find_first_not_of("0123456789") == std::string::npos);
    auto status = g.v.guard_status(g.id, g.policy);
    REQUIRE(status);
    CHECK(status->state == GuardState::open);
    CHECK(status->code_pending);
    CHECK(status->tries_left == 5);

    CHECK(g.verify(code).verdict == CodeVerdict::accepted);
    CHECK(g.verify(code).verdict == CodeVerdict::no_code);  // used up

    const std::string late = g.issue();
    g.fx.clock += 600;  // ttl 10 min: expired exactly at issued + ttl
    CHECK(g.verify(late).verdict == CodeVerdict::no_code);

    g.policy.digits = 8;
    CHECK(g.issue().size() == 8);
}

TEST_CASE("codes are spread over all digits", "[vault][portal]") {
    Guarded g;
    g.policy.per_window = 1000;
    g.policy.per_day = 1000;
    std::set<char> first;
    std::set<std::string> seen;
    for (int i = 0; i < 60; ++i) {
        const std::string c = g.issue();
        first.insert(c[0]);
        seen.insert(c);
    }
    CHECK(first.size() >= 8);  // 60 draws miss a digit with probability < 1e-1 per digit
    CHECK(seen.size() >= 59);
}

TEST_CASE("three codes per window, ten per day, and a withdrawn code costs nothing",
          "[vault][portal]") {
    Guarded g;
    g.issue();
    g.issue();
    auto third = g.v.code_issue(g.id, g.policy);
    REQUIRE(third);
    REQUIRE(third->code);
    CHECK(third->guard.state == GuardState::open);
    // The SMS failed: withdraw it, and a fourth attempt is still allowed.
    REQUIRE(g.v.code_withdraw(g.id, third->code->issued_at));
    g.issue();
    auto refused = g.v.code_issue(g.id, g.policy);
    REQUIRE(refused);
    CHECK_FALSE(refused->code);
    CHECK(refused->guard.state == GuardState::rate_limited);
    CHECK(refused->guard.until == kT0 + 900);

    std::int64_t t = kT0;
    int sent = 3;
    while (sent < 10) {
        t += 901;
        g.fx.clock = t;
        g.issue();
        ++sent;
    }
    g.fx.clock = t + 901;
    auto daily = g.v.code_issue(g.id, g.policy);
    REQUIRE(daily);
    CHECK_FALSE(daily->code);
    CHECK(daily->guard.state == GuardState::rate_limited);
    CHECK(daily->guard.until == kT0 + 86400);
    g.fx.clock = kT0 + 86400;
    CHECK(g.v.code_issue(g.id, g.policy)->code);
}

TEST_CASE("five wrong tries kill a code; three killed codes lock for an hour", "[vault][portal]") {
    Guarded g;
    g.policy.per_window = 100;
    g.policy.per_day = 100;
    for (int killed = 1; killed <= 3; ++killed) {
        const std::string code = g.issue();
        for (unsigned i = 1; i <= 4; ++i) {
            auto c = g.verify(wrong_for(code));
            CHECK(c.verdict == CodeVerdict::wrong);
            CHECK(c.tries_left == 5 - i);
        }
        auto fifth = g.verify(wrong_for(code));
        if (killed < 3) {
            CHECK(fifth.verdict == CodeVerdict::wrong);
            CHECK(fifth.tries_left == 0);
            CHECK(g.verify(code).verdict == CodeVerdict::no_code);  // dead, even if right
        } else {
            CHECK(fifth.verdict == CodeVerdict::locked_for_now);
            CHECK(fifth.until == kT0 + 3600);
        }
    }
    auto locked = g.v.code_issue(g.id, g.policy);
    REQUIRE(locked);
    CHECK_FALSE(locked->code);
    CHECK(locked->guard.state == GuardState::locked_for_now);
    CHECK(g.verify("123456").verdict == CodeVerdict::locked_for_now);

    g.fx.clock = kT0 + 3600;
    const std::string code = g.issue();
    CHECK(g.verify(code).verdict == CodeVerdict::accepted);
}

TEST_CASE("wrong tries spread over new codes still lock", "[vault][portal]") {
    Guarded g;
    g.policy.per_window = 100;
    g.policy.per_day = 100;
    // 5 x 3 = 15 wrong tries inside the hour lock it, one per fresh code.
    for (unsigned i = 1; i <= 14; ++i) {
        const std::string code = g.issue();
        auto c = g.verify(wrong_for(code));
        REQUIRE(c.verdict == CodeVerdict::wrong);
        CHECK(c.tries_left == std::min(4U, 15 - i));
        g.fx.clock += 60;
    }
    const std::string code = g.issue();
    auto last = g.verify(wrong_for(code));
    CHECK(last.verdict == CodeVerdict::locked_for_now);
    CHECK(last.until == g.fx.clock + 3600);
    CHECK(g.verify(code).verdict == CodeVerdict::locked_for_now);  // the code died with the lock
    CHECK_FALSE(g.v.code_issue(g.id, g.policy)->code);
}

TEST_CASE("wrong tries on codes that expire still lock", "[vault][portal]") {
    Guarded g;
    g.policy.per_window = 100;
    g.policy.per_day = 100;
    CodeCheck last;
    for (int round = 0; round < 4; ++round) {
        const std::string code = g.issue();
        for (int i = 0; i < 4 && round * 4 + i < 15; ++i) {
            last = g.verify(wrong_for(code));
        }
        g.fx.clock += 600;  // the code expires unused: no fresh budget
    }
    CHECK(last.verdict == CodeVerdict::locked_for_now);
    CHECK(g.v.guard_status(g.id, g.policy)->state == GuardState::locked_for_now);
}

TEST_CASE("wrong tries older than the lock window are forgotten", "[vault][portal]") {
    Guarded g;
    g.policy.per_window = 100;
    g.policy.per_day = 100;
    for (int i = 0; i < 14; ++i) {
        g.verify(wrong_for(g.issue()));
    }
    g.fx.clock += 3600;  // lock_duration is also the window
    const std::string code = g.issue();
    auto c = g.verify(wrong_for(code));
    CHECK(c.verdict == CodeVerdict::wrong);
    CHECK(c.tries_left == 4);
    CHECK(g.verify(code).verdict == CodeVerdict::accepted);
}

TEST_CASE("a right code forgets the recent wrong tries", "[vault][portal]") {
    Guarded g;
    g.policy.per_window = 100;
    for (int round = 0; round < 4; ++round) {
        const std::string code = g.issue();
        for (int i = 0; i < 4; ++i) {
            g.verify(wrong_for(code));
        }
        CHECK(g.verify(code).verdict == CodeVerdict::accepted);
    }
    CHECK(g.v.guard_status(g.id, g.policy)->state == GuardState::open);
}

TEST_CASE("twenty wrong tries lock the link until it is reissued", "[vault][portal]") {
    Guarded g;
    g.policy.per_window = 100;
    g.policy.per_day = 100;
    g.policy.killed_before_lock = 100;
    unsigned wrong = 0;
    CodeCheck last;
    while (wrong < 20) {
        const std::string code = g.issue();
        for (int i = 0; i < 5 && wrong < 20; ++i, ++wrong) {
            last = g.verify(wrong_for(code));
        }
    }
    CHECK(last.verdict == CodeVerdict::locked_for_good);
    g.fx.clock += 30 * 86400 - 1;  // time does not help
    CHECK(g.v.guard_status(g.id, g.policy)->state == GuardState::locked_for_good);
    CHECK_FALSE(g.v.code_issue(g.id, g.policy)->code);

    auto fresh = g.v.envelope_reissue(g.id, g.fx.escrow());
    REQUIRE(fresh);
    CHECK(g.v.guard_status(g.id, g.policy)->state == GuardState::open);
    const std::string code = g.issue();
    CHECK(g.verify(code).verdict == CodeVerdict::accepted);
}

TEST_CASE("malformed codes count as wrong", "[vault][portal]") {
    Guarded g;
    const std::string code = g.issue();
    CHECK(g.verify("").verdict == CodeVerdict::wrong);
    CHECK(g.verify(code + "0").verdict == CodeVerdict::wrong);
    CHECK(g.verify(code.substr(0, 5)).verdict == CodeVerdict::wrong);
    auto c = g.verify(" " + code.substr(1));
    CHECK(c.verdict == CodeVerdict::wrong);
    CHECK(c.tries_left == 1);
    CHECK(g.verify(code).verdict == CodeVerdict::accepted);
}

TEST_CASE("the guard survives reopening and goes with the envelope", "[vault][portal]") {
    Fixture fx;
    const CodePolicy policy;
    EnvelopeId id{};
    std::string code;
    {
        Vault v = fx.open();
        auto link = v.envelope_create(sample_input({{"r.pdf", "application/pdf", pattern(10, 1)}}));
        REQUIRE(link);
        id = link->id;
        auto issued = v.code_issue(id, policy);
        REQUIRE(issued);
        code.assign(issued->code->code.begin(), issued->code->code.end());
        REQUIRE(v.code_verify(id, wrong_for(code), policy));
    }
    Vault v = fx.open();  // a portal restart keeps the counters
    CHECK(v.guard_status(id, policy)->tries_left == 4);
    REQUIRE(v.envelope_revoke(id));
    CHECK(v.guard_status(id, policy).error().code == Errc::revoked);
    CHECK(v.code_issue(id, policy).error().code == Errc::revoked);
    CHECK(v.code_verify(id, code, policy).error().code == Errc::revoked);
    const EnvelopeId unknown{};
    CHECK(v.code_issue(unknown, policy).error().code == Errc::not_found);
}

}  // namespace
}  // namespace sealpost::vault::test
