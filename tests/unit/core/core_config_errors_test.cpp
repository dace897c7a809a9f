// SPDX-License-Identifier: Apache-2.0
// Tests for config errors: each kind of mistake gives exactly one line `FILE:LINE: KEY: what`,
// naming the right line and dotted key, and never echoing a secret.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "core/core_config.hpp"

using namespace sealpost;
namespace fs = std::filesystem;

namespace {

constexpr const char* kFile = "/etc/sealpost/sealpost.toml";

// The message of the ConfigError that `text` gives, or "no error".
std::string error_of(const std::string& text) {
    try {
        (void)parse_config(text, kFile);
    } catch (const ConfigError& e) {
        const std::string msg = e.what();
        CHECK(msg.find('\n') == std::string::npos);
        return msg;
    }
    return "no error";
}

std::string at(int line, const std::string& rest) {
    return std::string(kFile) + ":" + std::to_string(line) + ": " + rest;
}

}  // namespace

TEST_CASE("a TOML syntax error names the file and line") {
    const std::string msg = error_of("[vault]\n\nlink_ttl = 30d\n");
    CHECK(msg.rfind(at(3, "syntax error: "), 0) == 0);
    CHECK(error_of("[vault\n").rfind(at(1, "syntax error: "), 0) == 0);
    CHECK(error_of("[vault]\nname = \"a\"\nname = \"b\"\n").rfind(at(3, "syntax error: "), 0) == 0);
}

TEST_CASE("load_config reports errors with the path it was given") {
    const fs::path data = fs::path(SEALPOST_SOURCE_DIR) / "tests/data/config";
    const std::string range = (data / "out_of_range.toml").string();
    CHECK_THROWS_WITH(load_config(data / "out_of_range.toml"),
                      range + ":4: vault.retention: 4000d is out of range (1h..3650d)");
    const std::string syntax = (data / "syntax_error.toml").string();
    try {
        (void)load_config(data / "syntax_error.toml");
        FAIL("no error");
    } catch (const ConfigError& e) {
        CHECK(std::string(e.what()).rfind(syntax + ":3: syntax error: ", 0) == 0);
    }
    CHECK_THROWS_WITH(load_config("/nonexistent/sealpost.toml"),
                      "/nonexistent/sealpost.toml: no such file");
    CHECK_THROWS_WITH(load_config(data), data.string() + ": not a regular file");
}

TEST_CASE("unknown keys and sections are errors at their line") {
    CHECK(error_of("[vault]\nlink_ttl = \"30d\"\nlink_tll = \"30d\"\n") ==
          at(3, "vault.link_tll: unknown key"));
    CHECK(error_of("# comment\n[vualt]\ndir = \"/x\"\n") == at(2, "vualt: unknown section"));
    CHECK(error_of("debug = true\n") == at(1, "debug: unknown key (keys belong in a [section])"));
    CHECK(error_of("[proxy]\n[proxy.tls]\ncert = \"x\"\n") == at(2, "proxy.tls: unknown section"));
    // The first unknown key in file order, not in alphabetical order.
    CHECK(error_of("[log]\nzz = 1\naa = 2\n") == at(2, "log.zz: unknown key"));
}

TEST_CASE("unknown keys inside array-of-tables entries name the entry") {
    CHECK(error_of("[[proxy.listener]]\nkind = \"plain\"\n\n[[proxy.listener]]\nkind = "
                   "\"plain\"\nport = 2526\nadress = \"127.0.0.1\"\n") ==
          at(7, "proxy.listener[1].adress: unknown key"));
}

TEST_CASE("wrong types are errors") {
    CHECK(error_of("[proxy]\nmax_recipients = \"100\"\n") ==
          at(2, "proxy.max_recipients: expected an integer, got a string"));
    CHECK(error_of("[vault]\nlink_ttl = 30\n") ==
          at(2,
             "vault.link_ttl: expected a duration string such as \"30s\", \"10m\", \"1h\", "
             "\"30d\", got an integer"));
    CHECK(error_of("[proxy]\nallow_plain_nonlocal = \"yes\"\n") ==
          at(2, "proxy.allow_plain_nonlocal: expected true or false, got a string"));
    CHECK(error_of("[practice]\nname = 1.5\n") ==
          at(2, "practice.name: expected a string, got a floating-point number"));
    CHECK(error_of("[practice]\ninternal_domains = \"praxis.ch\"\n") ==
          at(2, "practice.internal_domains: expected an array of strings, got a string"));
    CHECK(error_of("[practice]\ninternal_domains = [\"a.ch\",\n  3]\n") ==
          at(3, "practice.internal_domains: expected an array of strings, found an integer"));
    CHECK(error_of("vault = 3\n") == at(1, "vault: expected a table ([vault]), got an integer"));
    CHECK(error_of("[proxy]\nlistener = \"submission\"\n") ==
          at(2, "proxy.listener: expected an array of tables ([[proxy.listener]]), got a string"));
    CHECK(error_of("[proxy]\nlistener = []\n") == at(2, "proxy.listener: must not be empty"));
    CHECK(error_of("[vault]\nmax_size = true\n") ==
          at(2, "vault.max_size: expected a size string such as \"25MiB\", got a boolean"));
}

TEST_CASE("values out of range are errors that show the range") {
    CHECK(error_of("[practice]\nname = \"x\"\n\n[vault]\nlink_ttl = \"400d\"\n") ==
          at(5, "vault.link_ttl: 400d is out of range (1h..365d)"));
    CHECK(error_of("[proxy]\nmax_command_line = 100\n") ==
          at(2, "proxy.max_command_line: 100 is out of range (512..4096)"));
    CHECK(error_of("[proxy]\nmax_message_size = \"2GiB\"\n") ==
          at(2, "proxy.max_message_size: 2GiB is out of range (1KiB..1GiB)"));
    CHECK(error_of("[proxy]\nmax_message_size = 512\n") ==
          at(2, "proxy.max_message_size: 512 is out of range (1KiB..1GiB)"));
    CHECK(error_of("[proxy]\nmax_message_size = -1\n") ==
          at(2, "proxy.max_message_size: -1 is out of range (1KiB..1GiB)"));
    CHECK(error_of("[proxy]\ncommand_timeout = \"0s\"\n") ==
          at(2, "proxy.command_timeout: 0s is out of range (1s..1h)"));
    CHECK(error_of("[proxy]\n[[proxy.listener]]\nkind = \"plain\"\nport = 70000\n") ==
          at(4, "proxy.listener[0].port: 70000 is out of range (0..65535)"));
    CHECK(error_of("[portal]\ncode_length = 4\n") ==
          at(2, "portal.code_length: 4 is out of range (6..10)"));
    CHECK(error_of("[sms]\nretries = 6\n") == at(2, "sms.retries: 6 is out of range (0..5)"));
    CHECK(error_of("[vault]\nmax_size = \"2TiB\"\n") ==
          at(2, "vault.max_size: 2TiB is out of range (1MiB..1TiB)"));
    // map_size's upper bound is the configured max_size.
    CHECK(error_of("[vault]\nmax_size = \"1GiB\"\nmap_size = \"2GiB\"\n") ==
          at(3, "vault.map_size: 2GiB is out of range (1MiB..1GiB)"));
    CHECK(error_of("[portal]\nsession_idle = \"30m\"\nsession_absolute = \"20m\"\n") ==
          at(3, "portal.session_absolute: 20m is out of range (30m..1d)"));
}

TEST_CASE("malformed units are errors") {
    CHECK(error_of("[proxy]\nmax_message_size = \"25MB\"\n") ==
          at(2, "proxy.max_message_size: '25MB' is not a size (units: B, KiB, MiB, GiB, TiB)"));
    CHECK(error_of("[vault]\nlink_ttl = \"1 month\"\n") ==
          at(2, "vault.link_ttl: '1 month' is not a duration (units: s, m, h, d, w)"));
}

TEST_CASE("values not in their enum are errors that list the choices") {
    CHECK(error_of("[proxy]\nauth = \"ldap\"\n") ==
          at(2, "proxy.auth: 'ldap' is not one of passthrough, local or none"));
    CHECK(error_of("[log]\nlevel = \"INFO\"\n") ==
          at(2, "log.level: 'INFO' is not one of trace, debug, info, warn or error"));
    CHECK(error_of("[sms]\nmethod = \"post\"\n") ==
          at(2, "sms.method: 'post' is not one of POST, GET or PUT"));
    CHECK(error_of("[[proxy.listener]]\nkind = \"smtps\"\n") ==
          at(2, "proxy.listener[0].kind: 'smtps' is not one of submission, submissions or plain"));
}

TEST_CASE("a bad CIDR names the array element and its line") {
    CHECK(error_of("[proxy]\ntrusted_networks = [\n  \"127.0.0.1/32\",\n  \"10.0.0.1/8\",\n]\n") ==
          at(4,
             "proxy.trusted_networks[1]: '10.0.0.1/8' is not a network such as "
             "192.168.1.0/24 or fd00::/8 (prefix required, host bits zero)"));
    CHECK(error_of("[proxy]\ntrusted_networks = [\"fd00::/129\"]\n") ==
          at(2,
             "proxy.trusted_networks[0]: 'fd00::/129' is not a network such as "
             "192.168.1.0/24 or fd00::/8 (prefix required, host bits zero)"));
}

TEST_CASE("max_retention shorter than retention is an error") {
    CHECK(error_of("[vault]\nretention = \"90d\"\nmax_retention = \"30d\"\n") ==
          at(3, "vault.max_retention: 30d is shorter than vault.retention (90d)"));
    // Unset, it follows a retention longer than its default year.
    CHECK(error_of("[vault]\nretention = \"400d\"\n") == "no error");
}

TEST_CASE("retention shorter than link_ttl is an error") {
    CHECK(error_of("[vault]\nlink_ttl = \"30d\"\nretention = \"7d\"\n") ==
          at(3, "vault.retention: 1w is shorter than vault.link_ttl (30d)"));
    // Only link_ttl raised above the default retention: the line is link_ttl's.
    CHECK(error_of("[vault]\nlink_ttl = \"100d\"\n") ==
          at(2, "vault.retention: 90d is shorter than vault.link_ttl (100d)"));
    CHECK(error_of("[vault]\nlink_ttl = \"100d\"\nretention = \"100d\"\n") == "no error");
}

TEST_CASE("a plain listener off loopback needs allow_plain_nonlocal") {
    const std::string text =
        "[proxy]\n\n[[proxy.listener]]\nkind = \"plain\"\naddress = \"0.0.0.0\"\nport = 2525\n";
    CHECK(error_of(text) ==
          at(5,
             "proxy.listener[0].address: a plain listener on non-loopback address 0.0.0.0 "
             "needs proxy.allow_plain_nonlocal = true"));
    CHECK(error_of("[proxy]\nallow_plain_nonlocal = true\n\n[[proxy.listener]]\nkind = "
                   "\"plain\"\naddress = \"0.0.0.0\"\nport = 2525\n") == "no error");
    CHECK(error_of("[[proxy.listener]]\nkind = \"plain\"\naddress = \"::1\"\n") == "no error");
    CHECK(error_of("[[proxy.listener]]\nkind = \"plain\"\naddress = \"localhost\"\n") ==
          at(3, "proxy.listener[0].address: 'localhost' is not an IP address literal"));
    CHECK(error_of("[[proxy.listener]]\nkind = \"plain\"\nport = 2525\n[[proxy.listener]]\nkind = "
                   "\"plain\"\nport = 2525\n") ==
          at(6, "proxy.listener[1].port: same address and port as proxy.listener[0]"));
}

TEST_CASE("keys that depend on other keys") {
    CHECK(error_of("[proxy]\nauth = \"local\"\n") ==
          at(2, "proxy.users_file: required when proxy.auth = \"local\""));
    CHECK(error_of("[portal]\ntls = false\n") ==
          at(2,
             "portal.tls: may be false only with a loopback portal.listen address (behind a "
             "reverse proxy)"));
    CHECK(error_of("[portal]\nlisten = \"127.0.0.1:8080\"\ntls = false\n") == "no error");
    CHECK(error_of("[portal]\ncodes_per_window = 5\ncodes_per_day = 4\n") ==
          at(3, "portal.codes_per_day: 4 is out of range (5..1000)"));
    CHECK(error_of("[notify]\nusername = \"x\"\n") ==
          at(2, "notify.username: has no effect without notify.url (then [upstream] is used)"));
    CHECK(error_of("[upstream]\npassword_file = \"/p\"\n") ==
          at(2, "upstream.username: required when password_file is set"));
    CHECK(error_of("[sms]\nprovider = \"http\"\n") ==
          at(2, "sms.url: required when sms.provider = \"http\""));
    CHECK(error_of("[sms]\nprovider = \"twilio\"\n") ==
          at(2, "sms.account_sid: required when sms.provider = \"twilio\""));
    CHECK(error_of("[sms]\nprovider = \"http\"\nurl = \"https://sms.example\"\n") ==
          at(2,
             "sms.body_template: required when sms.provider = \"http\" and method is POST or "
             "PUT"));
    CHECK(error_of("[proxy]\ntls_cert = \"\"\n") ==
          at(2, "proxy.tls_cert: required for submission and submissions listeners"));
    // [voice] has the [sms] keys and says so in its own names.
    CHECK(error_of("[voice]\nprovider = \"http\"\n") ==
          at(2, "voice.url: required when voice.provider = \"http\""));
    CHECK(error_of("[voice]\nprovider = \"twilio\"\nsender = \"+41445550000\"\n") ==
          at(2, "voice.account_sid: required when voice.provider = \"twilio\""));
    CHECK(error_of("[voice]\nprovider = \"twilio\"\naccount_sid = \"AC1\"\n"
                   "auth_token_file = \"/t\"\n") ==
          at(1, "voice.sender: must be a phone number like +41441234567 for twilio calls"));
    CHECK(error_of("[voice]\nprovider = \"sms\"\n") ==
          at(2, "voice.provider: 'sms' is not one of none, outbox, http or twilio"));
}

TEST_CASE("[voice]: none by default, any provider turns calls on") {
    CHECK_FALSE(parse_config("", kFile).voice.enabled);
    CHECK_FALSE(parse_config("[voice]\nprovider = \"none\"\n", kFile).voice.enabled);
    const Config c = parse_config(
        "[voice]\nprovider = \"twilio\"\naccount_sid = \"AC1\"\nauth_token_file = \"t\"\n"
        "sender = \"+41445550000\"\n",
        kFile);
    CHECK(c.voice.enabled);
    CHECK(c.voice.gateway.provider == SmsProvider::twilio);
    CHECK(c.voice.gateway.url == "https://api.twilio.com");
    CHECK(c.voice.gateway.auth_token_file == "/etc/sealpost/t");
    CHECK(c.voice.gateway.sender == "+41445550000");
    const Config o = parse_config("[voice]\nprovider = \"outbox\"\n", kFile);
    CHECK(o.voice.enabled);
    CHECK(o.voice.gateway.outbox_path == "/var/lib/sealpost/voice-outbox.log");
    CHECK(o.sms.outbox_path == "/var/lib/sealpost/sms-outbox.log");
}

TEST_CASE("URLs, addresses and names are checked") {
    CHECK(error_of("[practice]\nbase_url = \"http://portal.praxis.ch\"\n") ==
          at(2, "practice.base_url: must start with https:// (http:// only for localhost)"));
    CHECK(error_of("[practice]\nbase_url = \"http://127.0.0.1:8080/\"\n") == "no error");
    CHECK(error_of("[practice]\nbase_url = \"https://portal.ch/a b\"\n") ==
          at(2,
             "practice.base_url: 'https://portal.ch/a b' is not a URL such as "
             "https://portal.example.ch"));
    CHECK(error_of("[practice]\nbase_url = \"portal.praxis.ch\"\n") ==
          at(2,
             "practice.base_url: 'portal.praxis.ch' is not a URL such as "
             "https://portal.example.ch"));
    CHECK(error_of("[practice]\nfrom_address = \"Praxis <a@b.ch>\"\n") ==
          at(2, "practice.from_address: 'Praxis <a@b.ch>' is not a mail address (local@domain)"));
    CHECK(error_of("[practice]\ninternal_domains = [\"praxis.ch\", \"bad domain\"]\n") ==
          at(2, "practice.internal_domains[1]: 'bad domain' is not a domain name"));
    CHECK(error_of("[upstream]\nurl = \"smtp://mail.example.ch\"\n") ==
          at(2,
             "upstream.url: expected smtp://HOST:PORT or maildir:PATH (credentials go in "
             "username and password_file)"));
    CHECK(
        error_of("[upstream]\nurl = \"maildir:\"\n") ==
        at(2, "upstream.url: maildir: needs a directory, e.g. maildir:/var/lib/sealpost/maildir"));
    CHECK(error_of("[upstream]\nurl = \"smtp://[::1]:2525\"\n") == "no error");
    CHECK(error_of("[portal]\nlisten = \"localhost:8443\"\n") ==
          at(2, "portal.listen: 'localhost:8443' is not IP:PORT (e.g. 0.0.0.0:8443)"));
    CHECK(error_of("[portal]\ntrusted_proxy = \"proxy.local\"\n") ==
          at(2, "portal.trusted_proxy: 'proxy.local' is not an IP address literal"));
    CHECK(error_of("[proxy]\nadmin_listen = \"::1:9025\"\n") ==
          at(2, "proxy.admin_listen: '::1:9025' is not IP:PORT (e.g. 127.0.0.1:9025)"));
    CHECK(error_of("[proxy]\nhostname = \"mail_gw\"\n") ==
          at(2, "proxy.hostname: 'mail_gw' is not a host name"));
    CHECK(
        error_of("[sms]\nbody_template = \"{\\\"t\\\":\\\"{txt}\\\"}\"\n") ==
        at(2,
           "sms.body_template: unknown placeholder {txt} (use {to}, {text}, {sender}, {secret})"));
    CHECK(error_of("[sms]\nsender = \"Physiotherapie\"\n") ==
          at(2,
             "sms.sender: must be 1 to 11 letters, digits, spaces, dots or dashes, or a number "
             "like +41791234567"));
    CHECK(error_of("[sms]\nurl = \"http://sms.example.ch/send\"\n") ==
          at(2, "sms.url: must be an https:// URL (http:// only for localhost)"));
}

TEST_CASE("secrets that land in the wrong place are not echoed") {
    const std::string url_msg =
        error_of("[upstream]\nurl = \"smtp://praxis:S3cretPw@mail.example.ch:587\"\n");
    CHECK(url_msg.rfind(at(2, "upstream.url: "), 0) == 0);
    CHECK(url_msg.find("S3cretPw") == std::string::npos);
    const std::string header_msg =
        error_of("[sms]\nheaders = [\"Authorization Bearer S3cretTok\"]\n");
    CHECK(header_msg == at(2, "sms.headers[0]: expected \"Name: value\""));
    const std::string sms_url_msg = error_of("[sms]\nurl = \"https://u:S3cretPw@sms.example\"\n");
    CHECK(sms_url_msg == at(2, "sms.url: must be an https:// URL (http:// only for localhost)"));
}

TEST_CASE("control characters in values cannot forge a second line") {
    const std::string msg = error_of("[proxy]\nauth = \"x\\ny: fake\"\n");
    CHECK(msg == at(2, "proxy.auth: 'x y: fake' is not one of passthrough, local or none"));
}
