// SPDX-License-Identifier: Apache-2.0
// Limits, refusal statuses and the Beast-to-Request conversion of the portal (portal_request.hpp).
#include "portal/portal_request.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>

#include <boost/asio/ip/address.hpp>
#include <boost/beast/core/string.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/field.hpp>

#include "crypto/crypto_secret.hpp"

namespace sealpost::portal {

namespace {

namespace http = boost::beast::http;

std::string_view sv(boost::beast::string_view s) {
    return {s.data(), s.size()};
}

}  // namespace

void limit_request(RequestParser& parser, std::size_t max_request) {
    parser.header_limit(static_cast<std::uint32_t>(std::min(kHeaderLimit, max_request)));
    parser.body_limit(max_request);
}

unsigned refused_request_status(const boost::beast::error_code& ec) {
    if (ec == boost::beast::error::timeout) {
        return 408;
    }
    if (ec == http::error::header_limit) {
        return 431;
    }
    if (ec == http::error::body_limit) {
        return 413;
    }
    return 400;
}

bool framing_ok(const HttpRequest& req) {
    std::size_t fields = 0;
    std::string_view value;
    for (const auto& field : req) {
        if (field.name() == http::field::transfer_encoding) {
            ++fields;
            value = sv(field.value());
        }
    }
    if (fields == 0) {
        return true;
    }
    if (fields > 1 || req.version() < 11) {
        return false;
    }
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) {
        value.remove_prefix(1);
    }
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) {
        value.remove_suffix(1);
    }
    // The only coding the portal understands; anything else (or a list) is refused rather than
    // guessed at (RFC 9112 6.1: "chunked" is case-insensitive).
    return boost::beast::iequals(boost::beast::string_view(value.data(), value.size()), "chunked");
}

bool is_origin_form(std::string_view target) {
    return !target.empty() && target.front() == '/';
}

std::string client_ip(std::string_view peer, std::string_view trusted_proxy,
                      std::string_view forwarded) {
    if (trusted_proxy.empty() || peer != trusted_proxy || forwarded.empty()) {
        return std::string(peer);
    }
    std::string_view last = forwarded.substr(forwarded.rfind(',') + 1);
    while (!last.empty() && last.front() == ' ') {
        last.remove_prefix(1);
    }
    while (!last.empty() && last.back() == ' ') {
        last.remove_suffix(1);
    }
    boost::system::error_code ec;
    const auto addr = boost::asio::ip::make_address(std::string(last), ec);
    return ec ? std::string(peer) : addr.to_string();
}

Request to_request(HttpRequest&& req, std::string_view peer, std::string_view trusted_proxy,
                   std::string sid) {
    Request rq;
    rq.method = std::string(sv(req.method_string()));
    const std::string_view target = sv(req.target());
    const std::size_t q = target.find('?');
    rq.path = std::string(target.substr(0, q));
    rq.query = q == std::string_view::npos ? std::string{} : std::string(target.substr(q + 1));
    for (const auto& field : req) {
        if (field.name() == http::field::cookie) {
            if (!rq.cookie.empty()) {
                rq.cookie += "; ";
            }
            rq.cookie += sv(field.value());
        }
    }
    rq.accept_language = std::string(sv(req[http::field::accept_language]));
    rq.content_type = std::string(sv(req[http::field::content_type]));
    std::string& body = req.body();
    rq.body = std::move(body);
    // A short body lives inside the string itself (no heap buffer to hand over), and the move
    // copies it and leaves its bytes there: wipe the whole buffer of what is left behind.
    body.clear();
    body.resize(body.capacity());
    crypto::secure_wipe(body.data(), body.size());
    body.clear();
    rq.client_ip = client_ip(peer, trusted_proxy, sv(req["X-Forwarded-For"]));
    rq.sid = std::move(sid);
    return rq;
}

}  // namespace sealpost::portal
