// SPDX-License-Identifier: Apache-2.0
// `sealpost resend ID [--print]`: a new link for an envelope (escrow key), mailed to the
// patient as a fresh notice through the [notify] upstream, or printed for the sysadmin.
#pragma once

#include <ostream>

#include "admin/admin_args.hpp"
#include "core/core_config.hpp"
#include "vault/vault.hpp"
#include "vault/vault_keys.hpp"

namespace sealpost::admin {

/** Runs `resend`. `keys` holds key_needs(Verb::resend) (pepper and the escrow pair).
 *
 * With --print: reissues the link (the old one dies) and prints the new one on `out`.
 * Without: loads the notice templates and the [notify] settings, opens the upstream session
 * up to an accepted RCPT, and only then reissues, renders the notice in the envelope's
 * language and sends it (From the envelope's sender, named after the practice). So the usual
 * failures (upstream down, TLS, credentials, refused address) leave the old link working;
 * only a refusal of the message itself comes after the reissue. Then the new link is not
 * shown (output can end up in cron mail or logs) and the error says to run `resend ID
 * --print`, which makes another one.
 * Returns the exit status; errors are one line on `err`, never holding a token.
 */
int run_resend(const Args& args, const Config& cfg, vault::Vault& v, const keys::KeyRing& keys,
               std::ostream& out, std::ostream& err);

}  // namespace sealpost::admin
