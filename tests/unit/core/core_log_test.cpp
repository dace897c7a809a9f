// Tests for key=value escaping and the masking of personal data in logs.
#include <catch2/catch.hpp>

#include "core/core_log.hpp"

using namespace sealpost::log;

TEST_CASE("values that could forge a log line are quoted and escaped") {
    CHECK(escape_value("plain") == "plain");
    CHECK(escape_value("") == "\"\"");
    CHECK(escape_value("two words") == "\"two words\"");
    CHECK(escape_value("a=b") == "\"a=b\"");
    CHECK(escape_value("x\nevent=forged") == "\"x\\x0aevent=forged\"");
    CHECK(escape_value("q\"uote") == "\"q\\\"uote\"");
}

TEST_CASE("addresses and phones are masked") {
    CHECK(mask_address("patient@example.ch") == "p***@example.ch");
    CHECK(mask_address("nobody") == "***");
    CHECK(mask_address("@x.ch") == "***");
    CHECK(mask_phone("+41791234567") == "\u2022\u202267");
}
