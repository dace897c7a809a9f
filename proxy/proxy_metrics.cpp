// sealpost-proxy's /metrics page (see proxy_metrics.hpp); the format is core/core_metrics.
#include "proxy/proxy_metrics.hpp"

#include "vault/vault_metrics.hpp"

namespace sealpost::proxy {

std::string_view refusal_name(Refusal r) noexcept {
    switch (r) {
        case Refusal::policy:
            return "policy";
        case Refusal::unsealable:
            return "unsealable";
        case Refusal::vault_full:
            return "vault_full";
        case Refusal::internal:
            return "internal";
        case Refusal::smuggling:
            return "smuggling";
        case Refusal::line_too_long:
            return "line_too_long";
        case Refusal::too_big:
            return "too_big";
        case Refusal::loop:
            return "loop";
        case Refusal::upstream:
            return "upstream";
    }
    return "unknown";
}

std::string render_proxy_metrics(const ProxyMetrics& m, const vault::VaultStats* stats) {
    using metrics::counter;
    std::string out;
    counter(out, "sealpost_proxy_sessions_total", "Client SMTP sessions accepted.",
            m.sessions.load());
    counter(out, "sealpost_proxy_sessions_refused_total",
            "Connections answered 421 because proxy.max_sessions were open.",
            m.sessions_refused.load());
    metrics::gauge(out, "sealpost_proxy_sessions_open", "Client SMTP sessions open now.",
                   m.sessions_open.load());
    counter(out, "sealpost_proxy_messages_relayed_total",
            "Messages the upstream accepted (the client got 250).", m.relayed.load());
    counter(out, "sealpost_proxy_messages_sealed_total",
            "Sealed messages the upstream accepted, one per patient (vault envelope).",
            m.sealed.load());
    const auto refused = [&m](Refusal r) {
        return std::pair{refusal_name(r), m.refused.at(static_cast<std::size_t>(r)).load()};
    };
    metrics::labelled(
        out, "sealpost_proxy_messages_refused_total", "counter",
        "Messages refused at the end of DATA, by reason.", "reason",
        {refused(Refusal::policy), refused(Refusal::unsealable), refused(Refusal::vault_full),
         refused(Refusal::internal), refused(Refusal::smuggling), refused(Refusal::line_too_long),
         refused(Refusal::too_big), refused(Refusal::loop), refused(Refusal::upstream)});
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
    m.latency.render(out, "sealpost_proxy_message_duration_seconds",
                     "Time from the end of DATA to the final reply written to the client.");
    if (stats != nullptr) {
        vault::render_vault_metrics(out, *stats);
    }
    return out;
}

}  // namespace sealpost::proxy
