// SPDX-License-Identifier: Apache-2.0
// Sha256 in pieces against FIPS 180-4 examples: however the input is split, the same digest.
#include <catch2/catch.hpp>

#include <string>

#include "core/core_hex.hpp"
#include "crypto/crypto_sha256.hpp"

using namespace sealpost;

namespace {
std::string digest_of(const std::string& s, std::size_t piece) {
    auto sha = crypto::Sha256::make();
    REQUIRE(sha);
    for (std::size_t off = 0; off < s.size(); off += piece) {
        REQUIRE(sha->update(std::string_view(s).substr(off, piece)));
    }
    auto d = sha->finish();
    REQUIRE(d);
    return hex::encode(*d);
}
}  // namespace

TEST_CASE("SHA-256 in pieces matches FIPS 180-4 examples") {
    for (const std::size_t piece :
         {std::size_t{1}, std::size_t{3}, std::size_t{64}, std::size_t{1000}}) {
        CHECK(digest_of("abc", piece) ==
              "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        CHECK(digest_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", piece) ==
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    }
    CHECK(digest_of("", 1) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
