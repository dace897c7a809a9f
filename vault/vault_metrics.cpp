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

}  // namespace sealpost::vault
