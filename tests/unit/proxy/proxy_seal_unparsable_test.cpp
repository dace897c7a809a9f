// SPDX-License-Identifier: Apache-2.0
// plan_message and the sealing rewrite on a message the parser refuses (issue: a narrow
// sysadmin policy with a later pass rule let the raw message out): only a decision that does
// not depend on attachments may pass it, an external recipient is always refused, and the
// refusal is the permanent MIME-shape reply.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>

#include "mime/mime_message.hpp"
#include "policy/policy.hpp"
#include "proxy/proxy_reply.hpp"
#include "proxy/proxy_seal.hpp"
#include "tests/unit/vault/vault_test_fixture.hpp"

namespace sealpost::proxy {
namespace {

constexpr std::string_view kNarrow = R"(
[[rule]]
name = "internal-pass"
recipient = "internal"
action = "pass"

[[rule]]
name = "pdf-seal"
attachment_type = "application/pdf"
action = "seal"

[[rule]]
name = "pass-rest"
action = "pass"
)";

PracticeConfig practice() {
    PracticeConfig p;
    p.name = "Praxis Muster";
    p.base_url = "https://portal.example.ch";
    p.internal_domains = {"praxis.example.ch"};
    return p;
}

Submission envelope(std::initializer_list<const char*> rcpts) {
    Submission sub;
    sub.session_id = "s1";
    sub.mail.reverse_path = "mpa@praxis.example.ch";
    for (const char* r : rcpts) {
        smtp::RcptArgs a;
        a.forward_path = r;
        sub.rcpts.push_back(a);
    }
    return sub;
}

/// A multipart without a boundary, the PDF in its body: GMime cannot read it.
const std::string kUnparsable =
    "From: mpa@praxis.example.ch\r\nTo: patient@example.org\r\nSubject: x\r\n"
    "MIME-Version: 1.0\r\nContent-Type: multipart/mixed\r\n\r\n--b\r\n"
    "Content-Type: application/pdf\r\n\r\n%PDF-1.4 ...\r\n--b--\r\n";

/// The plan of `sub`'s transaction (seal::plan_message takes its sender and recipients).
seal::MessagePlan plan_message(const policy::Policy& pol, const PracticeConfig& practice,
                               const Submission& sub, const std::string& msg) {
    return seal::plan_message(pol, practice, sub.mail, sub.rcpts, msg);
}

policy::Policy narrow() {
    auto p = policy::policy_parse(kNarrow, "narrow.toml");
    REQUIRE(p);
    return std::move(p).value();
}

TEST_CASE("unparsable: a later pass rule never passes it to an external recipient",
          "[proxy][seal]") {
    const auto plan =
        plan_message(narrow(), practice(),
                     envelope({"patient@example.org", "kollegin@praxis.example.ch"}), kUnparsable);
    REQUIRE(plan.parse_error);
    CHECK(mime::refusal_reason(*plan.parse_error) == mime::reason::parser_warning);
    REQUIRE(plan.decisions.size() == 2);
    CHECK(plan.decisions[0].action == policy::Action::reject);
    // The internal colleague: `internal-pass` passes whatever is attached.
    CHECK(plan.decisions[1].action == policy::Action::pass);
    CHECK(plan.decisions[1].rule_name == "internal-pass");
}

TEST_CASE("unparsable: an internal decision that depends on attachments refuses too",
          "[proxy][seal]") {
    auto p = policy::policy_parse(R"(
[[rule]]
name = "internal-pdf-seal"
recipient = "internal"
attachment_type = "application/pdf"
action = "seal"

[[rule]]
name = "pass-rest"
action = "pass"
)",
                                  "t.toml");
    REQUIRE(p);
    const auto plan =
        plan_message(*p, practice(), envelope({"kollegin@praxis.example.ch"}), kUnparsable);
    REQUIRE(plan.parse_error);
    CHECK(plan.decisions[0].action == policy::Action::reject);
    // The same for a subject-tag rule met first, and for a seal rule without attachment keys.
    for (const char* first :
         {"subject_tag = \"secure\"\naction = \"pass\"\n", "action = \"seal\"\n"}) {
        auto q = policy::policy_parse(
            std::string("[[rule]]\n") + first + "[[rule]]\nname = \"rest\"\naction = \"pass\"\n",
            "q.toml");
        REQUIRE(q);
        const auto qp =
            plan_message(*q, practice(), envelope({"kollegin@praxis.example.ch"}), kUnparsable);
        CHECK(qp.decisions[0].action == policy::Action::reject);
    }
}

TEST_CASE("unparsable: the rewrite refuses with the MIME-shape reply, or passes internal mail",
          "[proxy][seal]") {
    vault::test::Fixture fx;
    auto ctx = std::make_shared<SealContext>();
    ctx->practice = practice();
    const std::filesystem::path policy_file = fx.tmp.path() / "narrow.toml";
    { std::ofstream(policy_file) << kNarrow; }
    ctx->policy = std::make_shared<policy::PolicyStore>(policy_file);
    auto tpl = seal::NoticeTemplates::load(std::filesystem::path(SEALPOST_SOURCE_DIR) / "policies" /
                                           "templates");
    REQUIRE(tpl);
    ctx->templates = std::make_shared<const seal::NoticeTemplates>(std::move(tpl).value());
    ctx->vault = std::make_shared<vault::Vault>(fx.open());
    const DeliveryFn rewrite = make_seal_delivery(ctx);

    auto out = rewrite(envelope({"patient@example.org"}), std::string(kUnparsable));
    REQUIRE(out);
    CHECK(out->groups.empty());
    CHECK_FALSE(out->refusal);
    REQUIRE(out->shape_refusal);
    CHECK(reply_shape_refused(*out->shape_refusal).code == 554);

    // Near-boundary lines get the same answer under this policy (no rule sees them).
    const std::string near =
        "From: mpa@praxis.example.ch\r\nTo: patient@example.org\r\nSubject: x\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\n"
        "Content-Type: text/plain\r\n\r\nHallo\r\n--bx\r\nContent-Type: application/pdf\r\n\r\n"
        "%PDF-1.4\r\n--b--\r\n";
    out = rewrite(envelope({"patient@example.org"}), std::string(near));
    REQUIRE(out);
    REQUIRE(out->shape_refusal);
    CHECK(mime::refusal_reason(*out->shape_refusal) == mime::reason::ambiguous_boundary);

    out = rewrite(envelope({"kollegin@praxis.example.ch"}), std::string(kUnparsable));
    REQUIRE(out);
    REQUIRE(out->groups.size() == 1);
    CHECK(out->groups[0].message == kUnparsable);
}

}  // namespace
}  // namespace sealpost::proxy
