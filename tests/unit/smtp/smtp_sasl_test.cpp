// SPDX-License-Identifier: Apache-2.0
// Unit tests for strict base64 and SASL PLAIN parsing (RFC 4648, 4616).
#include <catch2/catch.hpp>

#include <vector>

#include "smtp/smtp_sasl.hpp"

using namespace sealpost::smtp;

TEST_CASE("base64 round trip for all tail lengths") {
    for (const std::string& s :
         std::vector<std::string>{"", "a", "ab", "abc", "abcd", std::string("\0\xff\x10", 3)}) {
        auto d = base64_decode(base64_encode(s));
        REQUIRE(d.ok());
        CHECK(d->view() == s);
    }
    CHECK(base64_encode("praxis") == "cHJheGlz");
}

TEST_CASE("invalid base64 is refused") {
    CHECK_FALSE(base64_decode("abc").ok());       // length
    CHECK_FALSE(base64_decode("ab=c").ok());      // padding inside
    CHECK_FALSE(base64_decode("a===").ok());      // too much padding
    CHECK_FALSE(base64_decode("ab!d").ok());      // alphabet
    CHECK_FALSE(base64_decode("YQ==YQ==").ok());  // padding before the end
    CHECK_FALSE(base64_decode("YR==").ok());      // non-zero trailing bits
    CHECK(base64_decode("YQ==")->view() == "a");
}

TEST_CASE("PLAIN splits authzid, authcid and password") {
    auto c = parse_plain(std::string_view("\0user\0pass word", 15));
    REQUIRE(c.ok());
    CHECK(c->authzid.empty());
    CHECK(c->authcid == "user");
    CHECK(c->password.view() == "pass word");
    CHECK_FALSE(parse_plain("nouls").ok());
    CHECK_FALSE(parse_plain(std::string_view("\0user\0", 6)).ok());
    CHECK_FALSE(parse_plain(std::string_view("a\0b\0c\0d", 7)).ok());
}
