// SPDX-License-Identifier: Apache-2.0
// The portal's in-memory state: patient sessions (stored hashed), CSRF tokens and the per-IP
// code limit. Lost on restart by design: a patient then types a new code, nothing else breaks.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/core_result.hpp"
#include "crypto/crypto_secret.hpp"
#include "vault/vault.hpp"

namespace sealpost::portal {

using Clock = std::function<std::int64_t()>;  ///< unix seconds

/** Sessions after a successful code check. The cookie value is 32 random bytes
 * (base64url); only HMAC-SHA256 of it under a key made at start is kept, so a memory dump
 * does not give away live sessions. A session is bound to one envelope, ends `idle` after its last
 * use and `absolute` after it began. Thread-safe. */
class SessionStore {
  public:
    /// Throws std::runtime_error (at start) when the RNG fails.
    SessionStore(std::chrono::seconds idle, std::chrono::seconds absolute, std::size_t max_sessions,
                 Clock now);

    /// A new session for `envelope`; returns the cookie value. Errors: Errc::internal (RNG).
    Result<crypto::SecretString> create(const vault::EnvelopeId& envelope);

    /// Whether `cookie` is a live session bound to `envelope`; a hit counts as use (idle timer).
    bool valid(std::string_view cookie, const vault::EnvelopeId& envelope);

    /// True the first time this session downloads document `doc` (audit once per session).
    bool first_download(std::string_view cookie, std::uint32_t doc);

    /// Ends the session (e.g. the envelope was revoked). Unknown cookies are ignored.
    void end(std::string_view cookie);

    [[nodiscard]] std::size_t size();

  private:
    using Key = std::array<std::uint8_t, 32>;
    struct KeyHash {
        std::size_t operator()(const Key& k) const noexcept;
    };
    struct Entry {
        vault::EnvelopeId envelope{};
        std::int64_t created = 0;
        std::int64_t last_used = 0;
        std::set<std::uint32_t> downloaded;
    };
    [[nodiscard]] Key key_of(std::string_view cookie) const;
    [[nodiscard]] bool live(const Entry& e, std::int64_t now) const;
    void evict(std::int64_t now);

    crypto::SecretBytes hash_key_;
    std::int64_t idle_;
    std::int64_t absolute_;
    std::size_t max_;
    Clock now_;
    std::mutex mu_;
    std::unordered_map<Key, Entry, KeyHash> sessions_;
};

/** CSRF tokens bound to a visitor cookie and a scope (the link path): the hidden form field is
 * base64url(HMAC-SHA256(key, visitor || 0 || scope)) under a key made at start. A POST must
 * carry both the cookie and the matching field (OWASP "signed double-submit cookie"); the
 * cookies are SameSite=Strict as a second line. */
class CsrfGuard {
  public:
    /// Errors (at start): std::runtime_error when the RNG fails.
    CsrfGuard();
    /// A new visitor id for the `__Host-sealpost-csrf` cookie. Errors: Errc::internal.
    static Result<std::string> new_visitor();
    [[nodiscard]] std::string token(std::string_view visitor, std::string_view scope) const;
    /// Constant-time check; false when either is empty.
    [[nodiscard]] bool check(std::string_view visitor, std::string_view scope,
                             std::string_view presented) const;

  private:
    crypto::SecretBytes key_;
};

/** At most `per_hour` events per client IP in a sliding hour (the code-request limit).
 * Remembers at most `max_ips` addresses; when full, forgets the quietest ones. Thread-safe. */
class IpLimiter {
  public:
    IpLimiter(unsigned per_hour, std::size_t max_ips, Clock now);
    /// Counts one event for `ip` and returns true, or returns false (nothing counted) when the
    /// limit is reached; `retry_at` then says when the oldest event leaves the window.
    bool allow(const std::string& ip, std::int64_t* retry_at);
    /// Takes the last counted event back (the SMS failed: it costs nothing).
    void refund(const std::string& ip);

  private:
    unsigned per_hour_;
    std::size_t max_ips_;
    Clock now_;
    std::mutex mu_;
    std::unordered_map<std::string, std::deque<std::int64_t>> events_;
};

}  // namespace sealpost::portal
