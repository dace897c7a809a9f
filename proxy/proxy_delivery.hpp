// SPDX-License-Identifier: Apache-2.0
// The delivery plan made at the end of DATA: it gets the submission (who sent what to whom,
// RFC 6409) and the message, and returns one message per recipient group, or a refusal.
// Sealing (proxy_seal.hpp, architecture.md section 3) is the plan the daemon uses; the
// default passes the message unchanged to all recipients in one group. In this tree
// "envelope" means the vault's sealed envelope only, and "rewrite" only the MIME rewrite.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/core_result.hpp"
#include "smtp/smtp_command.hpp"

namespace sealpost::proxy {

/// What one SMTP transaction submitted: MAIL FROM, the accepted RCPT TOs, and who sent it.
struct Submission {
    std::string session_id;
    std::string client_ip;
    std::string auth_user;  ///< "" when not authenticated (trusted network)
    smtp::MailArgs mail;
    std::vector<smtp::RcptArgs> rcpts;  ///< recipients the upstream accepted, in order
};

/// What became of one group's upstream transaction.
enum class SendOutcome {
    accepted,  ///< the upstream answered 2xx to its DATA
    refused,   ///< never sent, or the upstream refused MAIL, RCPT or DATA with a reply
    unknown,   ///< the connection failed after the message was handed over
};

/// One upstream transaction to make: the recipients (indexes into Submission::rcpts) and the
/// message for them (CRLF lines, not dot-stuffed).
struct OutgoingMessage {
    std::vector<std::size_t> rcpts;
    std::string message;
    /// Called exactly once by the session with the group's outcome (sealing: mark the vault
    /// envelope sent, or discard it). Empty: nothing to do. Set exactly for a sealed copy (one
    /// vault envelope), which is what /metrics counts as sealed when the upstream accepts it.
    std::function<void(SendOutcome)> settle;
};

struct DeliveryPlan {
    std::vector<OutgoingMessage> groups;
    /// A refusal the sender must act on (policy reject, no mobile number): the text after
    /// `550 5.7.1 `. When set, `groups` is empty and nothing goes upstream.
    std::optional<std::string> refusal;
    /// A permanent refusal because of the message's MIME shape (the parser's `mime:<reason>`
    /// error, for an external recipient): reply_shape_refused() words it. When set,
    /// `groups` is empty, `refusal` is not set, and nothing goes upstream.
    std::optional<Error> shape_refusal;
};

/// A rewrite step. An error gives the client a temporary failure via reply_for() (fail
/// closed: nothing is sent); Errc::invalid_argument means "cannot be sealed safely".
using DeliveryFn = std::function<Result<DeliveryPlan>(const Submission&, std::string&&)>;

/// Every recipient gets `msg` unchanged, in one transaction.
inline DeliveryPlan pass_all(const Submission& sub, std::string&& msg) {
    OutgoingMessage out;
    for (std::size_t i = 0; i < sub.rcpts.size(); ++i) {
        out.rcpts.push_back(i);
    }
    out.message = std::move(msg);
    DeliveryPlan r;
    r.groups.push_back(std::move(out));
    return r;
}

inline Result<DeliveryPlan> deliver_unchanged(const Submission& sub, std::string&& msg) {
    return pass_all(sub, std::move(msg));
}

}  // namespace sealpost::proxy
