// SPDX-License-Identifier: Apache-2.0
// The portal's three cookies (session, CSRF visitor, language): their names and the one
// function that writes a Set-Cookie value, so every cookie carries the same __Host- rules.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace sealpost::portal {

/// The session after a verified code (portal_sessions.hpp); never logged.
inline constexpr std::string_view kSessionCookie = "__Host-sealpost";
/// The CSRF visitor id (CsrfGuard).
inline constexpr std::string_view kVisitorCookie = "__Host-sealpost-csrf";
/// The language chosen with ?lang=.
inline constexpr std::string_view kLangCookie = "__Host-sealpost-lang";

/// `name=value; Path=/; Secure; HttpOnly; SameSite=Strict[; Max-Age=N]` (no Max-Age when
/// `max_age` is 0: a browser-session cookie).
std::string set_cookie(std::string_view name, std::string_view value, std::int64_t max_age);

/// The session cookie, as long-lived as the session's absolute limit.
std::string session_cookie(std::string_view value, std::int64_t max_age);
/// The visitor cookie: lives as long as the browser session.
std::string visitor_cookie(std::string_view visitor);
/// The language cookie: remembered for a year.
std::string lang_cookie(std::string_view lang);

}  // namespace sealpost::portal
