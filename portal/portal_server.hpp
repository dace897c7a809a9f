// SPDX-License-Identifier: Apache-2.0
// sealpost-portal's network side: the HTTPS (or loopback HTTP) listener with its connection
// caps (in all and per client address), one coroutine per connection with a deadline on every
// operation (short ones for the handshake and request heads), the admin listener (/metrics,
// /healthz), the purge timer and signal handling: SIGTERM/SIGINT stop, SIGHUP reloads the TLS
// certificate, the pages and the practice's settings without dropping a connection. Routes
// live in portal_app.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>

#include "core/core_config.hpp"
#include "net/net_admin.hpp"
#include "net/net_conn_limit.hpp"
#include "portal/portal_app.hpp"
#include "portal/portal_metrics.hpp"

namespace sealpost::portal {

namespace net = boost::asio;
using tcp = net::ip::tcp;

class Server {
  public:
    /** Binds the portal and admin listeners on `io` (throws std::runtime_error at start when
     * it cannot: address in use, bad certificate, admin_listen not on loopback). Connections
     * are handed round-robin to `workers`, one single-threaded io_context per thread (as
     * nginx's worker processes: no locks and no hand-offs between threads on the hot path);
     * `io` may be one of them. `app`, `vault`, `cfg` and the contexts must outlive the
     * server. Blocking work runs on `pool`. */
    Server(net::io_context& io, std::vector<net::io_context*> workers, net::thread_pool& pool,
           const Config& cfg, App& app, vault::Vault& vault);

    /// Starts accepting, the purge timer and the signal handlers (TERM/INT stop, HUP reload).
    void start();

    /** Reads the config file again and puts its TLS certificate and key, page templates and
     * [practice] settings (name, logo, language, ...) in force for connections accepted from
     * now on; open connections keep theirs until they end. Other changed settings (listen
     * addresses, [vault], [sms], limits) are logged as needing a restart and keep their old
     * values. Anything that fails (config, certificate, template, logo) keeps everything as it
     * was. Logs one line, `event=portal.reload result=ok|failed ...`. Runs on `io`. */
    void reload();

    [[nodiscard]] tcp::endpoint portal_endpoint() const { return portal_.local_endpoint(); }
    [[nodiscard]] tcp::endpoint admin_endpoint() const { return admin_.endpoint(); }
    [[nodiscard]] bool tls() const noexcept { return cfg_.portal.tls; }

  private:
    net::awaitable<void> accept_loop();
    /// One client connection; `slot` holds its place in the connection caps until it ends.
    /// `tls` (null: plain HTTP) and `look` are those in force at accept: kept until it ends.
    net::awaitable<void> serve(tcp::socket sock, std::uint64_t id, ConnLimiter::Slot slot,
                               std::shared_ptr<net::ssl::context> tls,
                               std::shared_ptr<const Appearance> look);
    /// What the admin listener's /metrics and /healthz say.
    AdminPages admin_pages();
    net::awaitable<void> purge_loop();
    void stop();

    net::io_context& io_;
    std::vector<net::io_context*> workers_;
    std::size_t next_worker_ = 0;
    net::thread_pool& pool_;
    const Config& cfg_;
    App& app_;
    vault::Vault& vault_;
    std::shared_ptr<net::ssl::context> tls_;  ///< in force for new connections; only on io_
    Config live_;          ///< the config last put in force (start or reload); only on io_
    ConnLimiter limiter_;  ///< portal.max_connections in all and per address
    tcp::acceptor portal_;
    AdminListener admin_;
    net::signal_set signals_;
    std::atomic<std::uint64_t> next_id_{0};
    std::atomic<bool> stopping_{false};
    Metrics metrics_;
};

}  // namespace sealpost::portal
