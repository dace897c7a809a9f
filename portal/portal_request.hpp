// SPDX-License-Identifier: Apache-2.0
// From bytes on the wire to what a route sees: the limits a request is read with, the status for
// a request Beast refused, and the conversion of a parsed request into portal::Request. Shared
// by the server and the fuzz target, so the fuzzer tests what the server does.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include <boost/beast/core/error.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "portal/portal_http.hpp"

namespace sealpost::portal {

/// Largest request head (request line and headers) read (DESIGN 4: header 8 KiB).
inline constexpr std::size_t kHeaderLimit = std::size_t{8} * 1024;

using HttpRequest = boost::beast::http::request<boost::beast::http::string_body>;
using RequestParser = boost::beast::http::request_parser<boost::beast::http::string_body>;

/// Bounds one request: the head to kHeaderLimit (or `max_request` when smaller), the body to
/// `max_request` (portal.max_request_size).
void limit_request(RequestParser& parser, std::size_t max_request);

/// The status for a request the parser refused: 408 (timeout), 431 (head over its limit,
/// RFC 6585 section 5), 413 (body over its limit), else 400.
unsigned refused_request_status(const boost::beast::error_code& ec);

/** False when the request's framing cannot be trusted (RFC 9112 6.1, 6.3): a Transfer-Encoding
 * other than exactly one `chunked` (e.g. `gzip`, `chunked, chunked`, `gzip, chunked`, or two
 * fields), or any Transfer-Encoding on an HTTP/1.0 request. The server answers 400 and closes. */
bool framing_ok(const HttpRequest& req);

/// True for an origin-form target (RFC 9112 section 3.2.1: starts with '/'); the server answers
/// every other form (absolute, authority, asterisk) with 400 before any route sees it.
bool is_origin_form(std::string_view target);

/// The client address a route sees: `peer`, or the last X-Forwarded-For hop when the peer is
/// the configured reverse proxy `trusted_proxy` (the only hop it can vouch for is the one it
/// appended) and that hop is an IP literal.
std::string client_ip(std::string_view peer, std::string_view trusted_proxy,
                      std::string_view forwarded);

/// The route's view of a parsed request: method; path and query split at the first '?', both
/// not decoded; every Cookie header joined with "; "; Accept-Language, Content-Type and the
/// body; the client address from client_ip() with the request's X-Forwarded-For; `sid`. The
/// body is moved out of `req` (left empty and wiped), not copied: a POST's body holds the SMS
/// code, and the caller wipes the one copy in Request::body when the request is done.
Request to_request(HttpRequest&& req, std::string_view peer, std::string_view trusted_proxy,
                   std::string sid);

}  // namespace sealpost::portal
