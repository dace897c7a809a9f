// SPDX-License-Identifier: Apache-2.0
// The follow-up mails of an unused link (architecture §5b): the patient's one reminder before
// the link expires (the sealing notice again, same link, same language) and the sender's one
// notice when it expired unused (who, which documents, the `sealpost resend` command).
// Neither carries a document.
#pragma once

#include <cstdint>
#include <string>

#include "core/core_config.hpp"
#include "core/core_result.hpp"
#include "notice/notice_compose.hpp"
#include "notice/notice_templates.hpp"
#include "vault/vault.hpp"

namespace sealpost::notice {

/// Where a follow-up goes: the reminder from the original sender (practice.from_address when
/// the envelope has none) to the patient; the expiry notice from practice.from_address (or the
/// sender) to the sender. The SMTP envelope and the mail's From/To use the same.
struct FollowUpRoute {
    std::string from;
    std::string to;
};
FollowUpRoute followup_route(const PracticeConfig& practice, const vault::DueFollowUp& f);

/** The reminder to the patient: From the original sender (practice.from_address when the
 * envelope has none), named after the practice, To the patient, Subject "Erinnerung: <original
 * subject>" (in the envelope's language), and a one-line lead before the notice templates'
 * text with the same link and the expiry date. Errors: Errc::invalid_argument (no sender, not a
 * plain mailbox: permanent), Errc::internal. */
Result<std::string> compose_reminder(const PracticeConfig& practice,
                                     const seal::NoticeTemplates& templates,
                                     const vault::DueFollowUp& f, std::int64_t date);

/// The sender's expiry notice without the headers: subject and bodies in `lang`.
mime::NoticeMail expiry_notice_mail(const PracticeConfig& practice, Language lang,
                                    const vault::DueFollowUp& f);

/** The expiry notice to the sender, in practice.default_language: From practice.from_address
 * (or the sender), To the sender. Errors as compose_reminder. */
Result<std::string> compose_expiry_notice(const PracticeConfig& practice,
                                          const vault::DueFollowUp& f, std::int64_t date);

}  // namespace sealpost::notice
