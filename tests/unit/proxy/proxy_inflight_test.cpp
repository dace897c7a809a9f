// SPDX-License-Identifier: Apache-2.0
// Unit tests for the in-flight budget: reservations, growth that does not fit, and the idle
// callback that trims the allocator after a burst.
#include <catch2/catch.hpp>

#include "proxy/proxy_inflight.hpp"

using namespace sealpost::proxy;

TEST_CASE("reservations fit within the limit and are returned by their leases") {
    auto b = std::make_shared<InflightBudget>(100, 0, nullptr);
    auto l1 = b->try_reserve(60);
    REQUIRE(l1);
    CHECK_FALSE(b->try_reserve(41));
    auto l2 = b->try_reserve(40);
    REQUIRE(l2);
    CHECK(b->in_use() == 100);
    l1.reset();
    CHECK(b->in_use() == 40);
    CHECK(b->try_reserve(60));
}

TEST_CASE("a lease grows only when the budget has room, and shrinks always") {
    auto b = std::make_shared<InflightBudget>(100, 0, nullptr);
    auto l = b->try_reserve(10);
    REQUIRE(l);
    auto other = b->try_reserve(50);
    REQUIRE(other);
    CHECK(l->resize(50));
    CHECK_FALSE(l->resize(51));
    CHECK(l->bytes() == 50);
    CHECK(l->resize(5));
    CHECK(b->in_use() == 55);
}

TEST_CASE("the idle callback runs when the budget empties after enough bytes") {
    int calls = 0;
    auto b = std::make_shared<InflightBudget>(1000, 100, [&calls] { ++calls; });
    { auto small = b->try_reserve(10); }
    CHECK(calls == 0);  // less than trim_after since the last time
    {
        auto a = b->try_reserve(60);
        auto c = b->try_reserve(60);
        a.reset();
        CHECK(calls == 0);  // not empty yet
    }
    CHECK(calls == 1);
    {
        InflightBudget::Lease moved;
        {
            auto l = b->try_reserve(200);
            REQUIRE(l);
            moved = std::move(*l);
        }
        CHECK(b->in_use() == 200);
    }
    CHECK(calls == 2);
    CHECK(b->in_use() == 0);
}
