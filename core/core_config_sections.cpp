// SPDX-License-Identifier: Apache-2.0
// The config schema: every key of every section with its default, unit and range, and the
// checks that span keys (retention >= link_ttl, plain listeners on loopback only, ...).
#include <algorithm>
#include <cctype>
#include <regex>

#include "core/core_config_reader.hpp"
#include "core/core_units.hpp"

namespace sealpost::config_detail {
namespace {

using std::chrono::seconds;
constexpr std::uint64_t KiB = 1ULL << 10;
constexpr std::uint64_t MiB = 1ULL << 20;
constexpr std::uint64_t GiB = 1ULL << 30;
constexpr std::uint64_t TiB = 1ULL << 40;
constexpr seconds kMinute{60};
constexpr seconds kHour{3600};
constexpr seconds kDay{86400};

template <class E>
E pick(Section& s, std::string_view key, E def, const std::vector<std::string_view>& names) {
    return static_cast<E>(s.choice(key, static_cast<std::size_t>(def), names));
}

// Built with append: `"'" + std::string(...)` trips GCC 12's -Wrestrict false positive at -O3.
std::string in_quotes(std::string_view v) {
    std::string out(1, '\'');
    out.append(v.substr(0, 80));
    out.push_back('\'');
    return out;
}

bool has_control(std::string_view v) {
    return std::any_of(v.begin(), v.end(), [](char c) {
        const auto u = static_cast<unsigned char>(c);
        return u < 0x20 || u == 0x7f;
    });
}

std::string lower(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

unsigned as_unsigned(std::int64_t v) {
    return static_cast<unsigned>(v);
}
std::size_t as_size(std::int64_t v) {
    return static_cast<std::size_t>(v);
}
/// A count's default as Section::integer takes it (every count's range fits).
std::int64_t as_int(std::size_t v) {
    return static_cast<std::int64_t>(v);
}

// A plain mail address: local@domain, no display name, no spaces or angle brackets.
bool is_mail_address(std::string_view a) {
    const auto at = a.rfind('@');
    if (at == std::string_view::npos || at == 0 || a.size() > 254 || has_control(a)) {
        return false;
    }
    if (a.find_first_of(" <>,;\"") != std::string_view::npos) {
        return false;
    }
    return is_hostname(a.substr(at + 1));
}

// https:// is required for anything a patient or a provider connects to, except on loopback
// (development, tests, a reverse proxy on the same host).
bool secure_or_loopback(const Url& u) {
    return u.scheme == "https" || (u.scheme == "http" && is_loopback_host(u.host));
}

// Upstream and notify share the url syntax: smtp://HOST:PORT or maildir:PATH.
template <class T>
void read_upstream_url(Section& s, const std::string& url, T& out) {
    constexpr std::string_view kMaildir = "maildir:";
    if (url.rfind(kMaildir, 0) == 0) {
        const std::string_view dir = std::string_view(url).substr(kMaildir.size());
        if (dir.empty()) {
            s.fail("url", "maildir: needs a directory, e.g. maildir:/var/lib/sealpost/maildir");
        }
        out.kind = UpstreamKind::maildir;
        out.maildir = s.file().resolve(dir);
        out.url = std::string(kMaildir) + out.maildir.string();
        out.host.clear();
        out.port = 0;
        return;
    }
    // The url is not echoed: a mistaken smtp://user:password@host must not reach a log.
    auto u = parse_url(url);
    if (!u || u->scheme != "smtp" || !u->port || !(u->path.empty() || u->path == "/")) {
        s.fail("url",
               "expected smtp://HOST:PORT or maildir:PATH (credentials go in username and "
               "password_file)");
    }
    out.kind = UpstreamKind::smtp;
    out.url = url;
    out.host = u->host;
    out.port = *u->port;
    out.maildir.clear();
}

// A function, not a static vector: constructing a static container may throw before main.
std::vector<std::string_view> tls_modes() {
    return {"starttls", "implicit", "none"};
}

/// The staff language, the duty-to-inform details and the name switch of [practice].
void read_practice_contact(Section& s, PracticeConfig& out) {
    const std::string staff = s.string(
        "staff_language", out.staff_language ? std::string(to_string(*out.staff_language)) : "");
    if (staff.empty()) {
        out.staff_language.reset();
    } else if (auto l = parse_language(staff)) {
        out.staff_language = *l;
    } else {
        s.fail("staff_language", in_quotes(staff) + " is not one of \"\", de, fr, it, en");
    }
    const auto line = [&s](std::string_view key, std::string& value, std::size_t max) {
        value = s.string(key, value);
        if (value.size() > max || has_control(value)) {
            s.fail(key, "must be at most " + std::to_string(max) +
                            " characters without control characters");
        }
    };
    line("address", out.address, 300);
    line("phone", out.phone, 40);
    out.email = s.string("email", out.email);
    if (!out.email.empty() && !is_mail_address(out.email)) {
        s.fail("email", in_quotes(out.email) + " is not a mail address (local@domain)");
    }
    out.privacy_url = s.string("privacy_url", out.privacy_url);
    if (!out.privacy_url.empty()) {
        auto u = parse_url(out.privacy_url);
        if (!u || u->scheme != "https" || has_control(out.privacy_url)) {
            s.fail("privacy_url", in_quotes(out.privacy_url) + " is not an https:// URL");
        }
    }
    // Paragraphs are separated by line breaks; no other control characters.
    out.privacy_text = s.string("privacy_text", out.privacy_text);
    if (out.privacy_text.size() > 4000 ||
        std::any_of(out.privacy_text.begin(), out.privacy_text.end(), [](char c) {
            const auto u = static_cast<unsigned char>(c);
            return (u < 0x20 && c != '\n') || u == 0x7f;
        })) {
        s.fail("privacy_text",
               "must be at most 4000 characters without control characters but line breaks");
    }
    out.hide_document_names = s.boolean("hide_document_names", out.hide_document_names);
}

}  // namespace

void read_practice(Section& s, PracticeConfig& out) {
    out.name = s.string("name", out.name);
    if (out.name.empty() || out.name.size() > 200 || has_control(out.name)) {
        s.fail("name", "must be 1 to 200 characters without control characters");
    }

    std::string base = s.string("base_url", out.base_url);
    while (!base.empty() && base.back() == '/') {
        base.pop_back();
    }
    auto u = parse_url(base);
    if (!u || (u->scheme != "https" && u->scheme != "http")) {
        s.fail("base_url", in_quotes(base) + " is not a URL such as https://portal.example.ch");
    }
    if (!secure_or_loopback(*u)) {
        s.fail("base_url", "must start with https:// (http:// only for localhost)");
    }
    out.base_url = base;

    out.default_language =
        pick(s, "default_language", out.default_language, {"de", "fr", "it", "en"});

    auto domains = s.strings("internal_domains", out.internal_domains);
    out.internal_domains.clear();
    for (std::size_t i = 0; i < domains.size(); ++i) {
        if (!is_hostname(domains[i])) {
            s.fail_element("internal_domains", i, in_quotes(domains[i]) + " is not a domain name");
        }
        out.internal_domains.push_back(lower(domains[i]));
    }

    out.from_address = s.string("from_address", out.from_address);
    if (!out.from_address.empty() && !is_mail_address(out.from_address)) {
        s.fail("from_address",
               in_quotes(out.from_address) + " is not a mail address (local@domain)");
    }
    out.logo = s.path("logo", out.logo);
    read_practice_contact(s, out);
}

void read_vault(Section& s, VaultConfig& out) {
    out.backend = pick(s, "backend", out.backend, {"lmdb", "postgresql"});
    out.dsn_file = s.path("dsn_file", out.dsn_file);
    if (out.backend == VaultBackend::postgresql && out.dsn_file.empty()) {
        s.fail("dsn_file", "is required when vault.backend = \"postgresql\"",
               s.has("backend") ? "backend" : "dsn_file");
    }
    out.pool_size = static_cast<std::uint32_t>(s.integer("pool_size", out.pool_size, 1, 256));
    out.connect_timeout = s.duration("connect_timeout", out.connect_timeout, seconds{1}, kMinute);
    out.statement_timeout =
        s.duration("statement_timeout", out.statement_timeout, seconds{1}, 10 * kMinute);
    out.dir = s.path("dir", out.dir);
    if (out.dir.empty()) {
        s.fail("dir", "must not be empty");
    }
    out.key_dir = s.path("key_dir", out.key_dir);
    if (out.key_dir.empty()) {
        s.fail("key_dir", "must not be empty");
    }
    out.max_size = s.size("max_size", out.max_size, MiB, TiB);
    out.map_size = s.size("map_size", out.map_size, MiB, out.max_size);
    if (out.map_size > out.max_size) {  // only reachable with a small max_size and default map
        s.fail("max_size", format_size(out.max_size) + " is less than vault.map_size (" +
                               format_size(out.map_size) + ")");
    }
    out.link_ttl = s.duration("link_ttl", out.link_ttl, kHour, 365 * kDay);
    out.retention = s.duration("retention", out.retention, kHour, 3650 * kDay);
    if (out.retention < out.link_ttl) {
        // Retention shorter than the link would purge data behind a link that still works.
        s.fail("retention",
               format_duration(out.retention) + " is shorter than vault.link_ttl (" +
                   format_duration(out.link_ttl) + ")",
               s.has("retention") ? "retention" : "link_ttl");
    }
    // Not set: a year, or retention when that is longer (a long retention alone stays valid).
    out.max_retention =
        s.duration("max_retention", std::max(out.max_retention, out.retention), kHour, 3650 * kDay);
    if (out.max_retention < out.retention) {
        // A renewal may extend the data's life, never shorten what retention promised.
        s.fail("max_retention", format_duration(out.max_retention) +
                                    " is shorter than vault.retention (" +
                                    format_duration(out.retention) + ")");
    }
    out.orphan_grace = s.duration("orphan_grace", out.orphan_grace, seconds{1}, 7 * kDay);
    out.tombstone_ttl = s.duration("tombstone_ttl", out.tombstone_ttl, kDay, 3650 * kDay);
    out.group_access = s.boolean("group_access", out.group_access);
}

void read_proxy(Section& s, ProxyConfig& out) {
    out.hostname = s.string("hostname", out.hostname);
    if (out.hostname.empty()) {
        out.hostname = system_hostname();
    } else if (!is_hostname(out.hostname)) {
        s.fail("hostname", in_quotes(out.hostname) + " is not a host name");
    }

    out.auth = pick(s, "auth", out.auth, {"passthrough", "local", "none"});
    out.users_file = s.path("users_file", out.users_file);
    if (out.auth == AuthMode::local && out.users_file.empty()) {
        s.fail("users_file", "required when proxy.auth = \"local\"", "auth");
    }

    std::vector<std::string> default_networks;
    for (const Cidr& c : out.trusted_networks) {
        default_networks.push_back(c.to_string());
    }
    const auto networks = s.strings("trusted_networks", std::move(default_networks));
    out.trusted_networks.clear();
    for (std::size_t i = 0; i < networks.size(); ++i) {
        auto c = parse_cidr(networks[i]);
        if (!c) {
            s.fail_element("trusted_networks", i,
                           in_quotes(networks[i]) +
                               " is not a network such as 192.168.1.0/24 or fd00::/8 (prefix "
                               "required, host bits zero)");
        }
        out.trusted_networks.push_back(*c);
    }

    out.allow_plain_nonlocal = s.boolean("allow_plain_nonlocal", out.allow_plain_nonlocal);
    out.tls_cert = s.path("tls_cert", out.tls_cert);
    out.tls_key = s.path("tls_key", out.tls_key);
    // RFC 5321 4.5.3.1.4 / 4.5.3.1.6: 512 and 1000 octets are the minimums a server must accept.
    out.max_command_line =
        as_size(s.integer("max_command_line", as_int(out.max_command_line), 512, 4096));
    out.max_text_line = as_size(s.integer("max_text_line", as_int(out.max_text_line), 1000, 65536));
    out.max_recipients = as_size(s.integer("max_recipients", as_int(out.max_recipients), 1, 1000));
    out.max_message_size = s.size("max_message_size", out.max_message_size, KiB, GiB);
    out.command_timeout = s.duration("command_timeout", out.command_timeout, seconds{1}, kHour);
    out.data_timeout = s.duration("data_timeout", out.data_timeout, seconds{1}, kHour);
    out.max_sessions = as_size(s.integer("max_sessions", as_int(out.max_sessions), 1, 10000));
    out.max_bad_commands =
        as_size(s.integer("max_bad_commands", as_int(out.max_bad_commands), 1, 100));
    out.max_inflight = s.size("max_inflight", out.max_inflight, MiB, 64 * GiB);
    if (out.max_inflight < out.max_message_size) {
        s.fail("max_inflight", "must be at least max_message_size");
    }
    out.max_connections_per_ip =
        as_size(s.integer("max_connections_per_ip", as_int(out.max_connections_per_ip), 1, 10000));
    out.reserved_sessions =
        as_size(s.integer("reserved_sessions", as_int(out.reserved_sessions), 0, 10000));
    out.preauth_timeout = s.duration("preauth_timeout", out.preauth_timeout, seconds{1}, kHour);
    out.preauth_time_limit =
        s.duration("preauth_time_limit", out.preauth_time_limit, seconds{1}, kHour);
    out.stress_threshold =
        as_size(s.integer("stress_threshold", as_int(out.stress_threshold), 1, 100));
    out.stress_timeout = s.duration("stress_timeout", out.stress_timeout, seconds{1}, kHour);
    out.shutdown_grace = s.duration("shutdown_grace", out.shutdown_grace, seconds{0}, 10 * kMinute);
    out.policy_file = s.path("policy_file", out.policy_file);
    if (out.policy_file.empty()) {
        s.fail("policy_file", "must not be empty");
    }
    out.templates_dir = s.path("templates_dir", out.templates_dir);
    if (out.templates_dir.empty()) {
        s.fail("templates_dir", "must not be empty");
    }
    out.learn_contacts = s.boolean("learn_contacts", out.learn_contacts);
    out.allow_phone_override = s.boolean("allow_phone_override", out.allow_phone_override);
    const std::string admin = s.string("admin_listen", out.admin_listen.to_string());
    auto ep = parse_endpoint(admin);
    if (!ep) {
        s.fail("admin_listen", in_quotes(admin) + " is not IP:PORT (e.g. 127.0.0.1:9025)");
    }
    out.admin_listen = *ep;
    out.notice_interval = s.duration("notice_interval", out.notice_interval, seconds{1}, kHour);
    out.remind_patient = s.boolean("remind_patient", out.remind_patient);
    out.remind_before = s.duration("remind_before", out.remind_before, kMinute, 29 * kDay);
    out.notify_sender_on_expiry = s.boolean("notify_sender_on_expiry", out.notify_sender_on_expiry);

    // Without [[proxy.listener]] tables, ProxyConfig's default listeners stay.
    std::vector<Listener> default_listeners = std::move(out.listeners);
    out.listeners.clear();
    if (const toml::array* arr = s.table_array("listener")) {
        for (std::size_t i = 0; i < arr->size(); ++i) {
            const toml::table* t = arr->get(i)->as_table();
            Section ls(s.file(), t, s.dotted("listener") + "[" + std::to_string(i) + "]",
                       static_cast<std::uint32_t>(t->source().begin.line));
            Listener l;
            l.kind =
                pick(ls, "kind", ListenerKind::submission, {"submission", "submissions", "plain"});
            const bool plain = l.kind == ListenerKind::plain;
            l.address = ls.string("address", plain ? "127.0.0.1" : "0.0.0.0");
            if (!is_ip_literal(l.address)) {
                ls.fail("address", in_quotes(l.address) + " is not an IP address literal");
            }
            const std::int64_t def_port = l.kind == ListenerKind::submission    ? 587
                                          : l.kind == ListenerKind::submissions ? 465
                                                                                : 10025;
            l.port = static_cast<std::uint16_t>(ls.integer("port", def_port, 0, 65535));
            if (plain && !is_loopback_ip(l.address) && !out.allow_plain_nonlocal) {
                // Plain SMTP off-host would carry credentials and mail in clear (DESIGN 3).
                ls.fail("address", "a plain listener on non-loopback address " + l.address +
                                       " needs proxy.allow_plain_nonlocal = true");
            }
            for (std::size_t j = 0; j < out.listeners.size(); ++j) {
                if (l.port != 0 && out.listeners[j].port == l.port &&
                    out.listeners[j].address == l.address) {
                    ls.fail("port",
                            "same address and port as proxy.listener[" + std::to_string(j) + "]");
                }
            }
            ls.finish();
            out.listeners.push_back(l);
        }
    } else {
        out.listeners = std::move(default_listeners);
    }
    const bool needs_tls =
        std::any_of(out.listeners.begin(), out.listeners.end(),
                    [](const Listener& l) { return l.kind != ListenerKind::plain; });
    if (needs_tls && out.tls_cert.empty()) {
        s.fail("tls_cert", "required for submission and submissions listeners");
    }
    if (needs_tls && out.tls_key.empty()) {
        s.fail("tls_key", "required for submission and submissions listeners");
    }
}

// TLS and credential keys shared by [upstream] and [notify].
template <class SmtpTarget>
void read_smtp_security(Section& s, SmtpTarget& out) {
    out.tls = pick(s, "tls", out.tls, tls_modes());
    out.verify = s.boolean("verify", out.verify);
    out.ca_file = s.path("ca_file", out.ca_file);
    out.username = s.string("username", out.username);
    if (has_control(out.username)) {
        s.fail("username", "contains control characters");
    }
    out.password_file = s.path("password_file", out.password_file);
    if (!out.password_file.empty() && out.username.empty()) {
        s.fail("username", "required when password_file is set", "password_file");
    }
}

void read_upstream(Section& s, UpstreamConfig& out) {
    read_upstream_url(s, s.string("url", out.url), out);
    read_smtp_security(s, out);
    out.connect_timeout =
        s.duration("connect_timeout", out.connect_timeout, seconds{1}, 10 * kMinute);
    out.command_timeout = s.duration("command_timeout", out.command_timeout, seconds{1}, kHour);
    out.helo_name = s.string("helo_name", out.helo_name);
    if (!out.helo_name.empty() && !is_hostname(out.helo_name)) {
        s.fail("helo_name", in_quotes(out.helo_name) + " is not a host name");
    }
}

void read_notify(Section& s, NotifyConfig& out) {
    const std::string url = s.string("url", out.url);
    if (url.empty()) {
        // Without a url [upstream] is used as a whole; a lone override would be silently ignored.
        for (std::string_view k : {"tls", "verify", "ca_file", "username", "password_file"}) {
            if (s.has(k)) {
                s.fail(k, "has no effect without notify.url (then [upstream] is used)");
            }
        }
        out = NotifyConfig{};
        return;
    }
    read_upstream_url(s, url, out);
    read_smtp_security(s, out);
}

void read_portal(Section& s, PortalConfig& out) {
    const std::string listen = s.string("listen", out.listen.to_string());
    auto ep = parse_endpoint(listen);
    if (!ep) {
        s.fail("listen", in_quotes(listen) + " is not IP:PORT (e.g. 0.0.0.0:8443)");
    }
    out.listen = *ep;
    out.tls = s.boolean("tls", out.tls);
    if (!out.tls && !is_loopback_ip(out.listen.address)) {
        s.fail("tls",
               "may be false only with a loopback portal.listen address (behind a reverse "
               "proxy)");
    }
    out.tls_cert = s.path("tls_cert", out.tls_cert);
    out.tls_key = s.path("tls_key", out.tls_key);
    if (out.tls && out.tls_cert.empty()) {
        s.fail("tls_cert", "required when portal.tls = true");
    }
    if (out.tls && out.tls_key.empty()) {
        s.fail("tls_key", "required when portal.tls = true");
    }
    out.trusted_proxy = s.string("trusted_proxy", out.trusted_proxy);
    if (!out.trusted_proxy.empty() && !is_ip_literal(out.trusted_proxy)) {
        s.fail("trusted_proxy", in_quotes(out.trusted_proxy) + " is not an IP address literal");
    }
    const std::string admin = s.string("admin_listen", out.admin_listen.to_string());
    auto aep = parse_endpoint(admin);
    if (!aep) {
        s.fail("admin_listen", in_quotes(admin) + " is not IP:PORT (e.g. 127.0.0.1:9443)");
    }
    out.admin_listen = *aep;

    out.code_ttl = s.duration("code_ttl", out.code_ttl, kMinute, kHour);
    out.code_length = as_unsigned(s.integer("code_length", out.code_length, 6, 10));
    out.codes_per_window = as_unsigned(s.integer("codes_per_window", out.codes_per_window, 1, 100));
    out.code_window = s.duration("code_window", out.code_window, kMinute, kDay);
    out.codes_per_day =
        as_unsigned(s.integer("codes_per_day", out.codes_per_day, out.codes_per_window, 1000));
    out.codes_per_ip_per_hour =
        as_unsigned(s.integer("codes_per_ip_per_hour", out.codes_per_ip_per_hour, 1, 10000));
    out.max_tries_per_code =
        as_unsigned(s.integer("max_tries_per_code", out.max_tries_per_code, 1, 10));
    out.killed_codes_before_lock =
        as_unsigned(s.integer("killed_codes_before_lock", out.killed_codes_before_lock, 1, 100));
    out.lock_duration = s.duration("lock_duration", out.lock_duration, kMinute, 30 * kDay);
    out.max_tries_total = as_unsigned(
        s.integer("max_tries_total", out.max_tries_total, out.max_tries_per_code, 1000));
    out.session_idle = s.duration("session_idle", out.session_idle, kMinute, kDay);
    out.session_absolute =
        s.duration("session_absolute", out.session_absolute, out.session_idle, kDay);
    out.max_zip_size = s.size("max_zip_size", out.max_zip_size, MiB, 4 * GiB);
    out.max_request_size = s.size("max_request_size", out.max_request_size, KiB, MiB);
    out.request_timeout =
        s.duration("request_timeout", out.request_timeout, seconds{1}, 10 * kMinute);
    out.templates_dir = s.path("templates_dir", out.templates_dir);
    if (out.templates_dir.empty()) {
        s.fail("templates_dir", "must not be empty");
    }
    out.max_connections = as_unsigned(s.integer("max_connections", out.max_connections, 1, 100000));
    out.max_connections_per_address = as_unsigned(s.integer(
        "max_connections_per_address",
        std::min(out.max_connections_per_address, out.max_connections), 1, out.max_connections));
    out.handshake_timeout =
        s.duration("handshake_timeout", out.handshake_timeout, seconds{1}, 5 * kMinute);
    out.header_timeout = s.duration("header_timeout", out.header_timeout, seconds{1}, 5 * kMinute);
    out.max_zip_per_session =
        as_unsigned(s.integer("max_zip_per_session", out.max_zip_per_session, 1, 100));
    out.max_zip_concurrent = as_unsigned(
        s.integer("max_zip_concurrent", std::max(out.max_zip_concurrent, out.max_zip_per_session),
                  out.max_zip_per_session, 10000));
    out.purge_interval = s.duration("purge_interval", out.purge_interval, kMinute, kDay);
    out.notify_sender_on_download =
        s.boolean("notify_sender_on_download", out.notify_sender_on_download);
}

namespace {

// RFC 9110 5.1 field-name = token.
bool is_token(std::string_view t) {
    static constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
    return !t.empty() && std::all_of(t.begin(), t.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
               kExtra.find(c) != std::string_view::npos;
    });
}

// The SMS url may carry placeholders in its path and query (GET providers), so only the part
// up to the authority is checked strictly.
bool sms_url_ok(std::string_view url) {
    const auto sep = url.find("://");
    if (sep == std::string_view::npos || has_control(url) ||
        url.find(' ') != std::string_view::npos) {
        return false;
    }
    const auto end = url.find_first_of("/?#", sep + 3);
    auto u = parse_url(url.substr(0, end));
    return u && secure_or_loopback(*u);
}

/// The first field of `text` (a JSON member `"Name": "value"` of a body template, or a
/// `name=value` pair of a form body or a URL's query) whose name is a credential and whose
/// value is written inline rather than taken from {secret}. "" when there is none.
std::string inline_credential(std::string_view text) {
    static const std::regex kJson(R"re("([^"\\]{1,64})"\s*:\s*"([^"\\]*)")re");
    static const std::regex kPair(R"re((?:^|[?&])([^=&?#"{}]{1,64})=([^&#]*))re");
    for (const std::regex* re : {&kJson, &kPair}) {
        for (std::regex_iterator<std::string_view::const_iterator>
                 it(text.begin(), text.end(), *re),
             end;
             it != end; ++it) {
            std::string name = (*it)[1].str();
            const std::string value = (*it)[2].str();
            if (is_credential_name(name) && !value.empty() &&
                value.find("{secret}") == std::string::npos) {
                return name;
            }
        }
    }
    return {};
}

/// The refusal of an inline credential in a config file that others may read.
std::string inline_refusal(std::string_view what, const std::string& mode) {
    return std::string(what) + " is written inline in a config file others can read (mode " + mode +
           "); put it in sms.secret_file and write {secret} here, or make the file 0640 or "
           "stricter";
}

}  // namespace

namespace {

/// {secret} needs sms.secret_file; a credential written inline needs a config file that others
/// cannot read (issue: the package installs sealpost.toml 0644).
void check_sms_secrets(const Section& s, const SmsConfig& out) {
    constexpr std::string_view kSecret = "{secret}";
    const bool uses_secret =
        out.url.find(kSecret) != std::string::npos ||
        out.body_template.find(kSecret) != std::string::npos ||
        std::any_of(out.headers.begin(), out.headers.end(), [kSecret](const SmsHeader& h) {
            return h.value.find(kSecret) != std::string::npos;
        });
    if (uses_secret && out.secret_file.empty()) {
        s.fail("secret_file", "required when url, headers or body_template use {secret}",
               s.has("body_template") ? "body_template" : "headers");
    }
    const std::string& mode = s.file().others_mode();
    if (mode.empty()) {
        return;
    }
    for (std::size_t i = 0; i < out.headers.size(); ++i) {
        const SmsHeader& h = out.headers[i];
        if (is_credential_name(h.name) && h.value.find(kSecret) == std::string::npos) {
            s.fail_element("headers", i, inline_refusal("the " + h.name + " value", mode));
        }
    }
    if (const std::string name = inline_credential(out.body_template); !name.empty()) {
        s.fail("body_template", inline_refusal("the \"" + name + "\" value", mode));
    }
    const auto query = out.url.find('?');
    if (query != std::string::npos) {
        if (const std::string name = inline_credential(out.url.substr(query)); !name.empty()) {
            s.fail("url", inline_refusal("the \"" + name + "\" parameter", mode));
        }
    }
}

}  // namespace

void read_sms(Section& s, SmsConfig& out) {
    read_code_gateway(s, out);
}

void read_voice(Section& s, VoiceConfig& out) {
    // "none" (the default) keeps landlines refused; any provider turns calls on.
    const std::size_t provider =
        s.choice("provider", out.enabled ? static_cast<std::size_t>(out.gateway.provider) + 1 : 0,
                 {"none", "outbox", "http", "twilio"});
    out.enabled = provider != 0;
    if (out.enabled) {
        out.gateway.provider = static_cast<SmsProvider>(provider - 1);
    }
    read_code_gateway(s, out.gateway, false);
    // A call's caller id is a number the provider owns (Twilio: a verified or bought number);
    // alphanumeric sender ids exist only for SMS.
    if (out.enabled && out.gateway.provider == SmsProvider::twilio &&
        out.gateway.sender.front() != '+') {
        s.fail("sender", "must be a phone number like +41441234567 for twilio calls");
    }
}

void read_code_gateway(Section& s, SmsConfig& out, bool read_provider) {
    const std::string provider_key = s.dotted("provider");
    if (read_provider) {
        out.provider = pick(s, "provider", out.provider, {"outbox", "http", "twilio"});
    }
    out.outbox_path = s.path("outbox_path", out.outbox_path);
    if (out.provider == SmsProvider::outbox && out.outbox_path.empty()) {
        s.fail("outbox_path", "required when " + provider_key + " = \"outbox\"", "provider");
    }

    out.sender = s.string("sender", out.sender);
    // GSM 03.38 alphanumeric sender ids are at most 11 characters; a numeric one is E.164.
    const bool numeric = !out.sender.empty() && out.sender.front() == '+' &&
                         out.sender.size() <= 16 && out.sender.size() >= 4 &&
                         std::all_of(out.sender.begin() + 1, out.sender.end(),
                                     [](char c) { return c >= '0' && c <= '9'; });
    const bool alnum = !out.sender.empty() && out.sender.size() <= 11 &&
                       std::all_of(out.sender.begin(), out.sender.end(), [](char c) {
                           return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == ' ' ||
                                  c == '.' || c == '-';
                       });
    if (!numeric && !alnum) {
        s.fail("sender",
               "must be 1 to 11 letters, digits, spaces, dots or dashes, or a number like "
               "+41791234567");
    }

    out.url = s.string("url", out.url);
    if (out.provider == SmsProvider::twilio && out.url.empty()) {
        out.url = "https://api.twilio.com";
    }
    if (out.provider == SmsProvider::http && out.url.empty()) {
        s.fail("url", "required when " + provider_key + " = \"http\"", "provider");
    }
    if (!out.url.empty() && !sms_url_ok(out.url)) {
        s.fail("url", "must be an https:// URL (http:// only for localhost)");
    }

    out.method = pick(s, "method", out.method, {"POST", "GET", "PUT"});
    const auto headers = s.strings("headers", {});
    out.headers.clear();
    for (std::size_t i = 0; i < headers.size(); ++i) {
        const std::string& h = headers[i];
        const auto colon = h.find(':');
        // Not echoed: header values often hold API keys.
        if (colon == std::string::npos || !is_token(h.substr(0, colon)) || has_control(h)) {
            s.fail_element("headers", i, "expected \"Name: value\"");
        }
        std::string value = h.substr(colon + 1);
        value.erase(0, value.find_first_not_of(" \t") == std::string::npos
                           ? value.size()
                           : value.find_first_not_of(" \t"));
        while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
            value.pop_back();
        }
        out.headers.push_back({h.substr(0, colon), value});
    }

    out.body_template = s.string("body_template", out.body_template);
    // `{word}` must be a known placeholder, so that a typo does not send "{txt}" to a patient.
    for (std::size_t open = out.body_template.find('{'); open != std::string::npos;
         open = out.body_template.find('{', open + 1)) {
        std::size_t close = open + 1;
        while (close < out.body_template.size() &&
               (std::islower(static_cast<unsigned char>(out.body_template[close])) != 0 ||
                out.body_template[close] == '_')) {
            ++close;
        }
        if (close < out.body_template.size() && out.body_template[close] == '}' &&
            close > open + 1) {
            const std::string name = out.body_template.substr(open + 1, close - open - 1);
            if (name != "to" && name != "text" && name != "sender" && name != "secret") {
                s.fail("body_template",
                       "unknown placeholder {" + name + "} (use {to}, {text}, {sender}, {secret})");
            }
        }
    }
    if (out.provider == SmsProvider::http && out.method != HttpMethod::get &&
        out.body_template.empty()) {
        s.fail("body_template",
               "required when " + provider_key + " = \"http\" and method is POST or PUT",
               "provider");
    }
    out.body_encoding = pick(s, "body_encoding", out.body_encoding, {"json", "form"});

    out.account_sid = s.string("account_sid", out.account_sid);
    if (!std::all_of(out.account_sid.begin(), out.account_sid.end(),
                     [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; })) {
        s.fail("account_sid", "must be letters and digits only");
    }
    out.auth_token_file = s.path("auth_token_file", out.auth_token_file);
    if (out.provider == SmsProvider::twilio && out.account_sid.empty()) {
        s.fail("account_sid", "required when " + provider_key + " = \"twilio\"", "provider");
    }
    if (out.provider == SmsProvider::twilio && out.auth_token_file.empty()) {
        s.fail("auth_token_file", "required when " + provider_key + " = \"twilio\"", "provider");
    }
    out.secret_file = s.path("secret_file", out.secret_file);
    if (!out.secret_file.empty() && out.provider != SmsProvider::http) {
        s.fail("secret_file", "only for sms.provider = \"http\" (twilio: auth_token_file)");
    }
    check_sms_secrets(s, out);
    out.timeout = s.duration("timeout", out.timeout, seconds{1}, 2 * kMinute);
    out.retries = as_unsigned(s.integer("retries", out.retries, 0, 5));
}

void read_log(Section& s, LogConfig& out) {
    out.level = pick(s, "level", out.level, {"trace", "debug", "info", "warn", "error"});
}

}  // namespace sealpost::config_detail
