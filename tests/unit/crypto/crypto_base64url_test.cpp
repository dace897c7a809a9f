// SPDX-License-Identifier: Apache-2.0
// Tests for base64url without padding (RFC 4648 section 5).
#include <catch2/catch.hpp>

#include <string>

#include "crypto/crypto_base64url.hpp"
#include "crypto_test_util.hpp"

using namespace sealpost;
using namespace sealpost::crypto;
using namespace sealpost::crypto::test;

TEST_CASE("base64url round trips and refuses bad input") {
    // RFC 4648 section 10 vectors, in the URL alphabet without padding.
    CHECK(base64url_encode(as_bytes("")) == "");
    CHECK(base64url_encode(as_bytes("f")) == "Zg");
    CHECK(base64url_encode(as_bytes("fo")) == "Zm8");
    CHECK(base64url_encode(as_bytes("foo")) == "Zm9v");
    CHECK(base64url_encode(as_bytes("foob")) == "Zm9vYg");
    CHECK(base64url_encode(as_bytes("fooba")) == "Zm9vYmE");
    CHECK(base64url_encode(as_bytes("foobar")) == "Zm9vYmFy");
    // The two characters that differ from standard base64: '-' (62) and '_' (63).
    const Bytes urlish = {0xfb, 0xff, 0xbf};
    CHECK(base64url_encode(urlish) == "-_-_");

    Bytes all;
    for (unsigned i = 0; i < 256; ++i) {
        all.push_back(static_cast<std::uint8_t>(i));
    }
    for (std::size_t n = 0; n <= all.size(); n += 37) {
        const ByteView v(all.data(), n);
        auto d = base64url_decode(base64url_encode(v));
        REQUIRE(d.ok());
        CHECK(to_bytes(*d) == Bytes(v.begin(), v.end()));
    }
    // A 32-byte token is 43 characters.
    CHECK(base64url_encode(fill(32, 7)).size() == 43);

    auto foob = base64url_decode("Zm9vYg");
    REQUIRE(foob.ok());
    CHECK(to_bytes(*foob) == Bytes{'f', 'o', 'o', 'b'});

    CHECK(base64url_decode("Zm9vYg==").error().code == Errc::invalid_argument);  // padding
    CHECK(base64url_decode("Zm9v+g").error().code == Errc::invalid_argument);    // std alphabet
    CHECK(base64url_decode("Zm9v/g").error().code == Errc::invalid_argument);
    CHECK(base64url_decode("Zm9vY").error().code == Errc::invalid_argument);  // 4k+1 length
    CHECK(base64url_decode("Zm 9v").error().code == Errc::invalid_argument);
    CHECK(base64url_decode(std::string("Zm\0v", 4)).error().code == Errc::invalid_argument);
    CHECK(base64url_decode("Zh").error().code == Errc::invalid_argument);  // non-zero pad bits
    CHECK(base64url_decode("Zm9").error().code == Errc::invalid_argument);
}
