// sealpost-proxy's admin listener (proxy.admin_listen, loopback only): GET /metrics
// (Prometheus text 0.0.4) and GET /healthz over plain HTTP/1.1, one request per connection.
#pragma once

#include <functional>
#include <string>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "core/core_config.hpp"

namespace sealpost::proxy {

namespace net = boost::asio;

/// What the admin pages show. Both run on the `blocking` executor given to start(), never on
/// the sessions' event loop (they read the vault).
struct AdminPages {
    std::function<std::string()> metrics;  ///< the /metrics body
    std::function<bool()> healthy;         ///< /healthz: 200 when true, 503 when false
};

class AdminListener {
  public:
    /** Binds `where` on `io`. Throws std::runtime_error at start when `where` is not a
     * loopback address (metrics are not for the internet) or cannot be bound. */
    AdminListener(net::io_context& io, const Endpoint& where);

    [[nodiscard]] net::ip::tcp::endpoint endpoint() const { return acceptor_.local_endpoint(); }
    /// Starts accepting; each request has 10 s to arrive and be answered.
    void start(net::any_io_executor blocking, AdminPages pages);
    /// Stops accepting (requests in flight finish).
    void stop();

  private:
    net::awaitable<void> accept_loop();
    net::awaitable<void> serve(net::ip::tcp::socket sock);

    net::io_context& io_;
    net::ip::tcp::acceptor acceptor_;
    net::any_io_executor blocking_;
    AdminPages pages_;
};

}  // namespace sealpost::proxy
