// SPDX-License-Identifier: Apache-2.0
// Pattern matching for policy rules: `*`/`?` globs (case-insensitive), address patterns
// (exact, `@domain`, glob) and their validation when a policy file is loaded.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace sealpost::policy {

/// Longest pattern accepted (an RFC 5321 path is at most 256 octets, section 4.5.3.1.3).
inline constexpr std::size_t kMaxPattern = 256;

/// `*` matches any run of characters (also empty), `?` exactly one byte; everything else
/// matches itself, ASCII case-insensitively. Linear in memory, O(|glob|*|text|) at worst.
bool glob_match(std::string_view glob, std::string_view text) noexcept;

/// Checks a glob as written in a policy file: not empty, at most kMaxPattern, printable
/// ASCII or UTF-8 (no controls, no space), and none of `[`, `]`, `\`, `{`, `}` (no classes
/// or escapes: what is written is what matches). Returns what is wrong, or nullopt.
std::optional<std::string> glob_problem(std::string_view glob);

/// Checks an address pattern: `user@example.ch`, `@example.ch` (the whole domain) or a glob
/// such as `*@praxis-*.ch`. Returns what is wrong, or nullopt.
std::optional<std::string> address_pattern_problem(std::string_view pattern);

/// Checks a content-type glob such as `application/pdf` or `image/*`.
std::optional<std::string> content_type_pattern_problem(std::string_view pattern);

/// True when `address` matches `pattern` (case-insensitive). `@example.ch` matches every
/// address whose domain is exactly example.ch (not sub.example.ch).
bool address_match(std::string_view pattern, std::string_view address) noexcept;

/// ASCII lower case copy.
std::string ascii_lower(std::string_view s);

}  // namespace sealpost::policy
