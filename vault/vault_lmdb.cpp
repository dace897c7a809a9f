// SPDX-License-Identifier: Apache-2.0
// RAII over LMDB 0.9 (see vault_lmdb.hpp): the one translation unit that calls mdb_* directly,
// including the map-resize protocol shared by every environment in the process.
#include "vault/vault_lmdb.hpp"

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <string>
#include <system_error>
#include <utility>

#include <lmdb.h>
#include <sys/stat.h>
#include <sys/types.h>

namespace sealpost::vault::lmdb {
namespace {

/// Named databases: the vault uses six (envelopes, links, documents, contacts, audit, portal).
constexpr unsigned kMaxDbs = 8;
/// Reader slots shared by all processes on the environment (LMDB's own default).
constexpr unsigned kMaxReaders = 126;

// mdb_env_set_mapsize may only be called while this process has no transaction open on the
// environment (LMDB does not check; see its documentation). Every transaction holds this
// shared, a resize holds it exclusively. One lock for the whole process keeps it simple:
// resizes are rare.
std::shared_mutex& resize_mutex() {
    static std::shared_mutex m;
    return m;
}

MDB_val to_val(ByteView v) {
    // LMDB's API is not const-correct: mdb_put and mdb_get never write through mv_data.
    return MDB_val{v.size(), const_cast<std::uint8_t*>(v.data())};  // NOLINT
}

ByteView from_val(const MDB_val& v) {
    return {static_cast<const std::uint8_t*>(v.mv_data), v.mv_size};
}

}  // namespace

Error lmdb_error(int rc, std::string_view what) {
    std::string detail(what);
    detail += ": ";
    detail += mdb_strerror(rc);
    switch (rc) {
        case MDB_MAP_FULL:
            return make_error(Errc::vault_full, std::move(detail));
        case MDB_NOTFOUND:
            return make_error(Errc::not_found, std::move(detail));
        case MDB_KEYEXIST:
            return make_error(Errc::exists, std::move(detail));
        case MDB_CORRUPTED:
        case MDB_PAGE_NOTFOUND:
        case MDB_INVALID:
        case MDB_VERSION_MISMATCH:
            return make_error(Errc::corrupt, std::move(detail));
        default:
            return make_error(Errc::io, std::move(detail));
    }
}

// ---- Env -------------------------------------------------------------------------------

void Env::Closer::operator()(MDB_env* e) const noexcept {
    mdb_env_close(e);
}

Result<Env> Env::open(const Options& opts) {
    const mode_t dir_mode = opts.group_access ? 0770 : 0700;
    const mode_t file_mode = opts.group_access ? 0660 : 0600;
    const std::string dir = opts.dir.string();
    if (::mkdir(dir.c_str(), dir_mode) == 0) {
        (void)::chmod(dir.c_str(), dir_mode);  // exact mode, whatever the umask
    } else if (errno != EEXIST) {
        return make_error(Errc::io, "mkdir " + dir + ": " + std::system_category().message(errno));
    }
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        return make_error(Errc::io, "vault dir is not a directory: " + dir);
    }

    MDB_env* raw = nullptr;
    int rc = mdb_env_create(&raw);
    if (rc != 0) {
        return lmdb_error(rc, "mdb_env_create");
    }
    Env env(raw);
    if ((rc = mdb_env_set_maxdbs(raw, kMaxDbs)) != 0) {
        return lmdb_error(rc, "mdb_env_set_maxdbs");
    }
    if ((rc = mdb_env_set_maxreaders(raw, kMaxReaders)) != 0) {
        return lmdb_error(rc, "mdb_env_set_maxreaders");
    }
    if ((rc = mdb_env_set_mapsize(raw, opts.map_size)) != 0) {
        return lmdb_error(rc, "mdb_env_set_mapsize");
    }
    // MDB_NOTLS: read transactions are not tied to a thread (the portal's coroutines move
    // between threads). No MDB_NOSYNC/MDB_NOMETASYNC: a commit is durable when it returns.
    // No MDB_NOMEMINIT: unused parts of pages are zeroed, not filled with stale heap data.
    if ((rc = mdb_env_open(raw, dir.c_str(), MDB_NOTLS, file_mode)) != 0) {
        return lmdb_error(rc, "mdb_env_open " + dir);
    }
    // LMDB creates the files with `file_mode & ~umask`; set the exact mode (0600, or 0660 for
    // the group layout) also on files an older run left looser. EPERM (a file owned by another
    // service user) is fine: its owner set it.
    for (const char* name : {"data.mdb", "lock.mdb"}) {
        const std::string path = dir + "/" + name;
        struct stat fst {};
        if (::stat(path.c_str(), &fst) == 0 && (fst.st_mode & 07777) != file_mode) {
            (void)::chmod(path.c_str(), file_mode);
        }
    }
    // A data.mdb shorter than the pages its newest meta page names (cut by a failed copy or
    // restore, or a full disk) would make LMDB read past the end of the file through the map:
    // SIGBUS, not an error. Refuse it here, before any page but the meta pages is read. (The
    // meta page is written after the pages it names, so a healthy file is never shorter.)
    SP_TRY(info, env.info());
    const std::string data = dir + "/data.mdb";
    struct stat dst {};
    if (::stat(data.c_str(), &dst) != 0) {
        return make_error(Errc::io, "stat " + data + ": " + std::system_category().message(errno));
    }
    if (static_cast<std::uint64_t>(dst.st_size) < info.used_bytes) {
        return make_error(Errc::corrupt, data + ": truncated (" + std::to_string(dst.st_size) +
                                             " bytes; its pages need " +
                                             std::to_string(info.used_bytes) + ")");
    }
    // Free reader slots left by processes that died inside a read transaction; otherwise
    // their snapshots pin old pages forever and the file only grows.
    int dead = 0;
    if ((rc = mdb_reader_check(raw, &dead)) != 0) {
        return lmdb_error(rc, "mdb_reader_check");
    }
    return env;
}

Result<Dbi> Env::open_dbi(const char* name) {
    SP_TRY(txn, Txn::begin(*this, true));
    MDB_dbi dbi = 0;
    int rc = mdb_dbi_open(txn.raw(), name, MDB_CREATE, &dbi);
    if (rc != 0) {
        return lmdb_error(rc, std::string("mdb_dbi_open ") + name);
    }
    SP_CHECK(txn.commit());
    return Dbi{dbi};
}

Status Env::grow(std::uint64_t max_size) {
    std::unique_lock lock(resize_mutex());
    MDB_envinfo ei{};
    int rc = mdb_env_info(env_.get(), &ei);
    if (rc != 0) {
        return lmdb_error(rc, "mdb_env_info");
    }
    const std::uint64_t current = ei.me_mapsize;
    if (current >= max_size) {
        return make_error(Errc::vault_full,
                          "vault map at max_size=" + std::to_string(max_size) + " bytes");
    }
    std::uint64_t next = current * 2;
    if (next > max_size || next < current) {
        next = max_size;
    }
    if ((rc = mdb_env_set_mapsize(env_.get(), static_cast<std::size_t>(next))) != 0) {
        return lmdb_error(rc, "mdb_env_set_mapsize");
    }
    return {};
}

Result<EnvInfo> Env::info() const {
    std::shared_lock lock(resize_mutex());
    MDB_envinfo ei{};
    MDB_stat st{};
    int rc = mdb_env_info(env_.get(), &ei);
    if (rc == 0) {
        rc = mdb_env_stat(env_.get(), &st);
    }
    if (rc != 0) {
        return lmdb_error(rc, "mdb_env_info");
    }
    EnvInfo out;
    out.map_size = ei.me_mapsize;
    out.page_size = st.ms_psize;
    out.used_bytes = (static_cast<std::uint64_t>(ei.me_last_pgno) + 1U) * st.ms_psize;
    out.last_txn_id = ei.me_last_txnid;
    return out;
}

// ---- Txn -------------------------------------------------------------------------------

Txn::Txn(MDB_txn* t, std::shared_lock<std::shared_mutex> lock) noexcept
    : txn_(t), lock_(std::move(lock)) {}

Txn::Txn(Txn&& other) noexcept
    : txn_(std::exchange(other.txn_, nullptr)),
      lock_(std::move(other.lock_)),
      open_cursors_(std::exchange(other.open_cursors_, 0)),
      dirty_limit_hit_(std::exchange(other.dirty_limit_hit_, false)) {}

Txn& Txn::operator=(Txn&& other) noexcept {
    if (this != &other) {
        abort();
        txn_ = std::exchange(other.txn_, nullptr);
        lock_ = std::move(other.lock_);
        open_cursors_ = std::exchange(other.open_cursors_, 0);
        dirty_limit_hit_ = std::exchange(other.dirty_limit_hit_, false);
    }
    return *this;
}

Error Txn::fail(int rc, std::string_view what) {
    if (rc == MDB_TXN_FULL) {
        dirty_limit_hit_ = true;
    }
    return lmdb_error(rc, what);
}

Txn::~Txn() {
    abort();
}

Result<Txn> Txn::begin(Env& env, bool write) {
    // Bounded: each MDB_MAP_RESIZED means another process grew the map; adopting it succeeds
    // unless yet another resize happens in between.
    for (int attempt = 0; attempt < 16; ++attempt) {
        std::shared_lock lock(resize_mutex());
        MDB_txn* t = nullptr;
        const int rc = mdb_txn_begin(env.raw(), nullptr, write ? 0U : MDB_RDONLY, &t);
        if (rc == 0) {
            return Txn(t, std::move(lock));
        }
        if (rc != MDB_MAP_RESIZED) {
            return lmdb_error(rc, "mdb_txn_begin");
        }
        lock.unlock();
        std::unique_lock excl(resize_mutex());
        const int rc2 = mdb_env_set_mapsize(env.raw(), 0);
        if (rc2 != 0) {
            return lmdb_error(rc2, "mdb_env_set_mapsize(0)");
        }
    }
    return make_error(Errc::io, "mdb_txn_begin: map keeps being resized");
}

Result<Txn> Txn::begin_nested(Txn& parent) {
    if (parent.txn_ == nullptr || parent.open_cursors_ != 0) {
        return make_error(Errc::internal,
                          "nested transaction needs an open parent without cursors");
    }
    MDB_txn* t = nullptr;
    const int rc = mdb_txn_begin(mdb_txn_env(parent.txn_), parent.txn_, 0, &t);
    if (rc != 0) {
        return lmdb_error(rc, "mdb_txn_begin(nested)");
    }
    // No lock of its own: the parent holds the shared resize lock for both, and taking it a
    // second time in one thread could deadlock behind a waiting resize.
    return Txn(t, {});
}

Status Txn::commit() {
    if (txn_ == nullptr) {
        return make_error(Errc::internal, "commit of a finished transaction");
    }
    if (open_cursors_ != 0) {
        abort();
        return make_error(Errc::internal, "commit with an open cursor");
    }
    const int rc = mdb_txn_commit(std::exchange(txn_, nullptr));  // frees the txn either way
    if (lock_.owns_lock()) {
        lock_.unlock();
    }
    if (rc != 0) {
        return fail(rc, "mdb_txn_commit");
    }
    return {};
}

void Txn::abort() noexcept {
    if (txn_ != nullptr) {
        mdb_txn_abort(std::exchange(txn_, nullptr));
    }
    if (lock_.owns_lock()) {
        lock_.unlock();
    }
}

Result<std::optional<ByteView>> Txn::get(Dbi dbi, ByteView key) const {
    MDB_val k = to_val(key);
    MDB_val v{};
    const int rc = mdb_get(txn_, dbi, &k, &v);
    if (rc == MDB_NOTFOUND) {
        return std::optional<ByteView>{};
    }
    if (rc != 0) {
        return lmdb_error(rc, "mdb_get");
    }
    return std::optional<ByteView>{from_val(v)};
}

Status Txn::put(Dbi dbi, ByteView key, ByteView value) {
    MDB_val k = to_val(key);
    MDB_val v = to_val(value);
    const int rc = mdb_put(txn_, dbi, &k, &v, 0);
    if (rc != 0) {
        return fail(rc, "mdb_put");
    }
    return {};
}

Status Txn::insert(Dbi dbi, ByteView key, ByteView value) {
    MDB_val k = to_val(key);
    MDB_val v = to_val(value);
    const int rc = mdb_put(txn_, dbi, &k, &v, MDB_NOOVERWRITE);
    if (rc != 0) {
        return fail(rc, "mdb_put(MDB_NOOVERWRITE)");
    }
    return {};
}

Result<std::span<std::uint8_t>> Txn::reserve(Dbi dbi, ByteView key, std::size_t size) {
    MDB_val k = to_val(key);
    MDB_val v{size, nullptr};
    const int rc = mdb_put(txn_, dbi, &k, &v, MDB_RESERVE);
    if (rc != 0) {
        return fail(rc, "mdb_put(MDB_RESERVE)");
    }
    return std::span<std::uint8_t>(static_cast<std::uint8_t*>(v.mv_data), size);
}

Result<bool> Txn::del(Dbi dbi, ByteView key) {
    MDB_val k = to_val(key);
    const int rc = mdb_del(txn_, dbi, &k, nullptr);
    if (rc == MDB_NOTFOUND) {
        return false;
    }
    if (rc != 0) {
        return fail(rc, "mdb_del");
    }
    return true;
}

// ---- Cursor ----------------------------------------------------------------------------

Result<Cursor> Cursor::open(Txn& txn, Dbi dbi) {
    MDB_cursor* c = nullptr;
    const int rc = mdb_cursor_open(txn.raw(), dbi, &c);
    if (rc != 0) {
        return lmdb_error(rc, "mdb_cursor_open");
    }
    ++txn.open_cursors_;
    return Cursor(c, &txn);
}

Cursor::Cursor(Cursor&& other) noexcept
    : cur_(std::exchange(other.cur_, nullptr)), txn_(std::exchange(other.txn_, nullptr)) {}

Cursor::~Cursor() {
    if (cur_ != nullptr) {
        mdb_cursor_close(cur_);
        --txn_->open_cursors_;
    }
}

Result<std::optional<Entry>> Cursor::move(int op, ByteView key) {
    MDB_val k = to_val(key);
    MDB_val v{};
    const int rc = mdb_cursor_get(cur_, &k, &v, static_cast<MDB_cursor_op>(op));
    if (rc == MDB_NOTFOUND) {
        return std::optional<Entry>{};
    }
    if (rc != 0) {
        return lmdb_error(rc, "mdb_cursor_get");
    }
    return std::optional<Entry>{Entry{from_val(k), from_val(v)}};
}

Result<std::optional<Entry>> Cursor::seek(ByteView key) {
    return move(MDB_SET_RANGE, key);
}
Result<std::optional<Entry>> Cursor::first() {
    return move(MDB_FIRST, {});
}
Result<std::optional<Entry>> Cursor::last() {
    return move(MDB_LAST, {});
}
Result<std::optional<Entry>> Cursor::next() {
    return move(MDB_NEXT, {});
}
Result<std::optional<Entry>> Cursor::prev() {
    return move(MDB_PREV, {});
}

}  // namespace sealpost::vault::lmdb
