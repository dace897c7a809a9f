// SPDX-License-Identifier: Apache-2.0
// Which addresses a login may send from (auth = local): the users file names them per login,
// and both the envelope sender (MAIL FROM, RFC 5321 4.1.1.2) and the originator fields of the
// message (From:, Sender:, Resent-From:, Resent-Sender:, RFC 5322 3.6.2 and 3.6.6) must be
// among them, so download notices and the policy's `from` rules follow the login, not the
// sender's choice.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/core_result.hpp"

namespace sealpost::proxy {

class SenderRules {
  public:
    /// Parses a users file's sender list: entries separated by commas (spaces around them
    /// allowed), each an address `mpa@praxis.ch` or a whole domain `@praxis.ch` (its
    /// addresses, not its subdomains'). Errc::invalid_argument naming what is wrong (never the
    /// entry itself) for an empty list, an empty entry, or an entry that is not an address or
    /// `@domain` (whitespace, control characters, `<>",:;` or a second `@`).
    static Result<SenderRules> parse(std::string_view list);
    /// The rules of a users-file line without a sender list: the login itself when it is an
    /// address (`local@domain`), else none (the login may authenticate but sends nothing).
    static SenderRules for_login(std::string_view login);

    /// True when `address` (an addr-spec, `local@domain`) is one of the addresses, or its
    /// domain one of the domains; compared ignoring ASCII case. "" (the null sender `<>`) is
    /// never allowed.
    [[nodiscard]] bool allows(std::string_view address) const;
    [[nodiscard]] bool empty() const noexcept { return addresses_.empty() && domains_.empty(); }

  private:
    std::vector<std::string> addresses_;  ///< lower-case
    std::vector<std::string> domains_;    ///< lower-case, without the `@`
};

/// The originator fields the end-of-DATA check reads (RFC 5322 3.6.2, 3.6.6).
inline constexpr std::string_view kOriginatorFields[] = {"From", "Sender", "Resent-From",
                                                         "Resent-Sender"};

/** Checks the originator fields of `message` (CRLF lines) against `rules`. Every mailbox that
 * GMime reads from them, and every `x@y` written in them raw or RFC 2047-decoded (display
 * names and comments included, so a reader that shows them differently sees nothing else),
 * must be allowed. Returns the canonical name of the first field that fails ("From" also when
 * there is no From: mailbox at all, or more than kMaxOriginatorFields originator fields), or
 * nullopt when all pass. A field over kMaxOriginatorBytes fails.
 */
std::optional<std::string_view> foreign_originator(const SenderRules& rules,
                                                   std::string_view message);

/// More originator fields than this refuse the message (RFC 5322 allows one From and one
/// Sender; Resent- blocks repeat, but not dozens of times); so does a field longer than
/// kMaxOriginatorBytes (a From: with a display name is well under 1 KiB). The check runs on
/// the session's event loop, so it stays small whatever a client sends.
inline constexpr std::size_t kMaxOriginatorFields = 20;
inline constexpr std::size_t kMaxOriginatorBytes = 4096;

}  // namespace sealpost::proxy
