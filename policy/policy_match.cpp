// SPDX-License-Identifier: Apache-2.0
// Glob and address pattern matching for policy rules (see policy_match.hpp).
#include "policy/policy_match.hpp"

#include <cstddef>

namespace sealpost::policy {
namespace {

char lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_control_or_space(char c) noexcept {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7F;
}

}  // namespace

std::string ascii_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = lower(c);
    }
    return out;
}

bool glob_match(std::string_view glob, std::string_view text) noexcept {
    // Greedy match with one backtrack point (the last '*'): enough for '*' and '?'.
    std::size_t g = 0;
    std::size_t t = 0;
    std::size_t star = std::string_view::npos;
    std::size_t star_t = 0;
    while (t < text.size()) {
        if (g < glob.size() && (glob[g] == '?' || lower(glob[g]) == lower(text[t]))) {
            ++g;
            ++t;
        } else if (g < glob.size() && glob[g] == '*') {
            star = g++;
            star_t = t;
        } else if (star != std::string_view::npos) {
            g = star + 1;
            t = ++star_t;
        } else {
            return false;
        }
    }
    while (g < glob.size() && glob[g] == '*') {
        ++g;
    }
    return g == glob.size();
}

std::optional<std::string> glob_problem(std::string_view glob) {
    if (glob.empty()) {
        return "is empty";
    }
    if (glob.size() > kMaxPattern) {
        return "is longer than " + std::to_string(kMaxPattern) + " characters";
    }
    for (const char c : glob) {
        if (is_control_or_space(c)) {
            return "contains a space or control character";
        }
        if (c == '[' || c == ']' || c == '\\' || c == '{' || c == '}') {
            return std::string("contains '") + c + "' (only * and ? are wildcards)";
        }
    }
    return std::nullopt;
}

std::optional<std::string> address_pattern_problem(std::string_view pattern) {
    if (auto p = glob_problem(pattern)) {
        return p;
    }
    const auto at = pattern.find('@');
    if (at == std::string_view::npos) {
        if (pattern.find_first_not_of('*') == std::string_view::npos) {
            return std::nullopt;  // "*": every address
        }
        return "is not an address: write user@domain, @domain or a glob like *@domain";
    }
    if (pattern.find('@', at + 1) != std::string_view::npos) {
        return "has more than one '@'";
    }
    if (at + 1 == pattern.size()) {
        return "has no domain after '@'";
    }
    return std::nullopt;
}

std::optional<std::string> content_type_pattern_problem(std::string_view pattern) {
    if (auto p = glob_problem(pattern)) {
        return p;
    }
    if (pattern.find('/') == std::string_view::npos &&
        pattern.find_first_not_of('*') != std::string_view::npos) {
        return "is not a content type: write type/subtype, type/* or *";
    }
    return std::nullopt;
}

bool address_match(std::string_view pattern, std::string_view address) noexcept {
    if (!pattern.empty() && pattern.front() == '@') {
        // `@domain` (or `@praxis-*.ch`): the domain after the last '@' (RFC 5321 4.1.2).
        const auto at = address.rfind('@');
        if (at == std::string_view::npos) {
            return false;
        }
        return glob_match(pattern.substr(1), address.substr(at + 1));
    }
    return glob_match(pattern, address);
}

}  // namespace sealpost::policy
