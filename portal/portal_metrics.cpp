// Prometheus text format for the portal (see portal_metrics.hpp).
#include "portal/portal_metrics.hpp"

#include <cstdio>
#include <initializer_list>

namespace sealpost::portal {

namespace {

void metric(std::string& out, std::string_view name, std::string_view type, std::string_view help,
            std::uint64_t value) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
    out += name;
    out += ' ';
    out += std::to_string(value);
    out += '\n';
}

std::string number(double v) {
    std::array<char, 32> buf{};
    (void)std::snprintf(buf.data(), buf.size(), "%g", v);
    return buf.data();
}

}  // namespace

void Histogram::observe(std::chrono::steady_clock::duration d) noexcept {
    const double s = std::chrono::duration<double>(d).count();
    std::size_t i = 0;
    while (i < kBounds.size() && s > kBounds.at(i)) {
        ++i;
    }
    buckets_.at(i).fetch_add(1, std::memory_order_relaxed);
    sum_us_.fetch_add(static_cast<std::uint64_t>(
                          std::chrono::duration_cast<std::chrono::microseconds>(d).count()),
                      std::memory_order_relaxed);
    count_.fetch_add(1, std::memory_order_relaxed);
}

void Histogram::render(std::string& out, std::string_view name, std::string_view help) const {
    const std::string n(name);
    const auto line = [&out, &n](std::initializer_list<std::string_view> parts) {
        out += n;
        for (std::string_view p : parts) {
            out += p;
        }
        out += '\n';
    };
    out += "# HELP ";
    out += n;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    line({" histogram"});
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= kBounds.size(); ++i) {
        cumulative += buckets_.at(i).load(std::memory_order_relaxed);
        const std::string le = i < kBounds.size() ? number(kBounds.at(i)) : "+Inf";
        line({"_bucket{le=\"", le, "\"} ", std::to_string(cumulative)});
    }
    line({"_sum ", number(static_cast<double>(sum_us_.load()) / 1e6)});
    line({"_count ", std::to_string(count_.load())});
}

std::string render_metrics(const PortalCounters& c, const Metrics& m, std::uint64_t open,
                           const vault::VaultStats* stats) {
    std::string out;
    metric(out, "sealpost_portal_requests_total", "counter", "HTTP requests answered by routes.",
           c.requests.load());
    metric(out, "sealpost_portal_codes_sent_total", "counter", "SMS codes sent.",
           c.codes_sent.load());
    metric(out, "sealpost_portal_codes_failed_total", "counter",
           "SMS codes the gateway failed to send (not counted against the patient).",
           c.codes_failed.load());
    metric(out, "sealpost_portal_codes_refused_total", "counter",
           "Code requests refused by a rate limit or lock.", c.codes_refused.load());
    metric(out, "sealpost_portal_verified_total", "counter", "Successful code checks.",
           c.verified.load());
    metric(out, "sealpost_portal_wrong_codes_total", "counter", "Wrong codes typed.",
           c.wrong_codes.load());
    metric(out, "sealpost_portal_locks_total", "counter", "Envelopes locked by wrong codes.",
           c.locks.load());
    metric(out, "sealpost_portal_renewals_total", "counter", "Expired links renewed by SMS.",
           c.renewals.load());
    metric(out, "sealpost_portal_downloads_total", "counter", "Documents and ZIPs served.",
           c.downloads.load());
    metric(out, "sealpost_portal_not_found_total", "counter", "Unknown links and paths (404).",
           c.not_found.load());
    metric(out, "sealpost_portal_errors_total", "counter", "Internal errors answered with 503.",
           c.errors.load());
    metric(out, "sealpost_portal_bad_requests_total", "counter",
           "Malformed, oversized or too slow requests.", m.bad_requests.load());
    metric(out, "sealpost_portal_connections_total", "counter", "Client connections accepted.",
           m.connections.load());
    metric(out, "sealpost_portal_connections_refused_total", "counter",
           "Connections closed at once because portal.max_connections were open.",
           m.connections_refused.load());
    metric(out, "sealpost_portal_connections_open", "gauge", "Client connections open now.", open);
    m.latency.render(out, "sealpost_portal_request_duration_seconds",
                     "Time from a request's arrival to the end of its response.");
    if (stats != nullptr) {
        metric(out, "sealpost_vault_envelopes_pending", "gauge", "Envelopes not yet sent.",
               stats->pending);
        metric(out, "sealpost_vault_envelopes_sent", "gauge", "Envelopes sent.", stats->sent);
        metric(out, "sealpost_vault_envelopes_revoked", "gauge", "Revoked tombstones.",
               stats->revoked);
        metric(out, "sealpost_vault_envelopes_purged", "gauge", "Purged tombstones.",
               stats->purged);
        metric(out, "sealpost_vault_bytes", "gauge", "Plaintext bytes of live documents.",
               stats->bytes);
        metric(out, "sealpost_vault_map_size_bytes", "gauge", "Current LMDB map size.",
               stats->map_size);
        metric(out, "sealpost_vault_used_bytes", "gauge", "Bytes of the map in use.",
               stats->used_bytes);
        metric(out, "sealpost_vault_max_size_bytes", "gauge", "Configured vault.max_size.",
               stats->max_size);
    }
    return out;
}

}  // namespace sealpost::portal
