// SPDX-License-Identifier: Apache-2.0
// Prometheus text format 0.0.4 (see core_metrics.hpp).
#include "core/core_metrics.hpp"

#include <cstdio>

namespace sealpost::metrics {

namespace {

void head(std::string& out, std::string_view name, std::string_view type, std::string_view help) {
    out += "# HELP ";
    out += name;
    out += ' ';
    out += help;
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += type;
    out += '\n';
}

/// Shortest round-trip-safe enough text of a bucket bound or a sum ("0.005", "10", "1.5e-05").
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
    head(out, name, "histogram", help);
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i <= kBounds.size(); ++i) {
        cumulative += buckets_.at(i).load(std::memory_order_relaxed);
        out += name;
        out += "_bucket{le=\"";
        out += i < kBounds.size() ? number(kBounds.at(i)) : std::string("+Inf");
        out += "\"} ";
        out += std::to_string(cumulative);
        out += '\n';
    }
    out += name;
    out += "_sum ";
    out += number(static_cast<double>(sum_us_.load()) / 1e6);
    out += '\n';
    out += name;
    out += "_count ";
    out += std::to_string(count_.load());
    out += '\n';
}

void sample(std::string& out, std::string_view name, std::string_view type, std::string_view help,
            std::uint64_t value) {
    head(out, name, type, help);
    out += name;
    out += ' ';
    out += std::to_string(value);
    out += '\n';
}

void labelled(std::string& out, std::string_view name, std::string_view type, std::string_view help,
              std::string_view label,
              std::initializer_list<std::pair<std::string_view, std::uint64_t>> values) {
    labelled(out, name, type, help, label, std::span(values.begin(), values.size()));
}

void labelled(std::string& out, std::string_view name, std::string_view type, std::string_view help,
              std::string_view label,
              std::span<const std::pair<std::string_view, std::uint64_t>> values) {
    head(out, name, type, help);
    for (const auto& [value, n] : values) {
        out += name;
        out += '{';
        out += label;
        out += "=\"";
        for (const char c : value) {
            if (c == '\\' || c == '"') {
                out += '\\';
                out += c;
            } else if (c == '\n') {
                out += "\\n";
            } else {
                out += c;
            }
        }
        out += "\"} ";
        out += std::to_string(n);
        out += '\n';
    }
}

}  // namespace sealpost::metrics
