// SPDX-License-Identifier: Apache-2.0
// Tests for loading sealpost.toml: the defaults, the shipped example, a file that sets every key,
// relative paths, and the helpers on the config types (CIDR, endpoints, notify fallback).
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/core_config.hpp"

using namespace sealpost;
using std::chrono::seconds;
namespace fs = std::filesystem;

namespace {

const fs::path kData = fs::path(SEALPOST_SOURCE_DIR) / "tests/data/config";
constexpr std::int64_t kDay = 86400;

std::string hostname() {
    char buf[256] = {};
    REQUIRE(gethostname(buf, sizeof buf - 1) == 0);
    return buf;
}

}  // namespace

TEST_CASE("default_config holds the documented defaults") {
    const Config c = default_config();
    CHECK(c.source.empty());

    CHECK(c.practice.name == "Praxis Muster");
    CHECK(c.practice.base_url == "https://localhost:8443");
    CHECK(c.practice.default_language == Language::de);
    CHECK(c.practice.internal_domains.empty());
    CHECK(c.practice.from_address.empty());
    CHECK(c.practice.logo.empty());

    CHECK(c.vault.dir == "/var/lib/sealpost/vault");
    CHECK(c.vault.key_dir == "/etc/sealpost/keys");
    CHECK(c.vault.map_size == 64ULL * 1024 * 1024);
    CHECK(c.vault.max_size == 8ULL * 1024 * 1024 * 1024);
    CHECK(c.vault.link_ttl == seconds(30 * kDay));
    CHECK(c.vault.retention == seconds(90 * kDay));
    CHECK(c.vault.orphan_grace == seconds(3600));
    CHECK(c.vault.tombstone_ttl == seconds(365 * kDay));
    CHECK_FALSE(c.vault.group_access);

    CHECK(c.proxy.hostname == hostname());
    CHECK(c.proxy.auth == AuthMode::passthrough);
    CHECK(c.proxy.users_file.empty());
    REQUIRE(c.proxy.trusted_networks.size() == 2);
    CHECK(c.proxy.trusted_networks[0].to_string() == "127.0.0.1/32");
    CHECK(c.proxy.trusted_networks[1].to_string() == "::1/128");
    CHECK_FALSE(c.proxy.allow_plain_nonlocal);
    CHECK(c.proxy.max_command_line == 512);
    CHECK(c.proxy.max_text_line == 1000);
    CHECK(c.proxy.max_recipients == 100);
    CHECK(c.proxy.max_message_size == 25ULL * 1024 * 1024);
    CHECK(c.proxy.command_timeout == seconds(300));
    CHECK(c.proxy.data_timeout == seconds(600));
    CHECK(c.proxy.max_sessions == 100);
    CHECK(c.proxy.max_bad_commands == 10);
    CHECK(c.proxy.shutdown_grace == seconds(30));
    CHECK(c.proxy.policy_file == "/etc/sealpost/policies/default.toml");
    CHECK(c.proxy.templates_dir == "/usr/share/sealpost/templates");
    CHECK_FALSE(c.proxy.learn_contacts);
    CHECK_FALSE(c.proxy.allow_phone_override);
    CHECK(c.proxy.admin_listen == Endpoint{"127.0.0.1", 9025});
    CHECK(c.proxy.listeners == std::vector<Listener>{{ListenerKind::submission, "0.0.0.0", 587},
                                                     {ListenerKind::submissions, "0.0.0.0", 465}});

    CHECK(c.upstream.url == "maildir:/var/lib/sealpost/maildir");
    CHECK(c.upstream.kind == UpstreamKind::maildir);
    CHECK(c.upstream.maildir == "/var/lib/sealpost/maildir");
    CHECK(c.upstream.tls == TlsMode::starttls);
    CHECK(c.upstream.verify);
    CHECK(c.upstream.ca_file.empty());
    CHECK(c.upstream.connect_timeout == seconds(30));
    CHECK(c.upstream.command_timeout == seconds(300));
    CHECK(c.upstream.helo_name == c.proxy.hostname);
    CHECK(c.notify.url.empty());
    CHECK(c.notify_upstream() == c.upstream);

    CHECK(c.portal.listen == Endpoint{"0.0.0.0", 8443});
    CHECK(c.portal.tls);
    CHECK(c.portal.trusted_proxy.empty());
    CHECK(c.portal.admin_listen == Endpoint{"127.0.0.1", 9443});
    CHECK(c.portal.code_ttl == seconds(600));
    CHECK(c.portal.code_length == 6);
    CHECK(c.portal.codes_per_window == 3);
    CHECK(c.portal.code_window == seconds(900));
    CHECK(c.portal.codes_per_day == 10);
    CHECK(c.portal.codes_per_ip_per_hour == 30);
    CHECK(c.portal.max_tries_per_code == 5);
    CHECK(c.portal.killed_codes_before_lock == 3);
    CHECK(c.portal.lock_duration == seconds(3600));
    CHECK(c.portal.max_tries_total == 20);
    CHECK(c.portal.session_idle == seconds(900));
    CHECK(c.portal.session_absolute == seconds(3600));
    CHECK(c.portal.max_zip_size == 100ULL * 1024 * 1024);
    CHECK(c.portal.request_timeout == seconds(30));
    CHECK(c.portal.templates_dir == "/usr/share/sealpost/portal");
    CHECK(c.portal.max_connections_per_address == 32);
    CHECK(c.portal.handshake_timeout == seconds(10));
    CHECK(c.portal.header_timeout == seconds(10));
    CHECK(c.portal.max_zip_per_session == 2);
    CHECK(c.portal.max_zip_concurrent == 32);
    CHECK(c.vault.max_retention == seconds(365 * 86400));

    CHECK(c.sms.provider == SmsProvider::outbox);
    CHECK(c.sms.outbox_path == "/var/lib/sealpost/sms-outbox.log");
    CHECK(c.sms.sender == "Praxis");
    CHECK(c.sms.method == HttpMethod::post);
    CHECK(c.sms.body_encoding == BodyEncoding::json);
    CHECK(c.sms.timeout == seconds(10));
    CHECK(c.sms.retries == 2);

    CHECK(c.log.level == LogLevel::info);
}

TEST_CASE("a value-initialised Config matches default_config apart from host names") {
    Config plain;
    const Config d = default_config();
    plain.proxy.hostname = d.proxy.hostname;
    plain.upstream.helo_name = d.upstream.helo_name;
    CHECK(plain == d);
}

TEST_CASE("an empty file gives the defaults") {
    Config c = parse_config("# nothing\n", "/etc/sealpost/sealpost.toml");
    CHECK(c.source == "/etc/sealpost/sealpost.toml");
    c.source.clear();
    CHECK(c == default_config());
}

TEST_CASE("the shipped example documents every key with its default and loads") {
    const fs::path example = fs::path(SEALPOST_SOURCE_DIR) / "packaging/sealpost.toml.example";
    Config c = load_config(example);
    CHECK(c.source == example);
    c.source.clear();
    CHECK(c == default_config());
}

TEST_CASE("a file that sets every key loads every value, with relative paths resolved") {
    const Config c = load_config(kData / "full.toml");
    const fs::path dir = kData.lexically_normal();

    CHECK(c.practice.name == "Physiotherapie Aare");
    CHECK(c.practice.base_url == "https://portal.physio-aare.ch/sealpost");
    CHECK(c.practice.default_language == Language::fr);
    CHECK(c.practice.internal_domains ==
          std::vector<std::string>{"physio-aare.ch", "aare.example"});
    CHECK(c.practice.from_address == "noreply@physio-aare.ch");
    CHECK(c.practice.logo == dir / "logo.png");

    CHECK(c.vault.dir == dir / "vault");
    CHECK(c.vault.key_dir == "/etc/sealpost/keys2");
    CHECK(c.vault.map_size == 128ULL << 20);
    CHECK(c.vault.max_size == 16ULL << 30);
    CHECK(c.vault.link_ttl == seconds(14 * kDay));
    CHECK(c.vault.retention == seconds(60 * kDay));
    CHECK(c.vault.orphan_grace == seconds(7200));
    CHECK(c.vault.tombstone_ttl == seconds(14 * kDay));
    CHECK(c.vault.group_access);

    CHECK(c.proxy.hostname == "mail.physio-aare.ch");
    CHECK(c.proxy.auth == AuthMode::local);
    CHECK(c.proxy.users_file == dir / "users.txt");
    REQUIRE(c.proxy.trusted_networks.size() == 2);
    CHECK(c.proxy.trusted_networks[0].to_string() == "10.0.0.0/8");
    CHECK(c.proxy.trusted_networks[1].to_string() == "fd00::/8");
    CHECK(c.proxy.allow_plain_nonlocal);
    CHECK(c.proxy.tls_cert == dir / "tls/cert.pem");
    CHECK(c.proxy.tls_key == dir / "tls/key.pem");
    CHECK(c.proxy.max_command_line == 1024);
    CHECK(c.proxy.max_text_line == 2000);
    CHECK(c.proxy.max_recipients == 50);
    CHECK(c.proxy.max_message_size == 50ULL << 20);
    CHECK(c.proxy.command_timeout == seconds(120));
    CHECK(c.proxy.data_timeout == seconds(1));
    CHECK(c.proxy.max_sessions == 20);
    CHECK(c.proxy.max_bad_commands == 3);
    CHECK(c.proxy.shutdown_grace == seconds(0));
    CHECK(c.proxy.policy_file == (dir / "../policies/strict.toml").lexically_normal());
    CHECK(c.proxy.templates_dir == (dir / "templates").lexically_normal());
    CHECK(c.proxy.learn_contacts);
    CHECK(c.proxy.allow_phone_override);
    CHECK(c.proxy.admin_listen == Endpoint{"::1", 9026});
    CHECK(c.proxy.admin_listen.to_string() == "[::1]:9026");
    CHECK(c.proxy.notice_interval == seconds(60));
    CHECK(c.proxy.listeners == std::vector<Listener>{{ListenerKind::plain, "10.1.2.3", 0},
                                                     {ListenerKind::submissions, "::", 4465}});

    CHECK(c.upstream.url == "smtp://smtp.mailprovider.ch:587");
    CHECK(c.upstream.kind == UpstreamKind::smtp);
    CHECK(c.upstream.host == "smtp.mailprovider.ch");
    CHECK(c.upstream.port == 587);
    CHECK(c.upstream.tls == TlsMode::implicit);
    CHECK_FALSE(c.upstream.verify);
    CHECK(c.upstream.ca_file == dir / "ca.pem");
    CHECK(c.upstream.username == "praxis@physio-aare.ch");
    CHECK(c.upstream.password_file == dir / "upstream.pass");
    CHECK(c.upstream.connect_timeout == seconds(10));
    CHECK(c.upstream.command_timeout == seconds(60));
    CHECK(c.upstream.helo_name == "gw.physio-aare.ch");

    CHECK(c.notify.kind == UpstreamKind::maildir);
    CHECK(c.notify.maildir == dir / "notices");
    CHECK(c.notify.url == "maildir:" + (dir / "notices").string());
    const UpstreamConfig n = c.notify_upstream();
    CHECK(n.kind == UpstreamKind::maildir);
    CHECK(n.maildir == dir / "notices");
    CHECK(n.tls == TlsMode::none);
    CHECK_FALSE(n.verify);
    CHECK(n.ca_file == "/etc/ssl/notify.pem");
    CHECK(n.username == "notify");
    CHECK(n.password_file == dir / "notify.pass");
    CHECK(n.connect_timeout == seconds(10));  // from [upstream]
    CHECK(n.helo_name == "gw.physio-aare.ch");

    CHECK(c.portal.listen == Endpoint{"127.0.0.1", 8080});
    CHECK_FALSE(c.portal.tls);
    CHECK(c.portal.tls_cert.empty());
    CHECK(c.portal.trusted_proxy == "127.0.0.1");
    CHECK(c.portal.admin_listen == Endpoint{"127.0.0.1", 9444});
    CHECK(c.portal.code_ttl == seconds(300));
    CHECK(c.portal.code_length == 8);
    CHECK(c.portal.codes_per_window == 2);
    CHECK(c.portal.code_window == seconds(1800));
    CHECK(c.portal.codes_per_day == 5);
    CHECK(c.portal.codes_per_ip_per_hour == 10);
    CHECK(c.portal.max_tries_per_code == 3);
    CHECK(c.portal.killed_codes_before_lock == 2);
    CHECK(c.portal.lock_duration == seconds(7200));
    CHECK(c.portal.max_tries_total == 10);
    CHECK(c.portal.session_idle == seconds(600));
    CHECK(c.portal.session_absolute == seconds(7200));
    CHECK(c.portal.max_zip_size == 200ULL << 20);
    CHECK(c.portal.max_request_size == 32ULL << 10);
    CHECK(c.portal.request_timeout == seconds(20));
    CHECK(c.portal.templates_dir == dir / "templates");

    CHECK(c.sms.provider == SmsProvider::http);
    CHECK(c.sms.outbox_path == dir / "sms.log");
    CHECK(c.sms.sender == "+41791234567");
    CHECK(c.sms.url == "https://sms.example.ch/api/send?to={to}");
    CHECK(c.sms.method == HttpMethod::put);
    CHECK(c.sms.headers ==
          std::vector<SmsHeader>{{"Authorization", "Bearer {secret}"}, {"X-Client", "sealpost"}});
    CHECK(c.sms.body_template == R"({"to":"{to}","from":"{sender}","text":"{text}"})");
    CHECK(c.sms.body_encoding == BodyEncoding::form);
    CHECK(c.sms.account_sid == "AC123");
    CHECK(c.sms.auth_token_file == dir / "sms.token");
    CHECK(c.sms.secret_file == dir / "sms.secret");
    CHECK(c.sms.timeout == seconds(30));
    CHECK(c.sms.retries == 0);

    CHECK(c.log.level == LogLevel::debug);
}

TEST_CASE("relative paths resolve against the directory of a relative config path") {
    const fs::path tmp =
        fs::temp_directory_path() / ("sealpost-config-" + std::to_string(::getpid()) + "-rel");
    fs::create_directories(tmp / "etc");
    { std::ofstream(tmp / "etc/sealpost.toml") << "[vault]\ndir = \"../vault\"\n"; }
    const fs::path old_cwd = fs::current_path();
    fs::current_path(tmp);
    Config c;
    CHECK_NOTHROW(c = load_config("etc/sealpost.toml"));
    fs::current_path(old_cwd);
    CHECK(c.vault.dir == (tmp / "vault").lexically_normal());
    CHECK(c.source == "etc/sealpost.toml");
    fs::remove_all(tmp);
}

TEST_CASE("twilio gets its API base url by default") {
    const Config c = parse_config(
        "[sms]\nprovider = \"twilio\"\naccount_sid = \"AC1\"\nauth_token_file = \"/t\"\n",
        "/etc/sealpost/sealpost.toml");
    CHECK(c.sms.url == "https://api.twilio.com");
}

TEST_CASE("CIDR networks match their addresses only") {
    const auto v4 = parse_cidr("192.168.1.0/24");
    REQUIRE(v4);
    CHECK(v4->contains("192.168.1.0"));
    CHECK(v4->contains("192.168.1.255"));
    CHECK_FALSE(v4->contains("192.168.2.1"));
    CHECK(v4->contains("::ffff:192.168.1.7"));  // dual-stack sockets report mapped addresses
    CHECK_FALSE(v4->contains("::1"));
    CHECK_FALSE(v4->contains("localhost"));
    CHECK_FALSE(v4->contains(""));

    const auto odd = parse_cidr("10.0.0.0/9");
    REQUIRE(odd);
    CHECK(odd->contains("10.127.255.255"));
    CHECK_FALSE(odd->contains("10.128.0.0"));

    const auto v6 = parse_cidr("fd00::/8");
    REQUIRE(v6);
    CHECK(v6->contains("fd12:3456::1"));
    CHECK_FALSE(v6->contains("fe80::1"));
    CHECK_FALSE(v6->contains("10.0.0.1"));

    const auto all = parse_cidr("0.0.0.0/0");
    REQUIRE(all);
    CHECK(all->contains("203.0.113.9"));

    for (const char* bad : {"10.0.0.1/8", "10.0.0.0", "10.0.0.0/33", "10.0.0.0/", "10.0.0/8",
                            "::1/129", "fd00::/x", "host/8", "/8", "010.0.0.0/8", "10.0.0.0/08a"}) {
        INFO(bad);
        CHECK_FALSE(parse_cidr(bad));
    }
}

TEST_CASE("trusted networks and internal domains answer membership") {
    const Config c = parse_config(
        "[practice]\ninternal_domains = [\"Praxis.CH\"]\n"
        "[proxy]\ntrusted_networks = [\"10.0.0.0/8\"]\n",
        "/etc/sealpost/sealpost.toml");
    CHECK(c.proxy.is_trusted("10.2.3.4"));
    CHECK_FALSE(c.proxy.is_trusted("127.0.0.1"));  // replaced, not added
    CHECK(c.practice.is_internal("doc@praxis.ch"));
    CHECK(c.practice.is_internal("PRAXIS.ch"));
    CHECK_FALSE(c.practice.is_internal("patient@praxis.ch.evil.example"));
    CHECK_FALSE(c.practice.is_internal("patient@sub.praxis.ch"));
}

TEST_CASE("IP literal and loopback checks") {
    CHECK(is_ip_literal("127.0.0.1"));
    CHECK(is_ip_literal("::"));
    CHECK_FALSE(is_ip_literal("[::1]"));
    CHECK_FALSE(is_ip_literal("localhost"));
    CHECK_FALSE(is_ip_literal("1.2.3"));
    CHECK(is_loopback_ip("127.0.0.2"));
    CHECK(is_loopback_ip("::1"));
    CHECK(is_loopback_ip("::ffff:127.0.0.1"));
    CHECK_FALSE(is_loopback_ip("0.0.0.0"));
    CHECK_FALSE(is_loopback_ip("::"));
}

TEST_CASE("enum spellings round-trip") {
    CHECK(to_string(LogLevel::warn) == "warn");
    CHECK(to_string(HttpMethod::put) == "PUT");
    CHECK(to_string(ListenerKind::submissions) == "submissions");
    CHECK(parse_language("it") == Language::it);
    CHECK_FALSE(parse_language("IT"));
    CHECK_FALSE(parse_language("es"));
}

TEST_CASE("the shipped example mentions every key of the schema") {
    // Keeps the example complete: a key added to the schema must be documented there too.
    std::ifstream in(fs::path(SEALPOST_SOURCE_DIR) / "packaging/sealpost.toml.example");
    std::ostringstream buf;
    buf << in.rdbuf();
    const std::string text = buf.str();
    REQUIRE_FALSE(text.empty());
    const std::vector<std::pair<std::string, std::vector<std::string>>> schema{
        {"practice",
         {"name", "base_url", "default_language", "internal_domains", "from_address", "logo",
          "staff_language", "address", "phone", "email", "privacy_url", "privacy_text",
          "hide_document_names"}},
        {"vault",
         {"dir", "key_dir", "map_size", "max_size", "link_ttl", "retention", "max_retention",
          "orphan_grace", "tombstone_ttl", "group_access"}},
        {"proxy",
         {"hostname",
          "auth",
          "users_file",
          "trusted_networks",
          "allow_plain_nonlocal",
          "tls_cert",
          "tls_key",
          "max_command_line",
          "max_text_line",
          "max_recipients",
          "max_message_size",
          "command_timeout",
          "data_timeout",
          "max_sessions",
          "max_bad_commands",
          "shutdown_grace",
          "policy_file",
          "templates_dir",
          "learn_contacts",
          "allow_phone_override",
          "admin_listen",
          "notice_interval",
          "remind_patient",
          "remind_before",
          "notify_sender_on_expiry"}},
        {"proxy.listener", {"kind", "address", "port"}},
        {"upstream",
         {"url", "tls", "verify", "ca_file", "username", "password_file", "connect_timeout",
          "command_timeout", "helo_name"}},
        {"notify", {"url", "tls", "verify", "ca_file", "username", "password_file"}},
        {"portal",
         {"listen",
          "tls",
          "tls_cert",
          "tls_key",
          "trusted_proxy",
          "admin_listen",
          "code_ttl",
          "code_length",
          "codes_per_window",
          "code_window",
          "codes_per_day",
          "codes_per_ip_per_hour",
          "max_tries_per_code",
          "killed_codes_before_lock",
          "lock_duration",
          "max_tries_total",
          "session_idle",
          "session_absolute",
          "max_zip_size",
          "max_request_size",
          "request_timeout",
          "handshake_timeout",
          "header_timeout",
          "templates_dir",
          "max_connections",
          "max_connections_per_address",
          "max_zip_per_session",
          "max_zip_concurrent"}},
        {"sms",
         {"provider", "outbox_path", "sender", "url", "method", "headers", "body_template",
          "body_encoding", "account_sid", "auth_token_file", "secret_file", "timeout", "retries"}},
        {"voice",
         {"provider", "outbox_path", "sender", "url", "method", "headers", "body_template",
          "body_encoding", "account_sid", "auth_token_file", "secret_file", "timeout", "retries"}},
        {"log", {"level"}},
    };
    for (const auto& [section, keys] : schema) {
        const bool array = section == "proxy.listener";
        const std::string header = array ? "\n[[" + section + "]]\n" : "\n[" + section + "]\n";
        const auto start = text.find(header);
        INFO(section);
        REQUIRE(start != std::string::npos);
        const auto end = text.find("\n[", start + header.size());
        const std::string body = text.substr(start, end - start);
        for (const auto& key : keys) {
            INFO(key);
            // Set, or shown commented out ([notify] keys only apply with a url).
            const bool set = body.find("\n" + key + " = ") != std::string::npos;
            const bool shown = body.find("\n# " + key + " = ") != std::string::npos;
            CHECK((set || shown));
        }
    }
}

TEST_CASE("[practice] staff language, contact details and the name switch") {
    const Config d = default_config();
    CHECK_FALSE(d.practice.staff_language);
    CHECK(d.practice.staff_lang() == Language::de);
    CHECK(d.practice.refusal_lang() == Language::en);
    CHECK(d.practice.address.empty());
    CHECK_FALSE(d.practice.hide_document_names);

    const Config c = parse_config(
        "[practice]\ndefault_language = \"de\"\nstaff_language = \"fr\"\n"
        "address = \"Rue du Midi 1, 1003 Lausanne\"\nphone = \"+41 21 123 45 67\"\n"
        "email = \"cabinet@physio-lac.ch\"\nprivacy_url = \"https://physio-lac.ch/privacy\"\n"
        "privacy_text = \"DPO: M. Rochat\\nSecond paragraph\"\nhide_document_names = true\n",
        "/etc/sealpost/sealpost.toml");
    CHECK(c.practice.staff_lang() == Language::fr);
    CHECK(c.practice.refusal_lang() == Language::fr);
    CHECK(c.practice.default_language == Language::de);
    CHECK(c.practice.address == "Rue du Midi 1, 1003 Lausanne");
    CHECK(c.practice.phone == "+41 21 123 45 67");
    CHECK(c.practice.email == "cabinet@physio-lac.ch");
    CHECK(c.practice.privacy_url == "https://physio-lac.ch/privacy");
    CHECK(c.practice.privacy_text == "DPO: M. Rochat\nSecond paragraph");
    CHECK(c.practice.hide_document_names);

    // Unset: notices in the practice's default language, refusals in English (as before).
    const Config fr = parse_config("[practice]\ndefault_language = \"fr\"\n", "/x.toml");
    CHECK(fr.practice.staff_lang() == Language::fr);
    CHECK(fr.practice.refusal_lang() == Language::en);

    CHECK_THROWS(parse_config("[practice]\nstaff_language = \"es\"\n", "/x.toml"));
    CHECK_THROWS(parse_config("[practice]\nemail = \"not an address\"\n", "/x.toml"));
    CHECK_THROWS(parse_config("[practice]\nprivacy_url = \"http://a.ch/p\"\n", "/x.toml"));
    CHECK_THROWS(parse_config("[practice]\naddress = \"a\\nb\"\n", "/x.toml"));
    CHECK_THROWS(parse_config("[practice]\nphone = \"" + std::string(41, '1') + "\"\n", "/x.toml"));
}
