// SPDX-License-Identifier: Apache-2.0
// Prometheus text exposition (format 0.0.4) pieces shared by the /metrics pages of
// sealpost-proxy and sealpost-portal: sample lines with HELP and TYPE, and a latency histogram.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace sealpost::metrics {

/// The Content-Type of a /metrics answer.
inline constexpr std::string_view kContentType = "text/plain; version=0.0.4; charset=utf-8";

/// A fixed-bucket latency histogram (seconds); lock-free, safe from any thread.
class Histogram {
  public:
    static constexpr std::array<double, 11> kBounds = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                                       0.5,   1.0,  2.5,   5.0,  10.0};
    void observe(std::chrono::steady_clock::duration d) noexcept;
    /// Appends HELP, TYPE, the cumulative `name_bucket{le="…"}` lines (ending with +Inf),
    /// `name_sum` (seconds) and `name_count`.
    void render(std::string& out, std::string_view name, std::string_view help) const;

  private:
    std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> buckets_{};  // last: +Inf
    std::atomic<std::uint64_t> sum_us_{0};
    std::atomic<std::uint64_t> count_{0};
};

/// Appends `# HELP name help`, `# TYPE name type` and `name value`. `type` is "counter" or
/// "gauge"; a counter's name ends in `_total` by convention.
void sample(std::string& out, std::string_view name, std::string_view type, std::string_view help,
            std::uint64_t value);
inline void counter(std::string& out, std::string_view name, std::string_view help,
                    std::uint64_t value) {
    sample(out, name, "counter", help, value);
}
inline void gauge(std::string& out, std::string_view name, std::string_view help,
                  std::uint64_t value) {
    sample(out, name, "gauge", help, value);
}

/// One metric family with a label: HELP and TYPE once, then `name{label="value"} n` per
/// entry, in the order given. Label values are escaped as the format requires (\\ \" \n).
void labelled(std::string& out, std::string_view name, std::string_view type, std::string_view help,
              std::string_view label,
              std::initializer_list<std::pair<std::string_view, std::uint64_t>> values);
/// The same for values built at run time.
void labelled(std::string& out, std::string_view name, std::string_view type, std::string_view help,
              std::string_view label,
              std::span<const std::pair<std::string_view, std::uint64_t>> values);

}  // namespace sealpost::metrics
