// SPDX-License-Identifier: Apache-2.0
// The only place that builds the portal's Set-Cookie values (RFC 6265bis): one set of
// attributes for every cookie, and each cookie's lifetime next to its name.
#include "portal/portal_cookies.hpp"

namespace sealpost::portal {

namespace {

/// How long a language chosen with ?lang= is remembered.
constexpr std::int64_t kLangSeconds = 365LL * 86400;

}  // namespace

std::string set_cookie(std::string_view name, std::string_view value, std::int64_t max_age) {
    // RFC 6265bis 4.1.3.2: __Host- cookies are Secure, Path=/ and have no Domain.
    std::string c(name);
    c += '=';
    c += value;
    c += "; Path=/; Secure; HttpOnly; SameSite=Strict";
    if (max_age > 0) {
        c += "; Max-Age=" + std::to_string(max_age);
    }
    return c;
}

std::string session_cookie(std::string_view value, std::int64_t max_age) {
    return set_cookie(kSessionCookie, value, max_age);
}

std::string visitor_cookie(std::string_view visitor) {
    return set_cookie(kVisitorCookie, visitor, 0);
}

std::string lang_cookie(std::string_view lang) {
    return set_cookie(kLangCookie, lang, kLangSeconds);
}

}  // namespace sealpost::portal
