// SPDX-License-Identifier: Apache-2.0
// `sealpost`: the administrator's CLI. Parses the arguments, loads the config and the keys the
// verb needs, opens the vault and dispatches; the verbs themselves live in sealpost_admin.
#include <exception>
#include <iostream>
#include <string_view>
#include <vector>

#include "admin/admin_args.hpp"
#include "admin/admin_commands.hpp"
#include "admin/admin_config_check.hpp"
#include "admin/admin_policy_check.hpp"
#include "admin/admin_resend.hpp"
#include "admin/admin_store.hpp"
#include "core/core_config.hpp"
#include "core/core_log.hpp"
#include "vault/vault.hpp"

namespace {

using namespace sealpost;

/// The file config_file() names, else the built-in defaults.
Config resolve_config(const admin::Args& args) {
    const auto file = admin::config_file(args);
    return file ? load_config(*file) : default_config();
}

int run(int argc, char** argv) {
    std::vector<std::string_view> words;
    for (int i = 1; i < argc; ++i) {  // argc may be 0 when exec'd with an empty argv
        words.emplace_back(argv[i]);  // NOLINT(cppcoreguidelines-pro-bounds-pointer-arithmetic)
    }
    auto parsed = admin::parse_args(words);
    if (!parsed) {
        std::cerr << "sealpost: " << parsed.error().detail << "\ntry 'sealpost --help'\n";
        return admin::kExitUsage;
    }
    admin::Args& args = *parsed;
    if (args.action == admin::Args::Action::help) {
        std::cout << admin::help_text(args.verb);
        return admin::kExitOk;
    }
    if (args.action == admin::Args::Action::version) {
        std::cout << admin::version_text();
        return admin::kExitOk;
    }
    if (args.verb == admin::Verb::config_check) {
        log::init("sealpost", "warn");
        return admin::run_config_check(args, std::cout, std::cerr);
    }
    const Config cfg = resolve_config(args);
    args.accept_landline = cfg.voice.enabled;
    // The CLI's stdout and stderr are for the person at the terminal: log lines (to stderr)
    // only from warn up, unless the config asks for debug or trace.
    const bool verbose = cfg.log.level == LogLevel::debug || cfg.log.level == LogLevel::trace;
    log::init("sealpost", verbose ? to_string(cfg.log.level) : "warn");
    if (args.verb == admin::Verb::keys_init) {
        return admin::run_keys_init(cfg, std::cout, std::cerr);
    }
    if (args.verb == admin::Verb::policy_check) {
        return admin::run_policy_check(args, cfg, std::cout, std::cerr);
    }
    if (args.verb == admin::Verb::vault_init) {
        return admin::run_vault_init(cfg, std::cout, std::cerr);
    }
    if (args.verb == admin::Verb::vault_upgrade) {
        return admin::run_vault_upgrade(cfg, std::cout, std::cerr);
    }
    if (args.verb == admin::Verb::vault_copy) {
        return admin::run_vault_copy(cfg, std::cout, std::cerr);
    }
    auto keys = admin::load_keys_for(args.verb, cfg, std::cerr);
    if (!keys) {
        return admin::kExitError;
    }
    auto v = vault::Vault::open(admin::vault_options(cfg), *keys);
    if (!v) {
        admin::print_error(std::cerr, admin::verb_name(args.verb),
                           "cannot open the vault: " + v.error().detail);
        return admin::kExitError;
    }
    if (args.verb == admin::Verb::resend) {
        return admin::run_resend(args, cfg, *v, *keys, std::cout, std::cerr);
    }
    return admin::run_vault_command(args, *v, *keys, std::cout, std::cerr);
}

}  // namespace

int main(int argc, char** argv) {
    // No exception reaches the user as a crash: config errors (ConfigError, already one line
    // `FILE:LINE: KEY: what`) and anything unexpected become one line and status 1.
    try {
        const int status = run(argc, argv);
        std::cout.flush();
        if (!std::cout) {
            std::cerr << "sealpost: cannot write the output\n";
            return sealpost::admin::kExitError;
        }
        return status;
    } catch (const std::exception& e) {
        std::cerr << "sealpost: " << e.what() << "\n";
    } catch (...) {
        std::cerr << "sealpost: internal error\n";
    }
    return sealpost::admin::kExitError;
}
