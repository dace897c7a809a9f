// SPDX-License-Identifier: Apache-2.0
// The Vault handle: opening the environment and its named databases, the clock, and record
// helpers shared by the per-object files (the write path is vault_commit.cpp).
#include <algorithm>
#include <array>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "core/core_hex.hpp"
#include "core/core_log.hpp"
#include "vault/vault_impl.hpp"

namespace sealpost::vault {

std::string envelope_id_hex(const EnvelopeId& id) {
    return hex::encode(id);
}

Result<EnvelopeId> envelope_id_parse(std::string_view hex) {
    if (hex.size() != 32) {
        return make_error(Errc::invalid_argument, "envelope id must be 32 hex characters");
    }
    std::string lower(hex);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](char c) { return (c >= 'A' && c <= 'F') ? static_cast<char>(c + 32) : c; });
    auto bytes = hex::decode(lower);
    if (!bytes) {
        return make_error(Errc::invalid_argument, "envelope id must be 32 hex characters");
    }
    EnvelopeId id{};
    std::copy(bytes->begin(), bytes->end(), id.begin());
    return id;
}

std::string_view envelope_state_name(EnvelopeState s) noexcept {
    switch (s) {
        case EnvelopeState::pending:
            return "pending";
        case EnvelopeState::sent:
            return "sent";
        case EnvelopeState::revoked:
            return "revoked";
        case EnvelopeState::purged:
            return "purged";
    }
    return "unknown";
}

crypto::Bytes labelled_aad(std::string_view label, const EnvelopeId& id) {
    crypto::Bytes out(label.begin(), label.end());
    out.insert(out.end(), id.begin(), id.end());
    return out;
}

EnvelopeSummary summarize(const EnvelopeId& id, const records::EnvelopeRecord& rec) {
    EnvelopeSummary s;
    s.id = id;
    s.state = rec.state;
    s.created_at = rec.created_at;
    s.sent_at = rec.sent_at;
    s.expires_at = rec.expires_at;
    s.retain_until = rec.retain_until;
    s.purged_at = rec.purged_at;
    s.doc_count = static_cast<std::uint32_t>(rec.docs.size());
    s.total_size = rec.total_size;
    s.escrow_key_id = rec.escrow_key_id;
    return s;
}

// ---- Impl ------------------------------------------------------------------------------

Result<std::optional<records::EnvelopeRecord>> Vault::Impl::load(kv::Txn& txn,
                                                                 const EnvelopeId& id) {
    SP_TRY(raw, txn.get(db.envelopes, id));
    if (!raw) {
        return std::optional<records::EnvelopeRecord>{};
    }
    SP_TRY(rec, records::decode_envelope(*raw));
    return std::optional<records::EnvelopeRecord>{std::move(rec)};
}

Status check_live(const std::optional<records::EnvelopeRecord>& rec) {
    if (!rec) {
        return make_error(Errc::not_found, "no such envelope");
    }
    if (rec->is_tombstone()) {
        return make_error(Errc::revoked,
                          std::string("state=") + std::string(envelope_state_name(rec->state)));
    }
    return {};
}

Result<records::EnvelopeRecord> Vault::Impl::load_live(kv::Txn& txn, const EnvelopeId& id) {
    SP_TRY(rec, load(txn, id));
    SP_CHECK(check_live(rec));
    return std::move(*rec);
}

Result<std::optional<records::EnvelopeRecord>> Vault::Impl::load(const EnvelopeId& id) {
    SP_TRY(txn, read());
    return load(txn, id);
}

Status Vault::Impl::store(kv::Txn& txn, const EnvelopeId& id, const records::EnvelopeRecord& rec) {
    return txn.put(db.envelopes, id, records::encode_envelope(rec));
}

Result<std::uint64_t> Vault::Impl::delete_prefix(kv::Txn& txn, kv::Table dbi,
                                                 crypto::ByteView prefix) {
    // Collect first, delete after: the keys are small, and deleting by key sidesteps cursor
    // repositioning rules after mdb_cursor_del.
    std::vector<crypto::Bytes> keys;
    {
        SP_TRY(cur, kv::Cursor::open(txn, dbi));
        SP_TRY(e, cur.seek(prefix));
        while (e && kv::has_prefix(e->key, prefix)) {
            keys.emplace_back(e->key.begin(), e->key.end());
            SP_TRY(n, cur.next());
            e = n;
        }
    }
    for (const auto& k : keys) {
        SP_TRY(gone, txn.del(dbi, k));
        (void)gone;
    }
    return static_cast<std::uint64_t>(keys.size());
}

Status Vault::Impl::make_tombstone(kv::Txn& txn, const EnvelopeId& id,
                                   const records::EnvelopeRecord& rec, EnvelopeState state) {
    SP_TRY(removed, chunks->chunks_delete(txn, id));
    SP_TRY(events, delete_prefix(txn, db.audit, id));
    SP_TRY(guard, txn.del(db.portal, id));  // the portal's code counters (vault_portal.cpp)
    SP_CHECK(drop_notice(txn, id));         // a queued download notice names the document
    SP_CHECK(drop_followups(txn, id));      // so do the reminder and the expiry notice
    (void)removed;
    (void)events;
    (void)guard;
    records::EnvelopeRecord t;
    t.state = state;
    t.created_at = rec.created_at;
    t.sent_at = rec.sent_at;
    t.purged_at = now();
    t.lookup = rec.lookup;  // the link keeps answering 410 until the tombstone goes
    t.link_key_id = rec.link_key_id;
    return store(txn, id, t);
}

Status Vault::Impl::delete_all(kv::Txn& txn, const EnvelopeId& id,
                               const records::EnvelopeRecord& rec) {
    SP_TRY(removed, chunks->chunks_delete(txn, id));
    SP_TRY(events, delete_prefix(txn, db.audit, id));
    SP_TRY(guard, txn.del(db.portal, id));
    SP_CHECK(drop_notice(txn, id));
    SP_CHECK(drop_followups(txn, id));
    (void)removed;
    (void)events;
    (void)guard;
    // Only delete the link if it still points here (a lookup id is unique in practice, but
    // never remove another envelope's mapping).
    SP_TRY(link, txn.get(db.links, rec.lookup));
    if (link) {
        auto target = records::decode_link(*link);
        if (target && *target == id) {
            SP_TRY(gone, txn.del(db.links, rec.lookup));
            (void)gone;
        }
    }
    SP_TRY(gone, txn.del(db.envelopes, id));
    (void)gone;
    return {};
}

// ---- Vault -----------------------------------------------------------------------------

Vault::Vault(std::shared_ptr<Impl> impl) : impl_(std::move(impl)) {}
Vault::Vault(Vault&&) noexcept = default;
Vault& Vault::operator=(Vault&&) noexcept = default;
Vault::~Vault() = default;

std::int64_t Vault::now() const {
    return impl_->now();
}

std::string_view Vault::backend() const noexcept {
    return impl_->engine->name();
}

kv::PoolStats Vault::pool_stats() const {
    return impl_->engine->pool_stats();
}

Result<Vault> Vault::open(VaultOptions opts, const keys::KeyRing& keys) {
    if (opts.backend == VaultBackend::lmdb && opts.dir.empty()) {
        return make_error(Errc::invalid_argument, "vault dir is empty");
    }
    if (opts.map_size == 0 || opts.map_size > opts.max_size) {
        return make_error(Errc::invalid_argument, "vault map_size must be in 1..max_size");
    }
    if ((keys.loaded & keys::pepper) == 0 || keys.pepper.key.size() != crypto::kKeyLen) {
        return make_error(Errc::key_error, "vault needs the pepper key");
    }
    if (!opts.now) {
        opts.now = [] {
            return static_cast<std::int64_t>(
                std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count());
        };
    }
    std::unique_ptr<kv::Engine> engine;
    if (opts.backend == VaultBackend::postgresql) {
        SP_TRY(e, kv::engine_open_postgresql(opts));
        engine = std::move(e);
    } else {
        SP_TRY(e, kv::engine_open_lmdb(opts));
        engine = std::move(e);
    }

    auto impl = std::make_shared<Impl>(std::move(opts), std::move(engine));

    impl->pepper.key = keys.pepper.key;
    impl->pepper.id = keys.pepper.id;
    if ((keys.loaded & keys::escrow_public) != 0 && keys.escrow_public.size() == crypto::kKeyLen) {
        impl->escrow_id = keys.escrow_id;
        impl->escrow = std::make_unique<EscrowSealer>(keys.escrow_public);
    }
    if (keys.contacts && keys.contacts->key.size() == crypto::kKeyLen) {
        impl->contacts = keys::SymmetricKey{keys.contacts->key, keys.contacts->id};
    }

    // The dummy wrapped DEK for unknown tokens (see Impl::dummy_wrapped).
    SP_CHECK(crypto::random_fill(impl->dummy_id));
    SP_TRY(dummy_token, crypto::random_bytes(kTokenBytes));
    SP_TRY(dummy_dek, crypto::random_bytes(crypto::kKeyLen));
    SP_TRY(kek, crypto::hkdf_sha256(dummy_token, impl->dummy_id, crypto::as_bytes(kLinkInfo),
                                    crypto::kKeyLen));
    SP_TRY(wrapped, crypto::aead_seal(kek, labelled_aad(kWrapAad, impl->dummy_id), dummy_dek));
    impl->dummy_wrapped = std::move(wrapped);

    if (impl->opts.backend == VaultBackend::postgresql) {
        log::info("vault.open").kv("backend", "postgresql").kv("pool", impl->opts.pool_size);
    } else {
        log::info("vault.open").kv("backend", "lmdb").kv("dir", impl->opts.dir.string());
    }
    return Vault(std::move(impl));
}

}  // namespace sealpost::vault
