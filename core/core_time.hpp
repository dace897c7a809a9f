// SPDX-License-Identifier: Apache-2.0
// Swiss local time (Europe/Zurich) of a Unix time, computed by the EU summer-time rule rather
// than through the TZ environment: the same answer in every process, thread-safe, and without
// tzdata. What patients read (notice mails, portal pages, ZIP entries) uses it; what an operator
// reads on his own host (`sealpost show`, the practice's download notice) stays in that host's
// local time zone.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace sealpost {

/// A wall-clock time in Zurich.
struct ZurichTime {
    int year = 0;         ///< 0..9999
    unsigned month = 0;   ///< 1..12
    unsigned day = 0;     ///< 1..31
    unsigned hour = 0;    ///< 0..23
    unsigned minute = 0;  ///< 0..59
    unsigned second = 0;  ///< 0..59
    bool summer = false;  ///< CEST (UTC+2) rather than CET (UTC+1)
    /// "CEST" or "CET".
    [[nodiscard]] std::string_view zone() const noexcept { return summer ? "CEST" : "CET"; }
};

/// Europe/Zurich local time of `unix_seconds`: CET (UTC+1), and CEST (UTC+2) from the last
/// Sunday of March 01:00 UTC up to the last Sunday of October 01:00 UTC (EU Directive
/// 2000/84/EC, which Switzerland follows). That rule holds from 1996 on, which covers every
/// time sealpost handles. std::nullopt when the local year falls outside 0..9999.
std::optional<ZurichTime> zurich_time(std::int64_t unix_seconds);

}  // namespace sealpost
