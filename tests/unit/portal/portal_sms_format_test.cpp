// SPDX-License-Identifier: Apache-2.0
// Tests for the SMS text formats: JSON, form and URL escaping, one-pass placeholder expansion,
// the outbox line, and the number and text checks.
#include <catch2/catch.hpp>

#include <string>

#include "portal/portal_sms_format.hpp"

using namespace sealpost::portal::sms;

namespace {
std::string esc(std::string_view v, Escape how) {
    std::string out;
    append_escaped(out, v, how);
    return out;
}
}  // namespace

TEST_CASE("JSON escaping follows RFC 8259 section 7") {
    CHECK(esc(R"(say "hi" \ bye)", Escape::json) == R"(say \"hi\" \\ bye)");
    CHECK(esc("a\nb\rc\td\be\ff", Escape::json) == R"(a\nb\rc\td\be\ff)");
    CHECK(esc(std::string("\x00\x01\x1f", 3), Escape::json) == R"(\u0000\u0001\u001f)");
    // Non-ASCII stays UTF-8; '/' and DEL need no escape.
    CHECK(esc("Grüezi / \x7f", Escape::json) == "Grüezi / \x7f");
}

TEST_CASE("form encoding follows the WHATWG urlencoded serializer") {
    CHECK(esc("Ihr Code: 123456", Escape::form) == "Ihr+Code%3A+123456");
    CHECK(esc("a&b=c+d", Escape::form) == "a%26b%3Dc%2Bd");
    CHECK(esc("*-._~", Escape::form) == "*-._%7E");
    CHECK(esc("ü", Escape::form) == "%C3%BC");
    CHECK(esc("+41791234567", Escape::form) == "%2B41791234567");
}

TEST_CASE("URL encoding keeps only RFC 3986 unreserved characters") {
    CHECK(esc("-._~AZaz09", Escape::url) == "-._~AZaz09");
    CHECK(esc("a b/c?d&e=f+g#h", Escape::url) == "a%20b%2Fc%3Fd%26e%3Df%2Bg%23h");
    CHECK(esc("ä", Escape::url) == "%C3%A4");
}

TEST_CASE("placeholders are expanded once; values are never expanded again") {
    const Fields f{"+41791234567", "Code {to} {sender} {text} {secret}", "Praxis", "{to}"};
    CHECK(expand("{text}|{to}|{sender}", f, Escape::json) ==
          "Code {to} {sender} {text} {secret}|+41791234567|Praxis");
    CHECK(expand("{secret}|{text}", f, Escape::json) == "{to}|Code {to} {sender} {text} {secret}");
    // Unknown or unfinished placeholders and lone braces are copied as they are.
    CHECK(expand("{\"a\":{x}} {to", f, Escape::json) == "{\"a\":{x}} {to");
    CHECK(expand("", f, Escape::json).empty());
    CHECK(expand("{to}{to}", f, Escape::form) == "%2B41791234567%2B41791234567");
}

TEST_CASE("expanded strings never reallocate, so no unwiped copy of the text is left") {
    const std::string text(300, '\x01');  // worst case: 6 bytes out per byte in
    const Fields f{"+41791234567", text, "Praxis", ""};
    const std::string out = expand("{text}{text}", f, Escape::json);
    CHECK(out.size() == 3600);
    // Reserved once for the worst case (12 + 2 braces * 300 bytes * 6); any growth on the way
    // would have doubled the capacity to another value.
    CHECK(out.capacity() == 3612);
    CHECK(out.substr(0, 12) == "\\u0001\\u0001");
}

TEST_CASE("URL placeholders are expanded in path and query, never in scheme or authority") {
    const Fields f{"+41791234567", "Code 123456", "Praxis", ""};
    CHECK(expand_url("https://gw.example/{sender}/send?to={to}&m={text}", f) ==
          "https://gw.example/Praxis/send?to=%2B41791234567&m=Code%20123456");
    CHECK(expand_url("https://{to}.example?x={to}", f) == "https://{to}.example?x=%2B41791234567");
    CHECK(expand_url("https://gw.example", f) == "https://gw.example");
    CHECK(expand_url("no-scheme/{to}", f) == "no-scheme/{to}");
}

TEST_CASE("outbox lines: UTC time, number, text with backslash and line breaks escaped") {
    // 2025-01-31T08:15:00Z
    CHECK(outbox_line(1738311300, "+41791234567", "Ihr Code: 123456") ==
          "2025-01-31T08:15:00Z to=+41791234567 text=Ihr Code: 123456\n");
    CHECK(outbox_line(0, "+41791234567", "a\\b\nc\r\nd") ==
          "1970-01-01T00:00:00Z to=+41791234567 text=a\\\\b\\nc\\r\\nd\n");
}

TEST_CASE("E.164 numbers: plus, 7 to 15 digits, no leading zero") {
    CHECK(is_e164("+41791234567"));
    CHECK(is_e164("+1234567"));
    CHECK(is_e164("+123456789012345"));
    CHECK_FALSE(is_e164("+123456"));
    CHECK_FALSE(is_e164("+1234567890123456"));
    CHECK_FALSE(is_e164("41791234567"));
    CHECK_FALSE(is_e164("+041791234567"));
    CHECK_FALSE(is_e164("+41 79 123 45 67"));
    CHECK_FALSE(is_e164("+4179123456\n"));
    CHECK_FALSE(is_e164(""));
}

TEST_CASE("UTF-8 validation follows RFC 3629") {
    CHECK(is_utf8("plain ASCII"));
    CHECK(is_utf8("Grüezi, ça va? 🙂"));
    CHECK(is_utf8("\xF4\x8F\xBF\xBF"));        // U+10FFFF
    CHECK_FALSE(is_utf8("\xC3"));              // truncated
    CHECK_FALSE(is_utf8("\xC0\xAF"));          // overlong '/'
    CHECK_FALSE(is_utf8("\xE0\x80\xAF"));      // overlong '/'
    CHECK_FALSE(is_utf8("\xED\xA0\x80"));      // surrogate U+D800
    CHECK_FALSE(is_utf8("\xF4\x90\x80\x80"));  // above U+10FFFF
    CHECK_FALSE(is_utf8("\x80"));              // lone continuation byte
    CHECK_FALSE(is_utf8("\xFF"));
}
