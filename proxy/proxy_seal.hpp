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
    /// A tag or header number may replace a stored contact's for one mail (off: refused).
    bool allow_phone_override = false;
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
    /// The parsed message; nullopt when the parser refused it (parse_error says why). The
    /// decisions are then `pass` only for an internal recipient whose decision cannot depend on
    /// the content (policy_decide_without_content), `reject` for everyone else.
    std::optional<mime::MimeMessage> message;
    std::optional<Error> parse_error;
    std::vector<policy::Decision> decisions;  ///< one per Envelope::rcpts entry
    std::size_t external = 0;                 ///< external recipients
    std::optional<seal::SmsTag> tag;          ///< the subject's `[sms:]` tag (raw may be empty)
    std::optional<Error> tag_error;           ///< set instead of `tag` when it is malformed
    std::string header_phone;                 ///< X-Sealpost-Phone, "" when absent
    /// A reply or forward: a reply prefix in the subject (seal::is_reply_subject), an
    /// In-Reply-To or References header, or a tag in quotation marks.
    bool reply = false;
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
/// malformed, else resolve_phone() with the tag, the header, the reply mark and `lookup` (may
/// be empty: no contacts store); `allow_override` is `[proxy] allow_phone_override`.
/// Errors as resolve_phone(); phone_reply_text() gives the 550 text.
Result<seal::ResolvedPhone> plan_phone(const MessagePlan& plan, std::string_view rcpt,
                                       const seal::ContactLookup& lookup,
                                       bool allow_override = false);

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

/** The end-of-DATA rewrite. Every message it returns has lost its phone data
 * (seal::strip_phone_data: the `[sms:]` tag and X-Sealpost-Phone), passing ones included.
 * - a `reject` for any recipient, a missing, bad or mismatched phone for a sealed one, or a
 *   tag that cannot be taken out: a refusal (`550 5.7.1 <text>`), nothing is sent and no
 *   envelope is made;
 * - a message that cannot be parsed (mime:<reason>), unless every recipient may get it
 *   (internal, decision independent of content): RewriteResult::shape_refusal (554 5.6.0 or
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
RewriteFn make_seal_rewrite(std::shared_ptr<const SealContext> ctx);

}  // namespace sealpost::proxy
