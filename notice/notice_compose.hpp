// SPDX-License-Identifier: Apache-2.0
// sealpost's own notice mails (DESIGN 5b), e.g. the one `sealpost resend` sends: a new message
// whose body is only the notice, built with the same parts as the sealing rewrite.
#pragma once

#include <cstdint>
#include <string>

#include "core/core_result.hpp"
#include "mime/mime_rewrite.hpp"

namespace sealpost::mime {

struct NoticeMail {
    std::string from_name;  ///< display name of From (UTF-8), e.g. the practice's name
    std::string from;       ///< From address (the practice's sender)
    std::string to;         ///< the patient's address
    std::string subject;    ///< UTF-8
    std::int64_t date = 0;  ///< Date header, unix seconds
    MimeNotice notice;      ///< rendered by seal::NoticeTemplates
};

/** The whole message, CRLF lines, not dot-stuffed: From, To, Subject (RFC 2047 encoded when
 * it is not ASCII), Date (RFC 5322 section 3.3), a random Message-ID in the sender's domain,
 * MIME-Version, and a multipart/alternative body (text/plain, text/html, UTF-8
 * quoted-printable), so the message is 7-bit clean. The result is parsed again and must hold
 * the two text parts and no attachment.
 * Errors: Errc::invalid_argument (an address that is not a plain `local@domain` mailbox, or
 * a line break in a header value), Errc::internal.
 */
Result<std::string> compose_notice_mail(const NoticeMail& mail);

}  // namespace sealpost::mime
