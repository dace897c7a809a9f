// SPDX-License-Identifier: Apache-2.0
// Listening sockets for the daemons' listeners: the proxy's SMTP listeners, the portal's
// HTTPS listener and both admin listeners. Startup errors name the configuration key.
#pragma once

#include <string_view>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "core/core_config.hpp"

namespace sealpost {

/// A listening socket on `where` (SO_REUSEADDR; port 0 picks a free one). Throws
/// std::runtime_error (startup) naming `what`, e.g.
/// "proxy.admin_listen: cannot listen on 127.0.0.1:25: Address already in use".
boost::asio::ip::tcp::acceptor listen_on(boost::asio::io_context& io, const Endpoint& where,
                                         std::string_view what);
/// listen_on for an admin listener (/metrics, /healthz): an address that is not loopback is
/// refused before anything is bound, since metrics are not for the internet.
boost::asio::ip::tcp::acceptor listen_on_loopback(boost::asio::io_context& io,
                                                  const Endpoint& where, std::string_view what);

}  // namespace sealpost
