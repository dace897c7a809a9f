// SPDX-License-Identifier: Apache-2.0
// Text that goes into HTML and mails made from untrusted values (file names, practice names):
// one escaping and one cleaning rule for the portal's pages and the notices alike.
#pragma once

#include <string>
#include <string_view>

namespace sealpost::text {

/// HTML-escapes & < > " ' (OWASP: safe in element content and in quoted attributes).
std::string html_escape(std::string_view s);

/// Replaces control characters with a space and drops the bidi marks that reorder text
/// (U+200E/F, U+202A..E, U+2066..9: the "Trojan Source" trick that shows `fdp.exe` as
/// `exe.pdf`). Other UTF-8 passes unchanged.
std::string clean(std::string_view s);

}  // namespace sealpost::text
