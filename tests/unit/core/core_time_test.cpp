// SPDX-License-Identifier: Apache-2.0
// Tests for Swiss local time: both EU summer-time switches to the second, a date in each
// season, a year boundary, and the range limits.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>

#include "core/core_time.hpp"

using namespace sealpost;

namespace {

constexpr std::int64_t kSpring = 1774746000;  // 2026-03-29 01:00:00 UTC, last Sunday of March
constexpr std::int64_t kAutumn = 1792890000;  // 2026-10-25 01:00:00 UTC, last Sunday of October

/// "YYYY-MM-DD HH:MM:SS ZONE" of a Zurich time, for readable failures.
std::string text(std::int64_t unix_seconds) {
    const auto z = zurich_time(unix_seconds);
    REQUIRE(z.has_value());
    auto two = [](unsigned v) { return std::string(v < 10 ? "0" : "") + std::to_string(v); };
    const std::string year = std::to_string(z->year);
    return std::string(4 - year.size(), '0') + year + "-" + two(z->month) + "-" + two(z->day) +
           " " + two(z->hour) + ":" + two(z->minute) + ":" + two(z->second) + " " +
           std::string(z->zone());
}

}  // namespace

TEST_CASE("spring forward: 02:00 CET becomes 03:00 CEST at 01:00 UTC") {
    CHECK(text(kSpring - 1) == "2026-03-29 01:59:59 CET");
    CHECK(text(kSpring) == "2026-03-29 03:00:00 CEST");
    CHECK(text(kSpring + 1) == "2026-03-29 03:00:01 CEST");
}

TEST_CASE("fall back: 03:00 CEST becomes 02:00 CET at 01:00 UTC") {
    CHECK(text(kAutumn - 1) == "2026-10-25 02:59:59 CEST");
    CHECK(text(kAutumn) == "2026-10-25 02:00:00 CET");
    CHECK(text(kAutumn + 1) == "2026-10-25 02:00:01 CET");
}

TEST_CASE("a date in each season") {
    CHECK(text(1768478400) == "2026-01-15 13:00:00 CET");   // 12:00 UTC in winter: +1
    CHECK(text(1784116800) == "2026-07-15 14:00:00 CEST");  // 12:00 UTC in summer: +2
    CHECK_FALSE(zurich_time(1768478400)->summer);
    CHECK(zurich_time(1784116800)->summer);
}

TEST_CASE("the Zurich date can be a day after the UTC date") {
    CHECK(text(1798759800) == "2027-01-01 00:30:00 CET");   // 2026-12-31 23:30 UTC
    CHECK(text(1785537000) == "2026-08-01 00:30:00 CEST");  // 2026-07-31 22:30 UTC
    CHECK(text(1785533400) == "2026-07-31 23:30:00 CEST");  // 2026-07-31 21:30 UTC
    CHECK(text(0) == "1970-01-01 01:00:00 CET");
}

TEST_CASE("times outside the years 0..9999 have no Zurich time") {
    CHECK_FALSE(zurich_time(INT64_MAX).has_value());
    CHECK_FALSE(zurich_time(INT64_MIN).has_value());
    CHECK_FALSE(zurich_time(253402300799).has_value());  // 9999-12-31 23:59:59 UTC = year 10000
    CHECK(text(253402300799 - 3600) == "9999-12-31 23:59:59 CET");
    CHECK(text(-62167219200 - 3600) == "0000-01-01 00:00:00 CET");
    CHECK_FALSE(zurich_time(-62167219200 - 3601).has_value());
}
