// SPDX-License-Identifier: Apache-2.0
// Envelopes: create (seal documents and metadata, wrap the DEK twice), open by token, renew,
// reissue, revoke, mark sent, discard, resolve an id prefix, list and show.
#include <algorithm>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "core/core_hex.hpp"
#include "core/core_log.hpp"
#include "vault/vault_impl.hpp"

namespace sealpost::vault {
namespace {

using records::EnvelopeRecord;

constexpr std::size_t kMaxDocuments = 1000;
constexpr std::size_t kMaxField = std::size_t{64} * 1024;

bool too_long(const std::string& s) {
    return s.size() > kMaxField;
}

/// A 0-byte document is one empty last chunk, so "no chunk" always means truncation.
std::size_t chunk_count(std::uint64_t bytes) {
    return bytes == 0
               ? std::size_t{1}
               : static_cast<std::size_t>((bytes + crypto::kChunkSize - 1) / crypto::kChunkSize);
}

/// Reads a document whole (for the one-transaction path, at most kOneWriteMax in all).
Status read_whole(const DocumentInput& doc, crypto::SecretBytes& out) {
    if (!doc.write) {
        out.assign(doc.bytes.begin(), doc.bytes.end());
        return {};
    }
    out.reserve(static_cast<std::size_t>(doc.size));
    const Status streamed = doc.write([&](crypto::ByteView piece) -> Status {
        if (out.size() + piece.size() > doc.size) {
            return make_error(Errc::invalid_argument, "document longer than its size");
        }
        out.insert(out.end(), piece.begin(), piece.end());
        return {};
    });
    SP_CHECK(streamed);
    if (out.size() != doc.size) {
        return make_error(Errc::invalid_argument, "document shorter than its size");
    }
    return {};
}

}  // namespace

/// Seals an envelope's chunks: all in the caller's transaction, or staged in batches of
/// kStageBatch plaintext bytes, each its own durable write, under a `staging` record.
class Vault::Impl::ChunkWriter {
  public:
    ChunkWriter(Impl& im, const EnvelopeId& id, const crypto::SecretBytes& dek,
                const EnvelopeRecord& rec)
        : im_(im), id_(id), dek_(dek), rec_(rec) {}

    /// Seals `plain` as chunks first..., of document `di`, into `txn`; the document's last
    /// chunk is marked so when `plain` reaches the document's end.
    Status seal(kv::Txn& txn, std::uint32_t di, std::uint32_t first, crypto::ByteView plain) const {
        crypto::ChunkContext ctx;
        ctx.dek = dek_;
        ctx.envelope_id = id_;
        ctx.doc_index = di;
        ctx.nonce_prefix = rec_.docs[di].nonce_prefix;
        SP_TRY(sealer, crypto::ChunkSealer::make(ctx));
        const std::uint32_t n = rec_.docs[di].chunks;
        std::size_t off = 0;
        for (std::uint32_t ci = first; off < plain.size() || (ci == first && plain.empty()); ++ci) {
            if (ci >= n) {
                return make_error(Errc::invalid_argument, "document longer than its size");
            }
            const std::size_t len = std::min(crypto::kChunkSize, plain.size() - off);
            SP_TRY(out, im_.chunks->chunk_reserve(txn, id_, di, ci, len + crypto::kTagLen));
            SP_CHECK(sealer.seal_into(ci, ci + 1 == n, plain.subspan(off, len), out));
            off += len;
        }
        return {};
    }

    /// Streams every document through batches; the first batch also writes the staging
    /// record, so a crash after it leaves a trace purge can follow.
    Status stage_all(const std::vector<DocumentInput>& docs) {
        for (std::size_t di = 0; di < docs.size(); ++di) {
            const DocumentInput& doc = docs[di];
            const auto d = static_cast<std::uint32_t>(di);
            std::uint64_t seen = 0;      // bytes the producer gave
            std::uint64_t consumed = 0;  // of those, bytes taken into batches
            std::uint32_t next_chunk = 0;
            buf_.clear();
            buf_.reserve(kStageBatch);
            // Whole batches while the document streams in; what is left (its last chunk
            // always among it, sealed as the last: truncation is detected) at the end.
            const auto flush = [&](bool at_end) -> Status {
                if (!at_end && consumed == doc.plain_size()) {
                    return {};
                }
                const crypto::ByteView part(buf_.data(), buf_.size());
                SP_CHECK(write_batch(d, next_chunk, part));
                next_chunk += static_cast<std::uint32_t>(chunk_count(part.size()));
                crypto::secure_wipe(buf_.data(), buf_.size());
                buf_.clear();
                return {};
            };
            const auto take = [&](crypto::ByteView piece) -> Status {
                if (seen + piece.size() > doc.plain_size()) {
                    return make_error(Errc::invalid_argument, "document longer than its size");
                }
                seen += piece.size();
                while (!piece.empty()) {
                    const std::size_t n = std::min(kStageBatch - buf_.size(), piece.size());
                    buf_.insert(buf_.end(), piece.begin(),
                                piece.begin() + static_cast<std::ptrdiff_t>(n));
                    consumed += n;
                    piece = piece.subspan(n);
                    if (buf_.size() == kStageBatch) {
                        SP_CHECK(flush(false));
                    }
                }
                return {};
            };
            const Status streamed = doc.write ? doc.write(take) : take(doc.bytes);
            SP_CHECK(streamed);
            if (seen != doc.plain_size()) {
                return make_error(Errc::invalid_argument, "document shorter than its size");
            }
            SP_CHECK(flush(true));
        }
        return {};
    }

    /// Deletes what was staged (after a failure); purge catches what this cannot.
    void unstage() noexcept {
        if (!staged_) {
            return;
        }
        const Status st = im_.write([&](kv::Txn& txn) -> Status {
            SP_TRY(removed, im_.chunks->chunks_delete(txn, id_));
            (void)removed;
            SP_TRY(gone, txn.del(im_.db.staging, id_));
            (void)gone;
            return {};
        });
        if (!st) {
            log::warn("vault.unstage_failed")
                .kv("id", envelope_id_hex(id_))
                .kv("err", errc_name(st.error().code));
        }
    }

  private:
    Status write_batch(std::uint32_t di, std::uint32_t first, crypto::ByteView part) {
        const bool mark = !staged_;
        std::array<std::uint8_t, 8> since{};
        records::put_u64(since.data(), static_cast<std::uint64_t>(im_.now()));
        const Status written = im_.write([&](kv::Txn& txn) -> Status {
            if (mark) {
                SP_CHECK(txn.insert(im_.db.staging, id_, since));
            }
            return seal(txn, di, first, part);
        });
        SP_CHECK(written);
        staged_ = true;
        return {};
    }

    Impl& im_;
    const EnvelopeId& id_;
    const crypto::SecretBytes& dek_;
    const EnvelopeRecord& rec_;
    crypto::SecretBytes buf_;
    bool staged_ = false;
};

namespace {}  // namespace

void Vault::escrow_batch_expire() noexcept {
    if (impl_->escrow) {
        impl_->escrow->expire();
    }
}

Result<IssuedLink> Vault::envelope_create(const EnvelopeInput& in) {
    Impl& im = *impl_;
    if (in.documents.empty() || in.documents.size() > kMaxDocuments) {
        return make_error(Errc::invalid_argument, "an envelope needs 1..1000 documents");
    }
    if (too_long(in.recipient) || too_long(in.phone_e164) || too_long(in.sender) ||
        too_long(in.subject) || too_long(in.language)) {
        return make_error(Errc::invalid_argument, "envelope field longer than 64 KiB");
    }
    for (const auto& d : in.documents) {
        if (too_long(d.file_name) || too_long(d.content_type)) {
            return make_error(Errc::invalid_argument, "document name or type longer than 64 KiB");
        }
    }
    if (!im.escrow) {
        return make_error(Errc::key_error, "envelope_create needs the escrow public key");
    }

    // The key material before the write transaction; the chunks are sealed inside it (below).
    SP_TRY(lk, make_link_keys(im.pepper, *im.escrow));
    const EnvelopeId& id = lk.id;
    const crypto::SecretBytes& dek = lk.dek;
    const std::int64_t now = im.now();

    EnvelopeRecord rec;
    rec.state = EnvelopeState::pending;
    rec.created_at = now;
    rec.expires_at = now + im.opts.link_ttl.count();
    rec.retain_until = now + im.opts.retention.count();
    rec.lookup = lk.lookup;
    rec.link_key_id = im.pepper.id;
    rec.wrapped_dek = lk.wrapped_dek;
    rec.escrow_key_id = im.escrow_id;
    rec.escrow_dek = lk.escrow_dek;

    EnvelopeMeta meta;
    meta.recipient = in.recipient;
    meta.phone_e164 = in.phone_e164;
    meta.sender = in.sender;
    meta.subject = in.subject;
    meta.language = in.language;

    // The chunks are encrypted inside a write transaction, straight into the space LMDB
    // reserves for them (MDB_RESERVE): no ciphertext buffer, no copy into the map. A body that
    // is run again (map grown, own transaction) encrypts again, to the same bytes under the
    // same key and nonces, from plaintext read before the call.
    std::uint64_t total = 0;
    for (const auto& doc : in.documents) {
        total += doc.plain_size();
    }
    for (std::size_t di = 0; di < in.documents.size(); ++di) {
        const DocumentInput& doc = in.documents[di];
        records::DocRecord dr;
        dr.size = doc.plain_size();
        SP_CHECK(crypto::random_fill(dr.nonce_prefix));
        dr.chunks = static_cast<std::uint32_t>(chunk_count(dr.size));
        rec.total_size += dr.size;
        rec.docs.push_back(dr);
        meta.documents.push_back({doc.file_name, doc.content_type, {}});
    }
    {
        const crypto::SecretBytes plain = records::encode_meta(meta);
        SP_TRY(sealed_meta, crypto::aead_seal(dek, labelled_aad(kMetaAad, id), plain));
        rec.sealed_meta = std::move(sealed_meta);
    }
    const crypto::Bytes rec_bytes = records::encode_envelope(rec);
    const crypto::Bytes link_bytes = records::encode_link(id);
    Impl::ChunkWriter chunks(im, id, dek, rec);
    SP_TRY(follow_ups,
           FollowUpRecords::make(im, id, meta,
                                 std::string_view(lk.token.text.data(), lk.token.text.size())));

    if (total <= kOneWriteMax) {
        // One durable write: envelope, link, chunks and the `created` event, or nothing.
        std::vector<crypto::SecretBytes> plain(in.documents.size());
        for (std::size_t di = 0; di < in.documents.size(); ++di) {
            SP_CHECK(read_whole(in.documents[di], plain[di]));
        }
        const Status written = im.write([&](kv::Txn& txn) -> Status {
            // Both ids are random (128 and 256 bits): a clash means a broken RNG, and is
            // refused (Errc::exists) rather than overwriting another patient's envelope or link.
            SP_CHECK(txn.insert(im.db.envelopes, id, rec_bytes));
            SP_CHECK(txn.insert(im.db.links, rec.lookup, link_bytes));
            for (std::size_t di = 0; di < plain.size(); ++di) {
                SP_CHECK(chunks.seal(txn, static_cast<std::uint32_t>(di), 0, plain[di]));
            }
            SP_CHECK(follow_ups.put(im, txn));
            return im.put_audit(txn, id, AuditKind::created, std::nullopt, std::nullopt);
        });
        SP_CHECK(written);
    } else {
        // Staged: the chunks in batches, then the records that make the envelope exist.
        Status st = chunks.stage_all(in.documents);
        if (st) {
            st = im.write([&](kv::Txn& txn) -> Status {
                SP_CHECK(txn.insert(im.db.envelopes, id, rec_bytes));
                SP_CHECK(txn.insert(im.db.links, rec.lookup, link_bytes));
                SP_TRY(gone, txn.del(im.db.staging, id));
                (void)gone;
                SP_CHECK(follow_ups.put(im, txn));
                return im.put_audit(txn, id, AuditKind::created, std::nullopt, std::nullopt);
            });
        }
        if (!st) {
            chunks.unstage();
            return std::move(st).error();
        }
    }

    log::info("vault.envelope_created")
        .kv("id", envelope_id_hex(id))
        .kv("docs", static_cast<std::uint64_t>(rec.docs.size()))
        .kv("bytes", rec.total_size);
    return IssuedLink{id, std::move(lk.token.text), rec.expires_at, rec.retain_until};
}

Result<OpenedEnvelope> Vault::envelope_open(std::string_view token) {
    Impl& im = *impl_;
    // Malformed tokens go through the same steps with zero bytes, so the reply time does not
    // tell a malformed token from an unknown one or a wrong one.
    crypto::SecretBytes token_bytes(kTokenBytes, 0);
    bool well_formed = false;
    if (token.size() == kTokenChars) {
        if (auto decoded = crypto::base64url_decode(token);
            decoded && decoded->size() == kTokenBytes) {
            token_bytes = std::move(decoded).value();
            well_formed = true;
        }
    }
    // The B-tree lookup by HMAC(pepper, token) is not constant time, but its timing depends
    // only on the lookup id, which reveals nothing about any stored token.
    const records::LookupId lookup = link_lookup(im.pepper, token_bytes);

    std::optional<EnvelopeId> id;
    std::optional<EnvelopeRecord> rec;
    {
        SP_TRY(txn, im.read());
        SP_TRY(link, txn.get(im.db.links, lookup));
        if (link && well_formed) {
            SP_TRY(target, records::decode_link(*link));
            id = target;
            SP_TRY(loaded, im.load(txn, target));
            rec = std::move(loaded);
        }
    }  // short reader: ended before any crypto

    if (!id || !rec) {
        // Same work as a hit: HKDF and an AEAD open that fails.
        SP_TRY(kek, link_kek(token_bytes, im.dummy_id));
        auto r = crypto::aead_open(kek, labelled_aad(kWrapAad, im.dummy_id), im.dummy_wrapped);
        (void)r;
        return make_error(Errc::bad_token, "unknown link");
    }
    if (rec->is_tombstone()) {
        return make_error(Errc::revoked,
                          std::string("state=") + std::string(envelope_state_name(rec->state)));
    }
    const std::int64_t now = im.now();
    if (now >= rec->retain_until) {
        return make_error(Errc::revoked, "state=purged");
    }
    SP_TRY(kek, link_kek(token_bytes, *id));
    auto dek = crypto::aead_open(kek, labelled_aad(kWrapAad, *id), rec->wrapped_dek);
    if (!dek) {
        return make_error(Errc::bad_token, "link does not open the envelope");
    }
    auto plain = crypto::aead_open(*dek, labelled_aad(kMetaAad, *id), rec->sealed_meta);
    if (!plain) {
        return make_error(Errc::auth_failed, "envelope metadata fails authentication");
    }
    SP_TRY(meta, records::decode_meta(*plain));
    if (meta.documents.size() != rec->docs.size()) {
        return make_error(Errc::corrupt, "metadata and record disagree on documents");
    }
    for (std::size_t i = 0; i < rec->docs.size(); ++i) {
        meta.documents[i].info = {static_cast<std::uint32_t>(i), rec->docs[i].size,
                                  rec->docs[i].chunks};
    }
    OpenedEnvelope out;
    out.summary = summarize(*id, *rec);
    out.meta = std::move(meta);
    out.dek = std::move(dek).value();
    out.link_expired = now >= rec->expires_at;
    return out;
}

Result<std::int64_t> Vault::envelope_renew(const OpenedEnvelope& opened) {
    Impl& im = *impl_;
    const EnvelopeId& id = opened.summary.id;
    std::int64_t expires = 0;
    const Status written = im.write([&](kv::Txn& txn) -> Status {
        SP_TRY(rec, im.load(txn, id));
        SP_CHECK(check_live(rec));
        const std::int64_t now = im.now();
        if (now >= rec->retain_until) {
            return make_error(Errc::revoked, "state=purged");
        }
        // Renewal moves the data's end forward, but never past created + max_retention (nor
        // shortens an end the practice set by reissuing): a patient renewing every month must
        // not keep the documents for ever. The link ends with the data at the latest.
        const std::int64_t limit =
            std::max(rec->retain_until, rec->created_at + im.opts.max_retention.count());
        rec->expires_at = std::min(now + im.opts.link_ttl.count(), limit);
        rec->retain_until = std::max(rec->retain_until, rec->expires_at);
        expires = rec->expires_at;
        SP_CHECK(im.store(txn, id, *rec));
        return im.put_audit(txn, id, AuditKind::renewed, std::nullopt, std::nullopt);
    });
    SP_CHECK(written);
    log::info("vault.envelope_renewed").kv("id", envelope_id_hex(id)).kv("expires_at", expires);
    return expires;
}

Result<IssuedLink> Vault::envelope_reissue(const EnvelopeId& id,
                                           const crypto::X25519KeyPair& escrow) {
    Impl& im = *impl_;
    SP_TRY(rec, im.load(id));
    SP_CHECK(check_live(rec));
    if (keys::key_id(escrow.public_key) != rec->escrow_key_id) {
        return make_error(Errc::key_error, "envelope is sealed to escrow key " +
                                               rec->escrow_key_id + ", not this one");
    }
    SP_TRY(dek, crypto::open_sealed(escrow, labelled_aad(kEscrowAad, id), rec->escrow_dek));
    SP_TRY(token, fresh_token());
    SP_TRY(kek, link_kek(token.bytes, id));
    SP_TRY(wrapped, crypto::aead_seal(kek, labelled_aad(kWrapAad, id), dek));
    const records::LookupId lookup = link_lookup(im.pepper, token.bytes);
    const crypto::Bytes link_bytes = records::encode_link(id);

    std::int64_t expires = 0;
    std::int64_t retain = 0;
    const Status written = im.write([&](kv::Txn& txn) -> Status {
        SP_TRY(cur, im.load(txn, id));  // re-read: it may have changed since
        SP_CHECK(check_live(cur));
        const std::int64_t now = im.now();
        SP_TRY(old_link, txn.get(im.db.links, cur->lookup));
        if (old_link) {
            SP_TRY(gone, txn.del(im.db.links, cur->lookup));
            (void)gone;
        }
        cur->lookup = lookup;
        cur->link_key_id = im.pepper.id;
        cur->wrapped_dek = wrapped;
        cur->expires_at = now + im.opts.link_ttl.count();
        cur->retain_until = std::max(cur->retain_until, cur->expires_at);
        expires = cur->expires_at;
        retain = cur->retain_until;
        SP_CHECK(txn.put(im.db.links, lookup, link_bytes));
        SP_CHECK(im.store(txn, id, *cur));
        return im.put_audit(txn, id, AuditKind::reissued, std::nullopt, std::nullopt);
    });
    SP_CHECK(written);
    log::info("vault.envelope_reissued").kv("id", envelope_id_hex(id)).kv("expires_at", expires);
    return IssuedLink{id, std::move(token.text), expires, retain};
}

Status Vault::envelope_revoke(const EnvelopeId& id) {
    Impl& im = *impl_;
    const Status written = im.write([&](kv::Txn& txn) -> Status {
        SP_TRY(rec, im.load(txn, id));
        SP_CHECK(check_live(rec));
        return im.make_tombstone(txn, id, *rec, EnvelopeState::revoked);
    });
    SP_CHECK(written);
    log::info("vault.envelope_revoked").kv("id", envelope_id_hex(id));
    return {};
}

namespace {

/// pending -> sent inside `txn` (idempotent on sent).
Status mark_sent_in(Vault::Impl& im, kv::Txn& txn, const EnvelopeId& id) {
    SP_TRY(rec, im.load(txn, id));
    SP_CHECK(check_live(rec));
    if (rec->state == EnvelopeState::sent) {
        return {};
    }
    rec->state = EnvelopeState::sent;
    rec->sent_at = im.now();
    return im.store(txn, id, *rec);
}

}  // namespace

Status Vault::envelope_mark_sent(const EnvelopeId& id) {
    Impl& im = *impl_;
    return im.write([&](kv::Txn& txn) -> Status { return mark_sent_in(im, txn, id); });
}

void Vault::envelope_mark_sent_deferred(const EnvelopeId& id) {
    Impl& im = *impl_;
    // The body outlives this call: it captures the id by value, and `im` lives until the
    // final drain in ~Impl.
    im.write_deferred([&im, id](kv::Txn& txn) -> Status { return mark_sent_in(im, txn, id); },
                      [id](const Status& st) {
                          if (!st) {
                              log::error("vault.mark_sent_failed")
                                  .kv("id", envelope_id_hex(id))
                                  .kv("err", errc_name(st.error().code))
                                  .kv("detail", st.error().detail);
                          }
                      });
}

Status Vault::envelope_discard(const EnvelopeId& id) {
    Impl& im = *impl_;
    const Status written = im.write([&](kv::Txn& txn) -> Status {
        SP_TRY(rec, im.load(txn, id));
        if (!rec) {
            return make_error(Errc::not_found, "no such envelope");
        }
        if (rec->state != EnvelopeState::pending) {
            return make_error(Errc::invalid_argument, "only a pending envelope can be discarded");
        }
        return im.delete_all(txn, id, *rec);
    });
    SP_CHECK(written);
    log::info("vault.envelope_discarded").kv("id", envelope_id_hex(id));
    return {};
}

Result<EnvelopeId> Vault::envelope_resolve(std::string_view prefix) {
    Impl& im = *impl_;
    if (prefix.size() < 8 || prefix.size() > 32) {
        return make_error(Errc::invalid_argument, "an envelope id prefix has 8 to 32 hex digits");
    }
    std::string lower(prefix);
    for (char& c : lower) {
        if (c >= 'A' && c <= 'F') {
            c = static_cast<char>(c + 32);
        }
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
            return make_error(Errc::invalid_argument, "an envelope id prefix is hex digits");
        }
    }
    SP_TRY(seek_bytes, hex::decode(std::string_view(lower).substr(0, lower.size() / 2 * 2)));
    std::vector<EnvelopeId> found;
    {
        SP_TRY(txn, im.read());
        SP_TRY(cur, kv::Cursor::open(txn, im.db.envelopes));
        SP_TRY(e, cur.seek(seek_bytes));
        while (e && kv::has_prefix(e->key, seek_bytes) && found.size() < 2) {
            if (e->key.size() == 16 && hex::encode(e->key).starts_with(lower)) {
                EnvelopeId id{};
                std::copy(e->key.begin(), e->key.end(), id.begin());
                found.push_back(id);
            }
            SP_TRY(n, cur.next());
            e = n;
        }
    }
    if (found.empty()) {
        return make_error(Errc::not_found, "no envelope with id prefix " + lower);
    }
    if (found.size() > 1) {
        return make_error(Errc::invalid_argument, "ambiguous envelope id prefix " + lower);
    }
    return found.front();
}

Result<std::vector<EnvelopeSummary>> Vault::envelope_list(ListFilter filter) {
    Impl& im = *impl_;
    const std::int64_t now = im.now();
    std::vector<EnvelopeSummary> out;
    SP_TRY(txn, im.read());
    SP_TRY(cur, kv::Cursor::open(txn, im.db.envelopes));
    SP_TRY(e, cur.first());
    while (e) {
        SP_TRY(id, records::id_of_key(e->key));
        SP_TRY(rec, records::decode_envelope(e->value));
        EnvelopeSummary s = summarize(id, rec);
        const bool keep = filter == ListFilter::all ||
                          (filter == ListFilter::active && !s.is_tombstone() && !s.expired(now)) ||
                          (filter == ListFilter::expired && s.expired(now));
        if (keep) {
            out.push_back(std::move(s));
        }
        SP_TRY(n, cur.next());
        e = n;
    }
    return out;
}

Result<EnvelopeDetails> Vault::envelope_show(const EnvelopeId& id,
                                             const crypto::X25519KeyPair& escrow) {
    Impl& im = *impl_;
    SP_TRY(rec, im.load(id));
    if (!rec) {
        return make_error(Errc::not_found, "no such envelope");
    }
    EnvelopeDetails out;
    out.summary = summarize(id, *rec);
    SP_TRY(events, audit_list(id));
    out.audit = std::move(events);
    if (rec->is_tombstone()) {
        return out;
    }
    if (keys::key_id(escrow.public_key) != rec->escrow_key_id) {
        return make_error(Errc::key_error, "envelope is sealed to escrow key " +
                                               rec->escrow_key_id + ", not this one");
    }
    SP_TRY(dek, crypto::open_sealed(escrow, labelled_aad(kEscrowAad, id), rec->escrow_dek));
    SP_TRY(plain, crypto::aead_open(dek, labelled_aad(kMetaAad, id), rec->sealed_meta));
    SP_TRY(meta, records::decode_meta(plain));
    if (meta.documents.size() != rec->docs.size()) {
        return make_error(Errc::corrupt, "metadata and record disagree on documents");
    }
    for (std::size_t i = 0; i < rec->docs.size(); ++i) {
        meta.documents[i].info = {static_cast<std::uint32_t>(i), rec->docs[i].size,
                                  rec->docs[i].chunks};
    }
    out.meta = std::move(meta);
    return out;
}

}  // namespace sealpost::vault
