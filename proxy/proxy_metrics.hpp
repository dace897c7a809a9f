// SPDX-License-Identifier: Apache-2.0
// sealpost-proxy's counters and its /metrics page (Prometheus text 0.0.4): sessions, messages
// relayed, sealed and refused by reason, upstream errors, download notices, DATA latency.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/core_metrics.hpp"
#include "vault/vault.hpp"

namespace sealpost::proxy {

/// Why a message was refused at the end of DATA (the `reason` label).
enum class Refusal : std::uint8_t {
    policy,         ///< 550 5.7.1: a rule said reject, or no mobile number for a patient
    unsealable,     ///< 451 4.3.0 or 554 5.6.0: the message cannot be sealed safely
    vault_full,     ///< 452 4.3.1
    internal,       ///< 451 4.3.0: any other internal error
    smuggling,      ///< 550 5.5.2: bare CR or LF (SMTP smuggling)
    line_too_long,  ///< 550 5.5.2: a text line over max_text_line
    too_big,        ///< 552 5.3.4
    loop,           ///< 554 5.4.6: 100 Received headers
    upstream,       ///< the upstream refused it (its reply went to the client)
    inflight,       ///< 452 4.3.1: the in-flight budget was full (max_inflight)
};
/// The `reason` label values, in the enum's order: /metrics lists every reason from this table.
inline constexpr std::array<std::string_view, 10> kRefusalNames{
    "policy",        "unsealable", "vault_full", "internal", "smuggling",
    "line_too_long", "too_big",    "loop",       "upstream", "inflight"};
inline constexpr std::size_t kRefusals = kRefusalNames.size();
static_assert(static_cast<std::size_t>(Refusal::inflight) + 1 == kRefusals);

/// Monotonic since start (except sessions_open); safe from any thread.
struct ProxyMetrics {
    std::atomic<std::uint64_t> sessions{0};             ///< client sessions accepted
    std::atomic<std::uint64_t> sessions_refused{0};     ///< answered 421 at max_sessions
    std::atomic<std::uint64_t> sessions_refused_ip{0};  ///< 421: max_connections_per_ip
    std::atomic<std::uint64_t> sessions_open{0};        ///< gauge
    std::atomic<std::uint64_t> relayed{0};  ///< messages the upstream accepted (client got 2xx)
    std::atomic<std::uint64_t> sealed{0};   ///< sealed copies accepted, one per patient
    std::array<std::atomic<std::uint64_t>, kRefusals> refused{};
    std::atomic<std::uint64_t> upstream_errors{0};  ///< unreachable, TLS, timeout, broken
    std::atomic<std::uint64_t> notices_sent{0};
    std::atomic<std::uint64_t> notices_failed{0};       ///< failed attempts (retried later)
    std::atomic<std::uint64_t> notices_dropped{0};      ///< given up after 3 days, or unusable
    std::atomic<std::uint64_t> notice_runs{0};          ///< passes over the notice queue completed
    std::atomic<std::uint64_t> reminders_sent{0};       ///< patients reminded of an unused link
    std::atomic<std::uint64_t> expiry_notices_sent{0};  ///< senders told a link expired unused
    metrics::Histogram latency;                         ///< end of DATA to the final reply written

    void refuse(Refusal r) noexcept {
        refused.at(static_cast<std::size_t>(r)).fetch_add(1, std::memory_order_relaxed);
    }
};

/// The whole /metrics page. `stats` may be null when the vault could not be read.
std::string render_proxy_metrics(const ProxyMetrics& m, const vault::VaultStats* stats);

}  // namespace sealpost::proxy
