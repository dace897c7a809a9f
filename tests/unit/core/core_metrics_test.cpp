// SPDX-License-Identifier: Apache-2.0
// The Prometheus text format of /metrics: exact lines for samples, labelled families and the
// histogram's cumulative buckets.
#include <catch2/catch.hpp>

#include <chrono>

#include "core/core_metrics.hpp"

namespace sealpost::metrics {
namespace {

using std::chrono::milliseconds;

TEST_CASE("a sample has its HELP and TYPE lines") {
    std::string out;
    counter(out, "sealpost_x_total", "Things done.", 3);
    gauge(out, "sealpost_y", "Things open.", 0);
    CHECK(out ==
          "# HELP sealpost_x_total Things done.\n# TYPE sealpost_x_total counter\n"
          "sealpost_x_total 3\n"
          "# HELP sealpost_y Things open.\n# TYPE sealpost_y gauge\nsealpost_y 0\n");
}

TEST_CASE("a labelled family escapes its label values") {
    std::string out;
    labelled(out, "sealpost_r_total", "counter", "By reason.", "reason",
             {{"policy", 2}, {"a\"b\\c\nd", 1}});
    CHECK(out ==
          "# HELP sealpost_r_total By reason.\n# TYPE sealpost_r_total counter\n"
          "sealpost_r_total{reason=\"policy\"} 2\n"
          "sealpost_r_total{reason=\"a\\\"b\\\\c\\nd\"} 1\n");
}

TEST_CASE("histogram buckets are cumulative and end with +Inf") {
    Histogram h;
    h.observe(milliseconds(3));      // <= 0.005
    h.observe(milliseconds(5));      // <= 0.005 (bounds are inclusive)
    h.observe(milliseconds(200));    // <= 0.25
    h.observe(milliseconds(20000));  // only +Inf
    std::string out;
    h.render(out, "sealpost_d_seconds", "Durations.");
    CHECK(out ==
          "# HELP sealpost_d_seconds Durations.\n# TYPE sealpost_d_seconds histogram\n"
          "sealpost_d_seconds_bucket{le=\"0.005\"} 2\n"
          "sealpost_d_seconds_bucket{le=\"0.01\"} 2\n"
          "sealpost_d_seconds_bucket{le=\"0.025\"} 2\n"
          "sealpost_d_seconds_bucket{le=\"0.05\"} 2\n"
          "sealpost_d_seconds_bucket{le=\"0.1\"} 2\n"
          "sealpost_d_seconds_bucket{le=\"0.25\"} 3\n"
          "sealpost_d_seconds_bucket{le=\"0.5\"} 3\n"
          "sealpost_d_seconds_bucket{le=\"1\"} 3\n"
          "sealpost_d_seconds_bucket{le=\"2.5\"} 3\n"
          "sealpost_d_seconds_bucket{le=\"5\"} 3\n"
          "sealpost_d_seconds_bucket{le=\"10\"} 3\n"
          "sealpost_d_seconds_bucket{le=\"+Inf\"} 4\n"
          "sealpost_d_seconds_sum 20.208\n"
          "sealpost_d_seconds_count 4\n");
}

}  // namespace
}  // namespace sealpost::metrics
