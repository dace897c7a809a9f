// SPDX-License-Identifier: Apache-2.0
// Where accepted mail goes: one upstream session per client session, driven in lockstep
// (DESIGN 3). Two kinds: an SMTP smarthost (smtp_upstream.cpp) and a local Maildir
// (smtp_maildir.cpp). Replies are the upstream's own; errors are values for proxy_reply.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include "core/core_config.hpp"
#include "core/core_result.hpp"
#include "smtp/smtp_client.hpp"
#include "smtp/smtp_command.hpp"
#include "smtp/smtp_reply.hpp"
#include "smtp/smtp_sasl.hpp"

namespace sealpost::smtp {

namespace net = boost::asio;

class Upstream {
  public:
    virtual ~Upstream() = default;

    /// Opens the session if it is not open, then says EHLO (again, which resets the upstream's
    /// transaction, RFC 5321 4.1.4). Returns the EHLO reply; caps() then holds its extensions.
    virtual net::awaitable<Result<smtp::Reply>> hello() = 0;
    [[nodiscard]] virtual const smtp::Capabilities& caps() const = 0;
    [[nodiscard]] virtual bool is_open() const = 0;

    virtual net::awaitable<Result<smtp::Reply>> mail(const smtp::MailArgs& args) = 0;
    virtual net::awaitable<Result<smtp::Reply>> rcpt(const smtp::RcptArgs& args) = 0;
    virtual net::awaitable<Result<smtp::Reply>> rset() = 0;
    /// DATA with `message` (unstuffed, CRLF lines); returns the final reply.
    virtual net::awaitable<Result<smtp::Reply>> data(std::string_view message) = 0;

    /// Passthrough AUTH: sends one line of the exchange (the AUTH command or a response) and
    /// wipes it. Only when caps().auth is not empty.
    virtual net::awaitable<Result<smtp::Reply>> auth_line(std::string& line) = 0;
    /// AUTH with sealpost's own [upstream] credentials (auth = local or none). Gives a 235
    /// without contacting anyone when no username is configured.
    virtual net::awaitable<Result<smtp::Reply>> auth_own() = 0;

    /// QUIT (best effort) and close.
    virtual net::awaitable<void> quit() = 0;
    /// Close at once (no QUIT): a transaction in progress is abandoned, never completed.
    virtual void close() noexcept = 0;
};

/// Shared, read-only inputs for making upstream sessions.
struct UpstreamSettings {
    UpstreamConfig cfg;
    std::string helo_name;
    std::uint64_t max_message_size = 0;
    std::chrono::seconds data_timeout{600};
    std::shared_ptr<net::ssl::context> tls_ctx;      ///< client context (smtp upstream)
    std::shared_ptr<const crypto::Secret> password;  ///< from password_file, may be empty
};

std::unique_ptr<Upstream> make_smtp_upstream(net::any_io_executor ex,
                                             std::shared_ptr<const UpstreamSettings> s);
std::unique_ptr<Upstream> make_maildir_upstream(std::shared_ptr<const UpstreamSettings> s);

/// What an upstream session needs from the configuration: the proxy's [upstream] for relayed
/// mail, the [notify] upstream for sealpost's own mails.
struct UpstreamOptions {
    UpstreamConfig upstream;
    std::string hostname;  ///< EHLO name when upstream.helo_name is empty ("": the system's)
    std::uint64_t max_message_size = 0;
    std::chrono::seconds data_timeout{600};
    /// The client's AUTH is relayed (proxy.auth = passthrough): then a password may cross the
    /// connection even without upstream.username, and the no-password-in-clear check counts it.
    bool relays_client_auth = false;
};

/// Builds the settings at startup: client TLS context, password file (must be mode 0600 or
/// stricter, not group/world readable), maildir folders. Throws on problems.
std::shared_ptr<const UpstreamSettings> load_upstream_settings(const UpstreamOptions& opts);

}  // namespace sealpost::smtp
