// SPDX-License-Identifier: Apache-2.0
// SMTP command parsing (RFC 5321 4.1): the verb, and the MAIL/RCPT paths with their ESMTP
// parameters (SIZE RFC 1870, BODY RFC 6152, SMTPUTF8 RFC 6531, DSN RFC 3461), validated and
// re-serialised in canonical form so nothing the client wrote is forwarded verbatim.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/core_result.hpp"

namespace sealpost::smtp {

enum class Verb {
    helo,
    ehlo,
    mail,
    rcpt,
    data,
    rset,
    noop,
    quit,
    vrfy,
    expn,
    help,
    starttls,
    auth,
    bdat,
    unknown
};

std::string_view verb_name(Verb v) noexcept;

/// A command line split into verb and argument text (everything after the first space).
struct Command {
    Verb verb = Verb::unknown;
    std::string args;
};

/// Splits a command line (without its CRLF). Errc::invalid_argument for control characters
/// or non-ASCII in the verb; an unknown verb is Verb::unknown, not an error.
Result<Command> parse_command(std::string_view line);

/// Why a MAIL/RCPT argument was refused, so the session can pick the RFC 5321/3463 reply.
enum class ArgError {
    syntax,         ///< 501 5.5.4: not `FROM:<path>` / `TO:<path>`
    bad_address,    ///< 501 5.1.7 (sender) / 501 5.1.3 (recipient)
    unknown_param,  ///< 555 5.5.4: an ESMTP parameter we did not advertise
    bad_param,      ///< 501 5.5.4: a known parameter with a bad value
    need_utf8,      ///< 553 5.6.7: non-ASCII address without SMTPUTF8 (RFC 6531 3.7.4.1)
};

struct ArgFailure {
    ArgError kind;
    std::string detail;  ///< for the operator's log only
};

/// MAIL FROM:<reverse-path> [SIZE=n] [BODY=7BIT|8BITMIME] [SMTPUTF8] [RET=FULL|HDRS] [ENVID=x]
struct MailArgs {
    std::string reverse_path;  ///< without brackets; empty = null sender `<>`
    std::optional<std::uint64_t> size;
    std::string body;  ///< "", "7BIT" or "8BITMIME"
    bool smtputf8 = false;
    std::string ret;    ///< "", "FULL" or "HDRS"
    std::string envid;  ///< xtext as received (RFC 3461 4.4), validated
    /// Canonical `MAIL FROM:<...> ...` line (no CRLF), the only form forwarded upstream.
    [[nodiscard]] std::string serialize(bool with_dsn) const;
};

/// RCPT TO:<forward-path> [NOTIFY=...] [ORCPT=...]
struct RcptArgs {
    std::string forward_path;  ///< without brackets
    std::string notify;        ///< "" or the NOTIFY value, upper-cased
    std::string orcpt;         ///< "" or the ORCPT value as received, validated
    [[nodiscard]] std::string serialize(bool with_dsn) const;
};

/// Extensions that the session advertised, so parameters for others are refused.
struct ParamPolicy {
    bool size = true;
    bool eightbitmime = true;
    bool smtputf8 = true;
    bool dsn = true;
};

/// Parses the arguments of MAIL (the text after `MAIL `).
std::variant<MailArgs, ArgFailure> parse_mail(std::string_view args, const ParamPolicy& policy);
/// Parses the arguments of RCPT (the text after `RCPT `). `smtputf8` is the transaction's.
std::variant<RcptArgs, ArgFailure> parse_rcpt(std::string_view args, const ParamPolicy& policy,
                                              bool smtputf8);

/// True when `address` is an acceptable mailbox (`local@domain`, or `postmaster` for RCPT),
/// within RFC 5321 4.5.3.1 lengths, with no controls, spaces (outside quotes) or brackets.
bool valid_mailbox(std::string_view address, bool allow_utf8);

}  // namespace sealpost::smtp
