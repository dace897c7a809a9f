// SPDX-License-Identifier: Apache-2.0
// The PostgreSQL schema (vault_pg_schema.hpp). One table per vault table, key and value bytea,
// exactly what LMDB stores; and sealpost_schema holding the version.
#include "vault/vault_pg_schema.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

#include "vault/vault_kv.hpp"

namespace sealpost::vault::kv {

namespace {

/// The version stored in the database: 0 when there is no schema table.
Result<int> stored_version(pg::Conn& conn) {
    SP_TRY(r, conn.exec("SELECT to_regclass('sealpost_schema') IS NOT NULL"));
    if (r.rows() != 1 || r.value(0, 0).size() != 1 || r.value(0, 0)[0] == 0) {
        return 0;
    }
    SP_TRY(v, conn.exec("SELECT version::text FROM sealpost_schema"));
    if (v.rows() != 1) {
        return make_error(Errc::corrupt, "sealpost_schema must hold one row");
    }
    int n = 0;
    for (const auto ch : v.value(0, 0)) {
        if (ch < '0' || ch > '9') {
            return make_error(Errc::corrupt, "sealpost_schema.version is not a number");
        }
        n = n * 10 + (ch - '0');
    }
    return n;
}

/// Version 1: the seven tables. Chunks are ciphertext, which does not compress: EXTERNAL keeps
/// them out of line without trying (and failing) to compress every 64 KiB row.
std::string schema_v1() {
    std::string sql = "CREATE TABLE sealpost_schema (version integer NOT NULL);";
    for (const auto name : kTableNames) {
        const std::string t = "sealpost_" + std::string(name);
        sql += "CREATE TABLE " + t + " (k bytea PRIMARY KEY, v bytea NOT NULL);";
        sql += "ALTER TABLE " + t + " ALTER COLUMN v SET STORAGE EXTERNAL;";
    }
    sql += "INSERT INTO sealpost_schema (version) VALUES (1);";
    return sql;
}

}  // namespace

Result<crypto::Secret> pg_dsn_read(const std::filesystem::path& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) {
        return make_error(Errc::key_error, path.string() + ": cannot read the DSN file: " +
                                               std::system_category().message(errno));
    }
    if ((st.st_mode & 0007) != 0) {
        return make_error(Errc::key_error,
                          path.string() +
                              ": the DSN file holds the database password and must "
                              "not be readable by others (chmod 0640)");
    }
    std::ifstream in(path);
    if (!in) {
        return make_error(Errc::key_error, path.string() + ": cannot read the DSN file");
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    std::string s = buf.str();
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' ')) {
        s.pop_back();
    }
    if (s.empty()) {
        return make_error(Errc::key_error, path.string() + ": the DSN file is empty");
    }
    return crypto::Secret(std::move(s));
}

Status pg_schema_check(pg::Conn& conn) {
    SP_TRY(v, stored_version(conn));
    if (v == kSchemaVersion) {
        return {};
    }
    if (v == 0) {
        return make_error(Errc::invalid_argument,
                          "the database has no sealpost schema: run `sealpost vault init`");
    }
    if (v < kSchemaVersion) {
        return make_error(Errc::invalid_argument, "the database has sealpost schema " +
                                                      std::to_string(v) + ", this build needs " +
                                                      std::to_string(kSchemaVersion) +
                                                      ": run `sealpost vault upgrade`");
    }
    return make_error(Errc::invalid_argument, "the database has sealpost schema " +
                                                  std::to_string(v) + ", newer than this build's " +
                                                  std::to_string(kSchemaVersion) +
                                                  ": upgrade sealpost on this node");
}

Result<bool> pg_schema_init(pg::Conn& conn) {
    SP_CHECK(conn.exec("BEGIN"));
    // One init at a time, also when two nodes run it together.
    SP_CHECK(conn.exec("SELECT pg_advisory_xact_lock(1936023916)"));
    auto v = stored_version(conn);
    if (!v) {
        (void)conn.exec("ROLLBACK");
        return std::move(v).error();
    }
    if (*v != 0) {
        (void)conn.exec("ROLLBACK");
        if (*v != kSchemaVersion) {
            return make_error(Errc::invalid_argument, "the database has sealpost schema " +
                                                          std::to_string(*v) +
                                                          ": use `sealpost vault upgrade`");
        }
        return false;
    }
    auto made = conn.exec_script(schema_v1());
    if (!made) {
        (void)conn.exec("ROLLBACK");
        return std::move(made).error();
    }
    SP_CHECK(conn.exec("COMMIT"));
    return true;
}

Result<int> pg_schema_upgrade(pg::Conn& conn) {
    SP_TRY(v, stored_version(conn));
    if (v == 0) {
        return make_error(Errc::invalid_argument,
                          "the database has no sealpost schema: run `sealpost vault init`");
    }
    if (v > kSchemaVersion) {
        return make_error(Errc::invalid_argument,
                          "the database has sealpost schema " + std::to_string(v) +
                              ", newer than this build's " + std::to_string(kSchemaVersion));
    }
    // Version 1 is the first: there is no step yet. A step n -> n+1 goes here, each in a
    // transaction that also sets sealpost_schema.version = n+1.
    return v;
}

}  // namespace sealpost::vault::kv
