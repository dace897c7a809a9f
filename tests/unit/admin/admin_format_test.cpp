// SPDX-License-Identifier: Apache-2.0
// Unit tests for the CLI's output helpers: terminal-safe text, sizes, times, tables.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <ctime>

#include "admin/admin_format.hpp"

namespace sealpost::admin {
namespace {

/// Catch2 runs the tests on one thread, so changing TZ here races with nothing.
void set_tz(const char* tz) {
    ::setenv("TZ", tz, 1);  // NOLINT(concurrency-mt-unsafe)
    ::tzset();
}

TEST_CASE("printable keeps UTF-8 text and escapes what could drive a terminal", "[admin][format]") {
    CHECK(printable("Rückforderungsbeleg.pdf") == "Rückforderungsbeleg.pdf");
    CHECK(printable("a\nb\x1b[2Jc\x7f") == "a\\x0ab\\x1b[2Jc\\x7f");
    CHECK(printable("\xff\xfe") == "\\xff\\xfe");
    CHECK(printable("\xc3") == "\\xc3");                        // truncated sequence
    CHECK(printable("\xc0\xaf") == "\\xc0\\xaf");               // overlong '/'
    CHECK(printable("\xed\xa0\x80") == "\\xed\\xa0\\x80");      // UTF-16 surrogate
    CHECK(printable("x\xe2\x80\xaey") == "x\\xe2\\x80\\xaey");  // U+202E right-to-left override
    CHECK(printable("\xc2\x85") == "\\xc2\\x85");               // C1 control NEL
    CHECK(printable("abcdef", 3) == "abc...");
    CHECK(printable("abc", 3) == "abc");
}

TEST_CASE("format_size uses binary units with one decimal", "[admin][format]") {
    CHECK(format_size(0) == "0 B");
    CHECK(format_size(1023) == "1023 B");
    CHECK(format_size(1024) == "1.0 KiB");
    CHECK(format_size(1536) == "1.5 KiB");
    CHECK(format_size(1048575) == "1.0 MiB");
    CHECK(format_size(5ULL << 30) == "5.0 GiB");
    CHECK(format_size(~0ULL) == "16384.0 PiB");
}

TEST_CASE("format_time prints local minutes", "[admin][format]") {
    set_tz("UTC");
    CHECK(format_time(1795773720) == "2026-11-27 10:02");
    CHECK(format_time(0) == "1970-01-01 00:00");
    set_tz("Europe/Zurich");
    CHECK(format_time(1795773720) == "2026-11-27 11:02");
    set_tz("UTC");
}

TEST_CASE("render_table aligns columns without trailing blanks", "[admin][format]") {
    CHECK(render_table({"id", "state", "size"}, {{"abc", "sent", "1 B"}, {"d", "expired", ""}}) ==
          "id   state    size\n"
          "abc  sent     1 B\n"
          "d    expired\n");
    CHECK(render_table({"a"}, {}) == "a\n");
}

}  // namespace
}  // namespace sealpost::admin
