// SPDX-License-Identifier: Apache-2.0
// Tests for constant-time comparison.
#include <catch2/catch.hpp>

#include <string>

#include "crypto/crypto_compare.hpp"
#include "crypto_test_util.hpp"

using namespace sealpost;
using namespace sealpost::crypto;
using namespace sealpost::crypto::test;

TEST_CASE("ct_equal compares contents and lengths") {
    const Bytes x = {1, 2, 3};
    const Bytes y = {1, 2, 3};
    const Bytes z = {1, 2, 4};
    const Bytes shorter = {1, 2};
    CHECK(ct_equal(x, y));
    CHECK_FALSE(ct_equal(x, z));
    CHECK_FALSE(ct_equal(x, shorter));
    CHECK(ct_equal({}, {}));
    CHECK_FALSE(ct_equal(x, {}));
}
