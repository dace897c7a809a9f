// SPDX-License-Identifier: Apache-2.0
// Command line of the `sealpost` admin CLI: verbs, options and help texts (DESIGN.md section 6).
// Pure: parse_args() turns argv into an Args value or a usage error, and prints nothing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/core_result.hpp"

namespace sealpost::admin {

enum class Verb {
    none,  ///< no verb: top-level help or version
    keys_init,
    list,
    show,
    resend,
    revoke,
    purge,
    stats,
    contacts_import,
    contacts_set,
    contacts_list,
    contacts_rm,
    policy_check,
    vault_init,
    vault_upgrade,
    vault_copy,
    config_check,
};

enum class ListFilter { all, active, expired };

struct Args {
    enum class Action { run, help, version };
    Action action = Action::run;
    Verb verb = Verb::none;               ///< for help: which verb's help (none = top level)
    std::optional<std::string> config;    ///< --config PATH
    std::vector<std::string> operands;    ///< the verb's arguments (ID, FILE, EMAIL PHONE, ...)
    ListFilter filter = ListFilter::all;  ///< list --active / --expired
    bool print = false;                   ///< resend --print: show the link, mail nothing
    std::string lang;                     ///< contacts set --lang ("" = not given)
    std::string from;                     ///< policy check --from
    std::vector<std::string> to;          ///< policy check --to (repeatable)
    std::optional<std::string> out_dir;   ///< policy check --out DIR
    std::optional<std::string> policy;    ///< policy check --policy FILE
    bool connect = false;                 ///< config check --connect: also try the servers
    /// Not an option: set from the config (`[voice]` has a provider), contacts accept landlines.
    bool accept_landline = false;
};

/// Parses the arguments after argv[0]. Options may stand before or after the verb; `--` ends
/// options; `-c PATH` is short for `--config PATH`. `--help`/`-h` anywhere gives Action::help for
/// the verb named (if any), even when its operands are missing. Errors: Errc::invalid_argument,
/// detail is one line such as "show: missing envelope ID" or "unknown command 'foo'" (without
/// "sealpost: ").
Result<Args> parse_args(const std::vector<std::string_view>& args);

/// "contacts set", "list", ... ("" for Verb::none).
std::string_view verb_name(Verb verb);

/// Help text for `verb` (Verb::none: the top-level help listing every verb), ending in '\n'.
std::string help_text(Verb verb);

/// The version line, e.g. "sealpost 0.1.0\n".
std::string version_text();

}  // namespace sealpost::admin
