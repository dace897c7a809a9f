// SPDX-License-Identifier: Apache-2.0
// Store administration: `sealpost vault init`, `upgrade` and `copy --to postgresql`. They work
// on the engines below the vault's records, so no key is needed and nothing is re-encrypted.
#include <string>
#include <utility>
#include <vector>

#include "core/core_log.hpp"
#include "vault/vault.hpp"
#include "vault/vault_kv.hpp"
#include "vault/vault_pg.hpp"
#include "vault/vault_pg_schema.hpp"

namespace sealpost::vault {

namespace {

Result<pg::Conn> connect(const VaultOptions& opts) {
    std::string dsn = opts.dsn;
    if (dsn.empty()) {
        SP_TRY(d, kv::pg_dsn_read(opts.dsn_file));
        dsn = std::string(d.view());
    }
    auto c = pg::Conn::open(dsn, opts.connect_timeout);
    crypto::wipe(dsn);
    return c;
}

}  // namespace

Result<bool> vault_init(const VaultOptions& opts) {
    if (opts.backend == VaultBackend::lmdb) {
        const bool existed = std::filesystem::exists(opts.dir / "data.mdb");
        SP_TRY(e, kv::engine_open_lmdb(opts));
        (void)e;
        return !existed;
    }
    SP_TRY(conn, connect(opts));
    return kv::pg_schema_init(conn);
}

Result<int> vault_upgrade(const VaultOptions& opts) {
    if (opts.backend == VaultBackend::lmdb) {
        return kSchemaVersion;
    }
    SP_TRY(conn, connect(opts));
    return kv::pg_schema_upgrade(conn);
}

Status vault_dsn_file_check(const std::filesystem::path& path) {
    return status_of(kv::pg_dsn_read(path));
}

Result<int> vault_schema_check(const VaultOptions& opts) {
    if (opts.backend == VaultBackend::lmdb) {
        return kSchemaVersion;
    }
    SP_TRY(conn, connect(opts));
    SP_CHECK(kv::pg_schema_check(conn));
    return kSchemaVersion;
}

Result<CopyCounts> vault_copy(const VaultOptions& from, const VaultOptions& to) {
    if (from.backend != VaultBackend::lmdb || to.backend != VaultBackend::postgresql) {
        return make_error(Errc::invalid_argument, "copy goes from lmdb to postgresql");
    }
    SP_TRY(src, kv::engine_open_lmdb(from));
    SP_TRY(dst, kv::engine_open_postgresql(to));

    // The destination must be empty: a copy never merges into a vault in use.
    {
        SP_TRY(txn, dst->read());
        for (std::size_t i = 0; i < kv::kTableCount; ++i) {
            SP_TRY(cur, kv::Cursor::open(txn, static_cast<kv::Table>(i)));
            SP_TRY(e, cur.first());
            if (e) {
                return make_error(Errc::exists, "the postgresql vault is not empty (table " +
                                                    std::string(kv::kTableNames[i]) + ")");
            }
        }
    }

    CopyCounts counts;
    std::vector<std::uint64_t> per_table(kv::kTableCount, 0);
    for (std::size_t i = 0; i < kv::kTableCount; ++i) {
        const auto table = static_cast<kv::Table>(i);
        // One LMDB snapshot per table; rows go over in batches of at most kStageBatch bytes.
        SP_TRY(txn, src->read());
        SP_TRY(cur, kv::Cursor::open(txn, table));
        SP_TRY(e, cur.first());
        while (e) {
            std::vector<std::pair<crypto::Bytes, crypto::Bytes>> batch;
            std::size_t bytes = 0;
            while (e && bytes < kStageBatch) {
                batch.emplace_back(crypto::Bytes(e->key.begin(), e->key.end()),
                                   crypto::Bytes(e->value.begin(), e->value.end()));
                bytes += e->key.size() + e->value.size();
                SP_TRY(n, cur.next());
                e = n;
            }
            const Status written = dst->write([&](kv::Txn& w) -> Status {
                for (const auto& [k, v] : batch) {
                    SP_CHECK(w.insert(table, k, v));
                }
                return {};
            });
            SP_CHECK(written);
            per_table[i] += batch.size();
            counts.rows += batch.size();
            counts.bytes += bytes;
        }
    }
    counts.envelopes = per_table[static_cast<std::size_t>(kv::Table::envelopes)];

    // Compare: every row arrived.
    SP_TRY(check, dst->read());
    for (std::size_t i = 0; i < kv::kTableCount; ++i) {
        std::uint64_t n = 0;
        SP_TRY(cur, kv::Cursor::open(check, static_cast<kv::Table>(i)));
        SP_TRY(e, cur.first());
        while (e) {
            ++n;
            SP_TRY(nx, cur.next());
            e = nx;
        }
        if (n != per_table[i]) {
            return make_error(Errc::corrupt, "table " + std::string(kv::kTableNames[i]) +
                                                 ": copied " + std::to_string(per_table[i]) +
                                                 " rows, found " + std::to_string(n));
        }
    }
    log::info("vault.copied").kv("rows", counts.rows).kv("envelopes", counts.envelopes);
    return counts;
}

}  // namespace sealpost::vault
