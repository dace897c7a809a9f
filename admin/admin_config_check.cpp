// SPDX-License-Identifier: Apache-2.0
// `sealpost config check`: the checks that need no network (admin_config_check.hpp), and the
// verb that loads the config, runs them and prints one line per problem.
#include "admin/admin_config_check.hpp"

#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <iterator>
#include <system_error>

#include "admin/admin_commands.hpp"
#include "crypto/crypto_secret_file.hpp"
#include "net/net_tls.hpp"
#include "notice/notice_templates.hpp"
#include "policy/policy.hpp"
#include "portal/portal_pages.hpp"
#include "vault/vault.hpp"
#include "vault/vault_keys.hpp"

namespace sealpost::admin {

namespace {

namespace fs = std::filesystem;

constexpr std::int64_t kDay = 86400;

std::string mode_text(mode_t m) {
    std::array<char, 8> buf{};
    (void)std::snprintf(buf.data(), buf.size(), "%04o", static_cast<unsigned>(m & 07777U));
    return buf.data();
}

std::string user_name(uid_t uid) {
    std::array<char, 1024> buf{};
    struct passwd pw {};
    struct passwd* found = nullptr;
    if (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found != nullptr) {
        return found->pw_name;
    }
    return "uid " + std::to_string(uid);
}

/// root, the user running this check, or one of the package's daemon users (sealpost-proxy,
/// sealpost-portal): anyone else could change or replace the file.
bool owner_ok(uid_t uid) {
    return uid == 0 || uid == ::geteuid() || user_name(uid).rfind("sealpost", 0) == 0;
}

std::string date_text(std::int64_t t) {
    const auto tt = static_cast<std::time_t>(t);
    std::tm tm{};
    ::gmtime_r(&tt, &tm);
    std::array<char, 32> buf{};
    (void)std::strftime(buf.data(), buf.size(), "%Y-%m-%d %H:%M UTC", &tm);
    return buf.data();
}

/// Collects findings; `where` is the key or file concerned.
class Findings {
  public:
    void error(std::string where, std::string what) {
        list_.push_back({true, std::move(where), std::move(what)});
    }
    void warning(std::string where, std::string what) {
        list_.push_back({false, std::move(where), std::move(what)});
    }
    std::vector<Finding> take() { return std::move(list_); }

  private:
    std::vector<Finding> list_;
};

/// A file this process cannot read is checked as far as stat allows, and said so once.
void not_readable(Findings& f, const std::string& where, const fs::path& p) {
    f.warning(where, p.string() + ": not readable by " + user_name(::geteuid()) +
                         ", content not checked (run the check as root)");
}

// ---- the vault's key files ----

void check_keys(const VaultConfig& v, Findings& f) {
    struct KeyFile {
        std::string_view name;
        unsigned need;
        bool group_may_read;  // pepper and escrow.pub may be 0640 with group_access
    };
    static constexpr std::array<KeyFile, 4> kFiles{{
        {keys::kPepperFile, keys::pepper, true},
        {keys::kEscrowPublicFile, keys::escrow_public, true},
        {keys::kEscrowPrivateFile, keys::escrow_private, false},
        {keys::kContactsFile, keys::contacts, false},
    }};
    unsigned readable = 0;
    bool bad = false;
    for (const KeyFile& k : kFiles) {
        const fs::path p = v.key_dir / k.name;
        const std::string where = p.string();
        struct stat st {};
        if (::lstat(p.c_str(), &st) != 0) {
            const int e = errno;
            bad = true;
            if (e == ENOENT) {
                f.error(where, "missing (run 'sealpost keys init' on a new host)");
            } else {
                f.warning(where, "cannot stat: " + std::system_category().message(e) +
                                     " (run the check as root)");
            }
            continue;
        }
        if (S_ISLNK(st.st_mode) || !S_ISREG(st.st_mode)) {
            f.error(where, S_ISLNK(st.st_mode) ? "is a symlink; the daemons refuse it"
                                               : "not a regular file");
            bad = true;
            continue;
        }
        const std::string mode = mode_text(st.st_mode);
        if ((st.st_mode & 0007U) != 0) {
            f.error(where, "mode " + mode + " gives access to others; chmod 600 it");
            bad = true;
        } else if ((st.st_mode & 0070U) != 0 && !k.group_may_read) {
            f.error(where, "mode " + mode +
                               " gives the group access; only pepper and escrow.pub may be "
                               "0640; chmod 600 it");
            bad = true;
        } else if ((st.st_mode & 0070U) != 0 && !v.group_access) {
            f.error(where, "mode " + mode +
                               " gives the group access but vault.group_access is false; chmod "
                               "600 it, or set vault.group_access = true");
            bad = true;
        }
        if (!owner_ok(st.st_uid)) {
            f.warning(where, "owned by " + user_name(st.st_uid) +
                                 "; expected root or the daemons' user (sealpost-*)");
        }
        if (::access(p.c_str(), R_OK) == 0) {
            readable |= k.need;
        } else if (!k.group_may_read) {
            // escrow.key is root's alone in the packaged layout: expected, not worth a line
            // unless the check runs as root.
            if (::geteuid() == 0) {
                not_readable(f, where, p);
            }
        } else {
            not_readable(f, where, p);
        }
    }
    if (bad || readable == 0) {
        return;
    }
    if ((readable & keys::escrow_private) != 0 && (readable & keys::escrow_public) == 0) {
        readable &= ~static_cast<unsigned>(keys::escrow_private);
    }
    if (auto ring = keys::keys_load(v.key_dir, readable); !ring) {
        f.error("vault.key_dir", ring.error().detail);
    }
}

// ---- TLS certificates and keys ----

void check_tls(std::string_view section, const fs::path& cert, const fs::path& key,
               std::int64_t now, Findings& f) {
    const std::string cert_key = std::string(section) + ".tls_cert";
    const std::string key_key = std::string(section) + ".tls_key";
    bool can_read = true;
    for (const auto& [where, p] : {std::pair{key_key, key}, std::pair{cert_key, cert}}) {
        struct stat st {};
        if (::stat(p.c_str(), &st) != 0) {
            f.error(where, p.string() + ": " + std::system_category().message(errno));
            return;
        }
        if (where == key_key && (st.st_mode & 0007U) != 0) {
            f.error(where, p.string() + ": mode " + mode_text(st.st_mode) +
                               " gives access to others; chmod 600 it");
        }
        if (where == key_key && !owner_ok(st.st_uid)) {
            f.warning(where, p.string() + ": owned by " + user_name(st.st_uid) +
                                 "; expected root or the daemon's user (sealpost-*)");
        }
        if (::access(p.c_str(), R_OK) != 0) {
            not_readable(f, where, p);
            can_read = false;
        }
    }
    if (!can_read) {
        return;
    }
    try {
        (void)make_server_tls_context(cert.string(), key.string());
    } catch (const std::exception& e) {
        f.error(cert_key, e.what());
    }
    auto not_after = certificate_not_after(cert.string());
    if (!not_after) {
        f.error(cert_key, not_after.error().detail);
        return;
    }
    if (*not_after <= now) {
        f.error(cert_key, cert.string() + ": expired on " + date_text(*not_after));
    } else if (*not_after - now < kCertWarnDays * kDay) {
        const std::int64_t days = (*not_after - now) / kDay;
        f.warning(cert_key, cert.string() + ": expires on " + date_text(*not_after) + ", in " +
                                std::to_string(days) + (days == 1 ? " day" : " days") +
                                "; renew it");
    }
}

// ---- secret files ----

void check_secret(std::string_view key, const fs::path& p, Findings& f) {
    const std::string where(key);
    struct stat st {};
    if (::stat(p.c_str(), &st) == 0 && ::access(p.c_str(), R_OK) != 0) {
        // Not ours to read (the portal's token, checked as the proxy's user): the mode at least.
        if ((st.st_mode & 0077U) != 0) {
            f.error(where, p.string() + ": mode " + mode_text(st.st_mode) +
                               " gives access to others; chmod 600 it");
        } else {
            not_readable(f, where, p);
        }
        return;
    }
    if (auto secret = crypto::read_secret_file(p, key); !secret) {
        // The detail is `KEY PATH: why`, already naming the key.
        f.error({}, secret.error().detail);
        return;
    }
    if (!owner_ok(st.st_uid)) {
        f.warning(where, p.string() + ": owned by " + user_name(st.st_uid) +
                             "; expected the daemon's user that reads it (sealpost-*) or root");
    }
}

void check_secrets(const Config& cfg, Findings& f) {
    if (cfg.upstream.kind == UpstreamKind::smtp && !cfg.upstream.username.empty()) {
        check_secret("upstream.password_file", cfg.upstream.password_file, f);
    }
    if (!cfg.notify.url.empty() && cfg.notify.kind == UpstreamKind::smtp &&
        !cfg.notify.username.empty()) {
        check_secret("notify.password_file", cfg.notify.password_file, f);
    }
    if (cfg.sms.provider == SmsProvider::twilio) {
        check_secret("sms.auth_token_file", cfg.sms.auth_token_file, f);
    }
    if (cfg.sms.provider == SmsProvider::http && !cfg.sms.secret_file.empty()) {
        check_secret("sms.secret_file", cfg.sms.secret_file, f);
    }
    if (cfg.vault.backend == VaultBackend::postgresql) {
        // Read by the proxy and the portal (two users of the group sealpost): 0640 is right
        // here, others' access is not (vault_pg_schema: the same rule as at start).
        if (auto dsn = vault::vault_dsn_file_check(cfg.vault.dsn_file); !dsn) {
            f.error("vault.dsn_file", dsn.error().detail);
        }
    }
}

// ---- the SMS provider (the loader already checked the keys and the URL) ----

void check_sms(const SmsConfig& sms, Findings& f) {
    if (sms.provider == SmsProvider::outbox) {
        f.warning("sms.provider", "\"outbox\" writes the codes to " + sms.outbox_path.string() +
                                      "; patients get no SMS (for trying out only)");
        const fs::path dir = sms.outbox_path.parent_path();
        std::error_code ec;
        if (!dir.empty() && !fs::is_directory(dir, ec)) {
            f.error("sms.outbox_path", dir.string() + ": no such directory");
        }
    }
    if (sms.provider == SmsProvider::twilio &&
        (sms.account_sid.size() != 34 || sms.account_sid.rfind("AC", 0) != 0)) {
        f.warning("sms.account_sid", "not like a Twilio account SID (AC and 32 hex digits)");
    }
}

}  // namespace

std::string Finding::line() const {
    std::string out = error ? "error: " : "warning: ";
    if (!where.empty()) {
        out += where + ": ";
    }
    return out + what;
}

std::optional<fs::path> config_file(const Args& args) {
    if (args.config) {
        return fs::path(*args.config);
    }
    // Read once at startup, before any thread exists.
    const char* env = std::getenv("SEALPOST_CONFIG");  // NOLINT(concurrency-mt-unsafe)
    if (env != nullptr && *env != '\0') {
        return fs::path(env);
    }
    const fs::path system_file = "/etc/sealpost/sealpost.toml";
    std::error_code ec;
    if (fs::exists(system_file, ec)) {
        return system_file;
    }
    return std::nullopt;
}

std::vector<Finding> check_config(const Config& cfg, std::int64_t now) {
    Findings f;
    if (auto pol = policy::policy_load(cfg.proxy.policy_file); !pol) {
        f.error("proxy.policy_file", pol.error().detail);
    }
    if (auto t = seal::NoticeTemplates::load(cfg.proxy.templates_dir); !t) {
        f.error("proxy.templates_dir", t.error().detail);
    }
    if (auto p = portal::Pages::load(cfg.portal.templates_dir); !p) {
        f.error("portal.templates_dir", p.error().detail);
    }
    check_keys(cfg.vault, f);
    const bool proxy_tls =
        std::any_of(cfg.proxy.listeners.begin(), cfg.proxy.listeners.end(),
                    [](const Listener& l) { return l.kind != ListenerKind::plain; });
    if (proxy_tls) {
        check_tls("proxy", cfg.proxy.tls_cert, cfg.proxy.tls_key, now, f);
    }
    if (cfg.portal.tls) {
        check_tls("portal", cfg.portal.tls_cert, cfg.portal.tls_key, now, f);
    }
    check_secrets(cfg, f);
    check_sms(cfg.sms, f);
    return f.take();
}

int run_config_check(const Args& args, std::ostream& out, std::ostream& err) {
    const auto file = config_file(args);
    if (!file) {
        err << Finding{true, "config",
                       "no config file (--config, $SEALPOST_CONFIG or /etc/sealpost/sealpost.toml)"}
                   .line()
            << "\n";
        return kExitError;
    }
    Config cfg;
    try {
        cfg = load_config(*file);
    } catch (const ConfigError& e) {
        err << Finding{true, {}, e.what()}.line() << "\n";  // already `FILE:LINE: KEY: what`
        out << "config check: " << file->string() << ": 1 error\n";
        return kExitError;
    }
    auto findings = check_config(cfg, static_cast<std::int64_t>(std::time(nullptr)));
    if (args.connect) {
        auto more = check_connections(cfg, out);
        findings.insert(findings.end(), std::make_move_iterator(more.begin()),
                        std::make_move_iterator(more.end()));
    }
    std::size_t errors = 0;
    for (const Finding& x : findings) {
        err << x.line() << "\n";
        errors += x.error ? 1U : 0U;
    }
    const std::size_t warnings = findings.size() - errors;
    out << "config check: " << file->string() << ": ";
    if (findings.empty()) {
        out << "ok\n";
    } else {
        out << errors << (errors == 1 ? " error, " : " errors, ") << warnings
            << (warnings == 1 ? " warning\n" : " warnings\n");
    }
    return errors == 0 ? kExitOk : kExitError;
}

}  // namespace sealpost::admin
