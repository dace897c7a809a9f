// SPDX-License-Identifier: Apache-2.0
// The portal's /metrics page (Prometheus text 0.0.4): its counters, a request latency
// histogram and the vault's size, served on the loopback-only admin listener.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "core/core_metrics.hpp"
#include "portal/portal_app.hpp"
#include "vault/vault.hpp"

namespace sealpost::portal {

struct Metrics {
    metrics::Histogram latency;  ///< from a request's first byte read to its last byte written
    std::atomic<std::uint64_t> connections{0};
    std::atomic<std::uint64_t> connections_refused{0};          ///< over a connection cap
    std::atomic<std::uint64_t> connections_refused_address{0};  ///< of those: the address's cap
    std::atomic<std::uint64_t> bad_requests{0};  ///< malformed, oversized or too slow
};

/// The whole /metrics page. `stats` may be null when the vault could not be read.
std::string render_metrics(const PortalCounters& c, const Metrics& m, std::uint64_t open,
                           const vault::VaultStats* stats);

}  // namespace sealpost::portal
