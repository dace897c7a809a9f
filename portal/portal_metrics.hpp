// Prometheus text exposition (format 0.0.4) of the portal's counters, a request latency
// histogram and the vault's size, served on the loopback-only admin listener.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "portal/portal_app.hpp"
#include "vault/vault.hpp"

namespace sealpost::portal {

/// A fixed-bucket latency histogram; lock-free, safe from any thread.
class Histogram {
  public:
    static constexpr std::array<double, 11> kBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                       0.5,   1.0,  2.5,   5.0,  10.0};
    void observe(std::chrono::steady_clock::duration d) noexcept;
    /// Appends `name_bucket{le=…}`, `name_sum` and `name_count` lines.
    void render(std::string& out, std::string_view name, std::string_view help) const;

  private:
    std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> buckets_{};  // last: +Inf
    std::atomic<std::uint64_t> sum_us_{0};
    std::atomic<std::uint64_t> count_{0};
};

struct Metrics {
    Histogram latency;  ///< from a request's first byte read to its last byte written
    std::atomic<std::uint64_t> connections{0};
    std::atomic<std::uint64_t> connections_refused{0};  ///< over portal.max_connections
    std::atomic<std::uint64_t> bad_requests{0};         ///< malformed, oversized or too slow
};

/// The whole /metrics page. `stats` may be null when the vault could not be read.
std::string render_metrics(const PortalCounters& c, const Metrics& m, std::uint64_t open,
                           const vault::VaultStats* stats);

}  // namespace sealpost::portal
