// SPDX-License-Identifier: Apache-2.0
// Text formats of the SMS providers: placeholder expansion with escaping per context (JSON, form,
// URL), the outbox line, and the checks a number and a text pass before anything is sent.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sealpost::portal::sms {

/// How a placeholder's value is escaped where it lands.
enum class Escape {
    json,  ///< JSON string content, RFC 8259 section 7: `"` `\` and U+0000..U+001F escaped
    form,  ///< application/x-www-form-urlencoded (WHATWG URL standard): space as '+'
    url,   ///< RFC 3986 2.1 percent-encoding of all but the unreserved characters (2.3)
};

/// Append `value` to `out`, escaped per `how`. Bytes >= 0x80 pass unchanged for json (the
/// caller checks UTF-8) and are percent-encoded byte by byte for form and url.
void append_escaped(std::string& out, std::string_view value, Escape how);

/// The values of the placeholders `{to}`, `{text}`, `{sender}` and `{secret}` (sms.secret_file).
struct Fields {
    std::string_view to;
    std::string_view text;
    std::string_view sender;
    std::string_view secret;
};

/** `tmpl` with each `{to}`, `{text}`, `{sender}`, `{secret}` replaced by its escaped value, in one
 * pass: replaced values are never scanned again, so a text holding "{to}" stays as it is. Any other
 * brace is copied unchanged. The result's capacity is reserved up front, so no reallocation
 * leaves a copy of the text behind in freed memory (the caller wipes the result). */
std::string expand(std::string_view tmpl, const Fields& f, Escape how);

/// `url` with the placeholders expanded (Escape::url) in its path, query and fragment only;
/// the scheme and authority are copied unchanged. A string without "://" is returned as is.
std::string expand_url(std::string_view url, const Fields& f);

/// One outbox line for `unix_seconds` (UTC), ending in '\n':
/// `2025-01-31T08:15:00Z to=+41791234567 text=Code 123456` with `\`, LF and CR in the text
/// written as `\\`, `\n`, `\r`.
std::string outbox_line(std::int64_t unix_seconds, std::string_view to, std::string_view text);

/// "+" then 7 to 15 digits, the first not 0 (ITU-T E.164).
bool is_e164(std::string_view s) noexcept;

/// Well-formed UTF-8 (RFC 3629 section 4: no overlong forms, no surrogates, at most U+10FFFF).
bool is_utf8(std::string_view s) noexcept;

}  // namespace sealpost::portal::sms
