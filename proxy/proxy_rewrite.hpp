// The hook at the end of DATA where the sealing rewrite (DESIGN 3, "Sealing") slots in: it
// gets the transaction's envelope and the message, and returns one message per recipient
// group. The default is the identity: one group, all recipients, the message unchanged.
#pragma once

#include <functional>
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

/// One upstream transaction to make: the recipients (indexes into Envelope::rcpts) and the
/// message for them (CRLF lines, not dot-stuffed).
struct OutgoingMessage {
    std::vector<std::size_t> rcpts;
    std::string message;
};

/// A rewrite step. An error gives the client a temporary failure (fail closed: nothing is
/// sent); `Errc::invalid_argument` with a policy reject is for the sealing issue to refine.
using RewriteFn =
    std::function<Result<std::vector<OutgoingMessage>>(const Envelope&, std::string&&)>;

inline Result<std::vector<OutgoingMessage>> identity_rewrite(const Envelope& env,
                                                             std::string&& msg) {
    OutgoingMessage out;
    for (std::size_t i = 0; i < env.rcpts.size(); ++i) {
        out.rcpts.push_back(i);
    }
    out.message = std::move(msg);
    std::vector<OutgoingMessage> v;
    v.push_back(std::move(out));
    return v;
}

}  // namespace sealpost::proxy
