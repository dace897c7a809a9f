// SPDX-License-Identifier: Apache-2.0
// Output for people: times, sizes and aligned tables as the `sealpost` CLI prints them.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sealpost::admin {

/// `2026-11-27 10:02` in the local time zone (TZ), which is what the sysadmin reads on the host.
std::string format_time(std::chrono::system_clock::time_point t);
std::string format_time(std::int64_t unix_seconds);

/// `532 B`, `12.3 KiB`, `4.0 MiB`, `1.2 GiB` (binary units, one decimal above bytes).
std::string format_size(std::uint64_t bytes);

/// `value` made safe for one terminal line: control characters (C0, DEL, C1), bidirectional
/// overrides and bytes that are not well-formed UTF-8 are shown as `\xNN`; cut to `max`
/// characters with "...". Untrusted input must not move the cursor or fake a line.
std::string printable(std::string_view value, std::size_t max = 64);

/// Columns separated by two spaces, each as wide as its widest cell (bytes; the cells the CLI
/// prints are ASCII), no trailing blanks, one '\n' per row. The header row comes first.
std::string render_table(const std::vector<std::string>& header,
                         const std::vector<std::vector<std::string>>& rows);

}  // namespace sealpost::admin
