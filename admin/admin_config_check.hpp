// SPDX-License-Identifier: Apache-2.0
// `sealpost config check [--connect]`: what the daemons would meet at start, checked before a
// start or a reload (like `postfix check`, `nginx -t`). One line per problem; exit 1 on errors.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "admin/admin_args.hpp"
#include "core/core_config.hpp"

namespace sealpost::admin {

/// One problem: printed as `error: WHERE: what` or `warning: WHERE: what`, where WHERE is the
/// config key or file it concerns.
struct Finding {
    bool error = true;
    std::string where;
    std::string what;
    [[nodiscard]] std::string line() const;
};

/// A certificate that expires within this many days is a warning.
inline constexpr std::int64_t kCertWarnDays = 21;

/// The config file the CLI reads: --config, else $SEALPOST_CONFIG, else
/// /etc/sealpost/sealpost.toml if it exists; std::nullopt for the built-in defaults.
std::optional<std::filesystem::path> config_file(const Args& args);

/** The checks without network, on a loaded config at Unix time `now`: the policy, the notice
 * templates and portal pages, the vault's key files (type, mode against vault.group_access,
 * owner, content where this user can read them), each listener's certificate against its key
 * and its expiry, every secret file, and the SMS provider's settings. A file this user may not
 * read (the portal's key when run as the proxy's user) is a warning, not an error. */
std::vector<Finding> check_config(const Config& cfg, std::int64_t now);

/** --connect: the [upstream] and [notify] SMTP servers (EHLO, STARTTLS as configured, AUTH with
 * the configured login, QUIT: never MAIL) and the SMS gateway (TCP, TLS, one HEAD of its
 * address: never an SMS). Writes one `ok: ...` line per server reached to `out`. */
std::vector<Finding> check_connections(const Config& cfg, std::ostream& out);

/// The verb: loads the config (its ConfigError becomes one line), runs the checks, prints the
/// findings on `err` and a summary on `out`. Returns kExitError when there is an error.
int run_config_check(const Args& args, std::ostream& out, std::ostream& err);

}  // namespace sealpost::admin
