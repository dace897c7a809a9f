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
#include "vault/vault_commit.hpp"
#include "vault/vault_crypto.hpp"
#include "vault/vault_keys.hpp"
#include "vault/vault_linkkeys.hpp"
#include "vault/vault_lmdb.hpp"
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
    lmdb::Env env;
    struct Dbis {
        lmdb::Dbi envelopes = 0, links = 0, documents = 0, contacts = 0, audit = 0, portal = 0;
        /// envelope id -> created_at (8 bytes, big-endian) while its chunks are staged.
        lmdb::Dbi staging = 0;
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
    /// The process's writers share transactions and fsyncs here (see write()). Last member,
    /// so it is destroyed first: its destructor's final drain runs while the members above,
    /// which the bodies use, are still alive.
    GroupCommit commits;

    Impl(VaultOptions o, lmdb::Env e)
        : opts(std::move(o)),
          env(std::move(e)),
          commits(env, opts.max_size, [this](lmdb::Txn& txn) { return touch(txn); }) {}
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;
    ~Impl() = default;

    [[nodiscard]] std::int64_t now() const { return opts.now(); }

    /// A change that leaves the content as it was (GroupCommit's `release` on a full map):
    /// a 1-byte key put and deleted again in `portal`, where every key is 16 bytes or more.
    Status touch(lmdb::Txn& txn) const;

    class ChunkWriter;  ///< envelope_create's chunk sealing (vault_envelope.cpp)
    /// Deletes the chunks of envelopes left half-staged by a crash (vault_purge.cpp).
    Result<std::uint64_t> purge_staged();

    /** Run `body` in a write transaction and commit; returns once the commit is durable.
     * Concurrent callers share one transaction and one fsync (GroupCommit): `body` runs in a
     * nested transaction of its own, possibly on another caller's thread, so a failing body
     * undoes only its own puts. On MDB_MAP_FULL (from a put or the commit) the map grows and
     * `body` runs again from scratch, so `body` must only put data prepared before the call.
     * At max_size: Errc::vault_full, nothing of `body` written. */
    Status write(const std::function<Status(lmdb::Txn&)>& body) { return commits.run(body); }
    /** Like write(), but returns without waiting for the commit when another caller's commit
     * is in progress: `body` joins that group or the next. Errors go to `done` (on the
     * committing thread). Only for changes whose loss in a crash is harmless (mark_sent). */
    void write_deferred(GroupCommit::Body body, GroupCommit::Done done) {
        commits.defer(std::move(body), std::move(done));
    }
    /// A short read transaction.
    Result<lmdb::Txn> read();

    /// The envelope record, or std::nullopt. Errors: Errc::corrupt, Errc::io.
    Result<std::optional<records::EnvelopeRecord>> load(lmdb::Txn& txn, const EnvelopeId& id);
    /// The envelope record if it is live; else check_live()'s error.
    Result<records::EnvelopeRecord> load_live(lmdb::Txn& txn, const EnvelopeId& id);
    /// load() in its own short read transaction, closed before returning.
    Result<std::optional<records::EnvelopeRecord>> load(const EnvelopeId& id);
    Status store(lmdb::Txn& txn, const EnvelopeId& id, const records::EnvelopeRecord& rec);
    /// Delete every key of `dbi` that starts with `prefix`; returns how many.
    Result<std::uint64_t> delete_prefix(lmdb::Txn& txn, lmdb::Dbi dbi, crypto::ByteView prefix);
    /// Reduce to a tombstone: chunks and audit deleted; record keeps id, state, times, lookup.
    Status make_tombstone(lmdb::Txn& txn, const EnvelopeId& id, const records::EnvelopeRecord& rec,
                          EnvelopeState state);
    /// Delete every record of the envelope (chunks, audit, link, envelope).
    Status delete_all(lmdb::Txn& txn, const EnvelopeId& id, const records::EnvelopeRecord& rec);
    /// Delete the envelope's download notice and its marker (vault_notices.cpp).
    Status drop_notice(lmdb::Txn& txn, const EnvelopeId& id);
    /// Delete the envelope's follow-up records (vault_reminders.cpp).
    Status drop_followups(lmdb::Txn& txn, const EnvelopeId& id);
    /// Append an audit event inside `txn` (no checks on the envelope).
    Status put_audit(lmdb::Txn& txn, const EnvelopeId& id, AuditKind kind,
                     std::optional<std::uint32_t> doc, std::optional<IpHash> ip);
};

/// envelope_create's follow-up records, sealed before its transaction (vault_reminders.cpp).
struct FollowUpRecords {
    std::vector<std::pair<std::array<std::uint8_t, 24>, crypto::Bytes>> puts;
    /// Seal what VaultOptions arms for a new envelope. Errors: Errc::internal.
    static Result<FollowUpRecords> make(const Vault::Impl& im, const EnvelopeId& id,
                                        const EnvelopeMeta& meta, std::string_view token);
    /// Put them inside envelope_create's write transaction.
    [[nodiscard]] Status put(const Vault::Impl& im, lmdb::Txn& txn) const;
};

/// Errc::not_found when there is no record, Errc::revoked ("state=...") for a tombstone.
Status check_live(const std::optional<records::EnvelopeRecord>& rec);

/// Summary (no personal data) of a stored record.
EnvelopeSummary summarize(const EnvelopeId& id, const records::EnvelopeRecord& rec);

}  // namespace sealpost::vault
