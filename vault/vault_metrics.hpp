// The vault's size and map use as Prometheus gauges, for the /metrics pages of sealpost-proxy
// and sealpost-portal (both read the same vault, so the names are the same on both).
#pragma once

#include <string>

#include "vault/vault.hpp"

namespace sealpost::vault {

/// Appends the `sealpost_vault_*` gauges of `s` (core/core_metrics.hpp format).
void render_vault_metrics(std::string& out, const VaultStats& s);

}  // namespace sealpost::vault
