// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the portal's unit tests: substring checks and a fixed local time zone.
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <ctime>
#include <string>
#include <string_view>

namespace sealpost::portal::test {

/// Pages show the server's local time: the tests pin it to Zurich (ctest sets TZ as well).
inline void zurich_time() {
    REQUIRE(::setenv("TZ", "Europe/Zurich", 1) == 0);  // NOLINT(concurrency-mt-unsafe): one thread
    ::tzset();
}

inline bool has(const std::string& s, std::string_view part) {
    return s.find(part) != std::string::npos;
}

}  // namespace sealpost::portal::test
