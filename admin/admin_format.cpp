// SPDX-License-Identifier: Apache-2.0
// Output for people: times in local time, binary sizes and plain-text tables.
#include "admin/admin_format.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <ctime>

#include "core/core_hex.hpp"

namespace sealpost::admin {

std::string printable(std::string_view value, std::size_t max) {
    std::string out;
    std::size_t shown = 0;
    std::size_t i = 0;
    auto escape = [&](unsigned char u) {
        out += "\\x";
        hex::append(out, u);
    };
    while (i < value.size()) {
        if (shown == max) {
            out += "...";
            break;
        }
        ++shown;
        const auto u = static_cast<unsigned char>(value[i]);
        if (u >= 0x20 && u < 0x7f) {
            out += value[i++];
            continue;
        }
        // A well-formed UTF-8 sequence (RFC 3629) passes unless it is a C1 control or a
        // bidirectional override that could make a line read differently than it is.
        const std::size_t len = u >= 0xf0 && u < 0xf5 ? 4 : u >= 0xe0 ? 3 : u >= 0xc2 ? 2 : 0;
        if (len == 0 || u >= 0xf5 || i + len > value.size()) {
            escape(u);
            ++i;
            continue;
        }
        std::uint32_t cp = u & (0x7fU >> len);
        bool ok = true;
        for (std::size_t k = 1; k < len; ++k) {
            const auto c = static_cast<unsigned char>(value[i + k]);
            ok = ok && (c & 0xc0U) == 0x80U;
            cp = (cp << 6) | (c & 0x3fU);
        }
        const std::uint32_t min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
        ok = ok && cp >= min && cp <= 0x10ffff && !(cp >= 0xd800 && cp <= 0xdfff) &&
             !(cp >= 0x80 && cp <= 0x9f) && !(cp >= 0x202a && cp <= 0x202e) &&
             !(cp >= 0x2066 && cp <= 0x2069) && cp != 0x2028 && cp != 0x2029;
        if (!ok) {
            escape(u);
            ++i;
            continue;
        }
        out.append(value.substr(i, len));
        i += len;
    }
    return out;
}

std::string format_time(std::chrono::system_clock::time_point t) {
    return format_time(
        std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
}

std::string format_time(std::int64_t unix_seconds) {
    const auto tt = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    if (localtime_r(&tt, &tm) == nullptr) {
        return "?";
    }
    std::array<char, 32> buf{};
    const std::size_t n = std::strftime(buf.data(), buf.size(), "%Y-%m-%d %H:%M", &tm);
    return std::string(buf.data(), n);
}

std::string format_size(std::uint64_t bytes) {
    if (bytes < 1024) {
        return std::to_string(bytes) + " B";
    }
    constexpr std::array<const char*, 5> units{"KiB", "MiB", "GiB", "TiB", "PiB"};
    // Work in tenths with integers so the result does not depend on float rounding.
    std::uint64_t scale = 1024;
    std::size_t unit = 0;
    while (unit + 1 < units.size() && bytes / scale >= 1024) {
        scale *= 1024;
        ++unit;
    }
    const std::uint64_t tenths = bytes / scale * 10 + (bytes % scale * 10 + scale / 2) / scale;
    if (tenths >= 10240 && unit + 1 < units.size()) {
        return "1.0 " + std::string(units[unit + 1]);
    }
    return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + " " + units[unit];
}

std::string render_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows) {
    std::vector<std::size_t> width(header.size(), 0);
    auto measure = [&](const std::vector<std::string>& row) {
        for (std::size_t i = 0; i < row.size() && i < width.size(); ++i) {
            width[i] = std::max(width[i], row[i].size());
        }
    };
    measure(header);
    std::for_each(rows.begin(), rows.end(), measure);
    std::string out;
    auto emit = [&](const std::vector<std::string>& row) {
        std::string line;
        for (std::size_t i = 0; i < width.size(); ++i) {
            const std::string cell = i < row.size() ? row[i] : std::string();
            line += cell;
            if (i + 1 < width.size()) {
                line.append(width[i] - cell.size() + 2, ' ');
            }
        }
        while (!line.empty() && line.back() == ' ') {
            line.pop_back();
        }
        out += line + "\n";
    };
    emit(header);
    std::for_each(rows.begin(), rows.end(), emit);
    return out;
}

}  // namespace sealpost::admin
