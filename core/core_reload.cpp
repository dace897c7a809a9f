// SPDX-License-Identifier: Apache-2.0
// A reload's report and its log line (core_reload.hpp).
#include "core/core_reload.hpp"

#include "core/core_log.hpp"

namespace sealpost {

namespace {

std::string join(const std::vector<std::string>& list) {
    if (list.empty()) {
        return "none";
    }
    std::string out;
    for (const auto& n : list) {
        out += out.empty() ? "" : ",";
        out += n;
    }
    return out;
}

}  // namespace

void ReloadReport::applied(bool differs, std::string_view name) {
    if (differs) {
        changed_.emplace_back(name);
    }
}

void ReloadReport::needs_restart(bool differs, std::string_view name) {
    if (differs) {
        restart_.emplace_back(name);
    }
}

void ReloadReport::certificate(std::string_view before, std::string_view after) {
    applied(before != after, "tls_cert");
    fingerprint_ = after;
}

std::string ReloadReport::changed() const {
    return join(changed_);
}

std::string ReloadReport::restart() const {
    return join(restart_);
}

void ReloadReport::log_ok(std::string_view event) const {
    auto line = log::info(event);
    line.kv("result", "ok").kv("changed", changed());
    if (!fingerprint_.empty()) {
        line.kv("tls_sha256", fingerprint_);
    }
    line.kv("needs_restart", restart());
}

void ReloadReport::log_failed(std::string_view event, std::string_view detail) {
    log::error(event).kv("result", "failed").kv("detail", detail);
}

}  // namespace sealpost
