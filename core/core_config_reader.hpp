// SPDX-License-Identifier: Apache-2.0
// Internal to core_config*.cpp: typed, range-checked reading of one TOML table that remembers
// which keys it consumed (so unknown keys are errors), and the network/URL syntax helpers.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "core/core_config.hpp"

namespace sealpost::config_detail {

/// The file being read: its name for messages and its directory for relative paths.
class FileContext {
  public:
    FileContext(std::string label, std::filesystem::path base_dir, std::string others_mode = {})
        : label_(std::move(label)),
          base_dir_(std::move(base_dir)),
          others_mode_(std::move(others_mode)) {}

    /// Throws ConfigError `LABEL:LINE: KEY: what` (`:LINE` left out when line is 0, `KEY: ` when
    /// key is empty). `what` is made one line.
    [[noreturn]] void fail(std::uint32_t line, std::string_view key, std::string_view what) const;

    /// Relative paths are taken relative to the config file's directory; "" stays "".
    [[nodiscard]] std::filesystem::path resolve(std::string_view p) const;

    /// The file's mode ("0644") when users other than its owner and group may read it, so
    /// that it must not hold a secret inline; "" when they may not, or for text without a file.
    [[nodiscard]] const std::string& others_mode() const { return others_mode_; }

  private:
    std::string label_;
    std::filesystem::path base_dir_;
    std::string others_mode_;
};

/// Reads the keys of one table (`[vault]`, or one `[[proxy.listener]]` entry). Every getter
/// returns the default when the key is absent and throws ConfigError on a wrong type or value.
class Section {
  public:
    /// `table` may be null (section absent: everything defaults). `prefix` is the dotted name
    /// used in messages (`vault`, `proxy.listener[0]`).
    Section(const FileContext& file, const toml::table* table, std::string prefix,
            std::uint32_t header_line);

    [[nodiscard]] bool has(std::string_view key) const;
    /// Line of the key's value, else of the section header, else 0.
    [[nodiscard]] std::uint32_t line_of(std::string_view key) const;
    /// `prefix.key`.
    [[nodiscard]] std::string dotted(std::string_view key) const;
    /// Throws for `prefix.key` at the line of `key` (or of `line_key` when given and present).
    [[noreturn]] void fail(std::string_view key, std::string_view what,
                           std::string_view line_key = {}) const;

    std::string string(std::string_view key, const std::string& def);
    bool boolean(std::string_view key, bool def);
    std::int64_t integer(std::string_view key, std::int64_t def, std::int64_t lo, std::int64_t hi);
    std::chrono::seconds duration(std::string_view key, std::chrono::seconds def,
                                  std::chrono::seconds lo, std::chrono::seconds hi);
    std::uint64_t size(std::string_view key, std::uint64_t def, std::uint64_t lo, std::uint64_t hi);
    std::filesystem::path path(std::string_view key, const std::filesystem::path& def);
    std::vector<std::string> strings(std::string_view key, std::vector<std::string> def);
    /// Throws for element `index` of the array `key` (`prefix.key[index]`, at its line).
    [[noreturn]] void fail_element(std::string_view key, std::size_t index,
                                   std::string_view what) const;
    /// One of `names` (exact spelling); returns its index.
    std::size_t choice(std::string_view key, std::size_t def,
                       const std::vector<std::string_view>& names);
    /// The array of tables under `key`, or null when absent.
    const toml::array* table_array(std::string_view key);

    /// Throws for the first key in the table that no getter asked for.
    void finish() const;

    [[nodiscard]] const FileContext& file() const { return file_; }

  private:
    const toml::node* node(std::string_view key);
    const std::string* string_node(std::string_view key);

    const FileContext& file_;
    const toml::table* table_;
    std::string prefix_;
    std::uint32_t header_line_;
    std::set<std::string, std::less<>> consumed_;
};

/// Human name of a TOML value's type ("an integer", "a string", ...).
std::string_view type_name(const toml::node& n);

// ---- syntax helpers (core_config_net.cpp) ----

/// A host name of LDH labels (RFC 1123 2.1), at most 253 characters.
bool is_hostname(std::string_view s);

struct Url {
    std::string scheme;  ///< lower case
    std::string host;    ///< without brackets for IPv6
    std::optional<std::uint16_t> port;
    std::string path;  ///< from the first '/' on, "" when absent
};
/// `scheme://host[:port][/path]` with a hostname, IPv4 or [IPv6] host; no userinfo, query or
/// fragment. nullopt when malformed.
std::optional<Url> parse_url(std::string_view s);

/// `IP:PORT` or `[IPv6]:PORT`.
std::optional<Endpoint> parse_endpoint(std::string_view s);

/// `localhost`, 127.0.0.0/8 or ::1.
bool is_loopback_host(std::string_view host);

/// The system's host name, or "localhost" when it cannot be read.
std::string system_hostname();

// ---- sections (core_config_sections.cpp) ----

void read_practice(Section& s, PracticeConfig& out);
void read_vault(Section& s, VaultConfig& out);
void read_proxy(Section& s, ProxyConfig& out);
void read_upstream(Section& s, UpstreamConfig& out);
void read_notify(Section& s, NotifyConfig& out);
void read_portal(Section& s, PortalConfig& out);
void read_sms(Section& s, SmsConfig& out);
/// [voice]: the same keys as [sms] (read_code_gateway), for calls that read the code aloud.
void read_voice(Section& s, VoiceConfig& out);
/// The keys [sms] and [voice] share: provider, outbox_path, sender, url, method, headers,
/// body_template, body_encoding, account_sid, auth_token_file, timeout, retries.
void read_code_gateway(Section& s, SmsConfig& out, bool read_provider = true);
void read_log(Section& s, LogConfig& out);

}  // namespace sealpost::config_detail
