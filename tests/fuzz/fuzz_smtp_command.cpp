// SPDX-License-Identifier: Apache-2.0
// Fuzz target for the SMTP command parser (parse_command, parse_mail, parse_rcpt). Byte 0 picks
// the advertised extensions and the transaction's SMTPUTF8; the rest is one command line.
// Invariants: an accepted command re-parses the same from its verb name and arguments; an
// accepted MAIL/RCPT has a valid path and serialises to a canonical line without CR, LF or NUL
// that parses back to the same values and serialises to the same line (a fixed point).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>
#include <variant>

#include "core/core_hex.hpp"
#include "smtp/smtp_command.hpp"

using namespace sealpost::smtp;

namespace {

[[noreturn]] void fail(std::string_view what, std::string_view line) {
    std::cerr << "fuzz_smtp_command: " << what << " for line [";
    for (char c : line) {
        const auto u = static_cast<unsigned char>(c);
        if (u >= 0x20 && u < 0x7f) {
            std::cerr << c;
        } else {
            std::string escaped = "\\x";
            sealpost::hex::append(escaped, u);
            std::cerr << escaped;
        }
    }
    std::cerr << "]\n";
    std::abort();
}

bool wire_safe(std::string_view s) {
    return s.find_first_of(std::string_view("\r\n\0", 3)) == std::string_view::npos;
}

bool same(const MailArgs& a, const MailArgs& b) {
    return a.reverse_path == b.reverse_path && a.size == b.size && a.body == b.body &&
           a.smtputf8 == b.smtputf8 && a.ret == b.ret && a.envid == b.envid;
}

bool same(const RcptArgs& a, const RcptArgs& b) {
    return a.forward_path == b.forward_path && a.notify == b.notify && a.orcpt == b.orcpt;
}

/// The arguments of a canonical `VERB args` line, checking that it parses as `verb`.
std::string reparse_args(const std::string& line, Verb verb) {
    auto cmd = parse_command(line);
    if (!cmd || cmd->verb != verb) {
        fail("canonical line does not parse as its verb", line);
    }
    return cmd->args;
}

void check_mail(std::string_view args, const ParamPolicy& policy) {
    auto parsed = parse_mail(args, policy);
    const auto* mail = std::get_if<MailArgs>(&parsed);
    if (mail == nullptr) {
        return;
    }
    if (!mail->reverse_path.empty() && !valid_mailbox(mail->reverse_path, mail->smtputf8)) {
        fail("accepted MAIL with an invalid reverse-path", args);
    }
    const std::string line = mail->serialize(policy.dsn);
    if (!wire_safe(line)) {
        fail("canonical MAIL holds CR, LF or NUL", line);
    }
    auto again = parse_mail(reparse_args(line, Verb::mail), policy);
    const auto* mail2 = std::get_if<MailArgs>(&again);
    if (mail2 == nullptr) {
        fail("canonical MAIL is refused", line);
    }
    MailArgs expected = *mail;
    if (!policy.dsn) {
        expected.ret.clear();
        expected.envid.clear();
    }
    if (!same(expected, *mail2)) {
        fail("canonical MAIL parses to different values", line);
    }
    if (mail2->serialize(policy.dsn) != line) {
        fail("canonical MAIL is not a fixed point", line);
    }
}

void check_rcpt(std::string_view args, const ParamPolicy& policy, bool smtputf8) {
    auto parsed = parse_rcpt(args, policy, smtputf8);
    const auto* rcpt = std::get_if<RcptArgs>(&parsed);
    if (rcpt == nullptr) {
        return;
    }
    if (!valid_mailbox(rcpt->forward_path, smtputf8)) {
        fail("accepted RCPT with an invalid forward-path", args);
    }
    const std::string line = rcpt->serialize(policy.dsn);
    if (!wire_safe(line)) {
        fail("canonical RCPT holds CR, LF or NUL", line);
    }
    auto again = parse_rcpt(reparse_args(line, Verb::rcpt), policy, smtputf8);
    const auto* rcpt2 = std::get_if<RcptArgs>(&again);
    if (rcpt2 == nullptr) {
        fail("canonical RCPT is refused", line);
    }
    if (!same(*rcpt, *rcpt2)) {
        fail("canonical RCPT parses to different values", line);
    }
    if (rcpt2->serialize(policy.dsn) != line) {
        fail("canonical RCPT is not a fixed point", line);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < 1) {
        return 0;
    }
    const unsigned flags = data[0];
    ParamPolicy policy;
    policy.size = (flags & 1U) == 0;
    policy.eightbitmime = (flags & 2U) == 0;
    policy.smtputf8 = (flags & 4U) == 0;
    policy.dsn = (flags & 8U) == 0;
    const bool smtputf8 = (flags & 16U) != 0;
    const std::string_view line(reinterpret_cast<const char*>(data + 1), size - 1);

    auto cmd = parse_command(line);
    if (!cmd) {
        return 0;
    }
    if (!wire_safe(line)) {
        fail("accepted a command holding CR, LF or NUL", line);
    }
    // Same verb and arguments when rebuilt from the canonical verb name.
    const std::string rebuilt = std::string(verb_name(cmd->verb)) + " " + cmd->args;
    auto again = parse_command(rebuilt);
    if (!again || again->verb != cmd->verb || again->args != cmd->args) {
        fail("command does not re-parse the same", line);
    }
    // Both argument parsers on every line: the fuzzer need not find the verb first.
    check_mail(cmd->args, policy);
    check_rcpt(cmd->args, policy, smtputf8);
    return 0;
}
