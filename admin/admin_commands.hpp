// SPDX-License-Identifier: Apache-2.0
// The verbs of the `sealpost` CLI: what each needs (keys), and running it against an open
// vault with output for people on `out` and one-line errors on `err`.
#pragma once

#include <ostream>

#include "admin/admin_args.hpp"
#include "core/core_config.hpp"
#include "vault/vault.hpp"
#include "vault/vault_keys.hpp"

namespace sealpost::admin {

/// Exit status of the CLI (DESIGN.md section 6).
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;  ///< one line on stderr: `sealpost: VERB: what`
inline constexpr int kExitUsage = 2;  ///< one line and "try 'sealpost --help'"

/// Key files `verb` needs (keys::KeyNeed bits), so that each verb opens no more secrets than
/// it uses: pepper for every vault verb, + contacts.key for contacts, + escrow.key for show
/// and resend.
/// 0 for keys init (it makes them).
unsigned key_needs(Verb verb);

/// The vault settings from the config's [vault] section.
vault::VaultOptions vault_options(const Config& cfg);

/// Resolves an envelope id or unique prefix; on failure prints `sealpost: VERB: no envelope
/// X` (or why the prefix is bad) and returns std::nullopt.
std::optional<vault::EnvelopeId> resolve_envelope(vault::Vault& v, const std::string& text,
                                                  std::string_view verb, std::ostream& err);

/// An error for the terminal: its detail made printable (at most 300 characters), or the
/// code's name when it has none.
std::string describe(const Error& e);

/// Prints `sealpost: PREFIX: message` (PREFIX left out when empty) as one line on `err`.
void print_error(std::ostream& err, std::string_view prefix, std::string_view message);

/// `keys init`: creates the key files in cfg.vault.key_dir. Returns the exit status.
int run_keys_init(const Config& cfg, std::ostream& out, std::ostream& err);

/// Loads the keys `verb` needs from cfg.vault.key_dir; on failure prints the error (with a
/// hint to run `sealpost keys init` when there are no keys at all) and returns std::nullopt.
std::optional<keys::KeyRing> load_keys_for(Verb verb, const Config& cfg, std::ostream& err);

/// Runs a vault verb (everything but keys init, policy check and resend). `keys` holds
/// key_needs(args.verb). `contacts import` prints "imported N, skipped M" on `out` and one line per
/// skipped row on `err` (`sealpost: contacts import: FILE:LINE: reason`); its status is 1 when any
/// row was skipped, so that a script notices an incomplete import, and 0 otherwise.
int run_vault_command(const Args& args, vault::Vault& v, const keys::KeyRing& keys,
                      std::ostream& out, std::ostream& err);

}  // namespace sealpost::admin
