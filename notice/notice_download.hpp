// SPDX-License-Identifier: Apache-2.0
// The practice's "your document was downloaded" mail (DESIGN 5b): built from a queued notice
// in the staff's language (practice.staff_lang()), with the same composer as every other mail
// sealpost writes.
#pragma once

#include <cstdint>
#include <string>

#include "core/core_config.hpp"
#include "core/core_result.hpp"
#include "notice/notice_compose.hpp"
#include "vault/vault.hpp"

namespace sealpost::notice {

/** The mail for `n`: From practice.from_address (or the original sender when unset), named
 * after the practice, To the original sender, a neutral subject, and a short text (plain and
 * HTML) naming the envelope id, the document, when it was downloaded (local time of this
 * host, like `sealpost show`) and the masked recipient. No document content, no link.
 * Errors: Errc::invalid_argument when the notice has no sender or an address is not a plain
 * mailbox (permanent: retrying cannot help), Errc::internal.
 */
Result<std::string> compose_download_notice(const PracticeConfig& practice,
                                            const vault::QueuedNotice& n, std::int64_t date);

/// The text of that mail without the headers: subject and bodies in `lang`.
mime::NoticeMail download_notice_mail(const PracticeConfig& practice, Language lang,
                                      const vault::QueuedNotice& n);

}  // namespace sealpost::notice
