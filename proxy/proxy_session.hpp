// One client SMTP session of sealpost-proxy, shaped like OpenSMTPD's smtp_session.c: a state
// changed only through enter_state(), an optional transaction from MAIL to the end of DATA or
// RSET, and each command handled as check, then policy, then proceed. Driven in lockstep with
// one upstream session (DESIGN 3).
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "core/core_config.hpp"
#include "proxy/proxy_auth.hpp"
#include "proxy/proxy_metrics.hpp"
#include "proxy/proxy_reply.hpp"
#include "proxy/proxy_rewrite.hpp"
#include "proxy/proxy_upstream.hpp"
#include "smtp/smtp_command.hpp"
#include "smtp/smtp_stream.hpp"

namespace sealpost::proxy {

/// Read-only inputs shared by all sessions.
struct SessionEnv {
    const ProxyConfig* cfg = nullptr;
    std::string hostname;
    std::shared_ptr<const UpstreamSettings> upstream;
    std::shared_ptr<const UserDb> users;  ///< auth = local
    /// auth = local: scrypt runs here (tens of ms, 32 MiB each), not on the event loop.
    std::shared_ptr<net::thread_pool> auth_pool;
    RewriteFn rewrite = identity_rewrite;
    /// Where `rewrite` runs (GMime parsing, encryption and the vault's fsync take long enough
    /// to stall every session on the event loop); empty: inline.
    std::shared_ptr<net::thread_pool> rewrite_pool;
    /// Counters for /metrics, shared with the server.
    std::shared_ptr<ProxyMetrics> metrics = std::make_shared<ProxyMetrics>();
};

class Session : public std::enable_shared_from_this<Session> {
  public:
    Session(std::shared_ptr<const SessionEnv> env, ListenerKind kind, bool loopback_listener,
            smtp::tcp::socket socket, std::shared_ptr<net::ssl::context> tls);
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;

    /// The whole session; returns when it is closed.
    net::awaitable<void> run();
    /// SIGTERM: an idle session (no transaction, waiting for a command) says 421 and closes;
    /// one in a transaction finishes it first.
    void request_shutdown();
    /// End of the grace period: close now.
    void force_close();
    [[nodiscard]] const std::string& id() const noexcept { return sid_; }

  private:
    enum class State { init, tls, connected, helo, auth, body, quit };
    enum class Next { cont, close };

    struct Transaction {
        smtp::MailArgs mail;
        std::vector<smtp::RcptArgs> rcpts;
    };

    void enter_state(State s);
    net::awaitable<bool> send(const smtp::Reply& r);
    net::awaitable<Next> reply_next(const smtp::Reply& r);
    /// A refused command that counts as an error (RFC 5321 has no limit; OpenSMTPD's idea).
    net::awaitable<Next> refuse(R id);
    net::awaitable<Next> relay(smtp::Reply r);
    net::awaitable<Next> upstream_failed(const Error& e, std::string_view step);
    /// Closes the upstream session and forgets what depended on it.
    void drop_upstream();

    net::awaitable<Next> dispatch(std::string& line);
    net::awaitable<Next> cmd_ehlo(const std::string& args, bool esmtp);
    net::awaitable<Next> cmd_starttls(const std::string& args);
    net::awaitable<Next> cmd_auth(std::string& args);
    net::awaitable<Next> auth_passthrough(const std::string& mech, std::string& initial);
    net::awaitable<Next> auth_local(const std::string& mech, std::string& initial);
    net::awaitable<Next> cmd_mail(const std::string& args);
    net::awaitable<Next> cmd_rcpt(const std::string& args);
    net::awaitable<Next> cmd_data(const std::string& args);
    net::awaitable<Next> cmd_rset();
    net::awaitable<Next> cmd_quit();
    net::awaitable<Next> finish_message(std::string message);

    /// Reads one AUTH response line into `out` (wiped by the caller); false on close.
    net::awaitable<std::optional<smtp::Line>> read_auth_line();

    [[nodiscard]] smtp::Reply ehlo_reply() const;
    [[nodiscard]] std::vector<std::string> auth_mechanisms() const;
    [[nodiscard]] std::uint64_t size_limit() const;
    [[nodiscard]] bool may_auth() const;
    [[nodiscard]] smtp::ParamPolicy param_policy() const;
    [[nodiscard]] std::string received_header() const;
    /// auth = local and logged in: the sender addresses the login may use (MAIL FROM and the
    /// message's From:/Sender:); nullptr when senders are not bound (other auth modes, or a
    /// trusted network's session without AUTH). An unknown login (gone after a reload) binds
    /// to no address.
    [[nodiscard]] const SenderRules* bound_senders() const;
    void reset_transaction();

    std::shared_ptr<const SessionEnv> env_;
    const ProxyConfig& cfg_;
    ListenerKind kind_;
    bool loopback_listener_;
    std::shared_ptr<net::ssl::context> tls_ctx_;
    std::shared_ptr<smtp::Stream> stream_;
    std::unique_ptr<Upstream> upstream_;
    std::string sid_;
    std::string client_ip_;
    bool trusted_ = false;

    State state_ = State::init;
    bool esmtp_ = false;
    std::string helo_name_;
    bool authenticated_ = false;
    std::string auth_user_;          ///< local: the name; passthrough: "" (the upstream knows)
    bool upstream_greeted_ = false;  ///< the upstream answered our EHLO with 250
    bool upstream_own_auth_done_ = false;
    std::optional<Transaction> tx_;
    std::size_t bad_commands_ = 0;
    std::size_t messages_ = 0;
    bool waiting_for_command_ = false;
    bool shutdown_requested_ = false;
};

/// A fresh random session id (16 hex digits) for logs and the Received header.
std::string new_session_id();

}  // namespace sealpost::proxy
