// SPDX-License-Identifier: Apache-2.0
// The sealing DeliveryFn of sealpost-proxy (DESIGN 3 "Sealing", 5): policy per recipient, the
// patient's phone, one vault envelope and one upstream transaction per sealed recipient.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/core_config.hpp"
#include "mime/mime_plan.hpp"
#include "notice/notice_templates.hpp"
#include "policy/policy_store.hpp"
#include "proxy/proxy_delivery.hpp"
#include "vault/vault.hpp"

namespace sealpost::proxy {

/// What the sealing rewrite needs, loaded once at start and shared by all sessions.
struct SealContext {
    PracticeConfig practice;
    bool learn_contacts = false;
    /// A tag or header number may replace a stored contact's for one mail (off: refused).
    bool allow_phone_override = false;
    /// `[voice]` has a provider: landline numbers are accepted (the portal calls them).
    bool accept_landline = false;
    std::shared_ptr<policy::PolicyStore> policy;  ///< reloaded on SIGHUP
    std::shared_ptr<const seal::NoticeTemplates> templates;
    std::shared_ptr<vault::Vault> vault;
};

/// Startup: loads the policy (proxy.policy_file), the notice templates (proxy.templates_dir),
/// the keys (vault.key_dir: pepper, escrow public, contacts) and opens the vault (vault.*).
/// Throws std::runtime_error with one line naming what is missing or broken.
std::shared_ptr<SealContext> load_seal_context(const Config& cfg);

/** SIGHUP: a copy of `running` with `next`'s [practice], learn_contacts, allow_phone_override
 * and notice templates (proxy.templates_dir), and `policy` (the store in force, or a new one
 * when proxy.policy_file changed); the vault stays. Throws std::runtime_error with one line
 * when the templates cannot be loaded; `running` is untouched either way. */
std::shared_ptr<SealContext> reload_seal_context(const SealContext& running, const Config& next,
                                                 std::shared_ptr<policy::PolicyStore> policy);

/** The end-of-DATA rewrite. Every message it returns has lost its phone data
 * (seal::strip_phone_data: the `[sms:]` tag and X-Sealpost-Phone), passing ones included.
 * - a `reject` for any recipient, a missing, bad or mismatched phone for a sealed one, or a
 *   tag that cannot be taken out: a refusal (`550 5.7.1 <text>`), nothing is sent and no
 *   envelope is made;
 * - a message that cannot be parsed (mime:<reason>), unless every recipient may get it
 *   (internal, decision independent of content): DeliveryPlan::shape_refusal (554 5.6.0 or
 *   550 5.7.1, reply_shape_refused) and a `seal.unparsable` log line;
 * - vault errors as they are (vault_full -> 452 4.3.1, others 451 4.3.0);
 * - nothing to seal (every recipient `pass`): the original as one group, its header section
 *   changed only where phone data was, its body bytes unchanged;
 * - otherwise: all `pass` recipients together with the original (as above; other control tags
 *   such as `[secure]` stay), then one group per sealed recipient with its own envelope;
 *   settle() marks the envelope sent after the upstream's 2xx (deferred: it joins the vault's
 *   next group commit; with learn_contacts, a tag's number becomes the contact of a recipient
 *   that has none), discards it on a refusal, and leaves it pending when the outcome is
 *   unknown (purge removes a pending envelope once its link expired and vault.orphan_grace
 *   passed). settle() writes to the vault: call it off the event loop.
 */
DeliveryFn make_seal_delivery(std::shared_ptr<const SealContext> ctx);

}  // namespace sealpost::proxy
