// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the configuration loader (parse_config on TOML text) and, for short inputs,
// the duration and size parsers it uses. ConfigError is the expected outcome for bad input;
// any other exception escapes and is reported by libFuzzer.
// Invariants: a ConfigError is one printable line starting with the file name; an accepted
// config holds values within their documented ranges and parses the same a second time;
// format_duration/format_size give text that parses back to the same value.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>

#include "core/core_config.hpp"
#include "core/core_units.hpp"

using namespace sealpost;

namespace {

[[noreturn]] void fail(std::string_view what) {
    std::cerr << "fuzz_config: " << what << "\n";
    std::abort();
}

bool one_line(std::string_view s) {
    for (char c : s) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            return false;
        }
    }
    return true;
}

void check_units(std::string_view text) {
    if (auto d = parse_duration(text)) {
        if (d->count() < 0) {
            fail("negative duration");
        }
        auto back = parse_duration(format_duration(*d));
        if (!back || *back != *d) {
            fail("format_duration does not parse back to the same duration");
        }
    }
    if (auto n = parse_size(text)) {
        auto back = parse_size(format_size(*n));
        if (!back || *back != *n) {
            fail("format_size does not parse back to the same size");
        }
    }
}

void check_ranges(const Config& c) {
    const auto& p = c.proxy;
    const auto& v = c.vault;
    const auto& po = c.portal;
    const bool ok =
        p.max_command_line >= 512 && p.max_command_line <= 4096 && p.max_text_line >= 1000 &&
        p.max_text_line <= 65536 && p.max_recipients >= 1 && p.max_recipients <= 1000 &&
        p.max_message_size >= 1024 && p.max_message_size <= (1ULL << 30) && p.max_sessions >= 1 &&
        p.max_sessions <= 10000 && !p.listeners.empty() && v.map_size >= (1ULL << 20) &&
        v.map_size <= v.max_size && v.max_size <= (1ULL << 40) && v.retention >= v.link_ttl &&
        po.code_length >= 6 && po.code_length <= 10 && po.codes_per_day >= po.codes_per_window &&
        po.max_tries_total >= po.max_tries_per_code && po.session_absolute >= po.session_idle &&
        c.sms.retries <= 5 && (c.upstream.kind != UpstreamKind::smtp || c.upstream.port != 0);
    if (!ok) {
        fail("accepted a config with a value out of its documented range");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    if (size <= 64) {
        check_units(text);
    }
    Config cfg;
    try {
        cfg = parse_config(text, "fuzz.toml");
    } catch (const ConfigError& e) {
        const std::string_view what = e.what();
        if (!one_line(what) || what.substr(0, 10) != "fuzz.toml:") {
            fail("ConfigError message is not one line starting with the file name");
        }
        return 0;
    }
    check_ranges(cfg);
    try {
        if (!(parse_config(text, "fuzz.toml") == cfg)) {
            fail("the same text parsed twice gives different configs");
        }
    } catch (const ConfigError&) {
        fail("the same text parsed twice: accepted, then refused");
    }
    return 0;
}
