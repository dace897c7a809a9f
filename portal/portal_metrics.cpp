// SPDX-License-Identifier: Apache-2.0
// The portal's /metrics page (see portal_metrics.hpp); the format is core/core_metrics.
#include "portal/portal_metrics.hpp"

#include "vault/vault_metrics.hpp"

namespace sealpost::portal {

std::string render_metrics(const PortalCounters& c, const Metrics& m, std::uint64_t open,
                           const vault::VaultStats* stats) {
    using metrics::counter;
    std::string out;
    counter(out, "sealpost_portal_requests_total", "HTTP requests answered by routes.",
            c.requests.load());
    counter(out, "sealpost_portal_codes_sent_total", "Codes sent (by SMS or by a voice call).",
            c.codes_sent.load());
    counter(out, "sealpost_portal_codes_called_total",
            "Codes read to a landline by a voice call (also in codes_sent).",
            c.codes_called.load());
    counter(out, "sealpost_portal_codes_failed_total",
            "SMS codes the gateway failed to send (not counted against the patient).",
            c.codes_failed.load());
    counter(out, "sealpost_portal_codes_refused_total",
            "Code requests refused by a rate limit or lock.", c.codes_refused.load());
    counter(out, "sealpost_portal_verified_total", "Successful code checks.", c.verified.load());
    counter(out, "sealpost_portal_wrong_codes_total", "Wrong codes typed.", c.wrong_codes.load());
    counter(out, "sealpost_portal_locks_total", "Envelopes locked by wrong codes.", c.locks.load());
    counter(out, "sealpost_portal_renewals_total", "Expired links renewed by SMS.",
            c.renewals.load());
    counter(out, "sealpost_portal_downloads_total", "Documents and ZIPs served.",
            c.downloads.load());
    counter(out, "sealpost_portal_not_found_total", "Unknown links and paths (404).",
            c.not_found.load());
    counter(out, "sealpost_portal_errors_total", "Internal errors answered with 503.",
            c.errors.load());
    counter(out, "sealpost_portal_bad_requests_total", "Malformed, oversized or too slow requests.",
            m.bad_requests.load());
    counter(out, "sealpost_portal_connections_total", "Client connections accepted.",
            m.connections.load());
    counter(out, "sealpost_portal_connections_refused_total",
            "Connections closed at once: portal.max_connections were open, or the client's "
            "address (IPv6: its /64) held portal.max_connections_per_address.",
            m.connections_refused.load());
    counter(out, "sealpost_portal_connections_refused_address_total",
            "Of those, refused because of the per-address cap.",
            m.connections_refused_address.load());
    metrics::gauge(out, "sealpost_portal_connections_open", "Client connections open now.", open);
    m.latency.render(out, "sealpost_portal_request_duration_seconds",
                     "Time from a request's arrival to the end of its response.");
    if (stats != nullptr) {
        vault::render_vault_metrics(out, *stats);
    }
    return out;
}

}  // namespace sealpost::portal
