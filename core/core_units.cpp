// SPDX-License-Identifier: Apache-2.0
// Durations and byte sizes as written in sealpost.toml: strict parsing (no sign, no spaces, one
// unit) so that a typo is an error and not a surprising value.
#include "core/core_units.hpp"

#include <array>
#include <limits>

namespace sealpost {
namespace {

struct Unit {
    std::string_view suffix;
    std::uint64_t factor;
};

// Largest first, for formatting.
constexpr std::array<Unit, 5> kDurationUnits{{
    {"w", 7ULL * 86400},
    {"d", 86400},
    {"h", 3600},
    {"m", 60},
    {"s", 1},
}};

// IEC 80000-13 binary prefixes only: "KB"/"MB" mean 1000 or 1024 depending on who wrote them.
constexpr std::array<Unit, 5> kSizeUnits{{
    {"TiB", 1ULL << 40},
    {"GiB", 1ULL << 30},
    {"MiB", 1ULL << 20},
    {"KiB", 1ULL << 10},
    {"B", 1},
}};

bool is_digit(char c) {
    return c >= '0' && c <= '9';
}

// Splits `text` into a run of leading digits and the rest; parses the digits with an overflow
// check. Returns false when there are no digits or the number does not fit.
bool split_number(std::string_view text, std::uint64_t& number, std::string_view& rest) {
    std::size_t i = 0;
    std::uint64_t n = 0;
    while (i < text.size() && is_digit(text[i])) {
        const auto digit = static_cast<std::uint64_t>(text[i] - '0');
        if (n > (std::numeric_limits<std::uint64_t>::max() - digit) / 10) {
            return false;
        }
        n = n * 10 + digit;
        ++i;
    }
    if (i == 0) {
        return false;
    }
    number = n;
    rest = text.substr(i);
    return true;
}

Error bad(std::string_view what, std::string_view text) {
    // The text comes from the config file (no secrets), so echoing it helps the operator.
    std::string d(what);
    d += " '";
    d += text.substr(0, 40);
    d += "'";
    return make_error(Errc::invalid_argument, std::move(d));
}

}  // namespace

Result<std::chrono::seconds> parse_duration(std::string_view text) {
    std::uint64_t n = 0;
    std::string_view rest;
    if (!split_number(text, n, rest)) {
        return bad("not a duration (use e.g. 30s, 10m, 1h, 30d, 2w):", text);
    }
    for (const auto& u : kDurationUnits) {
        if (rest == u.suffix) {
            constexpr auto kMax =
                static_cast<std::uint64_t>(std::numeric_limits<std::chrono::seconds::rep>::max());
            if (n > kMax / u.factor) {
                return bad("duration too large:", text);
            }
            return std::chrono::seconds(static_cast<std::chrono::seconds::rep>(n * u.factor));
        }
    }
    return bad("not a duration (use e.g. 30s, 10m, 1h, 30d, 2w):", text);
}

Result<std::uint64_t> parse_size(std::string_view text) {
    std::uint64_t n = 0;
    std::string_view rest;
    if (!split_number(text, n, rest)) {
        return bad("not a size (use e.g. 512, 64KiB, 25MiB, 4GiB):", text);
    }
    if (rest.empty()) {
        return n;
    }
    for (const auto& u : kSizeUnits) {
        if (rest == u.suffix) {
            if (n > std::numeric_limits<std::uint64_t>::max() / u.factor) {
                return bad("size too large:", text);
            }
            return n * u.factor;
        }
    }
    return bad("not a size (use e.g. 512, 64KiB, 25MiB, 4GiB):", text);
}

std::string format_duration(std::chrono::seconds d) {
    const auto count = d.count();
    if (count == 0) {
        return "0s";
    }
    std::string sign;
    std::uint64_t magnitude = 0;
    if (count < 0) {
        sign = "-";
        // Two's complement: -(count + 1) + 1 avoids overflow at the minimum.
        magnitude = static_cast<std::uint64_t>(-(count + 1)) + 1;
    } else {
        magnitude = static_cast<std::uint64_t>(count);
    }
    for (const auto& u : kDurationUnits) {
        if (magnitude % u.factor == 0) {
            return sign + std::to_string(magnitude / u.factor) + std::string(u.suffix);
        }
    }
    return sign + std::to_string(magnitude) + "s";  // unreachable: factor 1 always divides
}

std::string format_size(std::uint64_t bytes) {
    if (bytes == 0) {
        return "0B";
    }
    for (const auto& u : kSizeUnits) {
        if (bytes % u.factor == 0) {
            return std::to_string(bytes / u.factor) + std::string(u.suffix);
        }
    }
    return std::to_string(bytes) + "B";  // unreachable: factor 1 always divides
}

}  // namespace sealpost
