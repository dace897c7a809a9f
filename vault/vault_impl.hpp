// SPDX-License-Identifier: Apache-2.0
// Vault internals shared by the per-object implementation files (envelope, document, contacts,
// audit, purge): the Impl behind the opaque handle, write-retry on map growth, record helpers.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "vault/vault.hpp"
#include "vault/vault_chunks.hpp"
#include "vault/vault_crypto.hpp"
#include "vault/vault_keys.hpp"
#include "vault/vault_kv.hpp"
#include "vault/vault_linkkeys.hpp"
#include "vault/vault_records.hpp"

namespace sealpost::vault {

/// Info strings and AAD labels: part of the file format, never change them.
inline constexpr std::string_view kLinkInfo = "sealpost-link-v1";         ///< HKDF info for the kek
inline constexpr std::string_view kWrapAad = "sealpost-dek-v1";           ///< || envelope id
inline constexpr std::string_view kEscrowAad = "sealpost-escrow-dek-v1";  ///< || envelope id
inline constexpr std::string_view kMetaAad = "sealpost-meta-v1";          ///< || envelope id
inline constexpr std::size_t kTokenBytes = 32;
inline constexpr std::size_t kTokenChars = 43;  ///< base64url of 32 bytes, no padding

/// label || envelope id.
crypto::Bytes labelled_aad(std::string_view label, const EnvelopeId& id);

struct Vault::Impl {
    VaultOptions opts;
    /// The storage engine ([vault] backend). Destroyed last among what the bodies use: its
    /// destructor's final drain of deferred writes runs while `opts` is still alive.
    std::unique_ptr<kv::Engine> engine;
    /// Where the documents' encrypted chunks live (the blob side, vault_chunks.hpp).
    std::unique_ptr<ChunkStore> chunks = chunk_store_table();
    /// The tables, under the names the per-object files use.
    struct Tables {
        kv::Table envelopes = kv::Table::envelopes, links = kv::Table::links,
                  documents = kv::Table::documents, contacts = kv::Table::contacts,
                  audit = kv::Table::audit, portal = kv::Table::portal;
        /// envelope id -> created_at (8 bytes, big-endian) while its chunks are staged.
        kv::Table staging = kv::Table::staging;
    } db;
    keys::SymmetricKey pepper;
    std::string escrow_id;
    /// Seals new envelopes' DEKs to the escrow public key; null when it is not loaded.
    std::unique_ptr<EscrowSealer> escrow;
    std::optional<keys::SymmetricKey> contacts;
    /// A wrapped DEK under a random token nobody knows: envelope_open runs HKDF + aead_open
    /// against it when a token is unknown, so a miss costs what a hit costs.
    EnvelopeId dummy_id{};
    crypto::Bytes dummy_wrapped;

    Impl(VaultOptions o, std::unique_ptr<kv::Engine> e)
        : opts(std::move(o)), engine(std::move(e)) {}
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;
    ~Impl() { engine->drain(); }

    [[nodiscard]] std::int64_t now() const { return opts.now(); }

    class ChunkWriter;  ///< envelope_create's chunk sealing (vault_envelope.cpp)
    /// Deletes the chunks of envelopes left half-staged by a crash (vault_purge.cpp).
    Result<std::uint64_t> purge_staged();

    /** Run `body` in a write transaction and commit; returns once the commit is durable.
     * On LMDB concurrent callers share one transaction and one fsync (GroupCommit): `body`
     * runs in a nested transaction of its own, possibly on another caller's thread, so a
     * failing body undoes only its own puts. `body` may run more than once (LMDB map growth,
     * a PostgreSQL serialization failure), so it must only put data prepared before the call.
     * At max_size: Errc::vault_full, nothing of `body` written. */
    Status write(const kv::Body& body) { return engine->write(body); }
    /** Like write(), but returns without waiting for the commit when another caller's commit
     * is in progress: `body` joins that group or the next. Errors go to `done` (on the
     * committing thread). Only for changes whose loss in a crash is harmless (mark_sent). */
    void write_deferred(kv::Body body, kv::Done done) {
        engine->write_deferred(std::move(body), std::move(done));
    }
    /// A short read transaction.
    Result<kv::Txn> read() { return engine->read(); }

    /// The envelope record, or std::nullopt. Errors: Errc::corrupt, Errc::io.
    Result<std::optional<records::EnvelopeRecord>> load(kv::Txn& txn, const EnvelopeId& id);
    /// The envelope record if it is live; else check_live()'s error.
    Result<records::EnvelopeRecord> load_live(kv::Txn& txn, const EnvelopeId& id);
    /// load() in its own short read transaction, closed before returning.
    Result<std::optional<records::EnvelopeRecord>> load(const EnvelopeId& id);
    Status store(kv::Txn& txn, const EnvelopeId& id, const records::EnvelopeRecord& rec);
    /// Delete every key of `dbi` that starts with `prefix`; returns how many.
    Result<std::uint64_t> delete_prefix(kv::Txn& txn, kv::Table dbi, crypto::ByteView prefix);
    /// Reduce to a tombstone: chunks and audit deleted; record keeps id, state, times, lookup.
    Status make_tombstone(kv::Txn& txn, const EnvelopeId& id, const records::EnvelopeRecord& rec,
                          EnvelopeState state);
    /// Delete every record of the envelope (chunks, audit, link, envelope).
    Status delete_all(kv::Txn& txn, const EnvelopeId& id, const records::EnvelopeRecord& rec);
    /// Delete the envelope's download notice and its marker (vault_notices.cpp).
    Status drop_notice(kv::Txn& txn, const EnvelopeId& id);
    /// Delete the envelope's follow-up records (vault_reminders.cpp).
    Status drop_followups(kv::Txn& txn, const EnvelopeId& id);
    /// Append an audit event inside `txn` (no checks on the envelope).
    Status put_audit(kv::Txn& txn, const EnvelopeId& id, AuditKind kind,
                     std::optional<std::uint32_t> doc, std::optional<IpHash> ip);
};

/// envelope_create's follow-up records, sealed before its transaction (vault_reminders.cpp).
struct FollowUpRecords {
    std::vector<std::pair<std::array<std::uint8_t, 24>, crypto::Bytes>> puts;
    /// Seal what VaultOptions arms for a new envelope. Errors: Errc::internal.
    static Result<FollowUpRecords> make(const Vault::Impl& im, const EnvelopeId& id,
                                        const EnvelopeMeta& meta, std::string_view token);
    /// Put them inside envelope_create's write transaction.
    [[nodiscard]] Status put(const Vault::Impl& im, kv::Txn& txn) const;
};

/// Errc::not_found when there is no record, Errc::revoked ("state=...") for a tombstone.
Status check_live(const std::optional<records::EnvelopeRecord>& rec);

/// Summary (no personal data) of a stored record.
EnvelopeSummary summarize(const EnvelopeId& id, const records::EnvelopeRecord& rec);

}  // namespace sealpost::vault
