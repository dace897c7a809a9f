// SPDX-License-Identifier: Apache-2.0
// Internal to mime/mime_*: adding the notice to one body text part while keeping its
// charset (RFC 2045 section 5.1, RFC 2046 section 4.1.2) or converting it to UTF-8.
#pragma once

#include <string>
#include <string_view>

#include "core/core_result.hpp"
#include "mime/mime_gobject.hpp"

namespace sealpost::mime::detail {

/// Where the notice goes in the decoded text: at the end for text/plain; before the last
/// `</body` (case-insensitive) for text/html, else at the end.
std::string splice_notice(std::string_view body, std::string_view notice, bool html);

/// Adds `notice_utf8` to `part` (a body text/plain or text/html leaf). Charset policy:
/// - the notice is converted to the part's charset (default us-ascii, RFC 2045 section 5.2);
///   when every character converts, the decoded body bytes are kept as they are and the
///   part keeps its charset;
/// - otherwise (e.g. "••67" in ISO-8859-1) the whole body is converted to UTF-8 and the
///   part is labelled charset=utf-8; a body that is not valid in its declared charset is an
///   error (reason `charset`), never a guess.
/// Transfer encoding: base64 stays base64; otherwise 7bit when the result is short-lined
/// ASCII and the part was 7bit/unspecified, else quoted-printable (RFC 2045 section 6.7).
Status add_notice(GMimeObject* part, std::string_view notice_utf8, bool html);

/// A new multipart/alternative (RFC 2046 section 5.1.4) holding the notice as a text/plain
/// part, then as a text/html page around `html` (a block): both UTF-8 quoted-printable
/// (RFC 2045 section 6.7). For a message left without body text, and for sealpost's own mails.
gobj::Ref<GMimeMultipart> make_notice_body(std::string_view text, std::string_view html);

}  // namespace sealpost::mime::detail
