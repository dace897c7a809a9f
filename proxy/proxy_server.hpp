// SPDX-License-Identifier: Apache-2.0
// sealpost-proxy's server: binds the configured listeners and the admin listener, accepts
// within max_sessions, runs one Session per connection and the download-notice loop, re-reads
// the config on SIGHUP (TLS, templates, [practice], policy and users files for new sessions)
// and drains on SIGTERM within shutdown_grace (DESIGN 3).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/core_config.hpp"
#include "net/net_admin.hpp"
#include "net/net_conn_limit.hpp"
#include "proxy/proxy_notices.hpp"
#include "proxy/proxy_seal.hpp"
#include "proxy/proxy_session.hpp"

namespace sealpost::proxy {

struct BoundListener {
    ListenerKind kind;
    net::ip::tcp::endpoint endpoint;
};

class Server {
  public:
    /// Validates the configuration for the proxy, loads TLS, users, the sealing policy,
    /// templates and keys, opens the vault, checks [notify], and binds every listener and
    /// proxy.admin_listen (which must be loopback).
    /// Throws std::runtime_error (startup only) with a one-line reason.
    Server(net::io_context& io, const Config& cfg);
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    [[nodiscard]] const std::vector<BoundListener>& listeners() const noexcept { return bound_; }
    [[nodiscard]] net::ip::tcp::endpoint admin_endpoint() const { return admin_->endpoint(); }
    /// Starts accepting, the admin listener, the notice loop and the signal handlers
    /// (SIGTERM/SIGINT drain, SIGHUP reload).
    void start();
    /// Stops accepting (SMTP and admin) and the notice loop, asks idle sessions to close,
    /// stops the event loop when the last session ends or shutdown_grace has passed.
    void shutdown();
    /** Reads the config file again and puts in force, for sessions accepted from now on, its
     * TLS certificate and key, notice templates, [practice] settings (also for the download
     * notices), contact switches and users file; the policy file is re-read (a broken policy
     * keeps the old one and logs policy.reload_failed). Open sessions keep what they started
     * with. Other changed settings are logged as needing a restart and keep their values.
     * Anything else that fails keeps everything as it was. Logs one line,
     * `event=proxy.reload result=ok|failed ...`. */
    void reload();

  private:
    /// Gives freed memory back to the kernel once the in-flight budget stayed empty a while.
    struct Trimmer : std::enable_shared_from_this<Trimmer> {
        Trimmer(net::io_context& io, std::shared_ptr<net::thread_pool> pool);
        void arm();  ///< (re)starts the delay
        net::steady_timer timer;
        std::weak_ptr<InflightBudget> budget;

      private:
        std::shared_ptr<net::thread_pool> pool_;
    };

    net::awaitable<void> accept_loop(std::size_t index);
    void on_session_end(std::uint64_t id);

    net::io_context& io_;
    const Config& cfg_;  ///< as at start: what only a restart changes comes from here
    Config live_;        ///< the config last put in force (start or reload)
    std::shared_ptr<SealContext> seal_;
    std::shared_ptr<SessionShared> shared_;
    std::shared_ptr<ProxyMetrics> metrics_;
    std::shared_ptr<SessionLoad> load_;
    std::unique_ptr<ConnLimiter> conn_limit_;
    std::shared_ptr<Trimmer> trimmer_;
    std::unique_ptr<AdminListener> admin_;
    std::unique_ptr<NoticeLoop> notices_;
    std::shared_ptr<net::ssl::context> tls_;
    std::vector<net::ip::tcp::acceptor> acceptors_;
    std::vector<BoundListener> bound_;
    std::map<std::uint64_t, std::weak_ptr<Session>> sessions_;
    std::uint64_t next_id_ = 0;
    net::signal_set signals_;
    net::steady_timer grace_timer_;
    bool stopping_ = false;
};

/// Startup checks that keep a configuration from being an open relay or leaking in clear.
/// Throws std::runtime_error with the reason.
void validate_proxy_config(const Config& cfg);

}  // namespace sealpost::proxy
