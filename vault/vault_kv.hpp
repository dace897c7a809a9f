// SPDX-License-Identifier: Apache-2.0
// The vault's storage engine: ordered tables of byte keys and byte values, read snapshots and
// atomic write transactions. The vault's records (vault_records) and their encryption live above
// this line and are the same on every engine; an engine stores only opaque bytes (ciphertext,
// HMAC ids, sealed keys). Two engines: LMDB, the embedded default (vault_kv_lmdb.cpp), and
// PostgreSQL, the shared engine for several nodes (vault_kv_pg.cpp), chosen by [vault] backend.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/core_result.hpp"
#include "vault/vault_crypto.hpp"

namespace sealpost::vault {
struct VaultOptions;
}

namespace sealpost::vault::kv {

using crypto::ByteView;

/// The tables. Their names are part of both engines' formats (LMDB database names,
/// PostgreSQL table names after "sealpost_"): never rename one.
enum class Table : std::uint8_t { envelopes, links, documents, contacts, audit, portal, staging };
inline constexpr std::size_t kTableCount = 7;
inline constexpr std::array<std::string_view, kTableCount> kTableNames = {
    "envelopes", "links", "documents", "contacts", "audit", "portal", "staging"};
constexpr std::string_view table_name(Table t) noexcept {
    return kTableNames[static_cast<std::size_t>(t)];
}

struct Entry {
    ByteView key;
    ByteView value;
};

/// True when `key` starts with `prefix`.
inline bool has_prefix(ByteView key, ByteView prefix) noexcept {
    if (key.size() < prefix.size()) {
        return false;
    }
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (key[i] != prefix[i]) {
            return false;
        }
    }
    return true;
}

/// How a cursor reads in a write transaction.
enum class Scan : std::uint8_t {
    plain,
    /// Rows another node's transaction holds are skipped, the rows read are held until commit
    /// (PostgreSQL: FOR UPDATE SKIP LOCKED). Queues taken by several nodes use it, so no two
    /// take the same row. On LMDB, with one writer at a time, it is the same as plain.
    claim,
};

/// What an engine implements for a cursor; callers use Cursor.
class CursorBackend {
  public:
    virtual ~CursorBackend() = default;
    virtual Result<std::optional<Entry>> seek(ByteView key) = 0;
    virtual Result<std::optional<Entry>> first() = 0;
    virtual Result<std::optional<Entry>> last() = 0;
    virtual Result<std::optional<Entry>> next() = 0;
    virtual Result<std::optional<Entry>> prev() = 0;
};

/// What an engine implements for a transaction; callers use Txn.
class TxnBackend {
  public:
    virtual ~TxnBackend() = default;
    virtual Result<std::optional<ByteView>> get(Table t, ByteView key) = 0;
    virtual Status put(Table t, ByteView key, ByteView value) = 0;
    virtual Status insert(Table t, ByteView key, ByteView value) = 0;
    virtual Result<std::span<std::uint8_t>> reserve(Table t, ByteView key, std::size_t size) = 0;
    virtual Result<bool> del(Table t, ByteView key) = 0;
    virtual Result<std::unique_ptr<CursorBackend>> cursor(Table t, Scan scan) = 0;
    virtual Result<bool> try_lock(std::int64_t lock_id) = 0;
};

/** A transaction of an engine. A read transaction is a consistent snapshot; a write transaction
 * is all or nothing. Views returned by get() and by cursors stay valid until the transaction
 * ends or the next write in it.
 */
class Txn {
  public:
    /// Owns `b` (a read transaction, ended by the destructor).
    explicit Txn(std::unique_ptr<TxnBackend> b) noexcept : owned_(std::move(b)), b_(owned_.get()) {}
    /// Borrows `b` (a write transaction the engine runs a body in).
    explicit Txn(TxnBackend& b) noexcept : b_(&b) {}
    Txn(Txn&&) noexcept = default;
    Txn& operator=(Txn&&) noexcept = default;
    Txn(const Txn&) = delete;
    Txn& operator=(const Txn&) = delete;
    ~Txn() = default;

    /// The value of `key`, or std::nullopt. Errors: Errc::io, Errc::corrupt, Errc::unavailable.
    Result<std::optional<ByteView>> get(Table t, ByteView key) const { return b_->get(t, key); }
    /// Insert or overwrite. Errors: Errc::vault_full, Errc::io, Errc::unavailable.
    Status put(Table t, ByteView key, ByteView value) { return b_->put(t, key, value); }
    /// Insert a key that must be new. Errors: Errc::exists if present (nothing written), as put.
    Status insert(Table t, ByteView key, ByteView value) { return b_->insert(t, key, value); }
    /** Insert or overwrite `key` with `size` bytes that the caller then writes: on LMDB straight
     * into the transaction's page (no copy). The span is valid until the next call on this
     * transaction; the caller fills all of it before then. Errors: as put. */
    Result<std::span<std::uint8_t>> reserve(Table t, ByteView key, std::size_t size) {
        return b_->reserve(t, key, size);
    }
    /// Delete `key`; false if it was absent. Errors: Errc::io, Errc::unavailable.
    Result<bool> del(Table t, ByteView key) { return b_->del(t, key); }
    /** In a write transaction: take the lock `lock_id` until the transaction ends, or return
     * false at once if another node's transaction holds it (PostgreSQL: a transaction-level
     * advisory lock). LMDB, with one writer at a time, always returns true. */
    Result<bool> try_lock(std::int64_t lock_id) { return b_->try_lock(lock_id); }

    [[nodiscard]] TxnBackend& backend() noexcept { return *b_; }

  private:
    std::unique_ptr<TxnBackend> owned_;
    TxnBackend* b_ = nullptr;
};

/// A cursor on one table of a transaction; positioning calls return std::nullopt at the end.
/// It must be destroyed before its transaction ends.
class Cursor {
  public:
    /// Errors: Errc::io, Errc::unavailable.
    static Result<Cursor> open(Txn& txn, Table t, Scan scan = Scan::plain) {
        SP_TRY(c, txn.backend().cursor(t, scan));
        return Cursor(std::move(c));
    }
    /// First entry with key >= `key`.
    Result<std::optional<Entry>> seek(ByteView key) { return c_->seek(key); }
    Result<std::optional<Entry>> first() { return c_->first(); }
    Result<std::optional<Entry>> last() { return c_->last(); }
    Result<std::optional<Entry>> next() { return c_->next(); }
    Result<std::optional<Entry>> prev() { return c_->prev(); }

  private:
    explicit Cursor(std::unique_ptr<CursorBackend> c) noexcept : c_(std::move(c)) {}
    std::unique_ptr<CursorBackend> c_;
};

using Body = std::function<Status(Txn&)>;
using Done = std::function<void(const Status&)>;

/// Size figures for `sealpost stats` and /metrics.
struct EngineInfo {
    std::uint64_t allocated_bytes = 0;  ///< LMDB: the map size; PostgreSQL: the tables' size
    std::uint64_t used_bytes = 0;       ///< LMDB: pages in use; PostgreSQL: as allocated
};

/// Pool figures for /metrics (PostgreSQL; LMDB reports zeros).
struct PoolStats {
    std::uint32_t size = 0;        ///< connections allowed
    std::uint32_t open = 0;        ///< connections open now
    std::uint32_t busy = 0;        ///< in a transaction now
    std::uint64_t waits = 0;       ///< acquisitions that had to wait for a connection
    std::uint64_t timeouts = 0;    ///< acquisitions that gave up (Errc::unavailable)
    std::uint64_t retries = 0;     ///< write bodies run again after a serialization failure
    std::uint64_t txns = 0;        ///< transactions run
    std::uint64_t txn_micros = 0;  ///< their total time, acquisition included
};

/** An engine. Thread-safe: several threads may read and write at once.
 *
 * write() runs `body` in a write transaction and returns once it is durable (LMDB: synced on
 * commit, shared with concurrent callers by group commit; PostgreSQL: COMMIT with
 * synchronous_commit on). `body` may run more than once (LMDB: map growth; PostgreSQL: a
 * serialization failure with another node), so it must write the same bytes each time and
 * must not call into the vault. */
class Engine {
  public:
    virtual ~Engine() = default;
    /// A short read snapshot. Errors: Errc::io, Errc::unavailable.
    virtual Result<Txn> read() = 0;
    /// Errors: the body's own, or Errc::vault_full, Errc::io, Errc::unavailable with nothing of
    /// the body written.
    virtual Status write(const Body& body) = 0;
    /// Like write(), but may return before the commit (changes whose loss is harmless).
    virtual void write_deferred(Body body, Done done) = 0;
    /// Commit what write_deferred() queued; returns when it is durable.
    virtual void drain() = 0;
    virtual Result<EngineInfo> info() = 0;
    [[nodiscard]] virtual PoolStats pool_stats() const { return {}; }
    /// "lmdb" or "postgresql".
    [[nodiscard]] virtual std::string_view name() const noexcept = 0;
};

/** The LMDB engine on `opts.dir` (created 0700, or 0770 with group_access).
 * Errors: Errc::io, Errc::invalid_argument. */
Result<std::unique_ptr<Engine>> engine_open_lmdb(const VaultOptions& opts);

/** The PostgreSQL engine: a pool of up to `opts.pool_size` connections to the DSN read from
 * `opts.dsn_file` (or `opts.dsn` when the caller has it already, tests and `vault copy`).
 * Refuses a database whose schema version is not this build's (`sealpost vault init` or
 * `sealpost vault upgrade` makes it so). Errors: Errc::unavailable (cannot connect),
 * Errc::invalid_argument (schema missing or of another version), Errc::key_error (dsn_file
 * unreadable or readable by others). */
Result<std::unique_ptr<Engine>> engine_open_postgresql(const VaultOptions& opts);

}  // namespace sealpost::vault::kv
