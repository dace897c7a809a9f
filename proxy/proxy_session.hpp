// SPDX-License-Identifier: Apache-2.0
// One client SMTP session of sealpost-proxy, shaped like OpenSMTPD's smtp_session.c: a state
// changed only through enter_state(), an optional transaction from MAIL to the end of DATA or
// RSET, and a table of commands, each a check (may it run in this state with these arguments?)
// and a proceed (run it, policy included). Driven in lockstep with one upstream session
// (architecture §3).
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/thread_pool.hpp>

#include "core/core_config.hpp"
#include "net/net_conn_limit.hpp"
#include "net/net_stream.hpp"
#include "proxy/proxy_auth.hpp"
#include "proxy/proxy_delivery.hpp"
#include "proxy/proxy_inflight.hpp"
#include "proxy/proxy_metrics.hpp"
#include "proxy/proxy_reply.hpp"
#include "proxy/proxy_seal_gate.hpp"
#include "smtp/smtp_command.hpp"
#include "smtp/smtp_upstream.hpp"

/// The session's states (OpenSMTPD's STATE_*), in one list: the enum and the names in the
/// logs are both made from it, so a new state cannot be logged under another's name.
#define SEALPOST_SMTP_SESSION_STATES(X) X(init) X(tls) X(connected) X(helo) X(auth) X(body) X(quit)

namespace sealpost::proxy {

namespace net = boost::asio;

/// How many sessions are open, kept by the server and the sessions (event loop thread only):
/// the reserved room and stress mode are decided from it.
struct SessionLoad {
    std::size_t open = 0;          ///< every session
    std::size_t unprivileged = 0;  ///< neither from a trusted network nor authenticated

    /// Postfix's stress mode: at stress_threshold percent of max_sessions, or more.
    [[nodiscard]] bool stressed(const ProxyConfig& cfg) const noexcept {
        return open * 100 >= cfg.max_sessions * cfg.stress_threshold;
    }
};

/// Read-only inputs shared by all sessions.
struct SessionShared {
    const ProxyConfig* cfg = nullptr;
    std::string hostname;
    /// The language of refusals the practice's staff read (practice.refusal_lang()).
    Language language = Language::en;
    std::shared_ptr<const smtp::UpstreamSettings> upstream;
    std::shared_ptr<const UserDb> users;  ///< auth = local
    /// auth = local: scrypt runs here (tens of ms, 32 MiB each), not on the event loop.
    std::shared_ptr<net::thread_pool> auth_pool;
    DeliveryFn deliver = deliver_unchanged;
    /// Where `deliver` runs (GMime parsing, encryption and the vault's fsync take long enough
    /// to stall every session on the event loop); empty: inline.
    std::shared_ptr<net::thread_pool> seal_pool;
    /// Counters for /metrics, shared with the server.
    std::shared_ptr<ProxyMetrics> metrics = std::make_shared<ProxyMetrics>();
    /// Bytes of mail held over all sessions (max_inflight); empty: unbounded (unit tests).
    std::shared_ptr<InflightBudget> inflight;
    /// Large messages sealed at once; empty: no limit.
    std::shared_ptr<SealGate> seal_gate;
    /// Open sessions (the server's); empty: no reserved room, no stress mode.
    std::shared_ptr<SessionLoad> load;
};

class Session : public std::enable_shared_from_this<Session> {
  public:
    Session(std::shared_ptr<const SessionShared> env, ListenerKind kind, bool loopback_listener,
            net::ip::tcp::socket socket, std::shared_ptr<net::ssl::context> tls);
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
    ~Session();

    /// The per-address slot this connection holds (returned when the session ends).
    void hold(ConnLimiter::Slot slot) { slot_ = std::move(slot); }

    /// The whole session; returns when it is closed.
    net::awaitable<void> run();
    /// SIGTERM: an idle session (no transaction, waiting for a command) says 421 and closes;
    /// one in a transaction finishes it first.
    void request_shutdown();
    /// End of the grace period: close now.
    void force_close();
    [[nodiscard]] const std::string& id() const noexcept { return sid_; }

  private:
#define SEALPOST_SMTP_STATE_ENUMERATOR(name) name,
    enum class State : std::uint8_t {
        SEALPOST_SMTP_SESSION_STATES(SEALPOST_SMTP_STATE_ENUMERATOR)
    };
#undef SEALPOST_SMTP_STATE_ENUMERATOR
    enum class Next { cont, close };

    /// A command refused by its check: the reply, and whether it counts towards
    /// max_bad_commands (refuse()).
    struct Refused {
        R reply{};
        bool counts = true;
    };
    using Check = std::optional<Refused> (Session::*)(const std::string& args) const;
    using Proceed = net::awaitable<Next> (Session::*)(std::string& args);
    /// One entry of the command table (OpenSMTPD's `commands[]`). The verb's text is
    /// smtp::verb_name(), the parser's.
    struct Command {
        smtp::Verb verb;
        Check check;  ///< nullptr: allowed in every state, with any arguments
        Proceed proceed;
    };
    /// The table's entry for `verb`; nullptr for a command sealpost does not offer.
    static const Command* command_for(smtp::Verb verb);
    static std::string_view state_name(State s);

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

    /// Looks the command up in the table, runs its check, then its proceed.
    net::awaitable<Next> dispatch(std::string& line);

    // The checks: the state and the arguments' shape only; nothing is sent or relayed.
    [[nodiscard]] std::optional<Refused> check_helo(const std::string& args) const;
    [[nodiscard]] std::optional<Refused> check_starttls(const std::string& args) const;
    [[nodiscard]] std::optional<Refused> check_auth(const std::string& args) const;
    [[nodiscard]] std::optional<Refused> check_mail(const std::string& args) const;
    [[nodiscard]] std::optional<Refused> check_rcpt(const std::string& args) const;
    [[nodiscard]] std::optional<Refused> check_data(const std::string& args) const;

    // The proceeds: policy, the upstream, the reply.
    net::awaitable<Next> proceed_helo(std::string& args);
    net::awaitable<Next> proceed_ehlo(std::string& args);
    net::awaitable<Next> hello(const std::string& args, bool esmtp);
    net::awaitable<Next> proceed_starttls(std::string& args);
    net::awaitable<Next> proceed_auth(std::string& args);
    net::awaitable<Next> auth_passthrough(const std::string& mech, std::string& initial);
    net::awaitable<Next> auth_local(const std::string& mech, std::string& initial);
    net::awaitable<Next> proceed_mail(std::string& args);
    net::awaitable<Next> proceed_rcpt(std::string& args);
    net::awaitable<Next> proceed_data(std::string& args);
    net::awaitable<Next> proceed_rset(std::string& args);
    net::awaitable<Next> proceed_quit(std::string& args);
    net::awaitable<Next> proceed_noop(std::string& args);
    net::awaitable<Next> proceed_vrfy(std::string& args);
    net::awaitable<Next> proceed_help(std::string& args);
    net::awaitable<Next> finish_message(std::string message, InflightBudget::Lease lease);
    /// How long to wait for the next command: command_timeout, shortened before AUTH
    /// (preauth_timeout, and what is left of preauth_time_limit) and in stress mode.
    [[nodiscard]] std::chrono::steady_clock::duration command_wait() const;
    /// Authenticated: leaves the unprivileged count (the reserved room is now open to it).
    void mark_authenticated();

    /// Reads one AUTH response line (the caller wipes its text); nullopt when the session
    /// ends (timeout, with 421 sent, or the client gone).
    net::awaitable<std::optional<Line>> read_auth_line();

    [[nodiscard]] smtp::Reply ehlo_reply() const;
    [[nodiscard]] std::vector<std::string> auth_mechanisms() const;
    [[nodiscard]] std::uint64_t size_limit() const;
    [[nodiscard]] bool may_auth() const;
    [[nodiscard]] smtp::ParamPolicy param_policy() const;
    /// The Received header for the session's `n`th message.
    [[nodiscard]] std::string received_header(std::size_t n) const;
    /// auth = local and logged in: the sender addresses the login may use (MAIL FROM and the
    /// message's From:/Sender:); nullptr when senders are not bound (other auth modes, or a
    /// trusted network's session without AUTH). An unknown login (gone after a reload) binds
    /// to no address.
    [[nodiscard]] const SenderRules* bound_senders() const;
    void reset_transaction();

    std::shared_ptr<const SessionShared> shared_;
    const ProxyConfig& cfg_;
    ListenerKind kind_;
    bool loopback_listener_;
    std::shared_ptr<net::ssl::context> tls_ctx_;
    std::shared_ptr<Stream> stream_;
    std::unique_ptr<smtp::Upstream> upstream_;
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
    bool unprivileged_ = false;  ///< counted in SessionLoad::unprivileged
    std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
    ConnLimiter::Slot slot_;
};

/// A fresh random session id (16 hex digits) for logs and the Received header.
std::string new_session_id();

}  // namespace sealpost::proxy
