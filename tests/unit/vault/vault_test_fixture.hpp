// SPDX-License-Identifier: Apache-2.0
// Shared fixture for the vault store tests: a fresh temp directory with real keys (keys_init),
// an injected clock, the backend under test, raw LMDB access for tampering, a one-database
// LMDB environment, and small helpers.
//
// The backend: SEALPOST_TEST_VAULT_BACKEND=postgresql runs every vault on a fresh database of
// the PostgreSQL server at SEALPOST_TEST_PG_DSN (CTest starts one, tests/integration/
// pg_server.py); unset, LMDB. Cases that read or tamper with LMDB files directly carry the
// tag [lmdb] and run on LMDB only.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>

#include "test_tempdir.hpp"
#include "vault/vault.hpp"
#include "vault/vault_keys.hpp"
#include "vault/vault_kv.hpp"
#include "vault/vault_lmdb.hpp"
#include "vault/vault_pg.hpp"

namespace sealpost::vault::test {

namespace fs = std::filesystem;
using crypto::Bytes;
using sealpost::test::TempDir;

/// A small LMDB environment with one database `t`, for the wrapper and group-commit tests.
struct OneDb {
    TempDir tmp;
    std::optional<lmdb::Env> env;
    lmdb::Dbi dbi = 0;

    explicit OneDb(std::uint64_t map_size = 1ULL << 20) {
        lmdb::Env::Options o;
        o.dir = tmp.path() / "env";
        o.map_size = map_size;
        auto e = lmdb::Env::open(o);
        REQUIRE(e);
        env.emplace(std::move(e).value());
        dbi = env->open_dbi("t").value();
    }

    /// The committed value of `key`, as a fresh reader sees it ("<error>" if reading fails;
    /// no Catch2 macro, so threads may call it).
    std::optional<std::string> get(std::string_view key) {
        auto txn = lmdb::Txn::begin(*env, false);
        if (!txn) {
            return "<error>";
        }
        auto v = txn->get(dbi, crypto::as_bytes(key));
        if (!v) {
            return "<error>";
        }
        if (!*v) {
            return std::nullopt;
        }
        return std::string((*v)->begin(), (*v)->end());
    }
    std::uint64_t txn_id() { return env->info().value().last_txn_id; }
    std::uint64_t map_size() { return env->info().value().map_size; }
};

inline constexpr std::int64_t kT0 = 1'800'000'000;  // 2027-01-15, an arbitrary fixed start

/// The backend the vault tests run on (SEALPOST_TEST_VAULT_BACKEND).
inline bool on_postgresql() {
    const char* b = std::getenv("SEALPOST_TEST_VAULT_BACKEND");
    return b != nullptr && std::string_view(b) == "postgresql";
}

/// A fresh database on the test server for one fixture; dropped with it.
struct PgDatabase {
    std::string admin_dsn;
    std::string name;
    std::string dsn;

    PgDatabase() {
        const char* admin = std::getenv("SEALPOST_TEST_PG_DSN");
        // No silent fallback: a PostgreSQL run without its server is a failure.
        REQUIRE(admin != nullptr);
        admin_dsn = admin;
        static int counter = 0;
        name = "vt_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
        auto c = pg::Conn::open(admin_dsn, std::chrono::seconds(10));
        REQUIRE(c);
        REQUIRE(c->exec("DROP DATABASE IF EXISTS " + name));
        REQUIRE(c->exec("CREATE DATABASE " + name));
        dsn = admin_dsn;
        const auto at = dsn.find("dbname=");
        REQUIRE(at != std::string::npos);
        dsn.replace(at, std::string::npos, "dbname=" + name);
    }
    PgDatabase(const PgDatabase&) = delete;
    PgDatabase& operator=(const PgDatabase&) = delete;
    ~PgDatabase() {
        auto c = pg::Conn::open(admin_dsn, std::chrono::seconds(10));
        if (c) {
            (void)c->exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        }
    }
};

/// Temp dir + keys + options with an injected clock (`clock`, unix seconds), on the backend
/// under test. Not movable: the clock lambda captures `this`.
struct Fixture {
    TempDir tmp;
    keys::KeyRing keys;
    std::int64_t clock = kT0;
    VaultOptions opts;
    std::optional<PgDatabase> pg;

    Fixture() {
        const fs::path key_dir = tmp.path() / "keys";
        REQUIRE(keys::keys_init(key_dir));
        auto loaded = keys::keys_load(key_dir, keys::kAllKeys);
        REQUIRE(loaded);
        keys = std::move(loaded).value();
        opts.dir = tmp.path() / "vault";
        opts.map_size = 4ULL << 20;
        opts.max_size = 256ULL << 20;
        opts.link_ttl = std::chrono::seconds(30 * 86400);
        opts.retention = std::chrono::seconds(90 * 86400);
        opts.orphan_grace = std::chrono::seconds(3600);
        opts.tombstone_ttl = std::chrono::seconds(365 * 86400);
        opts.now = [this] { return clock; };
        if (on_postgresql()) {
            pg.emplace();
            opts.backend = VaultBackend::postgresql;
            opts.dsn = pg->dsn;
            opts.pool_size = 4;
            auto made = vault_init(opts);
            if (!made) {
                FAIL("vault_init: " << made.error().detail);
            }
            REQUIRE(*made);
        }
    }
    Fixture(const Fixture&) = delete;
    Fixture& operator=(const Fixture&) = delete;

    Vault open() {
        auto v = Vault::open(opts, keys);
        REQUIRE(v);
        return std::move(v).value();
    }
    [[nodiscard]] const crypto::X25519KeyPair& escrow() const { return *keys.escrow_pair; }
};

/// Deterministic test content: n bytes derived from `seed`.
inline Bytes pattern(std::size_t n, std::uint32_t seed) {
    Bytes out(n);
    std::uint32_t x = seed * 2654435761U + 1U;
    for (auto& b : out) {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        b = static_cast<std::uint8_t>(x >> 24);
    }
    return out;
}

inline EnvelopeInput sample_input(std::vector<DocumentInput> docs) {
    EnvelopeInput in;
    in.recipient = "patient@example.ch";
    in.phone_e164 = "+41791234567";
    in.sender = "praxis@therapie-muster.ch";
    in.subject = "Rechnung Juli";
    in.language = "de";
    in.documents = std::move(docs);
    return in;
}

/// Whole document through a DocumentReader; the error of the first failing chunk otherwise.
inline Result<Bytes> read_document(Vault& v, const OpenedEnvelope& opened, std::uint32_t idx) {
    SP_TRY(reader, v.document_reader(opened, idx));
    Bytes out;
    for (;;) {
        SP_TRY(chunk, reader.next());
        if (!chunk) {
            return out;
        }
        out.insert(out.end(), chunk->begin(), chunk->end());
    }
}

/// The tables, for raw access.
struct RawDbs {
    kv::Table envelopes = kv::Table::envelopes, links = kv::Table::links,
              documents = kv::Table::documents, contacts = kv::Table::contacts,
              audit = kv::Table::audit, portal = kv::Table::portal;
    kv::Table staging = kv::Table::staging;
};

/// Run `fn` in a raw write transaction on the store of `opts`, whatever its backend (on LMDB
/// the Vault must be closed: LMDB forbids opening one environment twice in a process).
inline void with_raw(const VaultOptions& opts,
                     const std::function<void(kv::Txn&, const RawDbs&)>& fn) {
    VaultOptions o = opts;
    o.map_size = std::max<std::uint64_t>(o.map_size, 256ULL << 20);
    o.max_size = std::max(o.max_size, o.map_size);
    auto engine = opts.backend == VaultBackend::postgresql ? kv::engine_open_postgresql(o)
                                                           : kv::engine_open_lmdb(o);
    REQUIRE(engine);
    const RawDbs d;
    REQUIRE((*engine)->write([&](kv::Txn& txn) -> Status {
        fn(txn, d);
        return {};
    }));
}

/// All keys of one table.
inline std::vector<Bytes> raw_keys(kv::Txn& txn, kv::Table t) {
    std::vector<Bytes> out;
    auto cur = kv::Cursor::open(txn, t);
    REQUIRE(cur);
    auto e = cur->first();
    REQUIRE(e);
    std::optional<kv::Entry> it = *e;
    while (it) {
        out.emplace_back(it->key.begin(), it->key.end());
        auto n = cur->next();
        REQUIRE(n);
        it = *n;
    }
    return out;
}

/// Number of keys in `t` that contain `id` (as a prefix or, for links, in the value).
inline std::size_t count_prefixed(kv::Txn& txn, kv::Table t, const EnvelopeId& id) {
    std::size_t n = 0;
    for (const auto& k : raw_keys(txn, t)) {
        if (k.size() >= id.size() && std::equal(id.begin(), id.end(), k.begin())) {
            ++n;
        }
    }
    return n;
}

/// Number of `links` entries that point at `id`.
inline std::size_t count_links_to(kv::Txn& txn, kv::Table links, const EnvelopeId& id) {
    std::size_t n = 0;
    for (const auto& k : raw_keys(txn, links)) {
        auto v = txn.get(links, k);
        REQUIRE(v);
        REQUIRE(v->has_value());
        const auto& val = **v;
        if (val.size() == 17 && std::equal(id.begin(), id.end(), val.begin() + 1)) {
            ++n;
        }
    }
    return n;
}

/// The raw bytes of a file.
inline Bytes file_bytes(const fs::path& p) {
    std::ifstream f(p, std::ios::binary);
    REQUIRE(f);
    return Bytes(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

inline bool contains(const Bytes& hay, crypto::ByteView needle) {
    return std::search(hay.begin(), hay.end(), needle.begin(), needle.end()) != hay.end();
}
inline bool contains(const Bytes& hay, std::string_view needle) {
    return contains(hay, crypto::as_bytes(needle));
}

}  // namespace sealpost::vault::test
