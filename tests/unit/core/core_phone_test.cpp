// SPDX-License-Identifier: Apache-2.0
// Tests for mobile number normalisation: the forms senders write, fixed lines and garbage refused.
#include <catch2/catch.hpp>

#include <string>

#include "core/core_phone.hpp"

using namespace sealpost;

namespace {

std::string e164(std::string_view in, std::string_view region = "CH") {
    auto r = normalize_mobile(in, region);
    if (!r) {
        return "error: " + r.error().detail;
    }
    return r->e164;
}

std::string refusal(std::string_view in, std::string_view region = "CH") {
    auto r = normalize_mobile(in, region);
    if (r) {
        return "accepted: " + r->e164;
    }
    CHECK(r.error().code == Errc::invalid_argument);
    return r.error().detail;
}

}  // namespace

TEST_CASE("Swiss mobile numbers in the usual forms normalise to E.164") {
    for (const char* in :
         {"+41 79 123 45 67", "+41791234567", "0041791234567", "0041 79 123 45 67", "079 123 45 67",
          "0791234567", "079.123.45.67", "079-123-45-67", "(079) 123 45 67", "079/123 45 67",
          "  +41 (0)79 123 45 67 ", "+41\t79 123 45 67"}) {
        INFO(in);
        CHECK(e164(in) == "+41791234567");
    }
    auto r = normalize_mobile("078 765 43 21");
    REQUIRE(r.ok());
    CHECK(r->e164 == "+41787654321");
    CHECK(r->region == "CH");
}

TEST_CASE("foreign mobiles are accepted with a country code, and national in their region") {
    auto de = normalize_mobile("+49 151 23456789");
    REQUIRE(de.ok());
    CHECK(de->e164 == "+4915123456789");
    CHECK(de->region == "DE");
    CHECK(e164("0151 23456789", "DE") == "+4915123456789");
    // A German national number read as Swiss is not a valid Swiss number.
    CHECK(refusal("0151 23456789") == "not a phone number");
    // US numbers are FIXED_LINE_OR_MOBILE: they count as mobile.
    CHECK(e164("+1 650 253 0000") == "+16502530000");
}

TEST_CASE("fixed-line numbers are refused as not mobile") {
    CHECK(refusal("044 123 45 67") == "not a mobile number");     // Zürich
    CHECK(refusal("+41 31 123 45 67") == "not a mobile number");  // Bern
    CHECK(refusal("+49 30 12345678") == "not a mobile number");   // Berlin
}

TEST_CASE("garbage, vanity letters, extensions and overlong input are refused") {
    for (const char* in :
         {"", "   ", "hello", "+", "079 123 45 6", "079 123 45 678 9", "079 123 45 67 ext. 12",
          "079 SEALPOST", "0800-FLOWERS", "+41+791234567", "41 79 123 45 67+", "079;1234567",
          "079 123 45 67\n", "++41791234567", "+999 79 123 45 67", "tel:+41791234567"}) {
        INFO(in);
        CHECK(refusal(in) == "not a phone number");
    }
    const std::string long_input(65, '1');
    CHECK(refusal(long_input) == "too long");
    // 64 characters is still looked at (and refused on its merits, not its length).
    std::string padded = "+41791234567";
    padded.insert(3, std::string(64 - padded.size(), ' '));
    REQUIRE(padded.size() == 64);
    CHECK(e164(padded) == "+41791234567");
}

TEST_CASE("an unknown default region only works for numbers with a country code") {
    CHECK(e164("+41 79 123 45 67", "XX") == "+41791234567");
    CHECK(refusal("079 123 45 67", "XX") == "not a phone number");
}

TEST_CASE("classification: a landline is refused as such, and accepted for a voice call") {
    // Without [voice]: the detail names a landline, so the refusal can say what to do.
    auto no_voice = normalize_phone("044 123 45 67", "CH", false);
    REQUIRE_FALSE(no_voice.ok());
    CHECK(no_voice.error().detail == "landline number");
    // With [voice]: accepted, classified as a landline.
    for (const char* in : {"044 123 45 67", "+41 44 123 45 67", "0041 31 123 45 67"}) {
        INFO(in);
        auto r = normalize_phone(in, "CH", true);
        REQUIRE(r.ok());
        CHECK(r->kind == PhoneKind::landline);
        CHECK(r->region == "CH");
    }
    CHECK(normalize_phone("044 123 45 67", "CH", true)->e164 == "+41441234567");
    auto berlin = normalize_phone("+49 30 12345678", "CH", true);
    REQUIRE(berlin.ok());
    CHECK(berlin->kind == PhoneKind::landline);
    // Mobiles stay mobiles either way; FIXED_LINE_OR_MOBILE (US) counts as mobile.
    for (const bool voice : {false, true}) {
        CHECK(normalize_phone("079 123 45 67", "CH", voice)->kind == PhoneKind::mobile);
        CHECK(normalize_phone("+1 650 253 0000", "CH", voice)->kind == PhoneKind::mobile);
    }
    // Numbers that are neither (toll-free, premium rate) are still refused with voice.
    CHECK(normalize_phone("0800 123 456", "CH", true).error().detail == "not a mobile number");
    CHECK(normalize_phone("0900 123 456", "CH", true).error().detail == "not a mobile number");
    CHECK(normalize_phone("hello", "CH", true).error().detail == "not a phone number");
    // normalize_mobile keeps its old detail for landlines.
    CHECK(refusal("044 123 45 67") == "not a mobile number");
}
