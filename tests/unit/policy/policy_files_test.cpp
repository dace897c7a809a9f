// SPDX-License-Identifier: Apache-2.0
// The shipped policy files load and decide as policies/README.md documents.
#include <catch2/catch.hpp>

#include <filesystem>

#include "policy/policy.hpp"
#include "policy/policy_facts.hpp"
#include "tests/unit/policy/policy_test_util.hpp"

using namespace sealpost;
using namespace sealpost::policy;
using namespace sealpost::policy::test;

namespace {

Policy shipped(const std::string& rel) {
    const auto path = std::filesystem::path(SEALPOST_SOURCE_DIR) / "policies" / rel;
    auto p = policy_load(path);
    if (!p) {
        FAIL(p.error().detail);
    }
    return std::move(p).value();
}

MessageFacts with_pdf(std::string sender, bool invoice) {
    MessageFacts m = msg_from(std::move(sender));
    m.attachments = {pdf(invoice ? "Rechnung-2026-1127.pdf" : "Merkblatt.pdf", 40'000, invoice)};
    return m;
}

}  // namespace

TEST_CASE("every shipped policy file loads", "[policy][files]") {
    std::size_t n = 0;
    for (const auto& dir : {"", "examples"}) {
        const auto base = std::filesystem::path(SEALPOST_SOURCE_DIR) / "policies" / dir;
        for (const auto& e : std::filesystem::directory_iterator(base)) {
            if (e.path().extension() == ".toml") {
                INFO(e.path().string());
                auto p = policy_load(e.path());
                CHECK(p.ok());
                if (!p) {
                    FAIL_CHECK(p.error().detail);
                }
                ++n;
            }
        }
    }
    CHECK(n >= 4);
}

TEST_CASE("default.toml: seal external attachments, pass internal, reject signed",
          "[policy][files]") {
    const Policy p = shipped("default.toml");
    const auto m = with_pdf("dr.muster@praxis-muster.ch", true);

    Decision d = policy_decide(p, m, external());
    CHECK(d.action == Action::seal);
    CHECK(d.rule_name == "external-seal");
    CHECK(d.attachments == AttachmentSelector::all);
    CHECK(d.keep_inline_images);
    CHECK(policy_decide(p, with_pdf("a@praxis-muster.ch", false), external()).action ==
          Action::seal);

    d = policy_decide(p, m, internal());
    CHECK(d.action == Action::pass);
    CHECK(d.rule_name == "internal-pass");

    auto s = m;
    s.protection = Protection::signed_;
    d = policy_decide(p, s, external());
    CHECK(d.action == Action::reject);
    CHECK(d.source == DecisionSource::signed_);
    CHECK_FALSE(d.message.empty());
    CHECK(policy_decide(p, s, internal()).action == Action::pass);
    s.protection = Protection::encrypted;
    CHECK(policy_decide(p, s, external()).action == Action::reject);

    d = policy_decide(p, msg_from("a@praxis-muster.ch"), external());
    CHECK(d.action == Action::pass);
    CHECK(d.rule_name == "external-text-pass");
}

TEST_CASE("invoices-only.toml seals only invoices", "[policy][files]") {
    const Policy p = shipped("invoices-only.toml");
    Decision d = policy_decide(p, with_pdf("a@praxis-muster.ch", true), external());
    CHECK(d.action == Action::seal);
    CHECK(d.attachments == AttachmentSelector::invoices);
    CHECK(policy_decide(p, with_pdf("a@praxis-muster.ch", false), external()).action ==
          Action::pass);
    CHECK(policy_decide(p, with_pdf("a@praxis-muster.ch", true), internal()).action ==
          Action::pass);
}

TEST_CASE("examples/plain-bypass.toml: [plain] only from listed senders", "[policy][files]") {
    const Policy p = shipped("examples/plain-bypass.toml");
    auto m = with_pdf("dr.muster@praxis-muster.ch", false);
    m.tags = subject_tags("Merkblatt [plain]");
    Decision d = policy_decide(p, m, external());
    CHECK(d.action == Action::pass);
    CHECK(d.rule_name == "plain-allowed");

    m.sender = "lernende@praxis-muster.ch";
    d = policy_decide(p, m, external());
    CHECK(d.action == Action::seal);
    CHECK(d.rule_name == "external-seal");

    auto priv = with_pdf("lernende@praxis-muster.ch", false);
    priv.sensitivity = Sensitivity::private_;
    d = policy_decide(p, priv, external());
    CHECK(d.rule_name == "private-seal-everything");
    CHECK_FALSE(d.keep_inline_images);

    auto secure = msg_from("lernende@praxis-muster.ch");
    secure.tags = subject_tags("[secure] Befund");
    d = policy_decide(p, secure, external());
    CHECK(d.action == Action::reject);
    CHECK(d.message.find("[secure] mail needs an attachment") == 0);
}

TEST_CASE("examples/per-sender.toml: rules per sender", "[policy][files]") {
    const Policy p = shipped("examples/per-sender.toml");
    Decision d = policy_decide(p, with_pdf("billing@praxis-muster.ch", true), external());
    CHECK(d.action == Action::seal);
    CHECK(d.attachments == AttachmentSelector::invoices);
    d = policy_decide(p, with_pdf("physio@therapie-muster.ch", false), external());
    CHECK(d.rule_name == "therapists-seal");
    CHECK(d.attachments == AttachmentSelector::all);
    d = policy_decide(p, with_pdf("scanner@praxis-muster.ch", false), external());
    CHECK(d.action == Action::reject);
    CHECK(d.message == "The scanner may not send mail outside the practice");
    auto cal = msg_from("empfang@praxis-muster.ch");
    cal.attachments = {{"text/calendar", "termin.ics", 3000, false, false, {}, {}}};
    CHECK(policy_decide(p, cal, external()).rule_name == "calendar-pass");
    d = policy_decide(p, with_pdf("stranger@example.org", false), external());
    CHECK(d.action == Action::reject);
    CHECK(d.source == DecisionSource::no_match);
}
