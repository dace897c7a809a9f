// SPDX-License-Identifier: Apache-2.0
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

TEST_CASE("users file: sender lists, and what a line without one means") {
    auto h = make_scrypt_hash("x", 10);
    REQUIRE(h.ok());
    auto db = UserDb::parse("mpa@praxis.ch:" + *h + "\n" +                              // the login
                            "empfang:" + *h + ":info@praxis.ch, empfang@praxis.ch\n" +  // a list
                            "chef@praxis.ch:" + *h + ":@praxis.ch,@praxis-bern.ch\n" +  // domains
                            "robot:" + *h + "\n");  // not an address: no sender
    REQUIRE(db.ok());
    CHECK(db->size() == 4);
    CHECK(db->verify("empfang", "x"));
    const SenderRules* mpa = db->senders("mpa@praxis.ch");
    REQUIRE(mpa != nullptr);
    CHECK(mpa->allows("mpa@praxis.ch"));
    CHECK(mpa->allows("MPA@Praxis.CH"));
    CHECK_FALSE(mpa->allows("info@praxis.ch"));
    const SenderRules* empfang = db->senders("empfang");
    REQUIRE(empfang != nullptr);
    CHECK(empfang->allows("info@praxis.ch"));
    CHECK(empfang->allows("empfang@praxis.ch"));
    CHECK_FALSE(empfang->allows("empfang"));
    CHECK_FALSE(empfang->allows("mpa@praxis.ch"));
    const SenderRules* chef = db->senders("chef@praxis.ch");
    REQUIRE(chef != nullptr);
    CHECK(chef->allows("anyone@praxis.ch"));
    CHECK(chef->allows("x@PRAXIS-BERN.ch"));
    CHECK_FALSE(chef->allows("x@sub.praxis.ch"));
    CHECK_FALSE(chef->allows("x@praxis.ch.evil.com"));
    CHECK_FALSE(chef->allows("x@praxis.ch@evil.com"));
    CHECK_FALSE(chef->allows(""));
    const SenderRules* robot = db->senders("robot");
    REQUIRE(robot != nullptr);
    CHECK(robot->empty());
    CHECK_FALSE(robot->allows("robot@praxis.ch"));
    CHECK(db->senders("nobody") == nullptr);

    for (const std::string bad : {":", ": ", ":a@b.ch,", ":a@b.ch,,c@d.ch", ":a b@c.ch",
                                  ":<a@b.ch>", ":a@", ":@", ":ab.ch", ":a@b@c.ch", ":\"a\"@b.ch"}) {
        INFO(bad);
        auto r = UserDb::parse("u:" + *h + bad + "\n");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().detail.rfind("line 1: ", 0) == 0);
    }
}

TEST_CASE("originator fields must all be the login's addresses") {
    auto rules = SenderRules::parse("mpa@praxis.ch, info@praxis.ch");
    REQUIRE(rules.ok());
    const auto check = [&](const std::string& headers) {
        return foreign_originator(*rules, headers + "\r\nbody From: evil@x.com\r\n");
    };
    CHECK_FALSE(check("From: mpa@praxis.ch\r\nTo: p@example.org\r\n"));
    CHECK_FALSE(check("From: Praxis Muster <MPA@praxis.ch>\r\n"));
    CHECK_FALSE(check("From: \"mpa@praxis.ch\" <mpa@praxis.ch>\r\n"));  // Outlook's style
    CHECK_FALSE(check("From: =?utf-8?q?Praxis_M=C3=BCller?= <info@praxis.ch>\r\n"));
    CHECK_FALSE(check("From: mpa@praxis.ch\r\nSender: info@praxis.ch\r\n"));
    CHECK_FALSE(check("fRoM : Praxis\r\n <mpa@praxis.ch>\r\n"));  // any case, folded
    CHECK(check("From: evil@x.com\r\n") == "From");
    CHECK(check("From: \"mpa@praxis.ch\" <evil@x.com>\r\n") == "From");
    CHECK(check("From: evil@x.com <mpa@praxis.ch>\r\n") == "From");  // shown as the name
    CHECK(check("From: mpa@praxis.ch@evil.com\r\n") == "From");
    CHECK(check("From: mpa@praxis.ch, evil@x.com\r\n") == "From");
    CHECK(check("From: mpa@praxis.ch (for evil@x.com)\r\n") == "From");
    CHECK(check("From: =?utf-8?q?evil=40x.com?= <mpa@praxis.ch>\r\n") == "From");
    CHECK(check("From: mpa@praxis.ch\r\nFrom: evil@x.com\r\n") == "From");
    CHECK(check("From: mpa@praxis.ch\r\nSender: evil@x.com\r\n") == "Sender");
    CHECK(check("From: mpa@praxis.ch\r\nResent-From: evil@x.com\r\n") == "Resent-From");
    CHECK(check("To: p@example.org\r\n") == "From");    // no From at all
    CHECK(check("From: undisclosed:;\r\n") == "From");  // no mailbox
    CHECK(check("From: garbage\r\n") == "From");
    CHECK(check("From: praxis <mpa@praxis.ch.>\r\n").has_value() == false);
    std::string many;
    for (std::size_t i = 0; i <= kMaxOriginatorFields; ++i) {
        many += "Sender: mpa@praxis.ch\r\n";
    }
    CHECK(check("From: mpa@praxis.ch\r\n" + many) == "From");
    CHECK(check("From: Praxis " + std::string(kMaxOriginatorBytes, 'x') + " <mpa@praxis.ch>\r\n") ==
          "From");
}
