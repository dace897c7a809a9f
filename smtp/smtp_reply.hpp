// SPDX-License-Identifier: Apache-2.0
// SMTP replies (RFC 5321 4.2): a code plus text lines, serialised with `NNN-`/`NNN ` prefixes,
// parsed incrementally from an upstream, with the RFC 3463 enhanced status code helpers.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/core_result.hpp"

namespace sealpost::smtp {

/// One (possibly multi-line) reply. `lines` hold the text after `NNN-`/`NNN `, without CRLF.
struct Reply {
    int code = 0;
    std::vector<std::string> lines;

    [[nodiscard]] int klass() const noexcept { return code / 100; }
    [[nodiscard]] bool positive() const noexcept { return code >= 200 && code < 400; }
    /// Wire form: every line `NNN-text\r\n` except the last, `NNN text\r\n`.
    [[nodiscard]] std::string serialize() const;
    /// The first line's text, for logs (never used for AUTH challenges).
    [[nodiscard]] std::string_view first_line() const noexcept {
        return lines.empty() ? std::string_view{} : std::string_view(lines.front());
    }
};

/// A single-line reply `code enhanced text` (enhanced may be empty, e.g. for 220 and 354).
Reply make_reply(int code, std::string_view enhanced, std::string_view text);

/// The RFC 3463 status code (`class.subject.detail`) at the start of `text`, or empty.
std::string_view enhanced_code(std::string_view text) noexcept;

/// Makes sure every line of a 2xx/4xx/5xx reply starts with an enhanced status code matching
/// its class (RFC 2034 section 4), inserting `X.0.0` where an upstream sent none.
void ensure_enhanced(Reply& reply);

/// Incremental parser for the lines of one reply (RFC 5321 4.2.1). Feed it lines without the
/// line ending; it says when the reply is complete. Rejects mixed codes and malformed lines.
class ReplyParser {
  public:
    static constexpr std::size_t max_lines = 200;
    static constexpr std::size_t max_line = 2048;

    /// Ok(true) when `line` completed the reply (then take() it), Ok(false) when more lines
    /// are needed, an Errc::corrupt error when the line is not part of a valid reply.
    Result<bool> feed(std::string_view line);
    Reply take();

  private:
    Reply cur_;
};

/// Parses a whole reply given as text with CRLF line ends (tests, golden files).
Result<Reply> parse_reply(std::string_view text);

}  // namespace sealpost::smtp
