// SPDX-License-Identifier: Apache-2.0
// The vault's gauges for /metrics (see vault_metrics.hpp).
#include "vault/vault_metrics.hpp"

#include "core/core_metrics.hpp"

namespace sealpost::vault {

void render_vault_metrics(std::string& out, const VaultStats& s) {
    using metrics::gauge;
    gauge(out, "sealpost_vault_envelopes_pending", "Envelopes not yet sent.", s.pending);
    gauge(out, "sealpost_vault_envelopes_sent", "Envelopes sent.", s.sent);
    gauge(out, "sealpost_vault_envelopes_revoked", "Revoked tombstones.", s.revoked);
    gauge(out, "sealpost_vault_envelopes_purged", "Purged tombstones.", s.purged);
    gauge(out, "sealpost_vault_bytes", "Plaintext bytes of live documents.", s.bytes);
    gauge(out, "sealpost_vault_map_size_bytes", "Current LMDB map size.", s.map_size);
    gauge(out, "sealpost_vault_used_bytes", "Bytes of the map in use.", s.used_bytes);
    gauge(out, "sealpost_vault_max_size_bytes", "Configured vault.max_size.", s.max_size);
}

void render_pool_metrics(std::string& out, const Vault& v) {
    if (v.backend() != "postgresql") {
        return;
    }
    using metrics::counter;
    using metrics::gauge;
    const kv::PoolStats p = v.pool_stats();
    gauge(out, "sealpost_vault_db_pool_size", "Database connections this process may open.",
          p.size);
    gauge(out, "sealpost_vault_db_pool_open", "Database connections open now.", p.open);
    gauge(out, "sealpost_vault_db_pool_busy", "Database connections in a transaction now.", p.busy);
    counter(out, "sealpost_vault_db_pool_waits_total",
            "Transactions that waited for a free connection.", p.waits);
    counter(out, "sealpost_vault_db_pool_timeouts_total",
            "Transactions that found no connection in time (answered 451 or 503).", p.timeouts);
    counter(out, "sealpost_vault_db_retries_total",
            "Write transactions run again after a serialization failure with another node.",
            p.retries);
    counter(out, "sealpost_vault_db_transactions_total", "Database transactions run.", p.txns);
    counter(out, "sealpost_vault_db_transaction_microseconds_total",
            "Time in database transactions, waiting for a connection included (divided by "
            "sealpost_vault_db_transactions_total: the mean latency).",
            p.txn_micros);
}

}  // namespace sealpost::vault
