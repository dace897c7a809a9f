// SPDX-License-Identifier: Apache-2.0
// Tests for secrets in sealpost.toml: sms.secret_file and {secret}, and the refusal of an inline
// credential (an API key in a header, a password in the body) in a file others can read.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/core_config.hpp"

using namespace sealpost;
namespace fs = std::filesystem;

namespace {

/// A config file with `text` and mode `mode` in a fresh directory, removed at scope end.
class ConfigFile {
  public:
    ConfigFile(const std::string& text, fs::perms mode) {
        static int counter = 0;
        dir_ = fs::temp_directory_path() / ("sealpost-secrets-test-" + std::to_string(::getpid()) +
                                            "-" + std::to_string(counter++));
        fs::remove_all(dir_);
        fs::create_directories(dir_);
        std::ofstream(path()) << text;
        fs::permissions(path(), mode);
    }
    ~ConfigFile() {
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    ConfigFile(const ConfigFile&) = delete;
    ConfigFile& operator=(const ConfigFile&) = delete;
    [[nodiscard]] fs::path path() const { return dir_ / "sealpost.toml"; }

  private:
    fs::path dir_;
};

constexpr fs::perms k644 =
    fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read;
constexpr fs::perms k640 = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read;

std::string load_error(const std::string& text, fs::perms mode) {
    const ConfigFile f(text, mode);
    try {
        (void)load_config(f.path());
    } catch (const ConfigError& e) {
        const std::string msg = e.what();
        CHECK(msg.find('\n') == std::string::npos);
        CHECK(msg.rfind(f.path().string() + ":", 0) == 0);
        return msg.substr(f.path().string().size());
    }
    return "no error";
}

const std::string kHttp =
    "[sms]\nprovider = \"http\"\nmethod = \"GET\"\nurl = \"https://sms.example.ch/send\"\n";

}  // namespace

TEST_CASE("credential names: Authorization, API keys, tokens, passwords") {
    for (const char* n : {"Authorization", "X-API-Key", "apikey", "Api_Key", "X-Auth-Token",
                          "Password", "passwd", "pwd", "client_secret", "Signature"}) {
        INFO(n);
        CHECK(is_credential_name(n));
    }
    for (const char* n : {"Content-Type", "UserName", "Originator", "to", "text", "Accept", ""}) {
        INFO(n);
        CHECK_FALSE(is_credential_name(n));
    }
}

TEST_CASE("secret_file: a path, usable as {secret} in headers, body and url") {
    const ConfigFile f(kHttp +
                           "secret_file = \"sms.secret\"\n"
                           "headers = [\"Authorization: Basic {secret}\"]\n"
                           "body_template = '{\"UserName\":\"praxis\",\"Password\":\"{secret}\","
                           "\"To\":\"{to}\",\"Text\":\"{text}\"}'\n",
                       k644);
    const Config c = load_config(f.path());
    CHECK(c.sms.secret_file == f.path().parent_path() / "sms.secret");
    REQUIRE(c.sms.headers.size() == 1);
    CHECK(c.sms.headers[0].value == "Basic {secret}");
}

TEST_CASE("{secret} without secret_file, and secret_file outside the http provider") {
    CHECK(load_error(kHttp + "headers = [\"X-API-Key: {secret}\"]\n", k640) ==
          ":5: sms.secret_file: required when url, headers or body_template use {secret}");
    CHECK(load_error("[sms]\nprovider = \"twilio\"\naccount_sid = \"AC1\"\n"
                     "auth_token_file = \"/t\"\nsecret_file = \"/s\"\n",
                     k640) ==
          ":5: sms.secret_file: only for sms.provider = \"http\" (twilio: auth_token_file)");
}

TEST_CASE("an inline credential in a config file others can read is refused, with the mode") {
    const std::string tail =
        " is written inline in a config file others can read (mode 0644); put it in "
        "sms.secret_file and write {secret} here, or make the file 0640 or stricter";
    CHECK(load_error(kHttp + "headers = [\"Accept: text/plain\", \"X-API-Key: abc123\"]\n", k644) ==
          ":5: sms.headers[1]: the X-API-Key value" + tail);
    CHECK(load_error(kHttp + "headers = [\"Authorization: Bearer abc123\"]\n", k644) ==
          ":5: sms.headers[0]: the Authorization value" + tail);
    CHECK(load_error(kHttp + "body_template = '{\"UserName\":\"u\",\"Password\":\"hunter2\","
                             "\"Text\":\"{text}\"}'\n",
                     k644) == ":5: sms.body_template: the \"Password\" value" + tail);
    CHECK(load_error(kHttp + "body_encoding = \"form\"\n"
                             "body_template = \"user=u&apikey=abc&to={to}&text={text}\"\n",
                     k644) == ":6: sms.body_template: the \"apikey\" value" + tail);
    CHECK(load_error("[sms]\nprovider = \"http\"\nmethod = \"GET\"\n"
                     "url = \"https://sms.example.ch/send?key=abc&to={to}&text={text}\"\n",
                     k644) == ":4: sms.url: the \"key\" parameter" + tail);
}

TEST_CASE("inline credentials are allowed in a file closed to others, and {secret} always") {
    CHECK(load_error(kHttp + "headers = [\"X-API-Key: abc123\"]\n"
                             "body_template = '{\"Password\":\"hunter2\",\"Text\":\"{text}\"}'\n",
                     k640) == "no error");
    CHECK(load_error(kHttp + "secret_file = \"/s\"\nheaders = [\"X-API-Key: {secret}\", "
                             "\"Accept: application/json\"]\n"
                             "body_template = '{\"Password\":\"{secret}\",\"Text\":\"{text}\"}'\n",
                     k644) == "no error");
    // parse_config (text without a file) has no mode to judge.
    CHECK_NOTHROW(parse_config(kHttp + "headers = [\"X-API-Key: abc\"]\n", "/x/sealpost.toml"));
}
