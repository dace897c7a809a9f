// SPDX-License-Identifier: Apache-2.0
// libpq wrappers (vault_pg.hpp): connection, result, parameterised statements, the pool.
#include "vault/vault_pg.hpp"

#include <libpq-fe.h>

#include <array>
#include <string>
#include <utility>

namespace sealpost::vault::pg {

namespace {

/// libpq's messages end with a newline; keep the first line only.
std::string first_line(const char* msg) {
    std::string s = msg != nullptr ? msg : "";
    const auto nl = s.find('\n');
    if (nl != std::string::npos) {
        s.resize(nl);
    }
    return s;
}

}  // namespace

void Res::Clear::operator()(pg_result* r) const noexcept {
    PQclear(r);
}

int Res::rows() const noexcept {
    return r_ ? PQntuples(r_.get()) : 0;
}

bool Res::is_null(int row, int col) const noexcept {
    return PQgetisnull(r_.get(), row, col) != 0;
}

ByteView Res::value(int row, int col) const noexcept {
    const auto* p = reinterpret_cast<const std::uint8_t*>(PQgetvalue(r_.get(), row, col));
    return {p, static_cast<std::size_t>(PQgetlength(r_.get(), row, col))};
}

std::uint64_t Res::affected() const noexcept {
    const char* n = PQcmdTuples(r_.get());
    std::uint64_t v = 0;
    for (; n != nullptr && *n >= '0' && *n <= '9'; ++n) {
        v = v * 10 + static_cast<std::uint64_t>(*n - '0');
    }
    return v;
}

void Conn::Finish::operator()(pg_conn* c) const noexcept {
    PQfinish(c);
}

Result<Conn> Conn::open(const std::string& dsn, std::chrono::seconds connect_timeout) {
    const std::string timeout = std::to_string(connect_timeout.count());
    // expand_dbname = 1: `dsn` may be a full connection string or URI; the keywords after it
    // fill what it leaves out.
    const std::array<const char*, 4> keys{"dbname", "connect_timeout", "application_name", nullptr};
    const std::array<const char*, 4> values{dsn.c_str(), timeout.c_str(), "sealpost", nullptr};
    Conn c(PQconnectdbParams(keys.data(), values.data(), 1));
    if (!c.c_) {
        return make_error(Errc::unavailable, "postgresql: out of memory");
    }
    if (PQstatus(c.c_.get()) != CONNECTION_OK) {
        return make_error(Errc::unavailable,
                          "postgresql: " + first_line(PQerrorMessage(c.c_.get())));
    }
    return c;
}

bool Conn::connected() const noexcept {
    return c_ && PQstatus(c_.get()) == CONNECTION_OK;
}

bool Conn::idle_ok() const noexcept {
    return connected() && PQtransactionStatus(c_.get()) == PQTRANS_IDLE;
}

Result<Res> Conn::exec(std::string_view sql, const std::vector<Param>& params) {
    const std::string q(sql);
    std::vector<const char*> values;
    std::vector<int> lengths;
    std::vector<int> formats;
    values.reserve(params.size());
    for (const auto& p : params) {
        // A zero-length bytea still needs a non-null pointer (null means SQL NULL).
        static constexpr char kEmpty = 0;
        values.push_back(p.bytes.empty() ? &kEmpty : reinterpret_cast<const char*>(p.bytes.data()));
        lengths.push_back(static_cast<int>(p.bytes.size()));
        formats.push_back(p.binary ? 1 : 0);
    }
    return check(PQexecParams(c_.get(), q.c_str(), static_cast<int>(params.size()), nullptr,
                              values.data(), lengths.data(), formats.data(), 1));
}

Status Conn::exec_pipeline(const std::vector<Stmt>& stmts) {
    if (stmts.empty()) {
        return {};
    }
    pg_conn* c = c_.get();
    if (PQenterPipelineMode(c) != 1) {
        return make_error(connected() ? Errc::io : Errc::unavailable,
                          "postgresql: " + first_line(PQerrorMessage(c)));
    }
    Status outcome;
    bool sent = true;
    for (const Stmt& st : stmts) {
        std::vector<const char*> values;
        std::vector<int> lengths;
        std::vector<int> formats;
        for (const auto& p : st.params) {
            static constexpr char kEmpty = 0;
            values.push_back(p.bytes.empty() ? &kEmpty
                                             : reinterpret_cast<const char*>(p.bytes.data()));
            lengths.push_back(static_cast<int>(p.bytes.size()));
            formats.push_back(p.binary ? 1 : 0);
        }
        if (PQsendQueryParams(c, st.sql->c_str(), static_cast<int>(st.params.size()), nullptr,
                              values.data(), lengths.data(), formats.data(), 1) != 1) {
            sent = false;
            break;
        }
    }
    if (!sent || PQpipelineSync(c) != 1) {
        outcome = make_error(connected() ? Errc::io : Errc::unavailable,
                             "postgresql: " + first_line(PQerrorMessage(c)));
    }
    // Read every result up to the sync point; keep the first error. A statement after a failed
    // one comes back PGRES_PIPELINE_ABORTED.
    for (int guard = 0; guard < 1'000'000; ++guard) {
        pg_result* r = PQgetResult(c);
        if (r == nullptr) {
            if (!connected() || !sent) {
                break;
            }
            continue;  // the end of one statement's results
        }
        const ExecStatusType st = PQresultStatus(r);
        if (st == PGRES_PIPELINE_SYNC) {
            PQclear(r);
            break;
        }
        if (st == PGRES_PIPELINE_ABORTED) {
            PQclear(r);
            continue;
        }
        auto checked = check(r);  // takes ownership of r
        if (!checked && outcome) {
            outcome = std::move(checked).error();
        }
    }
    (void)PQexitPipelineMode(c);
    return outcome;
}

Status Conn::exec_script(std::string_view sql) {
    const std::string q(sql);
    return status_of(check(PQexec(c_.get(), q.c_str())));
}

Result<Res> Conn::check(pg_result* raw) {
    Res r(raw);
    if (raw == nullptr) {
        return make_error(connected() ? Errc::io : Errc::unavailable,
                          "postgresql: " + first_line(PQerrorMessage(c_.get())));
    }
    const ExecStatusType st = PQresultStatus(raw);
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK) {
        return r;
    }
    const char* state = PQresultErrorField(raw, PG_DIAG_SQLSTATE);
    const std::string code = state != nullptr ? state : "";
    const std::string detail =
        "postgresql " + code + ": " + first_line(PQresultErrorField(raw, PG_DIAG_MESSAGE_PRIMARY));
    if (code == "40001" || code == "40P01") {
        return make_error(Errc::exists, "retry: " + detail);
    }
    if (code == "23505") {
        return make_error(Errc::exists, detail);
    }
    // Lost connection, timeouts, a server shutting down or out of connections: the database is
    // unavailable, and the caller answers 451 or 503 until it is back.
    if (!connected() || code == "57014" || code.rfind("08", 0) == 0 || code == "57P01" ||
        code == "57P02" || code == "57P03" || code == "53300") {
        return make_error(Errc::unavailable, detail);
    }
    return make_error(Errc::io, detail);
}

bool is_retry(const Error& e) noexcept {
    return e.code == Errc::exists && e.detail.rfind("retry: ", 0) == 0;
}

// ---- Pool ------------------------------------------------------------------------------

Pool::Pool(std::string dsn, std::uint32_t size, std::chrono::seconds timeout)
    : dsn_(std::move(dsn)), size_(size), timeout_(timeout) {}

Pool::~Pool() = default;

Pool::Lease::~Lease() {
    if (pool_ != nullptr && conn_) {
        pool_->give_back(std::move(conn_));
    }
}

Result<Pool::Lease> Pool::acquire() {
    std::unique_lock lock(mu_);
    const auto deadline = std::chrono::steady_clock::now() + timeout_;
    bool waited = false;
    for (;;) {
        if (!idle_.empty()) {
            auto c = std::move(idle_.back());
            idle_.pop_back();
            ++busy_;
            if (waited) {
                ++waits_;
            }
            return Lease(*this, std::move(c));
        }
        if (open_ < size_) {
            ++open_;
            ++busy_;
            lock.unlock();
            const std::string dsn(dsn_.view());
            auto c = Conn::open(dsn, timeout_);
            if (!c) {
                lock.lock();
                --open_;
                --busy_;
                cv_.notify_one();
                return std::move(c).error();
            }
            return Lease(*this, std::make_unique<Conn>(std::move(c).value()));
        }
        waited = true;
        if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
            open_ >= size_) {
            ++timeouts_;
            return make_error(Errc::unavailable, "postgresql: no free connection in the pool");
        }
    }
}

void Pool::give_back(std::unique_ptr<Conn> c) noexcept {
    std::lock_guard lock(mu_);
    --busy_;
    if (c->idle_ok()) {
        idle_.push_back(std::move(c));
    } else {
        --open_;  // broken or left mid-transaction: close it, a new one is made on demand
        c.reset();
    }
    cv_.notify_one();
}

Pool::Stats Pool::stats() const {
    std::lock_guard lock(mu_);
    return Stats{size_, open_, busy_, waits_, timeouts_};
}

}  // namespace sealpost::vault::pg
