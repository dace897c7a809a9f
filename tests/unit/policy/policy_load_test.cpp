// SPDX-License-Identifier: Apache-2.0
// Policy loader: every error names the file, the line and the key; limits; file reading.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "core/core_config.hpp"
#include "policy/policy.hpp"
#include "policy/policy_facts.hpp"
#include "policy/policy_store.hpp"
#include "tests/unit/policy/policy_test_util.hpp"

using namespace sealpost;
using namespace sealpost::policy;
using namespace sealpost::policy::test;

namespace {

/// The error line of a policy that must not load.
std::string parse_err(std::string_view text) {
    auto p = policy_parse(text, "test.toml");
    REQUIRE_FALSE(p.ok());
    CHECK(p.error().code == Errc::invalid_argument);
    return p.error().detail;
}

}  // namespace

TEST_CASE("loader errors name file, line and key", "[policy][load]") {
    using Catch::Matchers::Equals;
    CHECK_THAT(parse_err("signed = \"pass\"\nsealed = \"yes\"\n"),
               Equals("test.toml:2: sealed: unknown key"));
    CHECK_THAT(parse_err("signed = \"maybe\"\n"),
               Equals("test.toml:1: signed: \"maybe\" is not one of \"pass\", \"reject\""));
    CHECK_THAT(parse_err("no_match = \"seal\"\n"),
               Equals("test.toml:1: no_match: \"seal\" is not one of \"pass\", \"reject\""));
    CHECK_THAT(parse_err("encrypted = true\n"), Equals("test.toml:1: encrypted: must be a string"));
    CHECK_THAT(
        parse_err("[[rule]]\naction = \"seal\"\n\n[[rule]]\nname = \"b\"\nactoin = \"pass\"\n"),
        Equals("test.toml:6: rule[2].actoin: unknown key"));
    CHECK_THAT(parse_err("[[rule]]\nname = \"x\"\n"),
               Equals("test.toml:1: rule[1].action: is missing (seal, pass or reject)"));
    CHECK_THAT(parse_err("[[rule]]\naction = \"drop\"\n"),
               Equals("test.toml:2: rule[1].action: \"drop\" is not one of \"seal\", \"pass\", "
                      "\"reject\""));
    CHECK_THAT(parse_err("[[rule]]\naction = \"seal\"\nfrom = \"praxis.ch\"\n"),
               Equals("test.toml:3: rule[1].from: \"praxis.ch\" is not an address: write "
                      "user@domain, @domain or a glob like *@domain"));
    CHECK_THAT(parse_err("[[rule]]\naction = \"seal\"\nto = [\"a@b.ch\", 7]\n"),
               Equals("test.toml:3: rule[1].to[1]: must be a string"));
    CHECK_THAT(parse_err("[[rule]]\naction = \"seal\"\nto = []\n"),
               Equals("test.toml:3: rule[1].to: is an empty list (leave the key out to match "
                      "everything)"));
    CHECK_THAT(parse_err("[[rule]]\naction = \"seal\"\nattachment_name = \"[0-9]*.pdf\"\n"),
               Equals("test.toml:3: rule[1].attachment_name: \"[0-9]*.pdf\" contains '[' (only "
                      "* and ? are wildcards)"));
    CHECK_THAT(parse_err("[[rule]]\naction = \"seal\"\nattachment_type = \"pdf\"\n"),
               Equals("test.toml:3: rule[1].attachment_type: \"pdf\" is not a content type: "
                      "write type/subtype, type/* or *"));
    CHECK_THAT(parse_err("[[rule]]\naction = \"seal\"\nattachment_min_size = \"5MB\"\n"),
               Equals("test.toml:3: rule[1].attachment_min_size: \"5MB\" is not a size (write "
                      "bytes or e.g. 512KiB, 5MiB, 1GiB)"));
    CHECK_THAT(parse_err("[[rule]]\naction = \"seal\"\nattachment_max_size = -1\n"),
               Equals("test.toml:3: rule[1].attachment_max_size: must not be negative"));
    CHECK_THAT(
        parse_err("[[rule]]\naction = \"seal\"\nattachment_min_size = \"2MiB\"\n"
                  "attachment_max_size = \"1MiB\"\n"),
        Equals("test.toml:4: rule[1].attachment_max_size: is smaller than attachment_min_size"));
    CHECK_THAT(parse_err("[[rule]]\naction = \"seal\"\ninvoice = false\n"),
               Equals("test.toml:3: rule[1].invoice: only true is allowed (leave the key out "
                      "otherwise)"));
    CHECK_THAT(parse_err("[[rule]]\naction = \"seal\"\ninvoice = \"yes\"\n"),
               Equals("test.toml:3: rule[1].invoice: must be true or false"));
    CHECK_THAT(parse_err("[[rule]]\naction = \"seal\"\nsubject_tag = \"urgent\"\n"),
               Equals("test.toml:3: rule[1].subject_tag: \"urgent\" is not one of secure, "
                      "vertraulich, confidential, confidentiel, plain"));
    CHECK_THAT(parse_err("[[rule]]\naction = \"seal\"\nsensitivity = \"secret\"\n"),
               Equals("test.toml:3: rule[1].sensitivity: \"secret\" is not one of personal, "
                      "private, company-confidential"));
    CHECK_THAT(parse_err("[[rule]]\naction = \"seal\"\nrecipient = \"patients\"\n"),
               Equals("test.toml:3: rule[1].recipient: \"patients\" is not one of \"internal\", "
                      "\"external\""));
    CHECK_THAT(parse_err("[[rule]]\naction = \"pass\"\nattachments = \"all\"\n"),
               Equals("test.toml:3: rule[1].attachments: only applies to action = \"seal\""));
    CHECK_THAT(parse_err("[[rule]]\naction = \"seal\"\nattachments = \"some\"\n"),
               Equals("test.toml:3: rule[1].attachments: \"some\" is not one of \"all\", "
                      "\"invoices\""));
    CHECK_THAT(parse_err("[[rule]]\naction = \"reject\"\nkeep_inline_images = false\n"),
               Equals("test.toml:3: rule[1].keep_inline_images: only applies to action = "
                      "\"seal\""));
    CHECK_THAT(parse_err("[[rule]]\naction = \"seal\"\nmessage = \"x\"\n"),
               Equals("test.toml:3: rule[1].message: only applies to action = \"reject\""));
    CHECK_THAT(parse_err("[[rule]]\naction = \"reject\"\nmessage = \"\"\n"),
               Equals("test.toml:3: rule[1].message: is empty"));
    CHECK_THAT(parse_err("[[rule]]\nname = \"a\"\naction = \"seal\"\n[[rule]]\nname = \"a\"\n"
                         "action = \"pass\"\n"),
               Equals("test.toml:4: rule[2].name: \"a\" is used by an earlier rule"));
    CHECK_THAT(parse_err("[[rule]]\nname = \"two words\"\naction = \"seal\"\n"),
               Equals("test.toml:2: rule[1].name: may only use printable ASCII without spaces "
                      "(e.g. seal-external)"));
    CHECK_THAT(parse_err("rule = \"seal\"\n"),
               Equals("test.toml:1: rule: must be written as [[rule]] tables"));
    CHECK_THAT(parse_err("[rule]\naction = \"seal\"\n"),
               Equals("test.toml:1: rule: must be written as [[rule]] tables"));
    const std::string syntax = parse_err("signed = \"pass\"\n[[rule]\n");
    CHECK(syntax.rfind("test.toml:2: syntax error: ", 0) == 0);
}

TEST_CASE("loader bounds: rules, list entries, file size", "[policy][load]") {
    std::string many;
    for (std::size_t i = 0; i <= kMaxRules; ++i) {
        many += "[[rule]]\naction = \"pass\"\n";
    }
    CHECK_THAT(parse_err(many), Catch::Matchers::EndsWith("rule: more than 1000 rules"));

    std::string list = "[[rule]]\naction = \"pass\"\nfrom = [";
    for (std::size_t i = 0; i <= kMaxListEntries; ++i) {
        list += "\"a" + std::to_string(i) + "@b.ch\",";
    }
    list += "]\n";
    CHECK_THAT(parse_err(list),
               Catch::Matchers::Equals("test.toml:3: rule[1].from: has more than 1000 entries"));

    const std::string huge(kMaxPolicyFile + 1, '#');
    CHECK_THAT(parse_err(huge), Catch::Matchers::Equals("test.toml: larger than 1048576 bytes"));
}

TEST_CASE("an empty policy rejects everything (fail closed)", "[policy][load]") {
    const Policy p = parse_ok("");
    CHECK(p.rules.empty());
    CHECK(p.signed_ == ProtectedAction::reject);
    CHECK(p.encrypted == ProtectedAction::reject);
    const Decision d = policy_decide(p, msg_from("a@b.ch"), internal());
    CHECK(d.action == Action::reject);
    CHECK(d.source == DecisionSource::no_match);
}

TEST_CASE("policy_load reads files; errors keep the file name", "[policy][load]") {
    const std::filesystem::path dir =
        std::filesystem::path(SEALPOST_BINARY_DIR) / "test-policy-load";
    std::filesystem::create_directories(dir);
    const auto bad = dir / "bad.toml";
    { std::ofstream(bad) << "# comment\n[[rule]]\naction = \"seal\"\nattachment_type = 3\n"; }
    auto r = policy_load(bad);
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::invalid_argument);
    CHECK(r.error().detail ==
          bad.string() + ":4: rule[1].attachment_type: must be a string or a list of strings");
    CHECK_THROWS_AS(policy_load_or_throw(bad), ConfigError);
    CHECK_THROWS_WITH(policy_load_or_throw(bad), r.error().detail);

    auto missing = policy_load(dir / "missing.toml");
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == Errc::io);

    const auto good = dir / "good.toml";
    { std::ofstream(good) << "no_match = \"pass\"\n"; }
    auto g = policy_load(good);
    REQUIRE(g.ok());
    CHECK(g->no_match == Action::pass);
    CHECK(g->source == good.string());
    std::filesystem::remove_all(dir);
}

TEST_CASE("PolicyStore: SIGHUP reload keeps the old policy when the new file is broken",
          "[policy][load]") {
    const std::filesystem::path dir =
        std::filesystem::path(SEALPOST_BINARY_DIR) / "test-policy-store";
    std::filesystem::create_directories(dir);
    const auto file = dir / "policy.toml";
    { std::ofstream(file) << "no_match = \"pass\"\n"; }
    PolicyStore store(file);
    const auto first = store.current();
    CHECK(first->no_match == Action::pass);

    { std::ofstream(file) << "no_match = \"reject\"\n[[rule]]\nname = \"x\"\naction = \"seal\"\n"; }
    REQUIRE(store.reload());
    const auto second = store.current();
    CHECK(second->no_match == Action::reject);
    REQUIRE(second->rules.size() == 1);
    CHECK(first->no_match == Action::pass);  // a session's snapshot does not change

    { std::ofstream(file) << "no_match = \"maybe\"\n"; }
    auto bad = store.reload();
    REQUIRE_FALSE(bad.ok());
    CHECK(bad.error().detail ==
          file.string() + ":1: no_match: \"maybe\" is not one of \"pass\", \"reject\"");
    CHECK(store.current() == second);

    std::filesystem::remove(file);
    CHECK_FALSE(store.reload().ok());
    CHECK(store.current() == second);
    CHECK_THROWS_AS(PolicyStore(file), ConfigError);
    std::filesystem::remove_all(dir);
}
