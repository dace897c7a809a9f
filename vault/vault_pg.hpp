// SPDX-License-Identifier: Apache-2.0
// RAII over libpq: a connection, a result, statements with binary parameters, and a bounded
// connection pool. Only vault_pg.cpp includes libpq-fe.h. Statements are unnamed
// (PQexecParams) and session settings are SET LOCAL, so every statement works through
// PgBouncer in transaction mode.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/core_result.hpp"
#include "crypto/crypto_secret.hpp"
#include "vault/vault_crypto.hpp"

struct pg_conn;
struct pg_result;

namespace sealpost::vault::pg {

using crypto::ByteView;

/// A result; rows() and value() read it. Binary columns are views into it.
class Res {
  public:
    Res() = default;
    explicit Res(pg_result* r) noexcept : r_(r) {}
    [[nodiscard]] int rows() const noexcept;
    [[nodiscard]] bool is_null(int row, int col) const noexcept;
    [[nodiscard]] ByteView value(int row, int col) const noexcept;
    /// Rows a command changed (INSERT, UPDATE, DELETE).
    [[nodiscard]] std::uint64_t affected() const noexcept;

  private:
    struct Clear {
        void operator()(pg_result* r) const noexcept;
    };
    std::unique_ptr<pg_result, Clear> r_;
};

/// A parameter: bytes sent in binary (bytea), or text (numbers).
struct Param {
    ByteView bytes;
    bool binary = true;
};

/// One open connection.
class Conn {
  public:
    /** Connect with `dsn` (a libpq connection string or URI), waiting at most
     * `connect_timeout`. Errors: Errc::unavailable (detail: libpq's message, which names the
     * host but never the password). */
    static Result<Conn> open(const std::string& dsn, std::chrono::seconds connect_timeout);

    /** Run `sql` with `params`; results in binary. SQLSTATE 40001 (serialization failure)
     * and 40P01 (deadlock) give Errc::exists with detail "retry" (the engine runs the body
     * again); 23505 (unique violation) Errc::exists; a lost connection Errc::unavailable;
     * statement timeout (57014) Errc::unavailable; the rest Errc::io (detail: SQLSTATE and the
     * primary message, never the DETAIL line, which may quote a key). */
    Result<Res> exec(std::string_view sql, const std::vector<Param>& params = {});

    /// One statement of a pipeline: its SQL and parameters (views valid during the call).
    struct Stmt {
        const std::string* sql = nullptr;
        std::vector<Param> params;
    };
    /** Send `stmts` in one pipeline (libpq pipeline mode: one round trip for them all) and
     * check each result; the first error, as exec gives it, ends the call (PostgreSQL skips
     * the rest). For writes whose results nobody reads. Errors: as exec. */
    Status exec_pipeline(const std::vector<Stmt>& stmts);

    /** Run several `;`-separated statements without parameters (the simple query protocol):
     * schema scripts only. Errors: as exec. */
    Status exec_script(std::string_view sql);

    /// Still usable: connected and not inside a failed or open transaction.
    [[nodiscard]] bool idle_ok() const noexcept;
    [[nodiscard]] bool connected() const noexcept;

  private:
    /// The outcome of a finished statement, as exec describes it.
    Result<Res> check(pg_result* raw);
    struct Finish {
        void operator()(pg_conn* c) const noexcept;
    };
    explicit Conn(pg_conn* c) noexcept : c_(c) {}
    std::unique_ptr<pg_conn, Finish> c_;
};

/// True for the error Conn::exec gives on a serialization failure or a deadlock.
bool is_retry(const Error& e) noexcept;

/** A bounded pool: at most `size` connections, made on demand, reused while healthy.
 * acquire() waits up to `timeout` for a free one. Thread-safe. */
class Pool {
  public:
    struct Stats {
        std::uint32_t size = 0, open = 0, busy = 0;
        std::uint64_t waits = 0, timeouts = 0;
    };

    Pool(std::string dsn, std::uint32_t size, std::chrono::seconds timeout);
    ~Pool();
    Pool(const Pool&) = delete;
    Pool& operator=(const Pool&) = delete;

    /// A connection on loan; back to the pool (or closed, if it is broken) on destruction.
    class Lease {
      public:
        Lease(Pool& p, std::unique_ptr<Conn> c) noexcept : pool_(&p), conn_(std::move(c)) {}
        Lease(Lease&&) noexcept = default;
        Lease& operator=(Lease&&) noexcept = default;
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        ~Lease();
        Conn& operator*() const noexcept { return *conn_; }
        Conn* operator->() const noexcept { return conn_.get(); }

      private:
        Pool* pool_;
        std::unique_ptr<Conn> conn_;
    };

    /// Errors: Errc::unavailable (no connection within the timeout, or connecting failed).
    Result<Lease> acquire();
    [[nodiscard]] Stats stats() const;

  private:
    void give_back(std::unique_ptr<Conn> c) noexcept;

    crypto::Secret dsn_;
    const std::uint32_t size_;
    const std::chrono::seconds timeout_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::vector<std::unique_ptr<Conn>> idle_;
    std::uint32_t open_ = 0;  ///< idle + on loan + being made
    std::uint32_t busy_ = 0;
    std::uint64_t waits_ = 0, timeouts_ = 0;
};

}  // namespace sealpost::vault::pg
