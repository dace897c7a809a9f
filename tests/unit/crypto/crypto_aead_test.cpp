// SPDX-License-Identifier: Apache-2.0
// Tests for AES-256-GCM sealing: round trip and tampering.
#include <catch2/catch.hpp>

#include <string>

#include "crypto/crypto_aead.hpp"
#include "crypto_test_util.hpp"

using namespace sealpost;
using namespace sealpost::crypto;
using namespace sealpost::crypto::test;

TEST_CASE("aead_seal / aead_open round trip and tampering") {
    const Bytes key = fill(32, 0x42);
    const auto aad = as_bytes("envelope-meta");
    const auto pt = as_bytes("Rechnung Tarif 590, Patientin M.");
    auto sealed = aead_seal(key, aad, pt);
    REQUIRE(sealed.ok());
    REQUIRE(sealed->size() == kNonceLen + pt.size() + kTagLen);
    // The plaintext does not appear in the output.
    CHECK(std::string(sealed->begin(), sealed->end()).find("Rechnung") == std::string::npos);

    auto opened = aead_open(key, aad, *sealed);
    REQUIRE(opened.ok());
    CHECK(to_bytes(*opened) == Bytes(pt.begin(), pt.end()));

    // Two seals of the same plaintext differ (fresh nonce).
    auto again = aead_seal(key, aad, pt);
    REQUIRE(again.ok());
    CHECK(*again != *sealed);

    SECTION("every flipped byte fails") {
        for (std::size_t i = 0; i < sealed->size(); ++i) {
            Bytes t = *sealed;
            t[i] ^= 0x01;
            auto r = aead_open(key, aad, t);
            REQUIRE_FALSE(r.ok());
            CHECK(r.error().code == Errc::auth_failed);
        }
    }
    SECTION("wrong AAD fails") {
        CHECK(aead_open(key, as_bytes("envelope-metb"), *sealed).error().code == Errc::auth_failed);
        CHECK(aead_open(key, {}, *sealed).error().code == Errc::auth_failed);
    }
    SECTION("wrong key fails") {
        CHECK(aead_open(fill(32, 0x43), aad, *sealed).error().code == Errc::auth_failed);
    }
    SECTION("short input fails") {
        CHECK(aead_open(key, aad, ByteView(sealed->data(), kNonceLen + kTagLen - 1)).error().code ==
              Errc::auth_failed);
        CHECK(aead_open(key, aad, {}).error().code == Errc::auth_failed);
        CHECK(aead_open(key, aad, ByteView(sealed->data(), sealed->size() - 1)).error().code ==
              Errc::auth_failed);
    }
    SECTION("wrong key size is invalid_argument") {
        CHECK(aead_seal(fill(16, 1), aad, pt).error().code == Errc::invalid_argument);
        CHECK(aead_open(fill(31, 1), aad, *sealed).error().code == Errc::invalid_argument);
    }
    SECTION("empty plaintext") {
        auto e = aead_seal(key, aad, {});
        REQUIRE(e.ok());
        CHECK(e->size() == kNonceLen + kTagLen);
        auto d = aead_open(key, aad, *e);
        REQUIRE(d.ok());
        CHECK(d->empty());
    }
}
