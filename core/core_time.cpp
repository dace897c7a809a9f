// SPDX-License-Identifier: Apache-2.0
// Europe/Zurich local time by the EU summer-time rule, on the C++20 calendar (no tzdata, no TZ).
#include "core/core_time.hpp"

#include <chrono>

namespace sealpost {
namespace {

// 0000-01-01T00:00:00Z and 9999-12-31T23:59:59Z, widened by the largest offset (2 h), so the
// arithmetic below never overflows; the local year is checked exactly afterwards.
constexpr std::int64_t kFirst = -62167219200 - 7200;
constexpr std::int64_t kLast = 253402300799;

}  // namespace

std::optional<ZurichTime> zurich_time(std::int64_t unix_seconds) {
    using namespace std::chrono;
    if (unix_seconds < kFirst || unix_seconds > kLast) {
        return std::nullopt;
    }
    const sys_seconds t{seconds{unix_seconds}};
    const year y = year_month_day{floor<days>(t)}.year();
    // EU summer time: last Sunday of March 01:00 UTC to last Sunday of October 01:00 UTC.
    const sys_seconds dst_start = sys_days{y / March / Sunday[last]} + hours{1};
    const sys_seconds dst_end = sys_days{y / October / Sunday[last]} + hours{1};
    const bool summer = t >= dst_start && t < dst_end;
    const sys_seconds local = t + (summer ? hours{2} : hours{1});
    const sys_days day = floor<days>(local);
    const year_month_day d{day};
    const hh_mm_ss<seconds> hms{local - day};
    ZurichTime z;
    z.year = static_cast<int>(d.year());
    if (z.year < 0 || z.year > 9999) {
        return std::nullopt;
    }
    z.month = static_cast<unsigned>(d.month());
    z.day = static_cast<unsigned>(d.day());
    z.hour = static_cast<unsigned>(hms.hours().count());
    z.minute = static_cast<unsigned>(hms.minutes().count());
    z.second = static_cast<unsigned>(hms.seconds().count());
    z.summer = summer;
    return z;
}

}  // namespace sealpost
