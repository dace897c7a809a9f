// SPDX-License-Identifier: Apache-2.0
// Unit tests for SMTP reply parsing and serialisation, and RFC 3463 enhanced codes.
#include <catch2/catch.hpp>

#include "smtp/smtp_reply.hpp"

using namespace sealpost::smtp;

TEST_CASE("a multi-line reply parses and serialises back to the same bytes") {
    const std::string wire = "250-mx.example.ch Hello\r\n250-SIZE 1000\r\n250 AUTH PLAIN LOGIN\r\n";
    auto r = parse_reply(wire);
    REQUIRE(r.ok());
    CHECK(r->code == 250);
    REQUIRE(r->lines.size() == 3);
    CHECK(r->lines[1] == "SIZE 1000");
    CHECK(r->serialize() == wire);
}

TEST_CASE("a bare code line is a complete reply") {
    auto r = parse_reply("354\r\n");
    REQUIRE(r.ok());
    CHECK(r->code == 354);
    CHECK(r->serialize() == "354 \r\n");
}

TEST_CASE("malformed replies are corrupt") {
    CHECK_FALSE(parse_reply("25 short\r\n").ok());
    CHECK_FALSE(parse_reply("abc hello\r\n").ok());
    CHECK_FALSE(parse_reply("250-a\r\n251 b\r\n").ok());  // code changes
    CHECK_FALSE(parse_reply("250_x\r\n").ok());           // bad separator
    CHECK_FALSE(parse_reply("250-a\r\n").ok());           // incomplete
    CHECK_FALSE(parse_reply("250 a\r\n250 b\r\n").ok());  // bytes after the reply
    CHECK_FALSE(parse_reply("650 nope\r\n").ok());        // no such class
    CHECK(parse_reply("250 a").error().code == sealpost::Errc::corrupt);
}

TEST_CASE("ReplyParser is incremental") {
    ReplyParser p;
    auto a = p.feed("220-first");
    REQUIRE(a.ok());
    CHECK_FALSE(*a);
    auto b = p.feed("220 second");
    REQUIRE(b.ok());
    CHECK(*b);
    auto r = p.take();
    CHECK(r.code == 220);
    CHECK(r.lines == std::vector<std::string>{"first", "second"});
}

TEST_CASE("enhanced status codes are recognised") {
    CHECK(enhanced_code("5.7.8 Authentication failed") == "5.7.8");
    CHECK(enhanced_code("4.4.1") == "4.4.1");
    CHECK(enhanced_code("2.0.0 OK") == "2.0.0");
    CHECK(enhanced_code("5.7.11 Encryption required") == "5.7.11");
    CHECK(enhanced_code("3.0.0 no").empty());
    CHECK(enhanced_code("5.7 x").empty());
    CHECK(enhanced_code("5.7.8x").empty());
    CHECK(enhanced_code("OK").empty());
}

TEST_CASE("ensure_enhanced adds a class code where an upstream sent none") {
    Reply r{250, {"OK"}};
    ensure_enhanced(r);
    CHECK(r.serialize() == "250 2.0.0 OK\r\n");
    Reply m{550, {"5.1.1 No such user", "second line"}};
    ensure_enhanced(m);
    CHECK(m.serialize() == "550-5.1.1 No such user\r\n550 5.0.0 second line\r\n");
    Reply wrong{451, {"5.0.0 contradicts"}};
    ensure_enhanced(wrong);
    CHECK(wrong.lines[0] == "4.0.0 contradicts");
    Reply cont{354, {"go ahead"}};
    ensure_enhanced(cont);
    CHECK(cont.lines[0] == "go ahead");
}

TEST_CASE("make_reply") {
    CHECK(make_reply(530, "5.7.0", "Authentication required").serialize() ==
          "530 5.7.0 Authentication required\r\n");
    CHECK(make_reply(220, "", "host ESMTP").serialize() == "220 host ESMTP\r\n");
}
