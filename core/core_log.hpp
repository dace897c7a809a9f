// SPDX-License-Identifier: Apache-2.0
// Structured logging: one `event=... key=value` line per event, through spdlog to stderr
// (journald under systemd). Helpers here mask addresses so no personal data reaches a log.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <spdlog/common.h>

namespace sealpost::log {

/// Configure the process-wide logger: `level` is one of trace, debug, info, warn, error.
/// Lines go to stderr; `program` names the process in each line (`prog=sealpost-proxy`).
/// Throws std::invalid_argument on an unknown level (startup only).
void init(std::string_view program, std::string_view level);

/// Builds one log line and emits it when destroyed:
///   Line(info, "smtp.mail").kv("sid", sid).kv("from", mask_address(a));
/// Values with spaces, quotes, '=' or control characters are quoted and escaped, so a hostile
/// value cannot forge a second line or a second key.
class Line {
  public:
    Line(spdlog::level::level_enum level, std::string_view event);
    ~Line();
    Line(const Line&) = delete;
    Line& operator=(const Line&) = delete;
    Line(Line&&) = delete;
    Line& operator=(Line&&) = delete;

    Line& kv(std::string_view key, std::string_view value);
    Line& kv(std::string_view key, const char* value) { return kv(key, std::string_view(value)); }
    Line& kv(std::string_view key, std::int64_t value);
    Line& kv(std::string_view key, std::uint64_t value);
    Line& kv(std::string_view key, int value) { return kv(key, static_cast<std::int64_t>(value)); }
    Line& kv(std::string_view key, unsigned value) {
        return kv(key, static_cast<std::uint64_t>(value));
    }
    Line& kv(std::string_view key, bool value) { return kv(key, value ? "true" : "false"); }

  private:
    spdlog::level::level_enum level_;
    bool on_;  ///< the level is enabled: a line that will not be written is not built either
    std::string text_;
};

inline Line info(std::string_view event) {
    return {spdlog::level::info, event};
}
inline Line warn(std::string_view event) {
    return {spdlog::level::warn, event};
}
inline Line error(std::string_view event) {
    return {spdlog::level::err, event};
}
inline Line debug(std::string_view event) {
    return {spdlog::level::debug, event};
}

/// Escape a value for a key=value line (quotes it when needed).
std::string escape_value(std::string_view value);

/// Mask a mail address for logs: `patient@example.ch` -> `p***@example.ch`.
std::string mask_address(std::string_view address);

/// Mask a phone number for logs and pages: `+41791234567` -> `••67` (its last two digits).
std::string mask_phone(std::string_view e164);

}  // namespace sealpost::log
