// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the policy unit tests: parse a policy that must load, and build the
// facts a rule sees (attachments, message, recipients).
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "policy/policy.hpp"

namespace sealpost::policy::test {

inline Policy parse_ok(std::string_view text) {
    auto p = policy_parse(text, "test.toml");
    if (!p) {
        FAIL(p.error().detail);
    }
    return std::move(p).value();
}

inline AttachmentFacts pdf(std::string name, std::uint64_t size = 50'000, bool invoice = false) {
    return AttachmentFacts{"application/pdf", std::move(name), size, invoice, false, {}, {}};
}

inline MessageFacts msg_from(std::string sender) {
    MessageFacts m;
    m.sender = std::move(sender);
    return m;
}

inline RecipientFacts external(std::string a = "patient@example.ch") {
    return RecipientFacts{std::move(a), false};
}

inline RecipientFacts internal(std::string a = "kollegin@praxis-muster.ch") {
    return RecipientFacts{std::move(a), true};
}

}  // namespace sealpost::policy::test
