// SPDX-License-Identifier: Apache-2.0
// Typed, validated configuration loaded from sealpost.toml (DESIGN.md section 7).
// Every key has a default, a unit where it applies and a range; a bad file stops the start.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace sealpost {

/// A config file that cannot be used. what() is one line: `FILE:LINE: KEY: what is wrong`
/// (LINE and KEY are left out when they do not apply, e.g. a file that cannot be opened).
class ConfigError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// ---- enums (the TOML spelling is the lower-case enumerator name, see to_string) ----

enum class Language { de, fr, it, en };
enum class AuthMode { passthrough, local, none };
enum class ListenerKind { submission, submissions, plain };
enum class TlsMode { starttls, implicit, none };
enum class UpstreamKind { smtp, maildir };
enum class SmsProvider { outbox, http, twilio };
enum class HttpMethod { post, get, put };
enum class BodyEncoding { json, form };
enum class LogLevel { trace, debug, info, warn, error };
enum class VaultBackend { lmdb, postgresql };

/// Spelling used in the config file (and for log::init in the case of LogLevel).
std::string_view to_string(Language v) noexcept;
std::string_view to_string(AuthMode v) noexcept;
std::string_view to_string(ListenerKind v) noexcept;
std::string_view to_string(TlsMode v) noexcept;
std::string_view to_string(UpstreamKind v) noexcept;
std::string_view to_string(SmsProvider v) noexcept;
std::string_view to_string(HttpMethod v) noexcept;  ///< "POST", "GET", "PUT"
std::string_view to_string(BodyEncoding v) noexcept;
std::string_view to_string(LogLevel v) noexcept;

/// "de" -> Language::de; nullopt for anything else (exact, lower case). For CLI flags (--lang).
std::optional<Language> parse_language(std::string_view s) noexcept;

// ---- network values ----

/// An IPv4 or IPv6 network such as `10.0.0.0/8` or `fd00::/8`.
struct Cidr {
    bool v6 = false;
    std::array<std::uint8_t, 16> bytes{};  ///< network address; IPv4 uses the first 4 bytes
    unsigned prefix = 0;                   ///< 0..32 (IPv4) or 0..128 (IPv6)

    /// True when `ip` (an IP literal, IPv4 or IPv6) lies in this network. An IPv4-mapped IPv6
    /// address (::ffff:192.0.2.1) is compared as the IPv4 address. False for non-literals.
    [[nodiscard]] bool contains(std::string_view ip) const noexcept;
    /// Canonical text, e.g. "127.0.0.1/32".
    [[nodiscard]] std::string to_string() const;
    friend bool operator==(const Cidr&, const Cidr&) = default;
};

/// Parses `ADDR/PREFIX` (the prefix is required; host bits must be zero). nullopt if malformed.
std::optional<Cidr> parse_cidr(std::string_view text) noexcept;

/// True for an IPv4 or IPv6 literal (no host names, no brackets, no zone ids).
bool is_ip_literal(std::string_view s) noexcept;
/// True for an IP literal in 127.0.0.0/8 or ::1 (or IPv4-mapped loopback).
bool is_loopback_ip(std::string_view s) noexcept;

/// An address to listen on: `127.0.0.1:9025` or `[::1]:9443` in the file.
struct Endpoint {
    std::string address;     ///< IP literal without brackets
    std::uint16_t port = 0;  ///< 0 = let the OS pick a free port (tests)
    /// `127.0.0.1:9025` or `[::1]:9443`.
    [[nodiscard]] std::string to_string() const;
    friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

// ---- sections ----

struct PracticeConfig {
    std::string name = "Praxis Muster";               ///< shown in notices and the portal
    std::string base_url = "https://localhost:8443";  ///< portal URL for links, no trailing '/'
    Language default_language = Language::de;
    std::vector<std::string> internal_domains;  ///< lower-cased; recipients here get originals
    std::string from_address;                   ///< From of sealpost's own mails ("" = unset)
    std::filesystem::path logo;                 ///< optional logo file ("" = none)
    /// The language of what the practice's staff read: SMTP refusals and the download notice.
    /// nullopt (the file's "" or no key): refusals stay English and notices follow
    /// default_language, as before the key existed. See refusal_lang() and staff_lang().
    std::optional<Language> staff_language;
    // The duty to inform (revFADP art. 19): shown in the portal's footer and privacy page.
    std::string address;       ///< postal address, one line, 0..300 characters
    std::string phone;         ///< as the practice writes it ("+41 44 123 45 67"), 0..40
    std::string email;         ///< contact address for patients, local@domain or ""
    std::string privacy_url;   ///< the practice's own privacy notice, https:// or ""
    std::string privacy_text;  ///< extra text for the privacy page, 0..4000 characters
    /// Document names become "Dokument 1", "Dokument 2" ... in the patient's notice mail and
    /// on the landing page; the real names show only after the code (file names can be
    /// health data).
    bool hide_document_names = false;

    /// The download notices' language: staff_language, or default_language when it is not set.
    [[nodiscard]] Language staff_lang() const noexcept {
        return staff_language.value_or(default_language);
    }
    /// The SMTP refusals' language: staff_language, or English when it is not set (mail
    /// programs and existing procedures may match on the English text).
    [[nodiscard]] Language refusal_lang() const noexcept {
        return staff_language.value_or(Language::en);
    }

    /// True when `address_or_domain` (`a@praxis.ch` or `praxis.ch`) is in internal_domains
    /// (exact domain match, case-insensitive).
    [[nodiscard]] bool is_internal(std::string_view address_or_domain) const;

    friend bool operator==(const PracticeConfig&, const PracticeConfig&) = default;
};

struct VaultConfig {
    /// lmdb: the embedded store in `dir` (one host). postgresql: the shared engine for several
    /// nodes, reached through the DSN in `dsn_file`.
    VaultBackend backend = VaultBackend::lmdb;
    std::filesystem::path dir = "/var/lib/sealpost/vault";
    /// postgresql: a file holding the libpq connection string (it carries the password, so it
    /// must be readable by nobody but the daemon's user and group).
    std::filesystem::path dsn_file;
    std::uint32_t pool_size = 8;                 ///< postgresql: connections per process, 1..256
    std::chrono::seconds connect_timeout{5};     ///< postgresql: 1s..60s
    std::chrono::seconds statement_timeout{10};  ///< postgresql: per transaction, 1s..600s
    std::filesystem::path key_dir = "/etc/sealpost/keys";
    std::uint64_t map_size = 64ULL << 20;          ///< initial LMDB map, 1MiB..max_size
    std::uint64_t max_size = 8ULL << 30;           ///< map growth cap, map_size..1TiB
    std::chrono::seconds link_ttl{30LL * 86400};   ///< 1h..365d
    std::chrono::seconds retention{90LL * 86400};  ///< link_ttl..3650d
    /// A patient's renewals never keep the data past created + max_retention, retention..3650d
    /// (default 365d, or retention when that is longer).
    std::chrono::seconds max_retention{365LL * 86400};
    std::chrono::seconds orphan_grace{3600};            ///< pending, link expired and older: orphan
    std::chrono::seconds tombstone_ttl{365LL * 86400};  ///< how long purged ids are remembered
    /// Vault directory 0770 and files 0660 instead of 0700/0600: the packaged layout, where the
    /// proxy and the portal run as two users sharing the group `sealpost`.
    bool group_access = false;

    friend bool operator==(const VaultConfig&, const VaultConfig&) = default;
};

struct Listener {
    ListenerKind kind = ListenerKind::submission;
    std::string address;  ///< IP literal
    std::uint16_t port = 0;
    friend bool operator==(const Listener&, const Listener&) = default;
};

struct ProxyConfig {
    std::string hostname;  ///< EHLO/greeting name; the system hostname when not configured
    AuthMode auth = AuthMode::passthrough;
    std::filesystem::path users_file;  ///< required when auth = local
    std::vector<Cidr> trusted_networks{
        Cidr{false, {127, 0, 0, 1}, 32},
        Cidr{true, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128}};
    bool allow_plain_nonlocal = false;
    std::filesystem::path tls_cert = "/etc/sealpost/tls/proxy.crt";
    std::filesystem::path tls_key = "/etc/sealpost/tls/proxy.key";
    std::size_t max_command_line = 512;  ///< bytes incl. CRLF, 512..4096 (RFC 5321 4.5.3.1.4)
    std::size_t max_text_line = 1000;    ///< bytes incl. CRLF, 1000..65536 (RFC 5321 4.5.3.1.6)
    std::size_t max_recipients = 100;    ///< 1..1000
    std::uint64_t max_message_size = 25ULL << 20;  ///< 1KiB..1GiB, advertised as SIZE
    std::chrono::seconds command_timeout{300};     ///< 1s..1h
    std::chrono::seconds data_timeout{600};        ///< 1s..1h
    std::size_t max_sessions = 100;                ///< 1..10000
    std::size_t max_bad_commands = 10;             ///< 1..100
    /// Bytes of mail held at once over all sessions; a DATA that does not fit gets 452 4.3.1.
    /// 1MiB..64GiB, at least max_message_size.
    std::uint64_t max_inflight = 512ULL << 20;
    /// Open connections per client address (IPv6: per /64) on every listener, 1..10000.
    std::size_t max_connections_per_ip = 20;
    /// The last N of max_sessions only for trusted networks and authenticated sessions,
    /// 0..10000 (at most half of max_sessions takes effect).
    std::size_t reserved_sessions = 10;
    /// Before AUTH (untrusted clients): the wait for each command, and the whole time until
    /// authenticated, 1s..1h.
    std::chrono::seconds preauth_timeout{30};
    std::chrono::seconds preauth_time_limit{120};
    /// Stress mode (Postfix's): above this percent of max_sessions, untrusted sessions wait at
    /// most stress_timeout for a command. 1..100 percent; 1s..1h.
    std::size_t stress_threshold = 80;
    std::chrono::seconds stress_timeout{10};
    std::chrono::seconds shutdown_grace{30};  ///< 0s..10m
    std::filesystem::path policy_file = "/etc/sealpost/policies/default.toml";
    /// Notice templates notice.{de,fr,it,en}.{txt,html} (DESIGN 3, "Sealing").
    std::filesystem::path templates_dir = "/usr/share/sealpost/templates";
    /// Store an `[sms:...]` number as the recipient's contact once the upstream accepted it.
    bool learn_contacts = false;
    /// A subject tag or X-Sealpost-Phone number that differs from the recipient's stored
    /// contact is used for that mail instead of refusing it (550 5.7.1).
    bool allow_phone_override = false;
    Endpoint admin_listen{"127.0.0.1", 9025};  ///< metrics and health
    /// How often the download-notice queue is checked (DESIGN 5b), 1s..1h.
    std::chrono::seconds notice_interval{10};
    /// One reminder mail to a patient whose link is still unused this long before it expires
    /// (vault_reminders.cpp), 1m..29d; armed only when vault.link_ttl is longer.
    bool remind_patient = true;
    std::chrono::seconds remind_before{7LL * 86400};
    /// One notice to the sender when a link expired unused.
    bool notify_sender_on_expiry = true;
    std::vector<Listener> listeners{{ListenerKind::submission, "0.0.0.0", 587},
                                    {ListenerKind::submissions, "0.0.0.0", 465}};

    /// True when `ip` lies in one of trusted_networks.
    [[nodiscard]] bool is_trusted(std::string_view ip) const noexcept;

    friend bool operator==(const ProxyConfig&, const ProxyConfig&) = default;
};

struct UpstreamConfig {
    std::string url = "maildir:/var/lib/sealpost/maildir";  ///< as written (resolved for maildir)
    UpstreamKind kind = UpstreamKind::maildir;              ///< parsed from url
    std::string host;                                       ///< smtp: host name or IP literal
    std::uint16_t port = 0;                                 ///< smtp: 1..65535
    std::filesystem::path maildir = "/var/lib/sealpost/maildir";  ///< maildir: absolute path
    TlsMode tls = TlsMode::starttls;
    bool verify = true;                   ///< verify the certificate and the host name
    std::filesystem::path ca_file;        ///< "" = system store
    std::string username;                 ///< "" = no AUTH (or the client's in passthrough)
    std::filesystem::path password_file;  ///< the password is read by the SMTP client, not here
    std::chrono::seconds connect_timeout{30};   ///< 1s..10m
    std::chrono::seconds command_timeout{300};  ///< 1s..1h
    std::string helo_name;  ///< EHLO name towards the upstream; proxy.hostname when not configured

    friend bool operator==(const UpstreamConfig&, const UpstreamConfig&) = default;
};

/// sealpost's own mails (resend and download notices). An empty url means "use [upstream]";
/// Config::notify_upstream() gives the effective settings either way.
struct NotifyConfig {
    std::string url;  ///< "" = same as [upstream]
    UpstreamKind kind = UpstreamKind::maildir;
    std::string host;
    std::uint16_t port = 0;
    std::filesystem::path maildir;
    TlsMode tls = TlsMode::starttls;
    bool verify = true;
    std::filesystem::path ca_file;
    std::string username;
    std::filesystem::path password_file;

    friend bool operator==(const NotifyConfig&, const NotifyConfig&) = default;
};

struct PortalConfig {
    Endpoint listen{"0.0.0.0", 8443};
    bool tls = true;  ///< false only on a loopback listen address (behind a reverse proxy)
    std::filesystem::path tls_cert = "/etc/sealpost/tls/portal.crt";
    std::filesystem::path tls_key = "/etc/sealpost/tls/portal.key";
    std::string
        trusted_proxy;  ///< IP literal of a reverse proxy whose X-Forwarded-For counts; "" = none
    Endpoint admin_listen{"127.0.0.1", 9443};
    std::chrono::seconds code_ttl{600};            ///< 1m..1h
    unsigned code_length = 6;                      ///< digits, 6..10
    unsigned codes_per_window = 3;                 ///< 1..100
    std::chrono::seconds code_window{900};         ///< 1m..1d
    unsigned codes_per_day = 10;                   ///< codes_per_window..1000
    unsigned codes_per_ip_per_hour = 30;           ///< 1..10000
    unsigned max_tries_per_code = 5;               ///< 1..10
    unsigned killed_codes_before_lock = 3;         ///< 1..100
    std::chrono::seconds lock_duration{3600};      ///< 1m..30d
    unsigned max_tries_total = 20;                 ///< max_tries_per_code..1000
    std::chrono::seconds session_idle{900};        ///< 1m..1d
    std::chrono::seconds session_absolute{3600};   ///< session_idle..1d
    std::uint64_t max_zip_size = 100ULL << 20;     ///< 1MiB..4GiB
    std::uint64_t max_request_size = 16ULL << 10;  ///< request head + body, 1KiB..1MiB
    std::chrono::seconds request_timeout{30};      ///< 1s..10m
    std::filesystem::path templates_dir = "/usr/share/sealpost/portal";
    unsigned max_connections = 1000;  ///< open client connections, 1..100000
    /// Open connections from one address (IPv6: one /64), 1..max_connections; the
    /// trusted_proxy is not counted per address.
    unsigned max_connections_per_address = 32;
    std::chrono::seconds handshake_timeout{10};  ///< TLS handshake, 1s..5m
    /// A request's head (and the wait for the next one on a kept-alive connection), 1s..5m.
    std::chrono::seconds header_timeout{10};
    unsigned max_zip_per_session = 2;           ///< ZIP downloads at once in one session, 1..100
    unsigned max_zip_concurrent = 32;           ///< ZIP downloads at once in all, 1..10000
    std::chrono::seconds purge_interval{3600};  ///< the portal runs vault purge this often
    bool notify_sender_on_download = true;      ///< queue a notice to the practice (DESIGN 5b)

    friend bool operator==(const PortalConfig&, const PortalConfig&) = default;
};

struct SmsHeader {
    std::string name;
    std::string value;  ///< may carry a provider secret: never log
    friend bool operator==(const SmsHeader&, const SmsHeader&) = default;
};

struct SmsConfig {
    SmsProvider provider = SmsProvider::outbox;
    std::filesystem::path outbox_path = "/var/lib/sealpost/sms-outbox.log";
    std::string sender = "Praxis";  ///< SMS sender id
    std::string url;  ///< http: endpoint (https, or http on loopback); twilio: API base
    HttpMethod method = HttpMethod::post;
    std::vector<SmsHeader> headers;  ///< from "Name: value" strings; {secret} is replaced
    std::string body_template;       ///< placeholders {to}, {text}, {sender}, {secret}
    BodyEncoding body_encoding = BodyEncoding::json;
    std::string account_sid;                ///< twilio
    std::filesystem::path auth_token_file;  ///< twilio; read by the provider, not here
    /// http: the gateway's API key or password, for {secret} in url, headers and body_template;
    /// read by the provider (mode 0600 or stricter), not here.
    std::filesystem::path secret_file;
    std::chrono::seconds timeout{10};  ///< 1s..2m
    unsigned retries = 2;              ///< 0..5

    friend bool operator==(const SmsConfig&, const SmsConfig&) = default;
};

/// `[voice]`: a provider that calls the patient and reads the code aloud, for landlines. With a
/// provider (not "none", the default) the proxy and `sealpost contacts` accept landline numbers
/// and the portal offers "call me" for them. The other keys are those of [sms].
struct VoiceConfig {
    bool enabled = false;  ///< provider is not "none"
    /// The provider and its settings; outbox_path defaults to voice-outbox.log here.
    SmsConfig gateway = [] {
        SmsConfig g;
        g.outbox_path = "/var/lib/sealpost/voice-outbox.log";
        return g;
    }();

    friend bool operator==(const VoiceConfig&, const VoiceConfig&) = default;
};

struct LogConfig {
    LogLevel level = LogLevel::info;

    friend bool operator==(const LogConfig&, const LogConfig&) = default;
};

/// The whole configuration. Built once at start by load_config() or default_config() and then
/// only read (pass `const Config&`). Relative paths in the file are already resolved against the
/// file's directory. A plain `Config{}` holds the same defaults except proxy.hostname and
/// upstream.helo_name, which only load_config()/default_config() fill in.
struct Config {
    std::filesystem::path source;  ///< the file it was loaded from; "" for default_config()
    PracticeConfig practice;
    VaultConfig vault;
    ProxyConfig proxy;
    UpstreamConfig upstream;
    NotifyConfig notify;
    PortalConfig portal;
    SmsConfig sms;
    VoiceConfig voice;
    LogConfig log;

    /// Effective settings for sealpost's own mails: [upstream], overridden by [notify] when
    /// notify.url is set (timeouts and helo_name always come from [upstream]).
    [[nodiscard]] UpstreamConfig notify_upstream() const;

    friend bool operator==(const Config&, const Config&) = default;
};

/// Loads and validates `path`. Throws ConfigError (one line: `FILE:LINE: KEY: what is wrong`)
/// on a missing file, TOML syntax error, unknown section or key, wrong type, bad value, and on
/// an inline secret (sms_inline_secret) in a file that users other than its owner and group
/// may read.
Config load_config(const std::filesystem::path& path);

/// True when an SMS header or body field of this name carries a credential: Authorization,
/// Proxy-Authorization and names holding "key", "token", "secret", "pass", "pwd" or "auth"
/// (case-insensitive). Such a value must come from sms.secret_file ({secret}) unless the config
/// file is closed to other users.
bool is_credential_name(std::string_view name) noexcept;

/// Parses TOML text as if it were the file `path` (for tests and `sealpost config check`).
Config parse_config(std::string_view toml_text, const std::filesystem::path& path);

/// All defaults (what an empty file gives).
Config default_config();

}  // namespace sealpost
