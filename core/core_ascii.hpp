// SPDX-License-Identifier: Apache-2.0
// ASCII case and blank handling for protocol text (header field names, MIME parameters, file
// extensions, users-file entries): one home, locale-free, so no caller's reading depends on
// the process's locale (RFC 5322 2.2 field names and RFC 2045 parameter names are ASCII and
// compare case-insensitively).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace sealpost {

[[nodiscard]] constexpr char ascii_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

/// `s` with A-Z made a-z; every other byte as it is.
[[nodiscard]] inline std::string ascii_lowered(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = ascii_lower(c);
    }
    return out;
}

[[nodiscard]] constexpr bool ascii_iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (ascii_lower(a[i]) != ascii_lower(b[i])) {
            return false;
        }
    }
    return true;
}

/// `s` without leading and trailing spaces and tabs (RFC 5322 WSP).
[[nodiscard]] constexpr std::string_view trim_blank(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
        s.remove_suffix(1);
    }
    return s;
}

}  // namespace sealpost
