// SPDX-License-Identifier: Apache-2.0
// The PostgreSQL engine (vault_kv.hpp): the shared store for several nodes. Each table is a
// PostgreSQL table `sealpost_<name> (k bytea PRIMARY KEY, v bytea)` holding exactly the bytes
// the LMDB database of that name holds (ciphertext, HMAC ids, sealed keys), so `sealpost vault
// copy` moves a vault without re-encrypting it.
//
// Writes run at REPEATABLE READ: a body reads one snapshot, and writing a row that another
// node's transaction changed (or inserted) since that snapshot fails with a serialization error,
// so the first writer wins and the body runs again on fresh data (it is written to be re-run,
// see Engine). Every read-modify-write of the vault (code counters, send windows, locks, notice
// claims) writes the row it read, so two portals counting wrong codes on one link lock it at
// exactly the limit. SERIALIZABLE would add predicate locks on every range a body reads (the
// audit trail's last event, a link lookup); concurrent envelope_create calls then abort each
// other on neighbouring index pages (bench/relay: most sealed mails failed at 20 sessions).
// Reads are REPEATABLE READ snapshots. COMMIT waits for the WAL flush (synchronous_commit as the
// server has it, on by default); PostgreSQL groups concurrent flushes itself, so there is no group
// commit here.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <memory>
#include <random>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/core_log.hpp"
#include "vault/vault.hpp"
#include "vault/vault_kv.hpp"
#include "vault/vault_pg.hpp"
#include "vault/vault_pg_schema.hpp"

namespace sealpost::vault::kv {

namespace {

using Clock = std::chrono::steady_clock;

/// How often a body runs at most when other nodes keep conflicting with it.
constexpr int kMaxAttempts = 12;

/// The SQL of one table, made once.
struct TableSql {
    std::string get, put, insert, del;
    std::string asc_from, asc_after, asc_all, desc_before, desc_all;
};

std::vector<TableSql> make_sql() {
    std::vector<TableSql> out;
    for (const auto name : kTableNames) {
        const std::string t = "sealpost_" + std::string(name);
        TableSql s;
        s.get = "SELECT v FROM " + t + " WHERE k = $1";
        s.put = "INSERT INTO " + t +
                " (k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = "
                "EXCLUDED.v";
        s.insert = "INSERT INTO " + t + " (k, v) VALUES ($1, $2) ON CONFLICT (k) DO NOTHING";
        s.del = "DELETE FROM " + t + " WHERE k = $1";
        s.asc_from = "SELECT k, v FROM " + t + " WHERE k >= $1 ORDER BY k LIMIT ";
        s.asc_after = "SELECT k, v FROM " + t + " WHERE k > $1 ORDER BY k LIMIT ";
        s.asc_all = "SELECT k, v FROM " + t + " ORDER BY k LIMIT ";
        s.desc_before = "SELECT k, v FROM " + t + " WHERE k < $1 ORDER BY k DESC LIMIT ";
        s.desc_all = "SELECT k, v FROM " + t + " ORDER BY k DESC LIMIT ";
        out.push_back(std::move(s));
    }
    return out;
}

/// Rows per cursor round trip: chunks are 64 KiB, the other tables' rows small.
std::size_t batch_rows(Table t) {
    return t == Table::documents ? 4 : 256;
}

class PgTxn;

class PgCursor final : public CursorBackend {
  public:
    PgCursor(PgTxn& txn, Table t, Scan scan) : txn_(txn), table_(t), scan_(scan) {}
    Result<std::optional<Entry>> seek(ByteView key) override;
    Result<std::optional<Entry>> first() override;
    Result<std::optional<Entry>> last() override;
    Result<std::optional<Entry>> next() override;
    Result<std::optional<Entry>> prev() override;

  private:
    /// Run one batch query; the rows, ascending, replace the batch. `from_end`: position on
    /// the last row (a descending query), else on the first.
    Result<std::optional<Entry>> fetch(const std::string& sql, std::optional<ByteView> bound,
                                       bool descending);
    [[nodiscard]] std::optional<Entry> at() const {
        if (pos_ < 0 || pos_ >= static_cast<long>(rows_.size())) {
            return std::nullopt;
        }
        return rows_[static_cast<std::size_t>(pos_)];
    }

    PgTxn& txn_;
    Table table_;
    Scan scan_;
    std::vector<Entry> rows_;  ///< views into results the transaction keeps
    long pos_ = -1;
};

class PgTxn final : public TxnBackend {
  public:
    PgTxn(pg::Pool::Lease lease, const std::vector<TableSql>& sql, bool write)
        : lease_(std::move(lease)), sql_(sql), write_(write) {}
    ~PgTxn() override {
        if (open_) {
            // A read snapshot, or a write whose body failed: nothing to keep.
            (void)lease_->exec("ROLLBACK");
        }
    }
    PgTxn(const PgTxn&) = delete;
    PgTxn& operator=(const PgTxn&) = delete;

    Status begin(std::chrono::seconds statement_timeout) {
        // One round trip. SET LOCAL: the setting ends with the transaction (no session state,
        // PgBouncer-safe).
        const std::string script =
            std::string(write_ ? "BEGIN ISOLATION LEVEL REPEATABLE READ"
                               : "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY") +
            "; SET LOCAL statement_timeout = '" + std::to_string(statement_timeout.count()) + "s'";
        open_ = true;
        return lease_->exec_script(script);
    }
    /// The buffered writes and COMMIT in one pipeline: one round trip, one WAL flush.
    Status commit() {
        static const std::string kCommit = "COMMIT";
        std::vector<pg::Conn::Stmt> stmts = pending_stmts();
        stmts.push_back(pg::Conn::Stmt{&kCommit, {}});
        open_ = false;
        Status st = lease_->exec_pipeline(stmts);
        pending_.clear();
        return st;
    }

    Result<std::optional<ByteView>> get(Table t, ByteView key) override {
        SP_CHECK(flush());
        SP_TRY(r, run(sql(t).get, {pg::Param{key}}));
        if (r->rows() == 0) {
            return std::optional<ByteView>{};
        }
        return std::optional<ByteView>{r->value(0, 0)};
    }
    /// Buffered: sent with the next statement that reads, or with COMMIT (commit()).
    Status put(Table t, ByteView key, ByteView value) override {
        pending_.push_back(Pending{t, crypto::Bytes(key.begin(), key.end()),
                                   crypto::Bytes(value.begin(), value.end())});
        return {};
    }
    Status insert(Table t, ByteView key, ByteView value) override {
        SP_CHECK(flush());
        SP_TRY(r, run(sql(t).insert, {pg::Param{key}, pg::Param{value}}));
        if (r->affected() == 0) {
            return make_error(Errc::exists, "key exists");
        }
        return {};
    }
    /// A buffered put whose value the caller fills (a deque: earlier spans stay valid).
    Result<std::span<std::uint8_t>> reserve(Table t, ByteView key, std::size_t size) override {
        pending_.push_back(Pending{t, crypto::Bytes(key.begin(), key.end()), crypto::Bytes(size)});
        return std::span<std::uint8_t>(pending_.back().value);
    }
    Result<bool> del(Table t, ByteView key) override {
        SP_CHECK(flush());
        SP_TRY(r, run(sql(t).del, {pg::Param{key}}));
        return r->affected() > 0;
    }
    Result<std::unique_ptr<CursorBackend>> cursor(Table t, Scan scan) override {
        SP_CHECK(flush());
        return std::unique_ptr<CursorBackend>(std::make_unique<PgCursor>(*this, t, scan));
    }
    Result<bool> try_lock(std::int64_t lock_id) override {
        SP_CHECK(flush());
        const std::string id = std::to_string(lock_id);
        SP_TRY(r, run("SELECT pg_try_advisory_xact_lock($1::bigint)",
                      {pg::Param{crypto::as_bytes(id), false}}));
        // Binary bool: one byte, 1 for true.
        return r->rows() == 1 && r->value(0, 0).size() == 1 && r->value(0, 0)[0] == 1;
    }

    /// Run a statement; the result lives until the transaction ends (views point into it).
    Result<const pg::Res*> run(const std::string& q, const std::vector<pg::Param>& params) {
        SP_TRY(r, lease_->exec(q, params));
        kept_.push_back(std::move(r));
        return &kept_.back();
    }
    [[nodiscard]] const TableSql& sql(Table t) const { return sql_[static_cast<std::size_t>(t)]; }
    [[nodiscard]] bool write() const noexcept { return write_; }

  private:
    struct Pending {
        Table table;
        crypto::Bytes key;
        crypto::Bytes value;
    };
    [[nodiscard]] std::vector<pg::Conn::Stmt> pending_stmts() const {
        std::vector<pg::Conn::Stmt> out;
        out.reserve(pending_.size() + 1);
        for (const Pending& p : pending_) {
            out.push_back(
                pg::Conn::Stmt{&sql(p.table).put, {pg::Param{p.key}, pg::Param{p.value}}});
        }
        return out;
    }
    /// Send the buffered puts (in one pipeline) before a statement that may read them.
    Status flush() {
        if (pending_.empty()) {
            return {};
        }
        Status st = lease_->exec_pipeline(pending_stmts());
        pending_.clear();
        return st;
    }

    pg::Pool::Lease lease_;
    const std::vector<TableSql>& sql_;
    bool write_;
    bool open_ = false;
    std::deque<Pending> pending_;
    std::deque<pg::Res> kept_;
};

Result<std::optional<Entry>> PgCursor::fetch(const std::string& sql, std::optional<ByteView> bound,
                                             bool descending) {
    std::string q = sql + std::to_string(batch_rows(table_));
    if (scan_ == Scan::claim && txn_.write()) {
        q += " FOR UPDATE SKIP LOCKED";
    }
    std::vector<pg::Param> params;
    if (bound) {
        params.push_back(pg::Param{*bound});
    }
    SP_TRY(r, txn_.run(q, params));
    rows_.clear();
    for (int i = 0; i < r->rows(); ++i) {
        rows_.push_back(Entry{r->value(i, 0), r->value(i, 1)});
    }
    if (descending) {
        std::reverse(rows_.begin(), rows_.end());
        pos_ = static_cast<long>(rows_.size()) - 1;
    } else {
        pos_ = 0;
    }
    return at();
}

Result<std::optional<Entry>> PgCursor::seek(ByteView key) {
    return fetch(txn_.sql(table_).asc_from, key, false);
}
Result<std::optional<Entry>> PgCursor::first() {
    return fetch(txn_.sql(table_).asc_all, std::nullopt, false);
}
Result<std::optional<Entry>> PgCursor::last() {
    return fetch(txn_.sql(table_).desc_all, std::nullopt, true);
}
Result<std::optional<Entry>> PgCursor::next() {
    auto cur = at();
    if (!cur) {
        return std::optional<Entry>{};
    }
    if (pos_ + 1 < static_cast<long>(rows_.size())) {
        ++pos_;
        return at();
    }
    const ByteView key = cur->key;
    return fetch(txn_.sql(table_).asc_after, key, false);
}
Result<std::optional<Entry>> PgCursor::prev() {
    auto cur = at();
    if (!cur) {
        return std::optional<Entry>{};
    }
    if (pos_ > 0) {
        --pos_;
        return at();
    }
    const ByteView key = cur->key;
    return fetch(txn_.sql(table_).desc_before, key, true);
}

class PgEngine final : public Engine {
  public:
    PgEngine(std::string dsn, const VaultOptions& o)
        : pool_(std::move(dsn), o.pool_size, o.connect_timeout),
          statement_timeout_(o.statement_timeout),
          sql_(make_sql()) {}

    Result<Txn> read() override {
        const auto t0 = Clock::now();
        SP_TRY(lease, pool_.acquire());
        auto t = std::make_unique<PgTxn>(std::move(lease), sql_, false);
        const Status st = t->begin(statement_timeout_);
        account(t0, false);
        SP_CHECK(st);
        return Txn(std::move(t));
    }

    Status write(const Body& body) override {
        const auto t0 = Clock::now();
        Status last;
        for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
            if (attempt > 0) {
                backoff(attempt);
            }
            last = write_once(body);
            if (last || !pg::is_retry(last.error())) {
                break;
            }
            retries_.fetch_add(1, std::memory_order_relaxed);
        }
        account(t0, true);
        if (!last && pg::is_retry(last.error())) {
            // Still conflicting after every attempt: the client tries again later.
            return make_error(Errc::unavailable, last.error().detail);
        }
        return last;
    }

    void write_deferred(Body body, Done done) override {
        const Status st = write(body);
        if (done) {
            done(st);
        }
    }
    void drain() override {}

    Result<EngineInfo> info() override {
        SP_TRY(txn, read());
        auto& b = static_cast<PgTxn&>(txn.backend());
        SP_TRY(r, b.run("SELECT (sum(pg_total_relation_size(c.oid)))::bigint::text FROM "
                        "pg_class c WHERE c.relname LIKE 'sealpost\\_%' AND c.relkind = 'r'",
                        {}));
        std::uint64_t size = 0;
        if (r->rows() == 1 && !r->is_null(0, 0)) {
            // Binary int8 would need byte order care; the text cast keeps it simple.
            for (const auto ch : r->value(0, 0)) {
                if (ch >= '0' && ch <= '9') {
                    size = size * 10 + static_cast<std::uint64_t>(ch - '0');
                }
            }
        }
        return EngineInfo{size, size};
    }

    [[nodiscard]] PoolStats pool_stats() const override {
        const auto s = pool_.stats();
        PoolStats p;
        p.size = s.size;
        p.open = s.open;
        p.busy = s.busy;
        p.waits = s.waits;
        p.timeouts = s.timeouts;
        p.retries = retries_.load(std::memory_order_relaxed);
        p.txns = txns_.load(std::memory_order_relaxed);
        p.txn_micros = txn_micros_.load(std::memory_order_relaxed);
        return p;
    }
    [[nodiscard]] std::string_view name() const noexcept override { return "postgresql"; }

    /// Refuse a database whose schema is missing or of another version.
    Status check_schema() {
        SP_TRY(lease, pool_.acquire());
        return pg_schema_check(*lease);
    }

  private:
    Status write_once(const Body& body) {
        SP_TRY(lease, pool_.acquire());
        PgTxn t(std::move(lease), sql_, true);
        SP_CHECK(t.begin(statement_timeout_));
        Txn txn(t);
        SP_CHECK(body(txn));
        return t.commit();
    }
    static void backoff(int attempt) {
        // Jittered, growing: conflicting nodes do not retry in lockstep.
        thread_local std::minstd_rand rng{std::random_device{}()};
        const int cap = std::min(200, 2 << attempt);
        std::this_thread::sleep_for(
            std::chrono::milliseconds(1 + static_cast<int>(rng() % static_cast<unsigned>(cap))));
    }
    void account(Clock::time_point t0, bool /*write*/) {
        txns_.fetch_add(1, std::memory_order_relaxed);
        txn_micros_.fetch_add(
            static_cast<std::uint64_t>(
                std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - t0).count()),
            std::memory_order_relaxed);
    }

    pg::Pool pool_;
    std::chrono::seconds statement_timeout_;
    std::vector<TableSql> sql_;
    std::atomic<std::uint64_t> retries_{0}, txns_{0}, txn_micros_{0};
};

}  // namespace

Result<std::unique_ptr<Engine>> engine_open_postgresql(const VaultOptions& opts) {
    std::string dsn = opts.dsn;
    if (dsn.empty()) {
        SP_TRY(d, pg_dsn_read(opts.dsn_file));
        dsn = std::string(d.view());
    }
    // The pool keeps the DSN (with its password) as a Secret; this copy goes with the move.
    auto e = std::make_unique<PgEngine>(std::move(dsn), opts);
    SP_CHECK(e->check_schema());
    return std::unique_ptr<Engine>(std::move(e));
}

}  // namespace sealpost::vault::kv
