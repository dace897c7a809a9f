// SPDX-License-Identifier: Apache-2.0
// Tests for wiping secrets and the self-wiping Secret.
#include <catch2/catch.hpp>

#include <string>

#include "crypto/crypto_secret.hpp"
#include "crypto_test_util.hpp"

using namespace sealpost;
using namespace sealpost::crypto;
using namespace sealpost::crypto::test;

TEST_CASE("secure_wipe zeroes memory") {
    Bytes b = fill(64, 0xee);
    secure_wipe(b.data(), b.size());
    CHECK(b == Bytes(64, 0));
    secure_wipe(nullptr, 0);
}

TEST_CASE("Secret wipes and moves") {
    Secret a(std::string("hunter2"));
    Secret b(std::move(a));
    CHECK(b.view() == "hunter2");
    CHECK(a.empty());  // NOLINT(bugprone-use-after-move): moved-from is defined to be empty
    b.clear();
    CHECK(b.empty());
}
