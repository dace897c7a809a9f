// SPDX-License-Identifier: Apache-2.0
// Durations (`30s`, `10m`, `1h`, `30d`, `2w`) and byte sizes (`512`, `64KiB`, `25MiB`) as
// written in sealpost.toml: parsing with overflow checks, and formatting back.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/core_result.hpp"

namespace sealpost {

/// `<digits><unit>` with unit s, m, h, d or w (exactly one, no spaces, no sign). `0s` is valid.
/// Errc::invalid_argument on anything else or when the value does not fit in seconds.
Result<std::chrono::seconds> parse_duration(std::string_view text);

/// `<digits>` (bytes) or `<digits><unit>` with unit B, KiB, MiB, GiB or TiB (IEC binary units,
/// case-sensitive; KB/MB/k are refused as ambiguous). Errc::invalid_argument on anything else or
/// on overflow of 64 bits.
Result<std::uint64_t> parse_size(std::string_view text);

/// The largest unit that represents `d` exactly: 3600s -> "1h", 90s -> "90s", 0 -> "0s".
/// Negative durations are formatted with a leading '-'.
std::string format_duration(std::chrono::seconds d);

/// The largest binary unit that represents `bytes` exactly: 26214400 -> "25MiB", 1000 -> "1000B".
std::string format_size(std::uint64_t bytes);

}  // namespace sealpost
