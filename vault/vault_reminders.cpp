// SPDX-License-Identifier: Apache-2.0
// Follow-ups of an unused link (architecture §5b): the patient's one reminder before the link
// expires and the sender's one notice when it expired unused. envelope_create arms them; the
// proxy's notice loop lists what is due, mails it and deletes the record. Why the records are
// sealed under a key derived from contacts.key is explained in vault.hpp.
#include <algorithm>
#include <array>
#include <cstring>
#include <tuple>
#include <utility>
#include <vector>

#include "core/core_log.hpp"
#include "vault/vault_codec.hpp"
#include "vault/vault_impl.hpp"

namespace sealpost::vault {

namespace {

/// HKDF info and AAD label: part of the file format, never change it.
constexpr std::string_view kFollowUpLabel = "sealpost-followup-v1";
/// Key prefixes: 8 bytes, so a key is 24 bytes like the download notices' and never equals a
/// 16-byte guard key.
constexpr std::string_view kReminderPrefix = "follow-r";
constexpr std::string_view kExpiryPrefix = "follow-x";
constexpr std::size_t kKeyLen = 8 + 16;
constexpr std::uint8_t kVersion = 1;

using FollowUpKey = std::array<std::uint8_t, kKeyLen>;

std::string_view prefix_of(FollowUpKind kind) {
    return kind == FollowUpKind::reminder ? kReminderPrefix : kExpiryPrefix;
}

FollowUpKey key_of(FollowUpKind kind, const EnvelopeId& id) {
    const std::string_view prefix = prefix_of(kind);
    FollowUpKey k{};
    std::memcpy(k.data(), prefix.data(), prefix.size());
    std::copy(id.begin(), id.end(), k.begin() + static_cast<std::ptrdiff_t>(prefix.size()));
    return k;
}

/** A follow-up as stored (integers big-endian):
 *   u8 version | i64 next_attempt_at | u32 attempts | u8 n | n bytes key id (contacts key's)
 *   | sealed (the rest)
 * sealed = aead_seal(HKDF(contacts.key, info=label), label || u8 kind || envelope id, plaintext)
 *   plaintext = u8 version | blob records::encode_meta(the envelope's metadata)
 *               | str token (empty in an expiry record)
 */
struct Stored {
    std::int64_t next_attempt_at = 0;
    std::uint32_t attempts = 0;
    std::string key_id;
    crypto::Bytes sealed;
};

crypto::Bytes encode(const Stored& s) {
    records::Writer<crypto::Bytes> w;
    w.u8(kVersion);
    w.i64(s.next_attempt_at);
    w.u32(s.attempts);
    w.u8(static_cast<std::uint8_t>(s.key_id.size()));
    w.raw(crypto::as_bytes(s.key_id));
    w.raw(s.sealed);
    return w.take();
}

Result<Stored> decode(crypto::ByteView v) {
    records::Reader r(v);
    if (r.u8() != kVersion) {
        return make_error(Errc::corrupt, "follow-up record malformed");
    }
    Stored s;
    s.next_attempt_at = r.i64();
    s.attempts = r.u32();
    const crypto::ByteView key_id = r.raw(r.u8());
    s.key_id.assign(key_id.begin(), key_id.end());
    const crypto::ByteView sealed = r.rest();
    s.sealed.assign(sealed.begin(), sealed.end());
    SP_CHECK(r.finish("follow-up record"));
    return s;
}

crypto::Bytes aad_of(FollowUpKind kind, const EnvelopeId& id) {
    crypto::Bytes aad = labelled_aad(kFollowUpLabel, id);
    aad.insert(aad.begin() + static_cast<std::ptrdiff_t>(kFollowUpLabel.size()),
               static_cast<std::uint8_t>(kind));
    return aad;
}

Result<crypto::SecretBytes> followup_key(const keys::SymmetricKey& contacts) {
    return crypto::hkdf_sha256(contacts.key, {}, crypto::as_bytes(kFollowUpLabel), crypto::kKeyLen);
}

/// Opens `s` into `out`, or says why it cannot be opened.
void open_into(const std::optional<keys::SymmetricKey>& contacts, const Stored& s,
               DueFollowUp& out) {
    if (!contacts || s.key_id != contacts->id) {
        out.unreadable = make_error(Errc::key_error, "follow-up sealed under key " + s.key_id);
        return;
    }
    auto key = followup_key(*contacts);
    if (!key) {
        out.unreadable = std::move(key).error();
        return;
    }
    auto plain = crypto::aead_open(*key, aad_of(out.kind, out.id), s.sealed);
    if (!plain) {
        out.unreadable = std::move(plain).error();
        return;
    }
    records::Reader r(*plain);
    if (r.u8() != kVersion) {
        out.unreadable = make_error(Errc::corrupt, "follow-up plaintext malformed");
        return;
    }
    auto meta = records::decode_meta(r.blob());
    std::string token = r.str();
    out.token.assign(token.begin(), token.end());
    crypto::wipe(token);
    if (Status st = r.finish("follow-up plaintext"); !st) {
        out.unreadable = std::move(st).error();
        return;
    }
    if (!meta) {
        out.unreadable = std::move(meta).error();
        return;
    }
    out.sender = std::move(meta->sender);
    out.recipient = std::move(meta->recipient);
    out.language = std::move(meta->language);
    out.phone_e164 = std::move(meta->phone_e164);
    out.subject = std::move(meta->subject);
    for (auto& d : meta->documents) {
        out.documents.push_back(std::move(d.file_name));
    }
}

/// What the audit trail says about the link: used (the SMS code was right once, or a download
/// happened) and reissued (a new token replaced the one a reminder holds).
struct Trail {
    bool used = false;
    bool reissued = false;
};

Result<Trail> trail_of(const Vault::Impl& im, kv::Txn& txn, const EnvelopeId& id) {
    Trail t;
    SP_TRY(cur, kv::Cursor::open(txn, im.db.audit));
    SP_TRY(e, cur.seek(id));
    while (e && kv::has_prefix(e->key, id)) {
        SP_TRY(ev, records::decode_audit(e->key, e->value));
        t.used = t.used || ev.kind == AuditKind::verified || ev.kind == AuditKind::downloaded;
        t.reissued = t.reissued || ev.kind == AuditKind::reissued;
        SP_TRY(n, cur.next());
        e = n;
    }
    return t;
}

enum class Verdict : std::uint8_t { wait, due, obsolete };

Verdict judge(FollowUpKind kind, const FollowUpPolicy& policy,
              const std::optional<records::EnvelopeRecord>& rec, const Trail& trail,
              const Stored& s, std::int64_t now) {
    if (!rec || rec->is_tombstone() || trail.used) {
        return Verdict::obsolete;
    }
    if (kind == FollowUpKind::reminder) {
        if (!policy.remind_patient || trail.reissued || now >= rec->expires_at) {
            return Verdict::obsolete;  // off, a new link was mailed, or too late
        }
        if (now < rec->expires_at - policy.remind_before || now < s.next_attempt_at) {
            return Verdict::wait;
        }
        return Verdict::due;
    }
    if (!policy.notify_sender_on_expiry) {
        return Verdict::obsolete;
    }
    return now >= rec->expires_at && now >= s.next_attempt_at ? Verdict::due : Verdict::wait;
}

}  // namespace

Result<FollowUpRecords> FollowUpRecords::make(const Vault::Impl& im, const EnvelopeId& id,
                                              const EnvelopeMeta& meta, std::string_view token) {
    FollowUpRecords out;
    if (!im.contacts || (!im.opts.arm_reminder && !im.opts.arm_expiry_notice)) {
        return out;
    }
    SP_TRY(key, followup_key(*im.contacts));
    for (const FollowUpKind kind : {FollowUpKind::reminder, FollowUpKind::expiry}) {
        const bool armed =
            kind == FollowUpKind::reminder ? im.opts.arm_reminder : im.opts.arm_expiry_notice;
        if (!armed) {
            continue;
        }
        records::Writer<crypto::SecretBytes> w;
        w.u8(kVersion);
        w.blob(records::encode_meta(meta));
        // Only the reminder carries the token: the sender's notice has no link to give.
        w.str(kind == FollowUpKind::reminder ? token : std::string_view{});
        const crypto::SecretBytes plain = w.take();
        SP_TRY(sealed, crypto::aead_seal(key, aad_of(kind, id), plain));
        Stored s;
        s.key_id = im.contacts->id;
        s.sealed = std::move(sealed);
        out.puts.emplace_back(key_of(kind, id), encode(s));
    }
    return out;
}

Status FollowUpRecords::put(const Vault::Impl& im, kv::Txn& txn) const {
    for (const auto& [key, value] : puts) {
        SP_CHECK(txn.put(im.db.portal, key, value));
    }
    return {};
}

Status Vault::Impl::drop_followups(kv::Txn& txn, const EnvelopeId& id) {
    for (const FollowUpKind kind : {FollowUpKind::reminder, FollowUpKind::expiry}) {
        SP_TRY(gone, txn.del(db.portal, key_of(kind, id)));
        (void)gone;
    }
    return {};
}

Result<std::vector<DueFollowUp>> Vault::followup_due(const FollowUpPolicy& policy,
                                                     std::size_t limit) {
    Impl& im = *impl_;
    const std::int64_t now = im.now();
    std::vector<std::pair<DueFollowUp, Stored>> due;
    std::vector<FollowUpKey> obsolete;
    {
        SP_TRY(txn, im.read());
        for (const FollowUpKind kind : {FollowUpKind::reminder, FollowUpKind::expiry}) {
            SP_TRY(cur, kv::Cursor::open(txn, im.db.portal));
            const crypto::ByteView prefix = crypto::as_bytes(prefix_of(kind));
            SP_TRY(e, cur.seek(prefix));
            // Bounded: stop once a batch of each is found; the rest waits for the next pass.
            while (e && kv::has_prefix(e->key, prefix) && due.size() < limit &&
                   obsolete.size() < limit) {
                if (e->key.size() == kKeyLen) {
                    DueFollowUp f;
                    f.kind = kind;
                    std::copy(e->key.begin() + 8, e->key.end(), f.id.begin());
                    auto s = decode(e->value);
                    if (!s) {
                        f.unreadable = std::move(s).error();
                        due.emplace_back(std::move(f), Stored{});
                    } else {
                        SP_TRY(rec, im.load(txn, f.id));
                        SP_TRY(trail, trail_of(im, txn, f.id));
                        switch (judge(kind, policy, rec, trail, *s, now)) {
                            case Verdict::obsolete:
                                obsolete.push_back(key_of(kind, f.id));
                                break;
                            case Verdict::due:
                                f.expires_at = rec->expires_at;
                                f.attempts = s->attempts;
                                due.emplace_back(std::move(f), std::move(*s));
                                break;
                            case Verdict::wait:
                                break;
                        }
                    }
                }
                SP_TRY(n, cur.next());
                e = n;
            }
        }
    }
    if (!obsolete.empty()) {
        SP_CHECK(im.write([&](kv::Txn& txn) -> Status {
            for (const auto& k : obsolete) {
                SP_TRY(gone, txn.del(im.db.portal, k));
                (void)gone;
            }
            return {};
        }));
    }
    std::sort(due.begin(), due.end(), [](const auto& a, const auto& b) {
        return std::tuple(a.first.expires_at, a.first.kind, a.first.id) <
               std::tuple(b.first.expires_at, b.first.kind, b.first.id);
    });
    if (due.size() > limit) {
        due.resize(limit);
    }
    std::vector<DueFollowUp> out;
    out.reserve(due.size());
    for (auto& [f, s] : due) {
        if (!f.unreadable) {
            open_into(im.contacts, s, f);  // after the read transaction: no crypto while open
        }
        out.push_back(std::move(f));
    }
    return out;
}

Status Vault::followup_sent(const EnvelopeId& id, FollowUpKind kind) {
    Impl& im = *impl_;
    const Status st = im.write([&](kv::Txn& txn) -> Status {
        SP_TRY(gone, txn.del(im.db.portal, key_of(kind, id)));
        if (!gone) {
            return make_error(Errc::not_found, "no follow-up armed");
        }
        SP_CHECK(im.load_live(txn, id));
        return im.put_audit(
            txn, id,
            kind == FollowUpKind::reminder ? AuditKind::reminded : AuditKind::expiry_notified,
            std::nullopt, std::nullopt);
    });
    SP_CHECK(st);
    log::info("vault.followup_sent")
        .kv("id", envelope_id_hex(id))
        .kv("kind", kind == FollowUpKind::reminder ? "reminder" : "expiry");
    return {};
}

Status Vault::followup_retry_later(const EnvelopeId& id, FollowUpKind kind,
                                   std::int64_t next_attempt_at) {
    Impl& im = *impl_;
    return im.write([&](kv::Txn& txn) -> Status {
        const FollowUpKey key = key_of(kind, id);
        SP_TRY(raw, txn.get(im.db.portal, key));
        if (!raw) {
            return make_error(Errc::not_found, "no follow-up armed");
        }
        SP_TRY(s, decode(*raw));
        ++s.attempts;
        s.next_attempt_at = next_attempt_at;
        return txn.put(im.db.portal, key, encode(s));
    });
}

Status Vault::followup_drop(const EnvelopeId& id, FollowUpKind kind) {
    Impl& im = *impl_;
    return im.write([&](kv::Txn& txn) -> Status {
        SP_TRY(gone, txn.del(im.db.portal, key_of(kind, id)));
        if (!gone) {
            return make_error(Errc::not_found, "no follow-up armed");
        }
        return {};
    });
}

}  // namespace sealpost::vault
