// SPDX-License-Identifier: Apache-2.0
// sealpost-proxy's /metrics page (see proxy_metrics.hpp); the format is core/core_metrics.
#include "proxy/proxy_metrics.hpp"

#include "vault/vault_metrics.hpp"

namespace sealpost::proxy {

std::string render_proxy_metrics(const ProxyMetrics& m, const vault::VaultStats* stats) {
    using metrics::counter;
    std::string out;
    counter(out, "sealpost_proxy_sessions_total", "Client SMTP sessions accepted.",
            m.sessions.load());
    counter(out, "sealpost_proxy_sessions_refused_total",
            "Connections answered 421 because proxy.max_sessions (or all but "
            "proxy.reserved_sessions, for untrusted clients) were open.",
            m.sessions_refused.load());
    counter(out, "sealpost_proxy_sessions_refused_per_ip_total",
            "Connections answered 421 because their address held proxy.max_connections_per_ip.",
            m.sessions_refused_ip.load());
    metrics::gauge(out, "sealpost_proxy_sessions_open", "Client SMTP sessions open now.",
                   m.sessions_open.load());
    counter(out, "sealpost_proxy_messages_relayed_total",
            "Messages the upstream accepted (the client got 250).", m.relayed.load());
    counter(out, "sealpost_proxy_messages_sealed_total",
            "Sealed messages the upstream accepted, one per patient (vault envelope).",
            m.sealed.load());
    std::array<std::pair<std::string_view, std::uint64_t>, kRefusals> refused{};
    for (std::size_t i = 0; i < kRefusals; ++i) {
        refused.at(i) = {kRefusalNames.at(i), m.refused.at(i).load()};
    }
    metrics::labelled(out, "sealpost_proxy_messages_refused_total", "counter",
                      "Messages refused at the end of DATA, by reason.", "reason", refused);
    counter(out, "sealpost_proxy_upstream_errors_total",
            "Upstream sessions that failed: unreachable, TLS, timeout or protocol error.",
            m.upstream_errors.load());
    counter(out, "sealpost_proxy_notices_sent_total",
            "Download notices mailed to the practice through [notify].", m.notices_sent.load());
    counter(out, "sealpost_proxy_notices_failed_total",
            "Download notice attempts that failed (tried again later).", m.notices_failed.load());
    counter(out, "sealpost_proxy_notices_dropped_total",
            "Download notices given up (3 days of failures, or no usable address).",
            m.notices_dropped.load());
    counter(out, "sealpost_proxy_notice_runs_total",
            "Passes over the download-notice queue completed.", m.notice_runs.load());
    counter(out, "sealpost_proxy_reminders_sent_total",
            "Reminders mailed to patients whose link was still unused (proxy.remind_patient).",
            m.reminders_sent.load());
    counter(out, "sealpost_proxy_expiry_notices_sent_total",
            "Notices mailed to senders when a link expired unused "
            "(proxy.notify_sender_on_expiry).",
            m.expiry_notices_sent.load());
    m.latency.render(out, "sealpost_proxy_message_duration_seconds",
                     "Time from the end of DATA to the final reply written to the client.");
    if (stats != nullptr) {
        vault::render_vault_metrics(out, *stats);
    }
    return out;
}

}  // namespace sealpost::proxy
