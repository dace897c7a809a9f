// The sealing RewriteFn of sealpost-proxy (DESIGN 3 "Sealing", 5): policy per recipient, the
// patient's phone, one vault envelope and one upstream transaction per sealed recipient.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/core_config.hpp"
#include "proxy/mime_message.hpp"
#include "proxy/policy_store.hpp"
#include "proxy/policy_types.hpp"
#include "proxy/proxy_rewrite.hpp"
#include "proxy/seal_notice.hpp"
#include "proxy/seal_phone.hpp"
#include "proxy/seal_rewrite.hpp"
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

/// What the policy says about one message, before anything is written: shared by the proxy's
/// rewrite and `sealpost policy check`.
struct MessagePlan {
    /// The parsed message; nullopt when the parser refused it (parse_error says why, and the
    /// decisions are then those for the worst case: one unnamed invoice-like attachment).
    std::optional<mime::MimeMessage> message;
    std::optional<Error> parse_error;
    std::vector<policy::Decision> decisions;  ///< one per Envelope::rcpts entry
    std::size_t external = 0;                 ///< external recipients
    std::optional<seal::SmsTag> tag;          ///< the subject's `[sms:]` tag (raw may be empty)
    std::optional<Error> tag_error;           ///< set instead of `tag` when it is malformed
    std::string header_phone;                 ///< X-Sealpost-Phone, "" when absent
    /// A refusal of the whole message (a tag's number with several external recipients): the
    /// text after `550 5.7.1 `.
    std::optional<std::string> refusal;
};

/// Parses `msg` and decides every recipient of `env` under `pol`. Never fails: a message the
/// parser refuses gives MessagePlan::parse_error. The plan's message borrows `msg` (no copy):
/// `msg`'s bytes must outlive the plan.
MessagePlan plan_message(const policy::Policy& pol, const PracticeConfig& practice,
                         const Envelope& env, const std::string& msg);

/// The phone of sealed recipient `rcpt` (its address): the tag's error if the tag is
/// malformed, else resolve_phone() with the tag, the header and `lookup` (may be empty: no
/// contacts store). Errors as resolve_phone(); phone_reply_text() gives the 550 text.
Result<seal::ResolvedPhone> plan_phone(const MessagePlan& plan, std::string_view rcpt,
                                       const seal::ContactLookup& lookup);

/// The notice language: the stored contact's when the phone came from the contacts store and
/// the contact has a valid one, else practice.default_language.
Language notice_language(const seal::ResolvedPhone& phone, const PracticeConfig& practice);

/// Seals one recipient of a planned (parsed) message into `v`: one pending envelope and the
/// rewritten message (seal::seal_for_recipient). `decision` must be a seal.
Result<seal::SealResult> seal_planned(const MessagePlan& plan, const policy::Decision& decision,
                                      std::string_view rcpt, std::string_view sender,
                                      const seal::ResolvedPhone& phone,
                                      const PracticeConfig& practice,
                                      const seal::NoticeTemplates& templates, vault::Vault& v);

/** The end-of-DATA rewrite. For a message without anything to seal (every recipient `pass`)
 * it returns the original bytes as one group, so plain mail goes through unchanged. Otherwise:
 * - a `reject` for any recipient, or a missing/bad phone for a sealed one: a refusal
 *   (`550 5.7.1 <text>`), nothing is sent and no envelope is made;
 * - a message that cannot be parsed while a recipient would be sealed: Errc::invalid_argument
 *   (451 4.3.0); vault errors as they are (vault_full -> 452 4.3.1, others 451 4.3.0);
 * - groups: all `pass` recipients together with the original message (bytes unchanged,
 *   control tags included: pass means untouched), then one group per sealed recipient with its
 *   own envelope; settle() marks the envelope sent after the upstream's 2xx (deferred: it
 *   joins the vault's next group commit; and learns the tag's number as a contact when
 *   learn_contacts is on), discards it on a refusal, and leaves it pending when the outcome is
 *   unknown (purge removes a pending envelope once its link expired and vault.orphan_grace
 *   passed). settle() writes to the vault: call it off the event loop.
 */
RewriteFn make_seal_rewrite(std::shared_ptr<const SealContext> ctx);

}  // namespace sealpost::proxy
