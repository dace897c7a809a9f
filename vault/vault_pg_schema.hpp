// SPDX-License-Identifier: Apache-2.0
// The PostgreSQL engine's schema: its version, creating and upgrading it, and reading the DSN
// file. `sealpost vault init` and `sealpost vault upgrade` call these; the daemons only check.
#pragma once

#include <filesystem>

#include "core/core_result.hpp"
#include "crypto/crypto_secret.hpp"
#include "vault/vault.hpp"
#include "vault/vault_pg.hpp"

namespace sealpost::vault::kv {

/** The connection string in `path`, trimmed. Refused when the file is readable or writable by
 * others (it carries the password). Errors: Errc::key_error (detail: path and why). */
Result<crypto::Secret> pg_dsn_read(const std::filesystem::path& path);

/** Errc::invalid_argument unless the schema exists at kSchemaVersion; the detail says which
 * command fixes it. Errc::unavailable if the database cannot be asked. */
Status pg_schema_check(pg::Conn& conn);

/** Create the tables at kSchemaVersion if there are none; true if it created them, false if
 * the schema was there already at this version. Errors: Errc::invalid_argument (another
 * version: use upgrade), Errc::unavailable, Errc::io. */
Result<bool> pg_schema_init(pg::Conn& conn);

/** Bring an older schema to kSchemaVersion, one step per version, each in its own
 * transaction; returns the version it found. Errors: Errc::invalid_argument (no schema, or a
 * newer one than this build knows), Errc::unavailable, Errc::io. */
Result<int> pg_schema_upgrade(pg::Conn& conn);

}  // namespace sealpost::vault::kv
