// SPDX-License-Identifier: Apache-2.0
// The sealing rewrite (DESIGN section 3): remove the selected attachments, add the notice to
// every body text part, adjust Subject and X-Sealpost-Phone, serialise with CRLF.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "core/core_result.hpp"
#include "mime/mime_message.hpp"

namespace sealpost::mime {

/// The notice in both forms, UTF-8: `text` for text/plain parts, `html` (a block, no
/// <html>/<body>) for text/html parts.
struct MimeNotice {
    std::string text;
    std::string html;
};

struct MimeRewriteRequest {
    std::vector<std::size_t> seal;  ///< indexes into MimeMessage::attachments(); not empty
    MimeNotice notice;
    /// The cleaned subject (control tags removed), UTF-8. Replaces Subject only when it
    /// differs from the decoded original; nullopt keeps the Subject as it is.
    std::optional<std::string> subject;
};

/** Rewrites a fresh copy of `m` (re-parsed from its bytes; `m` is not changed):
 * - the selected attachments are removed from their multiparts; a multipart left empty is
 *   removed too; a message left without any body text gets a multipart/alternative
 *   (text/plain + text/html notice, RFC 2046 section 5.1.4) as its first part or as its body;
 * - the notice is added to every body text/plain part and every body text/html part (before
 *   `</body>` when present, else at the end), in the part's charset when it can represent
 *   the notice, else the part is converted to UTF-8 quoted-printable (see mime_text.hpp);
 * - Subject replaced if `req.subject` differs; every X-Sealpost-Phone header removed;
 * - all other parts and headers are written as parsed (GMime keeps raw header values and
 *   copies undecoded content of untouched parts);
 * - the output is re-parsed and checked: it parses cleanly, holds exactly the attachments
 *   that were not selected, and every body text part decodes to a text holding the notice.
 * Errors: Errc::invalid_argument with `mime:<reason>` (signed_or_encrypted, selection,
 * charset, verify, or any parse refusal), Errc::internal.
 */
Result<std::string> mime_rewrite(const MimeMessage& m, const MimeRewriteRequest& req);

}  // namespace sealpost::mime
