// SPDX-License-Identifier: Apache-2.0
// Structured key=value logging on top of spdlog, and masking of personal data.
#include "core/core_log.hpp"

#include <stdexcept>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "core/core_hex.hpp"
#include "core/core_phone.hpp"
namespace sealpost::log {

void init(std::string_view program, std::string_view level) {
    auto lvl = spdlog::level::from_str(std::string(level));
    if (lvl == spdlog::level::off && level != "off") {
        throw std::invalid_argument("unknown log level: " + std::string(level));
    }
    auto logger = spdlog::stderr_logger_mt(std::string(program));
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%eZ %l prog=%n %v", spdlog::pattern_time_type::utc);
    logger->set_level(lvl);
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(logger);
}

std::string escape_value(std::string_view value) {
    bool needs_quotes = value.empty();
    for (char c : value) {
        auto u = static_cast<unsigned char>(c);
        if (u <= 0x20 || u == 0x7f || c == '"' || c == '=' || c == '\\') {
            needs_quotes = true;
            break;
        }
    }
    if (!needs_quotes) {
        return std::string(value);
    }
    std::string out = "\"";
    for (char c : value) {
        auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20 || u == 0x7f) {
            out += "\\x";
            hex::append(out, u);
        } else {
            out += c;
        }
    }
    out += '"';
    return out;
}

Line::Line(spdlog::level::level_enum level, std::string_view event)
    : level_(level), on_(spdlog::should_log(level)) {
    if (on_) {
        text_ = "event=";
        text_ += escape_value(event);
    }
}

Line::~Line() {
    if (!on_) {
        return;
    }
    try {
        spdlog::log(level_, "{}", text_);
    } catch (...) {  // NOLINT(bugprone-empty-catch): a failed log write must not end the process
    }
}

Line& Line::kv(std::string_view key, std::string_view value) {
    if (!on_) {
        return *this;
    }
    text_ += ' ';
    text_ += key;
    text_ += '=';
    text_ += escape_value(value);
    return *this;
}

Line& Line::kv(std::string_view key, std::int64_t value) {
    if (!on_) {
        return *this;
    }
    return kv(key, std::string_view(std::to_string(value)));
}

Line& Line::kv(std::string_view key, std::uint64_t value) {
    if (!on_) {
        return *this;
    }
    return kv(key, std::string_view(std::to_string(value)));
}

std::string mask_address(std::string_view address) {
    auto at = address.rfind('@');
    if (at == std::string_view::npos || at == 0) {
        return "***";
    }
    std::string out;
    out += address[0];
    out += "***";
    out += address.substr(at);
    return out;
}

std::string mask_phone(std::string_view e164) {
    return "\u2022\u2022" + last_two_digits(e164);  // "••67"
}

}  // namespace sealpost::log
