// SPDX-License-Identifier: Apache-2.0
// Listening sockets (net_listen.hpp): bind with SO_REUSEADDR, one readable startup error.
#include "net/net_listen.hpp"

#include <stdexcept>
#include <string>

namespace sealpost {

namespace {
namespace net = boost::asio;
using tcp = net::ip::tcp;
}  // namespace

tcp::acceptor listen_on(net::io_context& io, const Endpoint& where, std::string_view what) {
    boost::system::error_code ec;
    const auto addr = net::ip::make_address(where.address, ec);
    if (ec) {
        throw std::runtime_error(std::string(what) + ": bad address " + where.address);
    }
    const tcp::endpoint ep(addr, where.port);
    tcp::acceptor acc(io);
    acc.open(ep.protocol(), ec);
    if (!ec) {
        acc.set_option(net::socket_base::reuse_address(true), ec);
    }
    if (!ec) {
        acc.bind(ep, ec);
    }
    if (!ec) {
        acc.listen(net::socket_base::max_listen_connections, ec);
    }
    if (ec) {
        throw std::runtime_error(std::string(what) + ": cannot listen on " + where.to_string() +
                                 ": " + ec.message());
    }
    return acc;
}

tcp::acceptor listen_on_loopback(net::io_context& io, const Endpoint& where,
                                 std::string_view what) {
    if (!is_loopback_ip(where.address)) {
        throw std::runtime_error(std::string(what) +
                                 " must be a loopback address (metrics are not for the internet)");
    }
    return listen_on(io, where, what);
}

}  // namespace sealpost
