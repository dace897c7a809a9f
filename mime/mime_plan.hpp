// SPDX-License-Identifier: Apache-2.0
// What the policy says about one message before anything is written, and sealing one planned
// recipient (architecture §3 "Sealing", §5): shared by the proxy's end-of-DATA rewrite and
// `sealpost policy check`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/core_config.hpp"
#include "core/core_result.hpp"
#include "mime/mime_message.hpp"
#include "mime/mime_seal.hpp"
#include "notice/notice_templates.hpp"
#include "policy/policy_phone.hpp"
#include "policy/policy_types.hpp"
#include "smtp/smtp_command.hpp"
#include "vault/vault.hpp"

namespace sealpost::seal {

/// What the policy says about one message, before anything is written: shared by the proxy's
/// rewrite and `sealpost policy check`.
struct MessagePlan {
    /// The parsed message; nullopt when the parser refused it (parse_error says why). The
    /// decisions are then `pass` only for an internal recipient whose decision cannot depend on
    /// the content (policy_decide_without_content), `reject` for everyone else.
    std::optional<mime::MimeMessage> message;
    std::optional<Error> parse_error;
    std::vector<policy::Decision> decisions;  ///< one per entry of plan_message's `rcpts`
    std::size_t external = 0;                 ///< external recipients
    std::optional<SmsTag> tag;                ///< the subject's `[sms:]` tag (raw may be empty)
    std::optional<Error> tag_error;           ///< set instead of `tag` when it is malformed
    std::string header_phone;                 ///< X-Sealpost-Phone, "" when absent
    /// A reply or forward: a reply prefix in the subject (is_reply_subject), an
    /// In-Reply-To or References header, or a tag in quotation marks.
    bool reply = false;
    /// A refusal of the whole message (a tag's number with several external recipients): the
    /// text after `550 5.7.1 `.
    std::optional<std::string> refusal;
};

/// Parses `msg` and decides every recipient in `rcpts` (sender `mail`) under `pol`. Never fails: a
/// message the parser refuses gives MessagePlan::parse_error. The plan's message borrows `msg` (no
/// copy): `msg`'s bytes must outlive the plan.
MessagePlan plan_message(const policy::Policy& pol, const PracticeConfig& practice,
                         const smtp::MailArgs& mail, const std::vector<smtp::RcptArgs>& rcpts,
                         const std::string& msg);

/// The phone of sealed recipient `rcpt` (its address): the tag's error if the tag is
/// malformed, else resolve_phone() with the tag, the header, the reply mark and `lookup` (may
/// be empty: no contacts store); `allow_override` is `[proxy] allow_phone_override`;
/// `accept_landline` is true when `[voice]` has a provider.
/// Errors as resolve_phone(); phone_reply_text() gives the 550 text.
Result<ResolvedPhone> plan_phone(const MessagePlan& plan, std::string_view rcpt,
                                 const ContactLookup& lookup, bool allow_override = false,
                                 bool accept_landline = false);

/// The notice language: the stored contact's when the phone came from the contacts store and
/// the contact has a valid one, else practice.default_language.
Language notice_language(const ResolvedPhone& phone, const PracticeConfig& practice);

/// Seals one recipient of a planned (parsed) message into `v`: one pending envelope and the
/// rewritten message (seal_for_recipient). `decision` must be a seal.
Result<SealResult> seal_planned(const MessagePlan& plan, const policy::Decision& decision,
                                std::string_view rcpt, std::string_view sender,
                                const ResolvedPhone& phone, const PracticeConfig& practice,
                                const NoticeTemplates& templates, vault::Vault& v);

}  // namespace sealpost::seal
