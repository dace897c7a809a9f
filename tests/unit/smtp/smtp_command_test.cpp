// SPDX-License-Identifier: Apache-2.0
// Unit tests for SMTP command and MAIL/RCPT argument parsing (RFC 5321 4.1, RFC 1870/6531/3461).
#include <catch2/catch.hpp>

#include "smtp/smtp_command.hpp"

using namespace sealpost::smtp;

namespace {
MailArgs mail_ok(std::string_view args, ParamPolicy p = {}) {
    auto r = parse_mail(args, p);
    REQUIRE(std::holds_alternative<MailArgs>(r));
    return std::get<MailArgs>(r);
}
ArgError mail_err(std::string_view args, ParamPolicy p = {}) {
    auto r = parse_mail(args, p);
    REQUIRE(std::holds_alternative<ArgFailure>(r));
    return std::get<ArgFailure>(r).kind;
}
ArgError rcpt_err(std::string_view args, bool utf8 = false) {
    auto r = parse_rcpt(args, ParamPolicy{}, utf8);
    REQUIRE(std::holds_alternative<ArgFailure>(r));
    return std::get<ArgFailure>(r).kind;
}
}  // namespace

TEST_CASE("verbs are case-insensitive and split from their arguments") {
    auto c = parse_command("ehlo client.example");
    REQUIRE(c.ok());
    CHECK(c->verb == Verb::ehlo);
    CHECK(c->args == "client.example");
    CHECK(parse_command("StartTLS")->verb == Verb::starttls);
    CHECK(parse_command("DATA")->args.empty());
    CHECK(parse_command("XYZZY foo")->verb == Verb::unknown);
    CHECK(parse_command("MAILFROM:<a@b.ch>")->verb == Verb::unknown);
}

TEST_CASE("control characters in a command are refused") {
    CHECK_FALSE(parse_command(std::string_view("NOOP\0x", 6)).ok());
    CHECK_FALSE(parse_command("NOOP\rRSET").ok());
    CHECK_FALSE(parse_command("NO\nOP").ok());
}

TEST_CASE("MAIL FROM with parameters is parsed and re-serialised canonically") {
    auto m =
        mail_ok("from:<praxis@example.ch> size=1234 body=8bitmime SMTPUTF8 RET=hdrs ENVID=abc+2B1");
    CHECK(m.reverse_path == "praxis@example.ch");
    REQUIRE(m.size);
    CHECK(*m.size == 1234);
    CHECK(m.body == "8BITMIME");
    CHECK(m.smtputf8);
    CHECK(m.ret == "HDRS");
    CHECK(m.envid == "abc+2B1");
    CHECK(m.serialize(true) ==
          "MAIL FROM:<praxis@example.ch> SIZE=1234 BODY=8BITMIME SMTPUTF8 RET=HDRS ENVID=abc+2B1");
    CHECK(m.serialize(false) == "MAIL FROM:<praxis@example.ch> SIZE=1234 BODY=8BITMIME SMTPUTF8");
}

TEST_CASE("MAIL FROM accepts the null sender, a space before '<' and strips source routes") {
    CHECK(mail_ok("FROM:<>").reverse_path.empty());
    CHECK(mail_ok("FROM: <a@example.ch>").reverse_path == "a@example.ch");
    CHECK(mail_ok("FROM:<@relay.example,@other.example:a@example.ch>").reverse_path ==
          "a@example.ch");
    CHECK(mail_ok("FROM:<\"john doe\"@example.ch>").reverse_path == "\"john doe\"@example.ch");
}

TEST_CASE("MAIL FROM errors map to distinct kinds") {
    CHECK(mail_err("TO:<a@example.ch>") == ArgError::syntax);
    CHECK(mail_err("FROM:a@example.ch") == ArgError::syntax);
    CHECK(mail_err("FROM:<a@example.ch") == ArgError::syntax);
    CHECK(mail_err("FROM:<a@example.ch>x") == ArgError::syntax);
    CHECK(mail_err("FROM:<no-at-sign>") == ArgError::bad_address);
    CHECK(mail_err("FROM:<a b@example.ch>") == ArgError::bad_address);
    CHECK(mail_err("FROM:<a@exa mple.ch>") == ArgError::bad_address);
    CHECK(mail_err("FROM:<a@example..ch>") == ArgError::bad_address);
    CHECK(mail_err("FROM:<a@example.ch> FOO=1") == ArgError::unknown_param);
    CHECK(mail_err("FROM:<a@example.ch> SIZE=12x") == ArgError::bad_param);
    CHECK(mail_err("FROM:<a@example.ch> SIZE=") == ArgError::syntax);
    CHECK(mail_err("FROM:<a@example.ch> BODY=BINARYMIME") == ArgError::bad_param);
    CHECK(mail_err("FROM:<j\xc3\xbcrg@example.ch>") == ArgError::need_utf8);
    CHECK(mail_ok("FROM:<j\xc3\xbcrg@example.ch> SMTPUTF8").smtputf8);
}

TEST_CASE("parameters for extensions that were not advertised are refused") {
    ParamPolicy none{false, false, false, false};
    CHECK(mail_err("FROM:<a@example.ch> SIZE=10", none) == ArgError::unknown_param);
    CHECK(mail_err("FROM:<a@example.ch> BODY=8BITMIME", none) == ArgError::unknown_param);
    CHECK(mail_err("FROM:<a@example.ch> SMTPUTF8", none) == ArgError::unknown_param);
    CHECK(mail_err("FROM:<a@example.ch> RET=FULL", none) == ArgError::unknown_param);
}

TEST_CASE("RCPT TO with DSN parameters") {
    auto r = parse_rcpt(
        "TO:<patient@example.org> NOTIFY=success,failure ORCPT=rfc822;patient@example.org",
        ParamPolicy{}, false);
    REQUIRE(std::holds_alternative<RcptArgs>(r));
    const auto& a = std::get<RcptArgs>(r);
    CHECK(a.forward_path == "patient@example.org");
    CHECK(a.serialize(true) ==
          "RCPT TO:<patient@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;patient@example.org");
    CHECK(a.serialize(false) == "RCPT TO:<patient@example.org>");
    CHECK(std::get<RcptArgs>(parse_rcpt("TO:<Postmaster>", ParamPolicy{}, false)).forward_path ==
          "Postmaster");
}

TEST_CASE("RCPT TO errors") {
    CHECK(rcpt_err("TO:<>") == ArgError::bad_address);
    CHECK(rcpt_err("FROM:<a@example.org>") == ArgError::syntax);
    CHECK(rcpt_err("TO:<a@example.org> NOTIFY=NEVER,SUCCESS") == ArgError::bad_param);
    CHECK(rcpt_err("TO:<a@example.org> ORCPT=nosemicolon") == ArgError::bad_param);
    CHECK(rcpt_err("TO:<p\xc3\xa4t@example.org>") == ArgError::need_utf8);
    CHECK(std::holds_alternative<RcptArgs>(
        parse_rcpt("TO:<p\xc3\xa4t@example.org>", ParamPolicy{}, true)));
    const std::string long_local(65, 'a');
    CHECK(rcpt_err("TO:<" + long_local + "@example.org>") == ArgError::bad_address);
}

TEST_CASE("specials in an unquoted local part are refused (fuzz regression)") {
    // RFC 5321 4.1.2: a source route left inside the path, or a second '@', would let the
    // upstream read a different address from the one sealpost checked.
    CHECK(rcpt_err("TO:<@hop.example:@a@example.org>") == ArgError::bad_address);
    CHECK(rcpt_err("TO:<a@b@example.org>") == ArgError::bad_address);
    CHECK(rcpt_err("TO:<a:b@example.org>") == ArgError::bad_address);
    CHECK(std::holds_alternative<RcptArgs>(
        parse_rcpt("TO:<\"a@b\"@example.org>", ParamPolicy{}, false)));
}
