// SPDX-License-Identifier: Apache-2.0
// RAII over LMDB: environment, transactions that abort unless committed, named database
// handles and cursors, and the map-resize protocol. Only vault_lmdb.cpp includes lmdb.h.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <span>
#include <string_view>

#include "core/core_config.hpp"
#include "core/core_result.hpp"
#include "vault/vault_crypto.hpp"

// Opaque LMDB types, so callers need not include lmdb.h (which declares them the same way).
struct MDB_env;
struct MDB_txn;
struct MDB_cursor;

namespace sealpost::vault::lmdb {

using crypto::ByteView;
using Dbi = unsigned int;  ///< MDB_dbi

/// Map an LMDB return code to an Error. MDB_MAP_FULL becomes Errc::vault_full (the caller's
/// retry loop grows the map on it), MDB_NOTFOUND Errc::not_found, MDB_CORRUPTED and
/// MDB_PAGE_NOTFOUND Errc::corrupt, the rest Errc::io. `what` names the call for the detail.
Error lmdb_error(int rc, std::string_view what);

struct EnvInfo {
    std::uint64_t map_size = 0;
    std::uint64_t used_bytes = 0;  ///< (last page number + 1) * page size
    std::uint32_t page_size = 0;
    std::uint64_t last_txn_id = 0;  ///< id of the last committed write transaction
};

/// An open environment. Closing (destructor) requires every transaction of it to be gone.
class Env {
  public:
    /// The environment's settings are the [vault] section's, defaults included: `dir`,
    /// `map_size` and `group_access` (0770/0660 instead of 0700/0600). The rest is not read
    /// here.
    using Options = VaultConfig;

    /** Create the directory if missing (mode 0700), open with MDB_NOTLS and file mode 0600,
     * then clear reader slots of dead processes (mdb_reader_check).
     * Errors: Errc::io (detail: path and errno text / LMDB message). */
    static Result<Env> open(const Options& opts);

    Env(Env&&) noexcept = default;
    Env& operator=(Env&&) noexcept = default;
    ~Env() = default;

    /// Open or create the named database (in its own short write transaction).
    Result<Dbi> open_dbi(const char* name);

    /** Grow the map to min(2 * current, max_size) under the process-wide exclusive lock.
     * Errors: Errc::vault_full when the map is already at max_size, Errc::io. */
    Status grow(std::uint64_t max_size);

    /// Current map size, used size, page size and last transaction id. Errors: Errc::io.
    Result<EnvInfo> info() const;

    [[nodiscard]] MDB_env* raw() const noexcept { return env_.get(); }

  private:
    struct Closer {
        void operator()(MDB_env* e) const noexcept;
    };
    explicit Env(MDB_env* e) : env_(e) {}
    std::unique_ptr<MDB_env, Closer> env_;
};

struct Entry {
    ByteView key;
    ByteView value;
};

/** A transaction: aborted by the destructor unless commit() succeeded. Holds the process-wide
 * resize lock shared for its whole life (see vault.hpp, Caveats). Views returned by get() and
 * cursors point into the map and are valid only until the transaction ends or the next write.
 * A write transaction must be used by the thread that began it.
 */
class Txn {
  public:
    /** Begin. On MDB_MAP_RESIZED (another process grew the map) adopt the new size with
     * mdb_env_set_mapsize(env, 0) under the exclusive lock and retry.
     * Errors: Errc::io, Errc::corrupt. */
    static Result<Txn> begin(Env& env, bool write);
    /** Begin a transaction nested in the write transaction `parent` (mdb_txn_begin with a
     * parent): its changes reach the parent only when it commits, and aborting it leaves the
     * parent as it was (also after MDB_MAP_FULL or MDB_TXN_FULL inside it). The parent must not
     * be used until the child is over; the child shares the parent's resize lock and thread.
     * Errors: Errc::io. */
    static Result<Txn> begin_nested(Txn& parent);

    Txn(Txn&& other) noexcept;
    Txn& operator=(Txn&& other) noexcept;
    Txn(const Txn&) = delete;
    Txn& operator=(const Txn&) = delete;
    ~Txn();

    /** Commit (fsync). Errors: Errc::vault_full (MDB_MAP_FULL while saving the free list),
     * Errc::internal if a Cursor is still open, Errc::io. The transaction is over either way. */
    Status commit();
    /// Abandon all changes (idempotent).
    void abort() noexcept;

    /// The value of `key`, or std::nullopt. Errors: Errc::io, Errc::corrupt.
    Result<std::optional<ByteView>> get(Dbi dbi, ByteView key) const;
    /// Insert or overwrite. Errors: Errc::vault_full (MDB_MAP_FULL), Errc::io.
    Status put(Dbi dbi, ByteView key, ByteView value);
    /// Insert a key that must be new (MDB_NOOVERWRITE): one B-tree descent instead of a get
    /// and a put. Errors: Errc::exists if the key is present (nothing written), as put.
    Status insert(Dbi dbi, ByteView key, ByteView value);
    /** Insert or overwrite `key` with `size` bytes that the caller then writes (MDB_RESERVE):
     * the value is produced straight in the transaction's dirty page, with no copy. The span is
     * valid until the next put, reserve, del or commit in this transaction; the caller fills all
     * of it before then, or aborts. Not for MDB_DUPSORT databases. Errors: as put. */
    Result<std::span<std::uint8_t>> reserve(Dbi dbi, ByteView key, std::size_t size);
    /// Delete `key`; false if it was absent. Errors: Errc::io.
    Result<bool> del(Dbi dbi, ByteView key);

    [[nodiscard]] MDB_txn* raw() const noexcept { return txn_; }

    /// True once a put, del or commit failed with MDB_TXN_FULL: the transaction (with its
    /// parent's share) has as many dirty pages as LMDB allows. A nested transaction that hit
    /// it may succeed alone in a fresh parent.
    [[nodiscard]] bool dirty_limit_hit() const noexcept { return dirty_limit_hit_; }

  private:
    friend class Cursor;
    Txn(MDB_txn* t, std::shared_lock<std::shared_mutex> lock) noexcept;
    Error fail(int rc, std::string_view what);
    MDB_txn* txn_ = nullptr;
    std::shared_lock<std::shared_mutex> lock_;
    int open_cursors_ = 0;
    bool dirty_limit_hit_ = false;
};

/** A cursor on one database of a transaction; must be destroyed before its transaction ends
 * (commit refuses while a cursor is open). Positioning calls return std::nullopt at the end.
 */
class Cursor {
  public:
    /// Errors: Errc::io.
    static Result<Cursor> open(Txn& txn, Dbi dbi);
    Cursor(Cursor&& other) noexcept;
    Cursor& operator=(Cursor&&) = delete;
    Cursor(const Cursor&) = delete;
    Cursor& operator=(const Cursor&) = delete;
    ~Cursor();

    /// First entry with key >= `key` (MDB_SET_RANGE).
    Result<std::optional<Entry>> seek(ByteView key);
    Result<std::optional<Entry>> first();
    Result<std::optional<Entry>> last();
    Result<std::optional<Entry>> next();
    Result<std::optional<Entry>> prev();

  private:
    Cursor(MDB_cursor* c, Txn* t) noexcept : cur_(c), txn_(t) {}
    Result<std::optional<Entry>> move(int op, ByteView key);
    MDB_cursor* cur_ = nullptr;
    Txn* txn_ = nullptr;
};

}  // namespace sealpost::vault::lmdb
