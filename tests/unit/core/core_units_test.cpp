// SPDX-License-Identifier: Apache-2.0
// Tests for duration and size parsing/formatting: valid forms, refused forms, 64-bit overflow.
#include <catch2/catch.hpp>

#include <cstdint>
#include <limits>

#include "core/core_units.hpp"

using namespace sealpost;
using std::chrono::seconds;

TEST_CASE("durations parse with every unit") {
    CHECK(parse_duration("0s").value() == seconds(0));
    CHECK(parse_duration("30s").value() == seconds(30));
    CHECK(parse_duration("10m").value() == seconds(600));
    CHECK(parse_duration("1h").value() == seconds(3600));
    CHECK(parse_duration("30d").value() == seconds(30 * 86400));
    CHECK(parse_duration("2w").value() == seconds(14 * 86400));
    CHECK(parse_duration("007s").value() == seconds(7));
}

TEST_CASE("malformed durations are refused with invalid_argument") {
    for (const char* bad : {"", "s", "30", "30 s", " 30s", "30s ", "-5s", "+5s", "1.5h", "30S",
                            "30sec", "1h30m", "10y", "1ms", "h1", "0x10s"}) {
        INFO(bad);
        auto r = parse_duration(bad);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == Errc::invalid_argument);
    }
}

TEST_CASE("durations that do not fit are refused, the largest that fits is accepted") {
    constexpr auto kMax = std::numeric_limits<std::int64_t>::max();
    CHECK(parse_duration(std::to_string(kMax) + "s").value() == seconds(kMax));
    CHECK_FALSE(parse_duration(std::to_string(kMax) + "0s").ok());  // beyond 64 bits
    CHECK_FALSE(parse_duration("9223372036854775808s").ok());       // 2^63
    CHECK(parse_duration(std::to_string(kMax / 604800) + "w").value() ==
          seconds(kMax / 604800 * 604800));
    CHECK_FALSE(parse_duration(std::to_string(kMax / 604800 + 1) + "w").ok());
    CHECK_FALSE(parse_duration("99999999999999999999999999s").ok());
}

TEST_CASE("sizes parse with binary units and bare byte counts") {
    CHECK(parse_size("0").value() == 0);
    CHECK(parse_size("512").value() == 512);
    CHECK(parse_size("512B").value() == 512);
    CHECK(parse_size("64KiB").value() == 65536);
    CHECK(parse_size("25MiB").value() == 26214400);
    CHECK(parse_size("4GiB").value() == 4294967296ULL);
    CHECK(parse_size("1TiB").value() == 1099511627776ULL);
}

TEST_CASE("decimal and malformed size units are refused") {
    for (const char* bad : {"", "KiB", "25MB", "25KB", "25kB", "25k", "25M", "25mib", "25 MiB",
                            "-1", "+1", "1.5MiB", "25MiBs", "25PiB", "0x10"}) {
        INFO(bad);
        auto r = parse_size(bad);
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == Errc::invalid_argument);
    }
}

TEST_CASE("sizes that overflow 64 bits are refused") {
    CHECK(parse_size("18446744073709551615").value() == std::numeric_limits<std::uint64_t>::max());
    CHECK_FALSE(parse_size("18446744073709551616").ok());
    CHECK(parse_size("16777215TiB").value() == 16777215ULL << 40);
    CHECK_FALSE(parse_size("16777216TiB").ok());  // 2^24 TiB = 2^64
    CHECK_FALSE(parse_size("17179869184GiB").ok());
}

TEST_CASE("formatting picks the largest exact unit and round-trips") {
    CHECK(format_duration(seconds(0)) == "0s");
    CHECK(format_duration(seconds(90)) == "90s");
    CHECK(format_duration(seconds(600)) == "10m");
    CHECK(format_duration(seconds(3600)) == "1h");
    CHECK(format_duration(seconds(86400)) == "1d");
    CHECK(format_duration(seconds(30 * 86400)) == "30d");
    CHECK(format_duration(seconds(14 * 86400)) == "2w");
    CHECK(format_duration(seconds(-120)) == "-2m");
    CHECK(format_duration(seconds(std::numeric_limits<std::int64_t>::min())) ==
          "-9223372036854775808s");

    CHECK(format_size(0) == "0B");
    CHECK(format_size(1000) == "1000B");
    CHECK(format_size(1024) == "1KiB");
    CHECK(format_size(1536) == "1536B");
    CHECK(format_size(26214400) == "25MiB");
    CHECK(format_size(8ULL << 30) == "8GiB");
    CHECK(format_size(1ULL << 40) == "1TiB");

    for (const char* d : {"45s", "7m", "5h", "3d", "2w"}) {
        CHECK(format_duration(parse_duration(d).value()) == d);
    }
    for (const char* s : {"512B", "64KiB", "25MiB", "4GiB", "2TiB"}) {
        CHECK(format_size(parse_size(s).value()) == s);
    }
}
