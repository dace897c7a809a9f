// SPDX-License-Identifier: Apache-2.0
// Language choice from Accept-Language (RFC 9110 §12.5.4), the size, date and time formats
// the pages show, and the catalog file format.
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "portal/portal_i18n.hpp"
#include "portal/portal_pages.hpp"
#include "tests/unit/portal/portal_test_util.hpp"

namespace sealpost::portal {
namespace {

using test::zurich_time;

// 2026-12-27 10:00 UTC = 11:00 in Zurich (CET).
constexpr std::int64_t kExpires = 1798365600;

TEST_CASE("choose_language: explicit choice, then Accept-Language q-values", "[i18n]") {
    CHECK(choose_language("", "fr-CH,fr;q=0.9,en;q=0.8", "de") == "fr");
    CHECK(choose_language("", "en;q=0, de;q=0.5", "it") == "de");
    CHECK(choose_language("", "*", "it") == "it");
    CHECK(choose_language("", "", "fr") == "fr");
    CHECK(choose_language("", ";;;,,,=q=\x01\xff", "en") == "en");
    CHECK(choose_language("it", "fr-CH,fr;q=0.9", "de") == "it");
    CHECK(choose_language("IT", "", "de") == "it");
    CHECK(choose_language("xx", "en", "de") == "en");
    CHECK(choose_language("de-CH", "en", "de") == "en");
    CHECK(choose_language("", "de-CH", "en") == "de");
    CHECK(choose_language("", "es, it;q=0.3", "de") == "it");
    CHECK(choose_language("", "en;q=0.5, fr;q=0.5", "de") == "en");
    CHECK(choose_language("", "en;q=0.4, fr;q=0.5, en-GB;q=0.9", "de") == "en");
    CHECK(choose_language("", "fr;q=0, *;q=1", "de") == "de");
    CHECK(choose_language("", "fr;q=1.5, it;q=0.1", "de") == "it");     // q > 1 is malformed
    CHECK(choose_language("", "fr;q=0.5555, it;q=0.1", "de") == "it");  // 4 decimals too
    CHECK(choose_language("", "fr;level=1, it;q=0.1", "de") == "it");   // only q is a weight
    CHECK(choose_language("", "f r, it;q=0.1", "de") == "it");
    CHECK(choose_language("", "en;Q=0.2,de;q=0.1", "de") == "en");
    CHECK(choose_language("", "en", "zz") == "en");
    CHECK(choose_language("", "", "zz") == "de");
    // A huge header costs bounded work: only its first few KiB count.
    std::string huge;
    for (int i = 0; i < 200'000; ++i) {
        huge += "xx-YY;q=0.5,";
    }
    CHECK(choose_language("", huge + "fr", "it") == "it");
    CHECK(choose_language("", "en;q=0.1," + huge, "it") == "en");
}

TEST_CASE("sizes, dates and times as the pages write them", "[i18n]") {
    const SizeStyle dot{".", "KB", "MB", "GB"};
    const SizeStyle fr{",", "Ko", "Mo", "Go"};
    CHECK(format_size(0, dot) == "0\u00a0KB");
    CHECK(format_size(1, dot) == "1\u00a0KB");
    CHECK(format_size(182'400, dot) == "182\u00a0KB");
    CHECK(format_size(999'499, dot) == "999\u00a0KB");
    CHECK(format_size(999'500, dot) == "1.0\u00a0MB");
    CHECK(format_size(1'234'567, fr) == "1,2\u00a0Mo");
    CHECK(format_size(25'000'000, dot) == "25.0\u00a0MB");
    CHECK(format_size(4'294'967'296ULL, fr) == "4,3\u00a0Go");
    CHECK(format_size(UINT64_MAX, dot) == "18446744073.7\u00a0GB");

    zurich_time();
    CHECK(format_date(kExpires) == "27.12.2026");
    CHECK(format_time(kExpires) == "11:00");
    CHECK(format_date(1785533400) == "31.07.2026");
    CHECK(format_time(1785533400) == "23:30");
    CHECK(format_date(1785537000) == "01.08.2026");
    CHECK(format_time(1785537000) == "00:30");
    CHECK(format_date(INT64_MAX).empty());
}

TEST_CASE("catalog files: comments, blanks, errors with line numbers", "[i18n]") {
    auto c =
        Catalog::parse("\xEF\xBB\xBF# comment\n\n  a.b = x {n} y  \r\nc=#not a comment\n", "f");
    REQUIRE(c);
    REQUIRE(c->find("a.b") != nullptr);
    CHECK(*c->find("a.b") == "x {n} y");
    CHECK(*c->find("c") == "#not a comment");
    CHECK(placeholders("{b} and {a} and {b}") == std::vector<std::string>{"a", "b"});

    CHECK(Catalog::parse("a = 1\na = 2\n", "f").error().detail == "f:2: duplicate key 'a'");
    CHECK(Catalog::parse("A = 1\n", "f").error().detail == "f:1: bad key 'A'");
    CHECK(Catalog::parse("a =\n", "f").error().detail == "f:1: key 'a' has no text");
    CHECK(Catalog::parse("\na = {x\n", "f").error().detail ==
          "f:2: key 'a': malformed {placeholder}");
    CHECK_FALSE(Catalog::parse("a = x}\n", "f"));
    CHECK_FALSE(Catalog::parse("a = {Bad}\n", "f"));
}

}  // namespace
}  // namespace sealpost::portal
