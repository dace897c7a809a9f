// SPDX-License-Identifier: Apache-2.0
// Tests for the hex codec (RFC 4648 section 8).
#include <catch2/catch.hpp>

#include <cstdint>
#include <vector>

#include "core/core_hex.hpp"

using namespace sealpost;
using Bytes = std::vector<std::uint8_t>;

TEST_CASE("hex round trips and refuses bad input") {
    const Bytes b = {0x00, 0x01, 0xab, 0xff};
    CHECK(hex::encode(b) == "0001abff");
    CHECK(hex::decode("0001ABff").value() == b);
    CHECK(hex::decode("").value().empty());
    CHECK(hex::decode("abc").error().code == Errc::invalid_argument);
    CHECK(hex::decode("zz").error().code == Errc::invalid_argument);
    CHECK(hex::decode("0g").error().code == Errc::invalid_argument);
}

TEST_CASE("hex digits and appended bytes") {
    CHECK(hex::digit_value('0') == 0);
    CHECK(hex::digit_value('f') == 15);
    CHECK(hex::digit_value('F') == 15);
    CHECK(hex::digit_value('g') == -1);
    std::string out;
    hex::append(out, 0xab);
    hex::append(out, 0xab, /*upper=*/true);
    CHECK(out == "abAB");
}
