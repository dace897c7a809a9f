// The hook at the end of DATA where the sealing rewrite (DESIGN 3, "Sealing") slots in: it
// gets the transaction's envelope and the message, and returns one message per recipient
// group, or a policy refusal. The default is the identity: one group, all recipients, the
// message unchanged (proxy_seal.hpp has the sealing one).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/core_result.hpp"
#include "smtp/smtp_command.hpp"

namespace sealpost::proxy {

struct Envelope {
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

/// One upstream transaction to make: the recipients (indexes into Envelope::rcpts) and the
/// message for them (CRLF lines, not dot-stuffed).
struct OutgoingMessage {
    std::vector<std::size_t> rcpts;
    std::string message;
    /// Called exactly once by the session with the group's outcome (sealing: mark the vault
    /// envelope sent, or discard it). Empty: nothing to do. Set exactly for a sealed copy (one
    /// vault envelope), which is what /metrics counts as sealed when the upstream accepts it.
    std::function<void(SendOutcome)> settle;
};

struct RewriteResult {
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
using RewriteFn = std::function<Result<RewriteResult>(const Envelope&, std::string&&)>;

/// Every recipient gets `msg` unchanged, in one transaction.
inline RewriteResult pass_all(const Envelope& env, std::string&& msg) {
    OutgoingMessage out;
    for (std::size_t i = 0; i < env.rcpts.size(); ++i) {
        out.rcpts.push_back(i);
    }
    out.message = std::move(msg);
    RewriteResult r;
    r.groups.push_back(std::move(out));
    return r;
}

inline Result<RewriteResult> identity_rewrite(const Envelope& env, std::string&& msg) {
    return pass_all(env, std::move(msg));
}

}  // namespace sealpost::proxy
