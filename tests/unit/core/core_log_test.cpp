// SPDX-License-Identifier: Apache-2.0
// Tests for key=value escaping and the masking of personal data in logs.
#include <memory>
#include <sstream>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>
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

TEST_CASE("a phone shows its last two digits only") {
    CHECK(mask_phone("+41791234567") == "\u2022\u202267");
    CHECK(mask_phone("") == "\u2022\u2022");
}

TEST_CASE("lines below the level are not written; lines at or above it are, escaped") {
    std::ostringstream out;
    auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(out);
    sink->set_pattern("%v");
    auto logger = std::make_shared<spdlog::logger>("test", sink);
    logger->set_level(spdlog::level::warn);  // this logger only: the registry's level stays
    auto previous = spdlog::default_logger();
    spdlog::set_default_logger(logger);
    info("vault.envelope_created").kv("id", "ab12").kv("bytes", std::uint64_t{7});
    warn("vault.full").kv("max_size", std::uint64_t{1024}).kv("note", "two words");
    error("crypto.fatal").kv("what", "x");
    spdlog::set_default_logger(previous);
    CHECK(out.str() ==
          "event=vault.full max_size=1024 note=\"two words\"\n"
          "event=crypto.fatal what=x\n");
}
