// SPDX-License-Identifier: Apache-2.0
// Tests for HKDF-SHA256 against the RFC 5869 vectors.
#include <catch2/catch.hpp>

#include <string>

#include "crypto/crypto_hkdf.hpp"
#include "crypto_test_util.hpp"

using namespace sealpost;
using namespace sealpost::crypto;
using namespace sealpost::crypto::test;

TEST_CASE("HKDF-SHA256 matches RFC 5869 test vectors") {
    SECTION("test case 1") {
        auto okm = hkdf_sha256(fill(22, 0x0b), range(0x00, 0x0c), range(0xf0, 0xf9), 42);
        REQUIRE(okm.ok());
        CHECK(
            hex_of(*okm) ==
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
    }
    SECTION("test case 2: long inputs") {
        auto okm = hkdf_sha256(range(0x00, 0x4f), range(0x60, 0xaf), range(0xb0, 0xff), 82);
        REQUIRE(okm.ok());
        CHECK(hex_of(*okm) ==
              "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
              "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
              "cc30c58179ec3e87c14c01d5c1f3434f1d87");
    }
    SECTION("test case 3: empty salt and info") {
        auto okm = hkdf_sha256(fill(22, 0x0b), {}, {}, 42);
        REQUIRE(okm.ok());
        CHECK(
            hex_of(*okm) ==
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
    }
    SECTION("bad lengths are refused") {
        CHECK(hkdf_sha256(fill(22, 0x0b), {}, {}, 0).error().code == Errc::invalid_argument);
        CHECK(hkdf_sha256(fill(22, 0x0b), {}, {}, 255 * 32 + 1).error().code ==
              Errc::invalid_argument);
        CHECK(hkdf_sha256({}, {}, {}, 32).error().code == Errc::invalid_argument);
    }
}
