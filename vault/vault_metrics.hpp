// SPDX-License-Identifier: Apache-2.0
// The vault's size and map use as Prometheus gauges, for the /metrics pages of sealpost-proxy
// and sealpost-portal (both read the same vault, so the names are the same on both).
#pragma once

#include <string>

#include "vault/vault.hpp"

namespace sealpost::vault {

/// Appends the `sealpost_vault_*` gauges of `s` (core/core_metrics.hpp format).
void render_vault_metrics(std::string& out, const VaultStats& s);

/// Appends the `sealpost_vault_db_*` figures of the PostgreSQL pool (nothing on LMDB). They
/// need no query, so they are there also while the database is down.
void render_pool_metrics(std::string& out, const Vault& v);

}  // namespace sealpost::vault
