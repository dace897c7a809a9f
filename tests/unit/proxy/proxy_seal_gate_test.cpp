// SPDX-License-Identifier: Apache-2.0
// Unit tests for the sealing gate: at most N permits at once, waiters served in order.
#include <utility>

#include <catch2/catch.hpp>

#include <vector>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "proxy/proxy_seal_gate.hpp"

using namespace sealpost::proxy;
namespace asio = boost::asio;

namespace {
asio::awaitable<void> take(std::shared_ptr<SealGate> gate, int id, std::vector<int>& order,
                           std::vector<SealGate::Permit>& held) {
    auto p = co_await gate->acquire();
    order.push_back(id);
    held.push_back(std::move(p));
}
}  // namespace

TEST_CASE("the gate hands out its permits, then serves waiters in order as permits return") {
    asio::io_context io;
    auto gate = std::make_shared<SealGate>(io.get_executor(), 2);
    std::vector<int> order;
    std::vector<SealGate::Permit> held;
    for (int i = 0; i < 4; ++i) {
        asio::co_spawn(io, take(gate, i, order, held), asio::detached);
    }
    io.run_for(std::chrono::milliseconds(50));
    io.restart();
    CHECK(order == std::vector<int>{0, 1});
    held.erase(held.begin());  // one permit back: the first waiter gets it
    io.run_for(std::chrono::milliseconds(50));
    io.restart();
    CHECK(order == std::vector<int>{0, 1, 2});
    held.clear();  // both back: the last waiter gets one, one stays free
    io.run_for(std::chrono::milliseconds(50));
    CHECK(order == std::vector<int>{0, 1, 2, 3});
}
