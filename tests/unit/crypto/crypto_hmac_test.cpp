// SPDX-License-Identifier: Apache-2.0
// Tests for HMAC-SHA256: RFC 4231 vectors, empty key and data.
#include <catch2/catch.hpp>

#include <string>

#include "crypto/crypto_hmac.hpp"
#include "crypto_test_util.hpp"

using namespace sealpost;
using namespace sealpost::crypto;
using namespace sealpost::crypto::test;

TEST_CASE("HMAC-SHA256 matches RFC 4231 test vectors") {
    CHECK(hex_of(hmac_sha256(fill(20, 0x0b), as_bytes("Hi There"))) ==
          "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    CHECK(hex_of(hmac_sha256(as_bytes("Jefe"), as_bytes("what do ya want for nothing?"))) ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    CHECK(hex_of(hmac_sha256(fill(20, 0xaa), fill(50, 0xdd))) ==
          "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
    CHECK(hex_of(hmac_sha256(range(0x01, 0x19), fill(50, 0xcd))) ==
          "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
    CHECK(hex_of(hmac_sha256(fill(131, 0xaa),
                             as_bytes("Test Using Larger Than Block-Size Key - Hash Key First"))) ==
          "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    CHECK(hex_of(hmac_sha256(
              fill(131, 0xaa),
              as_bytes("This is a test using a larger than block-size key and a larger than "
                       "block-size data. The key needs to be hashed before being used by the "
                       "HMAC algorithm."))) ==
          "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST_CASE("HMAC-SHA256 accepts an empty key and empty data") {
    // HMAC_SHA256("", "") — a well-known value.
    CHECK(hex_of(hmac_sha256({}, {})) ==
          "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}
