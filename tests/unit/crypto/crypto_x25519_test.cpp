// SPDX-License-Identifier: Apache-2.0
// Tests for X25519: RFC 7748 section 6.1 and generated pairs.
#include <catch2/catch.hpp>

#include <string>

#include "crypto/crypto_x25519.hpp"
#include "crypto_test_util.hpp"

using namespace sealpost;
using namespace sealpost::crypto;
using namespace sealpost::crypto::test;

TEST_CASE("X25519 matches RFC 7748 section 6.1") {
    const Bytes alice_priv =
        unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    const Bytes bob_priv =
        unhex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    const std::string alice_pub =
        "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
    const std::string bob_pub = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
    const std::string shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

    auto a = x25519_public_of(alice_priv);
    auto b = x25519_public_of(bob_priv);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(hex_of(*a) == alice_pub);
    CHECK(hex_of(*b) == bob_pub);

    auto s1 = x25519_shared(alice_priv, unhex(bob_pub));
    auto s2 = x25519_shared(bob_priv, unhex(alice_pub));
    REQUIRE(s1.ok());
    REQUIRE(s2.ok());
    CHECK(hex_of(*s1) == shared);
    CHECK(hex_of(*s2) == shared);

    CHECK(x25519_public_of(fill(31, 1)).error().code == Errc::key_error);
    // A low-order point gives an all-zero secret, which must be refused (RFC 7748 section 6.1).
    CHECK(x25519_shared(alice_priv, fill(32, 0)).error().code == Errc::key_error);
}

TEST_CASE("x25519_generate makes a consistent pair") {
    auto p = x25519_generate();
    REQUIRE(p.ok());
    CHECK(p->private_key.size() == 32);
    auto pub = x25519_public_of(p->private_key);
    REQUIRE(pub.ok());
    CHECK(*pub == p->public_key);
    auto q = x25519_generate();
    REQUIRE(q.ok());
    CHECK(q->public_key != p->public_key);
}
