// SPDX-License-Identifier: Apache-2.0
// Sessions, CSRF tokens and the per-IP code limit of the portal (see portal_sessions.hpp).
#include "portal/portal_sessions.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "crypto/crypto_base64url.hpp"
#include "crypto/crypto_compare.hpp"
#include "crypto/crypto_hmac.hpp"
#include "crypto/crypto_random.hpp"

namespace sealpost::portal {

namespace {

constexpr std::size_t kCookieBytes = 32;
constexpr std::int64_t kHour = 3600;

crypto::SecretBytes random_key() {
    auto k = crypto::random_bytes(32);
    if (!k) {
        throw std::runtime_error("random number generator failed");
    }
    return std::move(k).value();
}

}  // namespace

// ---- SessionStore ------------------------------------------------------------------------

std::size_t SessionStore::KeyHash::operator()(const Key& k) const noexcept {
    std::size_t h = 0;
    std::memcpy(&h, k.data(), sizeof h);  // already uniformly random (HMAC output)
    return h;
}

SessionStore::SessionStore(std::chrono::seconds idle, std::chrono::seconds absolute,
                           std::size_t max_sessions, Clock now)
    : hash_key_(random_key()),
      idle_(idle.count()),
      absolute_(absolute.count()),
      max_(std::max<std::size_t>(max_sessions, 1)),
      now_(std::move(now)) {}

SessionStore::Key SessionStore::key_of(std::string_view cookie) const {
    return crypto::hmac_sha256(hash_key_, crypto::as_bytes(cookie));
}

bool SessionStore::live(const Entry& e, std::int64_t now) const {
    return now < e.created + absolute_ && now < e.last_used + idle_;
}

void SessionStore::evict(std::int64_t now) {
    std::erase_if(sessions_, [&](const auto& kv) { return !live(kv.second, now); });
    while (sessions_.size() >= max_) {
        // Full of live sessions (a flood of successful checks is unlikely; be safe anyway):
        // the oldest goes first.
        auto oldest = std::min_element(
            sessions_.begin(), sessions_.end(),
            [](const auto& a, const auto& b) { return a.second.created < b.second.created; });
        sessions_.erase(oldest);
    }
}

Result<crypto::SecretString> SessionStore::create(const vault::EnvelopeId& envelope) {
    SP_TRY(raw, crypto::random_bytes(kCookieBytes));
    std::string b64 = crypto::base64url_encode(raw);
    crypto::SecretString cookie(b64.begin(), b64.end());
    crypto::secure_wipe(b64.data(), b64.size());
    const std::int64_t now = now_();
    const std::lock_guard lock(mu_);
    if (sessions_.size() >= max_) {
        evict(now);
    }
    sessions_[key_of(cookie)] = Entry{envelope, now, now, {}};
    return cookie;
}

bool SessionStore::valid(std::string_view cookie, const vault::EnvelopeId& envelope) {
    if (cookie.empty()) {
        return false;
    }
    const Key k = key_of(cookie);
    const std::int64_t now = now_();
    const std::lock_guard lock(mu_);
    auto it = sessions_.find(k);
    if (it == sessions_.end()) {
        return false;
    }
    if (!live(it->second, now)) {
        sessions_.erase(it);
        return false;
    }
    if (it->second.envelope != envelope) {
        return false;  // bound to another link: no access here, but the session lives on
    }
    it->second.last_used = now;
    return true;
}

bool SessionStore::first_download(std::string_view cookie, std::uint32_t doc) {
    const Key k = key_of(cookie);
    const std::lock_guard lock(mu_);
    auto it = sessions_.find(k);
    return it != sessions_.end() && it->second.downloaded.insert(doc).second;
}

void SessionStore::end(std::string_view cookie) {
    const Key k = key_of(cookie);
    const std::lock_guard lock(mu_);
    sessions_.erase(k);
}

std::size_t SessionStore::size() {
    const std::lock_guard lock(mu_);
    return sessions_.size();
}

// ---- CsrfGuard ---------------------------------------------------------------------------

CsrfGuard::CsrfGuard() : key_(random_key()) {}

Result<std::string> CsrfGuard::new_visitor() {
    SP_TRY(raw, crypto::random_bytes(16));
    return crypto::base64url_encode(raw);
}

std::string CsrfGuard::token(std::string_view visitor, std::string_view scope) const {
    std::string msg;
    msg.reserve(visitor.size() + 1 + scope.size());
    msg.append(visitor);
    msg.push_back('\0');
    msg.append(scope);
    const auto mac = crypto::hmac_sha256(key_, crypto::as_bytes(msg));
    return crypto::base64url_encode(mac);
}

bool CsrfGuard::check(std::string_view visitor, std::string_view scope,
                      std::string_view presented) const {
    if (visitor.empty() || presented.empty()) {
        return false;
    }
    const std::string expected = token(visitor, scope);
    return crypto::ct_equal(crypto::as_bytes(expected), crypto::as_bytes(presented));
}

// ---- IpLimiter ---------------------------------------------------------------------------

IpLimiter::IpLimiter(unsigned per_hour, std::size_t max_ips, Clock now)
    : per_hour_(per_hour), max_ips_(std::max<std::size_t>(max_ips, 1)), now_(std::move(now)) {}

bool IpLimiter::allow(const std::string& ip, std::int64_t* retry_at) {
    const std::int64_t now = now_();
    const std::lock_guard lock(mu_);
    if (events_.size() >= max_ips_ && events_.find(ip) == events_.end()) {
        // Forget addresses whose events all left the window; if none did, forget the one
        // with the fewest events (bounded memory beats perfect memory under a flood).
        std::erase_if(events_, [&](const auto& kv) {
            return kv.second.empty() || kv.second.back() <= now - kHour;
        });
        if (events_.size() >= max_ips_) {
            events_.erase(std::min_element(
                events_.begin(), events_.end(),
                [](const auto& a, const auto& b) { return a.second.size() < b.second.size(); }));
        }
    }
    auto& q = events_[ip];
    while (!q.empty() && q.front() <= now - kHour) {
        q.pop_front();
    }
    if (q.size() >= per_hour_) {
        if (retry_at != nullptr) {
            *retry_at = q.front() + kHour;
        }
        return false;
    }
    q.push_back(now);
    return true;
}

void IpLimiter::refund(const std::string& ip) {
    const std::lock_guard lock(mu_);
    auto it = events_.find(ip);
    if (it != events_.end() && !it->second.empty()) {
        it->second.pop_back();
    }
}

}  // namespace sealpost::portal
