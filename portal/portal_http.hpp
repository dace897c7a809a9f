// SPDX-License-Identifier: Apache-2.0
// The portal's view of HTTP: a parsed request and a response (a page or a streamed download),
// plus the small parsers routes need (query, form, cookies) and RFC 6266 file names.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/core_result.hpp"
#include "crypto/crypto_secret.hpp"

namespace sealpost::portal {

/// What a route sees of a request; the server fills it after Beast parsed and bounded it.
struct Request {
    std::string method;           ///< "GET", "POST", ...
    std::string path;             ///< target before '?', not decoded
    std::string query;            ///< after '?', not decoded ("" if none)
    std::string cookie;           ///< the Cookie header(s), joined with "; "
    std::string accept_language;  ///< Accept-Language header
    std::string content_type;     ///< Content-Type header
    std::string body;             ///< at most portal.max_request_size
    std::string client_ip;        ///< peer, or X-Forwarded-For from the trusted proxy
    std::string sid;              ///< connection and request number, for log lines
};

/// A streamed body: returns the next piece, std::nullopt at the end, or an error (the
/// server then closes the connection: the length promised in the header cannot be kept).
using BodySource = std::function<Result<std::optional<crypto::SecretBytes>>()>;

struct Response {
    unsigned status = 200;
    std::vector<std::pair<std::string, std::string>> headers;  ///< besides the security set
    std::string body;                                          ///< when `source` is empty
    std::uint64_t length = 0;                                  ///< with `source`: exact bytes
    BodySource source;

    Response& header(std::string name, std::string value) {
        headers.emplace_back(std::move(name), std::move(value));
        return *this;
    }
};

/// The headers every response carries (DESIGN 4), in order. One place, used by the server
/// for pages, downloads and its own 400/408/503 answers alike.
const std::vector<std::pair<std::string_view, std::string_view>>& security_headers();

/// Percent-decoding of an application/x-www-form-urlencoded value ('+' is a space; WHATWG
/// URL standard, section 5.1). std::nullopt for a malformed escape or a NUL byte.
std::optional<std::string> form_decode(std::string_view s);

/// All values of `name` in a query string or form body, decoded; malformed pairs skipped.
/// At most `max_values` are returned (bounded work on hostile input).
std::vector<std::string> form_values(std::string_view encoded, std::string_view name,
                                     std::size_t max_values = 1000);
/// The first value of `name`, or "".
std::string form_value(std::string_view encoded, std::string_view name);

/// The value of cookie `name` in a Cookie header (RFC 6265 5.4 syntax), or "".
std::string cookie_value(std::string_view cookie_header, std::string_view name);

/** `attachment; filename="…"; filename*=UTF-8''…` for `file_name` (RFC 6266 4.1, RFC 8187):
 * the quoted fallback keeps printable ASCII and turns everything else into '_'; the UTF-8
 * form percent-encodes everything outside attr-char. Path separators, control and bidi
 * characters are dropped first, leading dots removed, length capped; an empty result
 * becomes `fallback`. */
std::string content_disposition(std::string_view file_name, std::string_view fallback);

/// The file name as `content_disposition` sanitises it (UTF-8 kept), for ZIP entries.
std::string sanitize_file_name(std::string_view file_name, std::string_view fallback);

/// A content type safe to send: `type/subtype` made of RFC 9110 token characters
/// (parameters dropped, lower-cased), else application/octet-stream. Never text/html.
std::string safe_content_type(std::string_view stored);

}  // namespace sealpost::portal
