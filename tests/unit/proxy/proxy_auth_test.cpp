// Unit tests for the scrypt users file (auth = local).
#include <catch2/catch.hpp>

#include "proxy/proxy_auth.hpp"
#include "smtp/smtp_sasl.hpp"

using namespace sealpost::proxy;

TEST_CASE("scrypt matches the RFC 7914 test vector") {
    // RFC 7914 section 12: P="password", S="NaCl", N=1024, r=8, p=16, dkLen=64.
    auto k = scrypt_derive("password", "NaCl", 10, 8, 16, 64);
    REQUIRE(k.ok());
    const unsigned char expected[] = {
        0xfd, 0xba, 0xbe, 0x1c, 0x9d, 0x34, 0x72, 0x00, 0x78, 0x56, 0xe7, 0x19, 0x0d,
        0x01, 0xe9, 0xfe, 0x7c, 0x6a, 0xd7, 0xcb, 0xc8, 0x23, 0x78, 0x30, 0xe7, 0x73,
        0x76, 0x63, 0x4b, 0x37, 0x31, 0x62, 0x2e, 0xaf, 0x30, 0xd9, 0x2e, 0x22, 0xa3,
        0x88, 0x6f, 0xf1, 0x09, 0x27, 0x9d, 0x98, 0x30, 0xda, 0xc7, 0x27, 0xaf, 0xb9,
        0x4a, 0x83, 0xee, 0x6d, 0x83, 0x60, 0xcb, 0xdf, 0xa2, 0xcc, 0x06, 0x40};
    CHECK(*k == std::string(reinterpret_cast<const char*>(expected), sizeof expected));
}

TEST_CASE("a made hash verifies, a wrong password and an unknown user do not") {
    auto h = make_scrypt_hash("s3cret", 10);
    REQUIRE(h.ok());
    CHECK(h->rfind("$scrypt$ln=10,r=8,p=1$", 0) == 0);
    auto db = UserDb::parse("# comment\n\nmpa@praxis.ch:" + *h + "\n");
    REQUIRE(db.ok());
    CHECK(db->size() == 1);
    CHECK(db->verify("mpa@praxis.ch", "s3cret"));
    CHECK_FALSE(db->verify("mpa@praxis.ch", "s3cret "));
    CHECK_FALSE(db->verify("mpa@praxis.ch", ""));
    CHECK_FALSE(db->verify("other@praxis.ch", "s3cret"));
}

TEST_CASE("hash format errors are refused") {
    const std::string salt = sealpost::smtp::base64_encode(std::string(16, 's'));
    const std::string key = sealpost::smtp::base64_encode(std::string(32, 'k'));
    CHECK(parse_scrypt_hash("$scrypt$ln=15,r=8,p=1$" + salt + "$" + key).ok());
    CHECK_FALSE(parse_scrypt_hash("$2b$10$abcdef").ok());
    CHECK_FALSE(parse_scrypt_hash("$scrypt$ln=15,r=8$" + salt + "$" + key).ok());     // no p
    CHECK_FALSE(parse_scrypt_hash("$scrypt$ln=9,r=8,p=1$" + salt + "$" + key).ok());  // too weak
    CHECK_FALSE(parse_scrypt_hash("$scrypt$ln=15,r=8,p=1,x=1$" + salt + "$" + key).ok());
    CHECK_FALSE(parse_scrypt_hash("$scrypt$ln=15,r=8,p=1$" + salt + "$" + key + "$").ok());
    CHECK_FALSE(parse_scrypt_hash("$scrypt$ln=15,r=8,p=1$c2FsdA==$" + key).ok());  // short salt
    CHECK_FALSE(parse_scrypt_hash("$scrypt$ln=15,r=8,p=1$" + salt + "$!!!!").ok());
    CHECK_FALSE(UserDb::parse("nocolon\n").ok());
    CHECK_FALSE(UserDb::parse("a:$scrypt$bad\n").ok());
    auto h = make_scrypt_hash("x", 10);
    REQUIRE(h.ok());
    CHECK_FALSE(UserDb::parse("a:" + *h + "\na:" + *h + "\n").ok());  // duplicate user
}
