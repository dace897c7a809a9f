// The sealing RewriteFn of sealpost-proxy (DESIGN 3 "Sealing", 5): policy per recipient, the
// patient's phone, one vault envelope and one upstream transaction per sealed recipient.
#pragma once

#include <memory>

#include "core/core_config.hpp"
#include "proxy/policy_store.hpp"
#include "proxy/proxy_rewrite.hpp"
#include "proxy/seal_notice.hpp"
#include "vault/vault.hpp"

namespace sealpost::proxy {

/// What the sealing rewrite needs, loaded once at start and shared by all sessions.
struct SealContext {
    PracticeConfig practice;
    bool learn_contacts = false;
    std::shared_ptr<policy::PolicyStore> policy;  ///< reloaded on SIGHUP
    std::shared_ptr<const seal::NoticeTemplates> templates;
    std::shared_ptr<vault::Vault> vault;
};

/// Startup: loads the policy (proxy.policy_file), the notice templates (proxy.templates_dir),
/// the keys (vault.key_dir: pepper, escrow public, contacts) and opens the vault (vault.*).
/// Throws std::runtime_error with one line naming what is missing or broken.
std::shared_ptr<SealContext> load_seal_context(const Config& cfg);

/** The end-of-DATA rewrite. For a message without anything to seal (every recipient `pass`)
 * it returns the original bytes as one group, so plain mail goes through unchanged. Otherwise:
 * - a `reject` for any recipient, or a missing/bad phone for a sealed one: a refusal
 *   (`550 5.7.1 <text>`), nothing is sent and no envelope is made;
 * - a message that cannot be parsed while a recipient would be sealed: Errc::invalid_argument
 *   (451 4.3.0); vault errors as they are (vault_full -> 452 4.3.1, others 451 4.3.0);
 * - groups: all `pass` recipients together with the original message (bytes unchanged,
 *   control tags included: pass means untouched), then one group per sealed recipient with its
 *   own envelope; settle() marks the envelope sent after the upstream's 2xx (and learns the
 *   tag's number as a contact when learn_contacts is on), discards it on a refusal, and leaves
 *   it pending when the outcome is unknown (purge removes it after vault.orphan_grace).
 */
RewriteFn make_seal_rewrite(std::shared_ptr<const SealContext> ctx);

}  // namespace sealpost::proxy
