// SPDX-License-Identifier: Apache-2.0
// Loading sealpost.toml: TOML syntax (toml++), unknown sections, and the section readers; plus
// the small accessors of the Config types.
#include "core/core_config.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <system_error>

#include "core/core_config_reader.hpp"

namespace sealpost {

std::string_view to_string(Language v) noexcept {
    switch (v) {
        case Language::de:
            return "de";
        case Language::fr:
            return "fr";
        case Language::it:
            return "it";
        case Language::en:
            return "en";
    }
    return "de";
}

std::string_view to_string(AuthMode v) noexcept {
    switch (v) {
        case AuthMode::passthrough:
            return "passthrough";
        case AuthMode::local:
            return "local";
        case AuthMode::none:
            return "none";
    }
    return "passthrough";
}

std::string_view to_string(ListenerKind v) noexcept {
    switch (v) {
        case ListenerKind::submission:
            return "submission";
        case ListenerKind::submissions:
            return "submissions";
        case ListenerKind::plain:
            return "plain";
    }
    return "submission";
}

std::string_view to_string(TlsMode v) noexcept {
    switch (v) {
        case TlsMode::starttls:
            return "starttls";
        case TlsMode::implicit:
            return "implicit";
        case TlsMode::none:
            return "none";
    }
    return "starttls";
}

std::string_view to_string(UpstreamKind v) noexcept {
    switch (v) {
        case UpstreamKind::smtp:
            return "smtp";
        case UpstreamKind::maildir:
            return "maildir";
    }
    return "smtp";
}

std::string_view to_string(SmsProvider v) noexcept {
    switch (v) {
        case SmsProvider::outbox:
            return "outbox";
        case SmsProvider::http:
            return "http";
        case SmsProvider::twilio:
            return "twilio";
    }
    return "outbox";
}

std::string_view to_string(HttpMethod v) noexcept {
    switch (v) {
        case HttpMethod::post:
            return "POST";
        case HttpMethod::get:
            return "GET";
        case HttpMethod::put:
            return "PUT";
    }
    return "POST";
}

std::string_view to_string(BodyEncoding v) noexcept {
    switch (v) {
        case BodyEncoding::json:
            return "json";
        case BodyEncoding::form:
            return "form";
    }
    return "json";
}

std::string_view to_string(LogLevel v) noexcept {
    switch (v) {
        case LogLevel::trace:
            return "trace";
        case LogLevel::debug:
            return "debug";
        case LogLevel::info:
            return "info";
        case LogLevel::warn:
            return "warn";
        case LogLevel::error:
            return "error";
    }
    return "info";
}

std::optional<Language> parse_language(std::string_view s) noexcept {
    for (Language l : {Language::de, Language::fr, Language::it, Language::en}) {
        if (s == to_string(l)) {
            return l;
        }
    }
    return std::nullopt;
}

bool PracticeConfig::is_internal(std::string_view address_or_domain) const {
    const auto at = address_or_domain.rfind('@');
    const std::string_view domain =
        at == std::string_view::npos ? address_or_domain : address_or_domain.substr(at + 1);
    return std::any_of(
        internal_domains.begin(), internal_domains.end(), [domain](const std::string& d) {
            return d.size() == domain.size() &&
                   std::equal(d.begin(), d.end(), domain.begin(), [](char a, char b) {
                       return std::tolower(static_cast<unsigned char>(a)) ==
                              std::tolower(static_cast<unsigned char>(b));
                   });
        });
}

bool ProxyConfig::is_trusted(std::string_view ip) const noexcept {
    return std::any_of(trusted_networks.begin(), trusted_networks.end(),
                       [ip](const Cidr& c) { return c.contains(ip); });
}

bool is_credential_name(std::string_view name) noexcept {
    static constexpr std::array<std::string_view, 7> kParts = {"key", "token", "secret",   "pass",
                                                               "pwd", "auth",  "signature"};
    std::array<char, 64> low{};
    if (name.empty() || name.size() > low.size()) {
        return false;
    }
    for (std::size_t i = 0; i < name.size(); ++i) {
        low.at(i) = static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
    }
    const std::string_view l(low.data(), name.size());
    return std::any_of(kParts.begin(), kParts.end(),
                       [l](std::string_view p) { return l.find(p) != std::string_view::npos; });
}

UpstreamConfig Config::notify_upstream() const {
    UpstreamConfig u = upstream;
    if (notify.url.empty()) {
        return u;
    }
    u.url = notify.url;
    u.kind = notify.kind;
    u.host = notify.host;
    u.port = notify.port;
    u.maildir = notify.maildir;
    u.tls = notify.tls;
    u.verify = notify.verify;
    u.ca_file = notify.ca_file;
    u.username = notify.username;
    u.password_file = notify.password_file;
    return u;
}

namespace {

using config_detail::FileContext;
using config_detail::Section;

constexpr std::size_t kMaxConfigFile = 1U << 20;  // a config file is a few KiB

const toml::table* section_table(const toml::table& root, std::string_view name,
                                 const FileContext& file) {
    const toml::node* n = root.get(name);
    if (n == nullptr) {
        return nullptr;
    }
    const toml::table* t = n->as_table();
    if (t == nullptr) {
        file.fail(static_cast<std::uint32_t>(n->source().begin.line), name,
                  std::string("expected a table ([") + std::string(name) + "]), got " +
                      std::string(config_detail::type_name(*n)));
    }
    return t;
}

template <class T>
void read_section(const toml::table& root, std::string_view name, const FileContext& file,
                  void (*reader)(Section&, T&), T& out) {
    const toml::table* t = section_table(root, name, file);
    Section s(file, t, std::string(name),
              t == nullptr ? 0U : static_cast<std::uint32_t>(t->source().begin.line));
    reader(s, out);
    s.finish();
}

}  // namespace

namespace {

Config parse_config_as(std::string_view toml_text, const std::filesystem::path& path,
                       std::string open_mode) {
    const std::string label = path.empty() ? std::string("<config>") : path.string();
    std::filesystem::path base_dir;
    if (!path.empty()) {
        std::error_code ec;
        base_dir = std::filesystem::absolute(path, ec).parent_path();
    }
    if (base_dir.empty()) {
        std::error_code ec;
        base_dir = std::filesystem::current_path(ec);
    }
    const FileContext file(label, base_dir, std::move(open_mode));

    toml::table root;
    try {
        root = toml::parse(toml_text, label);
    } catch (const toml::parse_error& e) {
        file.fail(static_cast<std::uint32_t>(e.source().begin.line), {},
                  std::string("syntax error: ") + std::string(e.description()));
    }

    static constexpr std::array<std::string_view, 9> kSections{
        "practice", "vault", "proxy", "upstream", "notify", "portal", "sms", "voice", "log"};
    const toml::key* unknown = nullptr;
    for (auto&& [k, v] : root) {
        if (std::find(kSections.begin(), kSections.end(), k.str()) == kSections.end() &&
            (unknown == nullptr || k.source().begin.line < unknown->source().begin.line)) {
            unknown = &k;
        }
    }
    if (unknown != nullptr) {
        const bool is_table = root.get(unknown->str())->is_table();
        file.fail(static_cast<std::uint32_t>(unknown->source().begin.line), unknown->str(),
                  is_table ? "unknown section" : "unknown key (keys belong in a [section])");
    }

    Config cfg;
    cfg.source = path;
    read_section(root, "practice", file, &config_detail::read_practice, cfg.practice);
    read_section(root, "vault", file, &config_detail::read_vault, cfg.vault);
    read_section(root, "proxy", file, &config_detail::read_proxy, cfg.proxy);
    read_section(root, "upstream", file, &config_detail::read_upstream, cfg.upstream);
    read_section(root, "notify", file, &config_detail::read_notify, cfg.notify);
    read_section(root, "portal", file, &config_detail::read_portal, cfg.portal);
    read_section(root, "sms", file, &config_detail::read_sms, cfg.sms);
    read_section(root, "voice", file, &config_detail::read_voice, cfg.voice);
    read_section(root, "log", file, &config_detail::read_log, cfg.log);

    if (cfg.upstream.helo_name.empty()) {
        cfg.upstream.helo_name = cfg.proxy.hostname;
    }
    return cfg;
}

/// "0644" when others (not owner, not group) may read the file, else "".
std::string others_mode(std::filesystem::perms p) {
    using std::filesystem::perms;
    if ((p & perms::others_read) == perms::none) {
        return {};
    }
    std::string text = "0000";
    const auto bits = static_cast<unsigned>(p & perms::mask);
    for (int i = 3; i >= 1; --i) {
        text[static_cast<std::size_t>(i)] = static_cast<char>('0' + ((bits >> (3 * (3 - i))) & 7U));
    }
    return text;
}

}  // namespace

Config parse_config(std::string_view toml_text, const std::filesystem::path& path) {
    return parse_config_as(toml_text, path, {});
}

Config load_config(const std::filesystem::path& path) {
    const std::string label = path.string();
    std::error_code ec;
    const auto st = std::filesystem::status(path, ec);
    if (st.type() == std::filesystem::file_type::not_found) {
        throw ConfigError(label + ": no such file");
    }
    if (ec) {
        throw ConfigError(label + ": " + ec.message());
    }
    if (st.type() != std::filesystem::file_type::regular) {
        throw ConfigError(label + ": not a regular file");
    }
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        throw ConfigError(label + ": cannot open: " + std::system_category().message(errno));
    }
    std::string text;
    char buf[8192];
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
        text.append(buf, static_cast<std::size_t>(in.gcount()));
        if (text.size() > kMaxConfigFile) {
            throw ConfigError(label + ": larger than 1MiB, not a config file");
        }
    }
    if (in.bad()) {
        throw ConfigError(label + ": read error");
    }
    return parse_config_as(text, path, others_mode(st.permissions()));
}

Config default_config() {
    Config c = parse_config("", {});
    c.source.clear();
    return c;
}

}  // namespace sealpost
