// SPDX-License-Identifier: Apache-2.0
// The admin HTTP listener of both daemons (proxy.admin_listen, portal.admin_listen; loopback
// only): GET or HEAD /metrics (Prometheus text format 0.0.4) and /healthz over plain HTTP/1.1,
// one request per connection. Every other method gets 405 with Allow (RFC 9110 15.5.6); every
// answer carries Cache-Control: no-store, since a cached /healthz would report a dead daemon
// alive. Each daemon supplies only what its two pages say.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "core/core_config.hpp"

namespace sealpost {

/// What a daemon's admin pages say. Both run on the `blocking` executor given to
/// AdminListener::start(), never on the event loop (they read the vault).
struct AdminPages {
    std::function<std::string()> metrics;  ///< the /metrics body (Prometheus text)
    /// Why the daemon cannot work: "" when it can (/healthz is 200 "ok"), else a fixed phrase
    /// such as "vault unavailable" (503). Never internal error text.
    std::function<std::string()> unhealthy;
};

class AdminListener {
  public:
    /** Binds `where` on `io`; `key` is the configuration key (e.g. "portal.admin_listen"),
     * named in startup errors, and its section names the log events (portal.admin_request).
     * Throws std::runtime_error at start when `where` is not a loopback address (metrics are
     * not for the internet) or cannot be bound. */
    AdminListener(boost::asio::io_context& io, const Endpoint& where, std::string_view key);
    AdminListener(const AdminListener&) = delete;
    AdminListener& operator=(const AdminListener&) = delete;

    [[nodiscard]] boost::asio::ip::tcp::endpoint endpoint() const {
        return acceptor_.local_endpoint();
    }
    /// Starts accepting; each request has 10 s to arrive and be answered.
    void start(boost::asio::any_io_executor blocking, AdminPages pages);
    /// Stops accepting (requests in flight finish).
    void stop();

  private:
    boost::asio::awaitable<void> accept_loop();
    boost::asio::awaitable<void> serve(boost::asio::ip::tcp::socket sock);

    boost::asio::io_context& io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    std::string section_;  ///< "proxy" or "portal": the log events' prefix
    boost::asio::any_io_executor blocking_;
    AdminPages pages_;
};

}  // namespace sealpost
