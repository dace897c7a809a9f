// SPDX-License-Identifier: Apache-2.0
// The download-notice queue (DESIGN 5b): the portal queues one notice per envelope, the proxy
// lists, sends and removes it. Records live in the `portal` database; why their personal part
// is sealed under a key derived from the pepper is explained in vault.hpp.
#include <algorithm>
#include <array>
#include <cstring>
#include <utility>
#include <vector>

#include "core/core_log.hpp"
#include "vault/vault_codec.hpp"
#include "vault/vault_impl.hpp"

namespace sealpost::vault {

namespace {

/// HKDF info and AAD label: part of the file format, never change it.
constexpr std::string_view kNoticeLabel = "sealpost-notice-v1";
/// Key prefixes: 8 bytes, so a key is 24 bytes and never equals a 16-byte guard key.
constexpr std::string_view kQueuedPrefix = "notice-q";
constexpr std::string_view kSeenPrefix = "notice-s";
constexpr std::size_t kKeyLen = 8 + 16;
constexpr std::uint8_t kVersion = 1;
constexpr std::size_t kMaxField = std::size_t{64} * 1024;  // envelope_create's limit

using NoticeKey = std::array<std::uint8_t, kKeyLen>;

NoticeKey key_of(std::string_view prefix, const EnvelopeId& id) {
    NoticeKey k{};
    std::memcpy(k.data(), prefix.data(), prefix.size());
    std::copy(id.begin(), id.end(), k.begin() + static_cast<std::ptrdiff_t>(prefix.size()));
    return k;
}

/** A queued notice as stored (integers big-endian):
 *   u8 version | i64 downloaded_at | i64 next_attempt_at | u32 attempts | u32 doc_index
 *   | u8 n | n bytes key id (the pepper's) | sealed (the rest)
 * sealed = aead_seal(HKDF(pepper, info=label), aad, plaintext) with
 *   aad       = label || envelope id || u32 doc_index || i64 downloaded_at
 *   plaintext = u8 version | (u32 length || bytes) x 3: sender, masked recipient, file name
 */
struct Queued {
    std::int64_t downloaded_at = 0;
    std::int64_t next_attempt_at = 0;
    std::uint32_t attempts = 0;
    std::uint32_t doc_index = 0;
    std::string key_id;
    crypto::Bytes sealed;
};

crypto::Bytes encode(const Queued& q) {
    records::Writer<crypto::Bytes> w;
    w.u8(kVersion);
    w.i64(q.downloaded_at);
    w.i64(q.next_attempt_at);
    w.u32(q.attempts);
    w.u32(q.doc_index);
    w.u8(static_cast<std::uint8_t>(q.key_id.size()));
    w.raw(crypto::as_bytes(q.key_id));
    w.raw(q.sealed);
    return w.take();
}

Result<Queued> decode(crypto::ByteView v) {
    records::Reader r(v);
    if (r.u8() != kVersion) {
        return make_error(Errc::corrupt, "notice record malformed");
    }
    Queued q;
    q.downloaded_at = r.i64();
    q.next_attempt_at = r.i64();
    q.attempts = r.u32();
    q.doc_index = r.u32();
    const crypto::ByteView key_id = r.raw(r.u8());
    q.key_id.assign(key_id.begin(), key_id.end());
    const crypto::ByteView sealed = r.rest();
    q.sealed.assign(sealed.begin(), sealed.end());
    SP_CHECK(r.finish("notice record"));
    return q;
}

crypto::Bytes aad_of(const EnvelopeId& id, std::uint32_t doc_index, std::int64_t at) {
    crypto::Bytes aad = labelled_aad(kNoticeLabel, id);
    std::array<std::uint8_t, 12> tail{};
    records::put_u32(tail.data(), doc_index);
    records::put_u64(tail.data() + 4, static_cast<std::uint64_t>(at));
    aad.insert(aad.end(), tail.begin(), tail.end());
    return aad;
}

Result<crypto::SecretBytes> notice_key(const keys::SymmetricKey& pepper) {
    return crypto::hkdf_sha256(pepper.key, {}, crypto::as_bytes(kNoticeLabel), crypto::kKeyLen);
}

/// The three fields of an opened plaintext. Errors: Errc::corrupt.
Result<std::array<std::string, 3>> fields_of(crypto::ByteView plain) {
    records::Reader r(plain);
    if (r.u8() != kVersion) {
        return make_error(Errc::corrupt, "notice plaintext malformed");
    }
    std::array<std::string, 3> out;
    for (auto& f : out) {
        f = r.str();
    }
    SP_CHECK(r.finish("notice plaintext"));
    return out;
}

/// Opens the personal part of `q` into `out`, or says why it cannot be opened.
void open_into(const keys::SymmetricKey& pepper, const Queued& q, QueuedNotice& out) {
    if (q.key_id != pepper.id) {
        out.unreadable = make_error(Errc::key_error, "notice sealed under pepper " + q.key_id);
        return;
    }
    auto key = notice_key(pepper);
    if (!key) {
        out.unreadable = std::move(key).error();
        return;
    }
    auto plain = crypto::aead_open(*key, aad_of(out.id, q.doc_index, q.downloaded_at), q.sealed);
    if (!plain) {
        out.unreadable = std::move(plain).error();
        return;
    }
    auto fields = fields_of(*plain);
    if (!fields) {
        out.unreadable = std::move(fields).error();
        return;
    }
    out.sender = std::move((*fields)[0]);
    out.recipient_masked = std::move((*fields)[1]);
    out.file_name = std::move((*fields)[2]);
}

}  // namespace

Status Vault::Impl::drop_notice(kv::Txn& txn, const EnvelopeId& id) {
    SP_TRY(queued, txn.del(db.portal, key_of(kQueuedPrefix, id)));
    SP_TRY(seen, txn.del(db.portal, key_of(kSeenPrefix, id)));
    (void)queued;
    (void)seen;
    return {};
}

Result<bool> Vault::notice_queue(const OpenedEnvelope& opened, std::uint32_t doc_index) {
    Impl& im = *impl_;
    const EnvelopeId& id = opened.summary.id;
    if (doc_index >= opened.meta.documents.size()) {
        return make_error(Errc::not_found, "no such document");
    }
    const std::string& name = opened.meta.documents[doc_index].file_name;
    const std::string masked = log::mask_address(opened.meta.recipient);
    if (opened.meta.sender.size() > kMaxField || name.size() > kMaxField) {
        return make_error(Errc::invalid_argument, "notice field too long");
    }
    // Sealed before the transaction (the write body may run twice on map growth). The time
    // in the AAD is the one stored, so it is fixed here too.
    Queued q;
    q.downloaded_at = im.now();
    q.next_attempt_at = q.downloaded_at;
    q.doc_index = doc_index;
    q.key_id = im.pepper.id;
    records::Writer<crypto::SecretBytes> fields;
    fields.u8(kVersion);
    fields.str(opened.meta.sender);
    fields.str(masked);
    fields.str(name);
    const crypto::SecretBytes plain = fields.take();
    SP_TRY(key, notice_key(im.pepper));
    SP_TRY(sealed, crypto::aead_seal(key, aad_of(id, doc_index, q.downloaded_at), plain));
    q.sealed = std::move(sealed);
    const crypto::Bytes record = encode(q);
    std::array<std::uint8_t, 9> seen{};
    seen[0] = kVersion;
    records::put_u64(seen.data() + 1, static_cast<std::uint64_t>(q.downloaded_at));

    bool queued = false;
    const Status st = im.write([&](kv::Txn& txn) -> Status {
        queued = false;
        SP_CHECK(im.load_live(txn, id));  // the envelope must be live
        SP_TRY(marker, txn.get(im.db.portal, key_of(kSeenPrefix, id)));
        if (marker) {
            return {};  // the first download already queued it
        }
        SP_CHECK(txn.put(im.db.portal, key_of(kSeenPrefix, id), seen));
        SP_CHECK(txn.put(im.db.portal, key_of(kQueuedPrefix, id), record));
        queued = true;
        return {};
    });
    SP_CHECK(st);
    if (queued) {
        log::info("vault.notice_queued").kv("id", envelope_id_hex(id)).kv("doc", doc_index);
    }
    return queued;
}

namespace {

/// A due notice found by a scan: what the caller gets, and the record to rewrite when claiming.
using Due = std::vector<std::pair<QueuedNotice, Queued>>;

/// Scan the queue in `txn`: due notices (and unreadable ones), earliest first, at most `limit`.
Result<Due> scan_due(kv::Txn& txn, kv::Table portal, std::int64_t now, std::size_t limit,
                     kv::Scan scan) {
    Due due;
    SP_TRY(cur, kv::Cursor::open(txn, portal, scan));
    const crypto::ByteView prefix = crypto::as_bytes(kQueuedPrefix);
    SP_TRY(e, cur.seek(prefix));
    while (e && kv::has_prefix(e->key, prefix)) {
        // A 16-byte guard key could start with the prefix bytes; only 24-byte keys count.
        if (e->key.size() == kKeyLen) {
            QueuedNotice n;
            std::copy(e->key.begin() + 8, e->key.end(), n.id.begin());
            auto q = decode(e->value);
            if (!q) {
                // Listed as unreadable (and due), so the proxy can drop it instead of
                // one damaged record stopping the whole queue.
                n.unreadable = std::move(q).error();
                due.emplace_back(std::move(n), Queued{});
            } else if (q->next_attempt_at <= now) {
                n.doc_index = q->doc_index;
                n.downloaded_at = q->downloaded_at;
                n.next_attempt_at = q->next_attempt_at;
                n.attempts = q->attempts;
                due.emplace_back(std::move(n), std::move(*q));
            }
        }
        SP_TRY(n, cur.next());
        e = n;
    }
    std::sort(due.begin(), due.end(), [](const auto& a, const auto& b) {
        return std::pair(a.first.next_attempt_at, a.first.id) <
               std::pair(b.first.next_attempt_at, b.first.id);
    });
    if (due.size() > limit) {
        due.resize(limit);
    }
    return due;
}

/// Open the records (after the transaction: no crypto while it is open).
std::vector<QueuedNotice> open_all(const keys::SymmetricKey& pepper, Due& due) {
    std::vector<QueuedNotice> out;
    out.reserve(due.size());
    for (auto& [n, q] : due) {
        if (!n.unreadable) {
            open_into(pepper, q, n);
        }
        out.push_back(std::move(n));
    }
    return out;
}

}  // namespace

Result<std::vector<QueuedNotice>> Vault::notice_list(std::size_t limit) {
    Impl& im = *impl_;
    Due due;
    {
        SP_TRY(txn, im.read());
        SP_TRY(d, scan_due(txn, im.db.portal, im.now(), limit, kv::Scan::plain));
        due = std::move(d);
    }
    return open_all(im.pepper, due);
}

Result<std::vector<QueuedNotice>> Vault::notice_claim(std::size_t limit,
                                                      std::int64_t lease_seconds) {
    Impl& im = *impl_;
    const std::int64_t now = im.now();
    {
        // Most rounds find nothing: look in a read snapshot before taking any lock.
        SP_TRY(txn, im.read());
        SP_TRY(d, scan_due(txn, im.db.portal, now, 1, kv::Scan::plain));
        if (d.empty()) {
            return std::vector<QueuedNotice>{};
        }
    }
    Due due;
    const Status st = im.write([&](kv::Txn& txn) -> Status {
        SP_TRY(d, scan_due(txn, im.db.portal, now, limit, kv::Scan::claim));
        due = std::move(d);
        for (auto& [n, q] : due) {
            if (n.unreadable) {
                continue;  // the caller drops it (notice_done)
            }
            Queued taken = q;
            taken.next_attempt_at = now + lease_seconds;
            SP_CHECK(txn.put(im.db.portal, key_of(kQueuedPrefix, n.id), encode(taken)));
        }
        return {};
    });
    SP_CHECK(st);
    return open_all(im.pepper, due);
}

Status Vault::notice_done(const EnvelopeId& id) {
    Impl& im = *impl_;
    return im.write([&](kv::Txn& txn) -> Status {
        SP_TRY(gone, txn.del(im.db.portal, key_of(kQueuedPrefix, id)));
        if (!gone) {
            return make_error(Errc::not_found, "no queued notice");
        }
        return {};
    });
}

Status Vault::notice_retry_later(const EnvelopeId& id, std::int64_t next_attempt_at) {
    Impl& im = *impl_;
    return im.write([&](kv::Txn& txn) -> Status {
        const NoticeKey key = key_of(kQueuedPrefix, id);
        SP_TRY(raw, txn.get(im.db.portal, key));
        if (!raw) {
            return make_error(Errc::not_found, "no queued notice");
        }
        SP_TRY(q, decode(*raw));
        ++q.attempts;
        q.next_attempt_at = next_attempt_at;
        return txn.put(im.db.portal, key, encode(q));
    });
}

}  // namespace sealpost::vault
