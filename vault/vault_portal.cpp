// SPDX-License-Identifier: Apache-2.0
// The portal's SMS-code guard: code hashes, try counters, locks and send counts per envelope,
// in the `portal` database, so limits survive restarts and hold across portal processes.
#include <algorithm>
#include <vector>

#include "vault/vault_codec.hpp"
#include "vault/vault_impl.hpp"

namespace sealpost::vault {

CodePolicy::CodePolicy(const PortalConfig& p)
    : digits(p.code_length),
      ttl(p.code_ttl),
      per_window(p.codes_per_window),
      window(p.code_window),
      per_day(p.codes_per_day),
      tries_per_code(p.max_tries_per_code),
      killed_before_lock(p.killed_codes_before_lock),
      lock_duration(p.lock_duration),
      tries_total(p.max_tries_total) {}

namespace {

constexpr std::string_view kCodeLabel = "sealpost-code-v1";  // HMAC input label: file format
constexpr std::uint8_t kGuardVersionV1 = 1;  // had a killed-codes streak instead of `wrong`
constexpr std::uint8_t kGuardVersion = 2;
constexpr std::size_t kLinkTagLen = 8;  // first bytes of the link's lookup id
constexpr std::size_t kHashLen = 32;
constexpr std::int64_t kDay = 86400;
constexpr std::size_t kMaxSends = 1000;  // codes_per_day is at most 1000 (config range)
// max_tries_per_code (10) x killed_codes_before_lock (100) at most (config ranges).
constexpr std::size_t kMaxWrong = 1000;

/// Guard record, stored in clear: counters and times only. Layout (big-endian), version 2:
/// version u8 | link tag 8 | code hash 32 | code issued i64 | code expires i64 | code tries u8 |
/// lock until i64 | total wrong u32 | n u16 | n x send time i64 | m u16 | m x wrong-try time i64.
/// Version 1 had `killed u8` (codes killed in a row) after the code tries and no wrong-try
/// times; it is read as a version 2 record whose current code's tries are its only recent ones.
struct Guard {
    std::array<std::uint8_t, kLinkTagLen> link_tag{};
    std::array<std::uint8_t, kHashLen> code_hash{};
    std::int64_t code_issued = 0;  // 0 = no code
    std::int64_t code_expires = 0;
    std::uint8_t code_tries = 0;  // wrong tries on the current code
    std::int64_t lock_until = 0;
    std::uint32_t total_wrong = 0;    // in the link's life
    std::vector<std::int64_t> sends;  // times of codes sent in the last 24 h, ascending
    // Times of the wrong tries inside the lock window, over all codes, ascending: a new or
    // expired code does not forget them.
    std::vector<std::int64_t> wrong;
};

crypto::Bytes encode_guard(const Guard& g) {
    records::Writer<crypto::Bytes> w;
    w.u8(kGuardVersion);
    w.raw(g.link_tag);
    w.raw(g.code_hash);
    w.i64(g.code_issued);
    w.i64(g.code_expires);
    w.u8(g.code_tries);
    w.i64(g.lock_until);
    w.u32(g.total_wrong);
    w.u16(static_cast<std::uint16_t>(g.sends.size()));
    for (std::int64_t t : g.sends) {
        w.i64(t);
    }
    w.u16(static_cast<std::uint16_t>(g.wrong.size()));
    for (std::int64_t t : g.wrong) {
        w.i64(t);
    }
    return w.take();
}

Result<Guard> decode_guard(crypto::ByteView v) {
    records::Reader r(v);
    const std::uint8_t version = r.u8();
    if (version != kGuardVersion && version != kGuardVersionV1) {
        return make_error(Errc::corrupt, "portal guard record malformed");
    }
    Guard g;
    r.fixed(g.link_tag);
    r.fixed(g.code_hash);
    g.code_issued = r.i64();
    g.code_expires = r.i64();
    g.code_tries = r.u8();
    if (version == kGuardVersionV1) {
        (void)r.u8();  // the old streak of killed codes: its tries' times are unknown
    }
    g.lock_until = r.i64();
    g.total_wrong = r.u32();
    const std::size_t n = r.u16();
    if (n > kMaxSends) {
        return make_error(Errc::corrupt, "portal guard record malformed");
    }
    g.sends.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
        g.sends.push_back(r.i64());
    }
    if (version == kGuardVersionV1) {
        g.wrong.assign(g.code_tries, g.code_issued);
    } else {
        const std::size_t m = r.u16();
        if (m > kMaxWrong) {
            return make_error(Errc::corrupt, "portal guard record malformed");
        }
        g.wrong.reserve(m);
        for (std::size_t i = 0; i < m; ++i) {
            g.wrong.push_back(r.i64());
        }
    }
    SP_CHECK(r.finish("portal guard record"));
    return g;
}

std::array<std::uint8_t, kLinkTagLen> link_tag_of(const records::EnvelopeRecord& rec) {
    std::array<std::uint8_t, kLinkTagLen> tag{};
    std::copy_n(rec.lookup.begin(), kLinkTagLen, tag.begin());
    return tag;
}

std::array<std::uint8_t, kHashLen> code_hash(const keys::SymmetricKey& pepper, const EnvelopeId& id,
                                             std::string_view code) {
    crypto::SecretBytes msg;
    msg.reserve(kCodeLabel.size() + id.size() + code.size());
    msg.insert(msg.end(), kCodeLabel.begin(), kCodeLabel.end());
    msg.insert(msg.end(), id.begin(), id.end());
    msg.insert(msg.end(), code.begin(), code.end());
    return crypto::hmac_sha256(pepper.key, msg);
}

/// A uniformly random decimal code: rejection sampling on random bytes, so no digit is more
/// likely than another (a plain `byte % 10` would favour 0..5).
Result<crypto::SecretString> random_code(unsigned digits) {
    crypto::SecretString code;
    code.reserve(digits);
    while (code.size() < digits) {
        SP_TRY(raw, crypto::random_bytes(32));
        for (std::uint8_t b : raw) {
            if (b < 250 && code.size() < digits) {
                code.push_back(static_cast<char>('0' + (b % 10)));
            }
        }
    }
    return code;
}

bool well_formed(std::string_view code, unsigned digits) {
    return code.size() == digits &&
           std::all_of(code.begin(), code.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// Wrong tries that lock the link for lock_duration when they fall inside one lock window
/// (lock_duration long), however they are spread over codes.
std::size_t wrong_budget(const CodePolicy& p) {
    return std::max<std::size_t>(1, std::size_t{p.tries_per_code} * p.killed_before_lock);
}

/// The guard as it applies now: a fresh one for a new link, old sends, wrong tries older than
/// the lock window and a lapsed lock dropped, an expired code forgotten (its wrong tries are
/// not).
Guard current(std::optional<Guard> stored, const records::EnvelopeRecord& rec, std::int64_t now,
              const CodePolicy& p) {
    Guard g;
    if (stored && stored->link_tag == link_tag_of(rec)) {
        g = std::move(*stored);
    }
    g.link_tag = link_tag_of(rec);
    std::erase_if(g.sends, [&](std::int64_t t) { return t <= now - kDay || t > now + kDay; });
    const std::int64_t window = p.lock_duration.count();
    std::erase_if(g.wrong, [&](std::int64_t t) { return t <= now - window || t > now + kDay; });
    if (g.code_issued != 0 && now >= g.code_expires) {
        g.code_issued = g.code_expires = 0;
        g.code_hash.fill(0);
        g.code_tries = 0;
    }
    if (g.lock_until != 0 && now >= g.lock_until) {
        g.lock_until = 0;
    }
    return g;
}

/// Wrong tries the current code still takes: its own and the lock window's, whichever ends
/// first.
unsigned tries_left(const Guard& g, const CodePolicy& p) {
    const std::size_t budget = wrong_budget(p);
    const std::size_t window_left = g.wrong.size() < budget ? budget - g.wrong.size() : 0;
    const unsigned code_left =
        g.code_tries < p.tries_per_code ? p.tries_per_code - g.code_tries : 0;
    return static_cast<unsigned>(std::min<std::size_t>(code_left, window_left));
}

GuardView view_of(const Guard& g, const CodePolicy& p, std::int64_t now) {
    GuardView v;
    if (g.total_wrong >= p.tries_total) {
        v.state = GuardState::locked_for_good;
        return v;
    }
    if (g.lock_until > now) {
        v.state = GuardState::locked_for_now;
        v.until = g.lock_until;
        return v;
    }
    v.code_pending = g.code_issued != 0;
    v.tries_left = v.code_pending ? tries_left(g, p) : 0;
    const std::int64_t window = p.window.count();
    const auto in_window = static_cast<std::size_t>(std::count_if(
        g.sends.begin(), g.sends.end(), [&](std::int64_t t) { return t > now - window; }));
    if (g.sends.size() >= p.per_day) {
        v.state = GuardState::rate_limited;
        v.until = g.sends[g.sends.size() - p.per_day] + kDay;
    } else if (in_window >= p.per_window) {
        v.state = GuardState::rate_limited;
        v.until = g.sends[g.sends.size() - p.per_window] + window;
    }
    return v;
}

}  // namespace

namespace {

/// Load the envelope (must be live) and its guard inside `txn`.
Result<std::pair<records::EnvelopeRecord, std::optional<Guard>>> load_guarded(
    Vault::Impl& im, kv::Txn& txn, const EnvelopeId& id) {
    SP_TRY(rec, im.load_live(txn, id));
    SP_TRY(raw, txn.get(im.db.portal, id));
    std::optional<Guard> stored;
    if (raw) {
        SP_TRY(g, decode_guard(*raw));
        stored = std::move(g);
    }
    return std::pair{std::move(rec), std::move(stored)};
}

}  // namespace

Result<GuardView> Vault::guard_status(const EnvelopeId& id, const CodePolicy& policy) {
    Impl& im = *impl_;
    SP_TRY(txn, im.read());
    SP_TRY(loaded, load_guarded(im, txn, id));
    const std::int64_t now = im.now();
    return view_of(current(std::move(loaded.second), loaded.first, now, policy), policy, now);
}

Result<CodeIssue> Vault::code_issue(const EnvelopeId& id, const CodePolicy& policy) {
    Impl& im = *impl_;
    if (policy.digits < 4 || policy.digits > 10 || policy.per_window == 0 || policy.per_day == 0) {
        return make_error(Errc::invalid_argument, "code policy out of range");
    }
    // Made before the transaction: the write body may run twice (map growth).
    SP_TRY(code, random_code(policy.digits));
    CodeIssue out;
    const Status st = im.write([&](kv::Txn& txn) -> Status {
        out = CodeIssue{};
        SP_TRY(loaded, load_guarded(im, txn, id));
        const std::int64_t now = im.now();
        Guard g = current(std::move(loaded.second), loaded.first, now, policy);
        out.guard = view_of(g, policy, now);
        if (out.guard.state != GuardState::open) {
            return {};
        }
        g.code_hash = code_hash(im.pepper, id, code);
        g.code_issued = now;
        g.code_expires = now + policy.ttl.count();
        g.code_tries = 0;
        g.sends.push_back(now);
        if (g.sends.size() > kMaxSends) {
            g.sends.erase(g.sends.begin());
        }
        SP_CHECK(txn.put(im.db.portal, id, encode_guard(g)));
        out.guard = view_of(g, policy, now);
        out.guard.state = GuardState::open;  // the code just sent may fill the window
        out.guard.until = 0;
        out.code = IssuedCode{code, now, g.code_expires};
        return {};
    });
    if (!st) {
        return st.error();
    }
    return out;
}

Status Vault::code_withdraw(const EnvelopeId& id, std::int64_t issued_at) {
    Impl& im = *impl_;
    return im.write([&](kv::Txn& txn) -> Status {
        SP_TRY(loaded, load_guarded(im, txn, id));
        if (!loaded.second || loaded.second->link_tag != link_tag_of(loaded.first)) {
            return {};
        }
        Guard g = std::move(*loaded.second);
        if (g.code_issued != issued_at) {
            return {};  // a newer code exists: leave it alone
        }
        g.code_issued = g.code_expires = 0;
        g.code_hash.fill(0);
        g.code_tries = 0;
        if (auto it = std::find(g.sends.rbegin(), g.sends.rend(), issued_at);
            it != g.sends.rend()) {
            g.sends.erase(std::next(it).base());
        }
        return txn.put(im.db.portal, id, encode_guard(g));
    });
}

Result<CodeCheck> Vault::code_verify(const EnvelopeId& id, std::string_view code,
                                     const CodePolicy& policy) {
    Impl& im = *impl_;
    // Hash before the transaction, whatever the input, so the work does not depend on it.
    const auto presented = code_hash(im.pepper, id, code);
    const bool formed = well_formed(code, policy.digits);
    CodeCheck out;
    const Status st = im.write([&](kv::Txn& txn) -> Status {
        out = CodeCheck{};
        SP_TRY(loaded, load_guarded(im, txn, id));
        const std::int64_t now = im.now();
        Guard g = current(std::move(loaded.second), loaded.first, now, policy);
        const GuardView before = view_of(g, policy, now);
        if (before.state == GuardState::locked_for_good) {
            out.verdict = CodeVerdict::locked_for_good;
            return {};
        }
        if (before.state == GuardState::locked_for_now) {
            out.verdict = CodeVerdict::locked_for_now;
            out.until = before.until;
            return {};
        }
        if (g.code_issued == 0) {
            out.verdict = CodeVerdict::no_code;
            return {};
        }
        const bool match = crypto::ct_equal(presented, g.code_hash) && formed;
        if (match) {
            g.code_issued = g.code_expires = 0;
            g.code_hash.fill(0);
            g.code_tries = 0;
            g.wrong.clear();  // the patient has the phone: earlier typos no longer count
            out.verdict = CodeVerdict::accepted;
            return txn.put(im.db.portal, id, encode_guard(g));
        }
        ++g.code_tries;
        ++g.total_wrong;
        g.wrong.push_back(now);
        if (g.wrong.size() > kMaxWrong) {
            g.wrong.erase(g.wrong.begin());
        }
        out.verdict = CodeVerdict::wrong;
        // NIST SP 800-63B 5.2.2: a code that was guessed at too often is dead, and the
        // guesser is slowed down further. The slowdown counts every wrong try in the lock
        // window, whichever code it was on: asking for a new code (or letting one expire)
        // must not buy a fresh budget.
        if (g.code_tries >= policy.tries_per_code) {
            g.code_issued = g.code_expires = 0;
            g.code_hash.fill(0);
            g.code_tries = 0;
        }
        if (g.wrong.size() >= wrong_budget(policy)) {
            g.wrong.clear();
            g.code_issued = g.code_expires = 0;  // a lock kills the code too
            g.code_hash.fill(0);
            g.code_tries = 0;
            g.lock_until = now + policy.lock_duration.count();
            out.verdict = CodeVerdict::locked_for_now;
            out.until = g.lock_until;
        } else {
            out.tries_left = g.code_issued != 0 ? tries_left(g, policy) : 0;
        }
        if (g.total_wrong >= policy.tries_total) {
            out.verdict = CodeVerdict::locked_for_good;
            out.until = 0;
            out.tries_left = 0;
        }
        return txn.put(im.db.portal, id, encode_guard(g));
    });
    if (!st) {
        return st.error();
    }
    return out;
}

}  // namespace sealpost::vault
