// SPDX-License-Identifier: Apache-2.0
// Tests for the CSPRNG wrapper.
#include <catch2/catch.hpp>

#include <string>

#include "crypto/crypto_random.hpp"
#include "crypto_test_util.hpp"

using namespace sealpost;
using namespace sealpost::crypto;
using namespace sealpost::crypto::test;

TEST_CASE("random bytes are fresh") {
    auto a = random_bytes(32);
    auto b = random_bytes(32);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(a->size() == 32);
    CHECK(*a != *b);
    CHECK(random_bytes(0)->empty());
}
