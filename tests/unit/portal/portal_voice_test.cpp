// SPDX-License-Identifier: Apache-2.0
// Tests for codes by voice call: the TwiML a Twilio call reads (language per patient, escaping),
// the exact Calls.json request through the SMS providers' machinery, the http template provider
// with the plain spoken text, and the startup errors naming [voice] keys.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>

#include "http_recorder.hpp"
#include "portal/portal_voice.hpp"
#include "test_tempdir.hpp"

using namespace std::chrono_literals;
using sealpost::Errc;
using sealpost::HttpMethod;
using sealpost::SmsProvider;
using sealpost::VoiceConfig;
using sealpost::portal::make_voice_caller;
using sealpost::portal::twiml_say;
using sealpost::portal::voice_locale;
using sealpost::test::HttpRecorder;
using sealpost::test::TempDir;

namespace {

constexpr std::string_view kLandline = "+41441234567";
constexpr std::string_view kSpoken =
    "Ihr Code lautet: 4, 8, 1, 5, 9, 2. Ich wiederhole: 4, 8, 1, 5, 9, 2.";

void write_token(const std::filesystem::path& p) {
    std::ofstream(p, std::ios::binary) << "secret-token\n";
    REQUIRE(::chmod(p.c_str(), 0600) == 0);
}

VoiceConfig twilio_voice(const HttpRecorder& rec, const std::filesystem::path& token) {
    VoiceConfig v;
    v.enabled = true;
    v.gateway.provider = SmsProvider::twilio;
    v.gateway.url = rec.base_url();
    v.gateway.account_sid = "AC123";
    v.gateway.auth_token_file = token;
    v.gateway.sender = "+41445550000";
    v.gateway.timeout = 5s;
    return v;
}

}  // namespace

TEST_CASE("voice: the Say language follows the patient's language") {
    CHECK(voice_locale("de") == "de-CH");
    CHECK(voice_locale("fr") == "fr-CH");
    CHECK(voice_locale("it") == "it-IT");
    CHECK(voice_locale("en") == "en-GB");
    CHECK(voice_locale("") == "de-CH");
    CHECK(voice_locale("xx") == "de-CH");
    CHECK(twiml_say("Code: 1, 2", "fr") ==
          "<Response><Pause length=\"1\"/><Say language=\"fr-CH\">Code: 1, 2</Say></Response>");
    // A practice name is text, never markup.
    CHECK(twiml_say("Praxis <Dr. A & B>", "de") ==
          "<Response><Pause length=\"1\"/><Say language=\"de-CH\">Praxis &lt;Dr. A &amp; "
          "B&gt;</Say></Response>");
}

TEST_CASE("voice twilio: Calls.json with To, From and the TwiML, basic auth from the file") {
    HttpRecorder rec(std::vector<int>{201});
    const TempDir dir;
    write_token(dir.path() / "twilio.token");
    auto caller = make_voice_caller(twilio_voice(rec, dir.path() / "twilio.token"));
    REQUIRE(caller.ok());
    REQUIRE((*caller)->call(kLandline, kSpoken, "de").ok());

    const auto reqs = rec.requests();
    REQUIRE(reqs.size() == 1);
    CHECK(reqs[0].method == "POST");
    CHECK(reqs[0].target == "/2010-04-01/Accounts/AC123/Calls.json");
    CHECK(reqs[0].body ==
          "To=%2B41441234567&From=%2B41445550000&Twiml=%3CResponse%3E%3CPause+length%3D%221%22%2F"
          "%3E%3CSay+language%3D%22de-CH%22%3EIhr+Code+lautet%3A+4%2C+8%2C+1%2C+5%2C+9%2C+2.+Ich+"
          "wiederhole%3A+4%2C+8%2C+1%2C+5%2C+9%2C+2.%3C%2FSay%3E%3C%2FResponse%3E");
    CHECK(reqs[0].header("Authorization") == "Basic QUMxMjM6c2VjcmV0LXRva2Vu");
    CHECK(reqs[0].header("Content-Type") == "application/x-www-form-urlencoded");
}

TEST_CASE("voice http: the template gets the plain spoken text") {
    HttpRecorder rec(std::vector<int>{200});
    VoiceConfig v;
    v.enabled = true;
    v.gateway.provider = SmsProvider::http;
    v.gateway.url = rec.base_url() + "/call";
    v.gateway.method = HttpMethod::post;
    v.gateway.body_template = R"({"to":"{to}","say":"{text}"})";
    v.gateway.timeout = 5s;
    auto caller = make_voice_caller(v);
    REQUIRE(caller.ok());
    REQUIRE((*caller)->call(kLandline, kSpoken, "de").ok());
    const auto reqs = rec.requests();
    REQUIRE(reqs.size() == 1);
    CHECK(reqs[0].target == "/call");
    CHECK(reqs[0].body == R"({"to":"+41441234567","say":")" + std::string(kSpoken) + "\"}");
}

TEST_CASE("voice: a failing gateway is unavailable; startup errors name [voice] keys") {
    HttpRecorder rec(std::vector<int>{503});
    const TempDir dir;
    write_token(dir.path() / "twilio.token");
    VoiceConfig v = twilio_voice(rec, dir.path() / "twilio.token");
    v.gateway.retries = 0;
    auto caller = make_voice_caller(v);
    REQUIRE(caller.ok());
    const auto st = (*caller)->call(kLandline, kSpoken, "it");
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == Errc::unavailable);
    CHECK(st.error().detail == "sms twilio-voice: HTTP 503 after 1 attempt");

    v.gateway.auth_token_file = dir.path() / "missing.token";
    auto missing = make_voice_caller(v);
    REQUIRE_FALSE(missing.ok());
    CHECK(missing.error().code == Errc::key_error);
    CHECK(missing.error().detail.rfind("voice.auth_token_file ", 0) == 0);
}
