// SPDX-License-Identifier: Apache-2.0
// Hexadecimal (RFC 4648 section 8, base16): ids in file names and logs, escapes of control
// bytes in logs and CLI output, percent- and JSON-escapes. It lives in core, not crypto/,
// because the log's escaping needs it and core includes no other room; crypto/ has no copy.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/core_result.hpp"

namespace sealpost::hex {

inline constexpr std::string_view kLower = "0123456789abcdef";
inline constexpr std::string_view kUpper = "0123456789ABCDEF";

/// Appends the two digits of `byte` to `out`: lower case unless `upper`.
inline void append(std::string& out, std::uint8_t byte, bool upper = false) {
    const std::string_view digits = upper ? kUpper : kLower;
    out += digits[byte >> 4U];
    out += digits[byte & 0x0FU];
}

/// Lower-case hex of `data`.
std::string encode(std::span<const std::uint8_t> data);
/// Errc::invalid_argument unless `text` is an even-length hex string (either case).
Result<std::vector<std::uint8_t>> decode(std::string_view text);
/// 0..15 for a hex digit (either case), -1 for anything else.
int digit_value(char ch) noexcept;

}  // namespace sealpost::hex
