// Unit tests for the per-address connection cap: IPv4 per address, IPv6 per /64, mapped IPv4
// as IPv4, slots returned when dropped.
#include <catch2/catch.hpp>

#include <vector>

#include "smtp/smtp_conn_limit.hpp"

using namespace sealpost::smtp;
using boost::asio::ip::make_address;

TEST_CASE("an address gets at most per_address slots, and gets them back when dropped") {
    auto limit = ConnLimit::make(2);
    const auto a = make_address("192.0.2.7");
    std::vector<ConnLimit::Slot> held;
    for (int i = 0; i < 2; ++i) {
        auto s = limit->try_acquire(a);
        REQUIRE(s);
        held.push_back(std::move(*s));
    }
    CHECK_FALSE(limit->try_acquire(a));
    CHECK(limit->count(a) == 2);
    CHECK(limit->try_acquire(make_address("192.0.2.8")));  // another address is not affected
    held.pop_back();
    CHECK(limit->count(a) == 1);
    CHECK(limit->try_acquire(a));
}

TEST_CASE("IPv6 counts per /64") {
    auto limit = ConnLimit::make(1);
    auto s = limit->try_acquire(make_address("2001:db8:1:2::1"));
    REQUIRE(s);
    CHECK_FALSE(limit->try_acquire(make_address("2001:db8:1:2:ffff:1:2:3")));  // same /64
    CHECK(limit->try_acquire(make_address("2001:db8:1:3::1")));                // next /64
}

TEST_CASE("an IPv4-mapped IPv6 address counts as its IPv4 address") {
    auto limit = ConnLimit::make(1);
    auto s = limit->try_acquire(make_address("::ffff:192.0.2.7"));
    REQUIRE(s);
    CHECK_FALSE(limit->try_acquire(make_address("192.0.2.7")));
    CHECK(ConnLimit::key_of(make_address("::ffff:192.0.2.7")) ==
          ConnLimit::key_of(make_address("192.0.2.7")));
}

TEST_CASE("a moved slot is counted once") {
    auto limit = ConnLimit::make(3);
    const auto a = make_address("198.51.100.1");
    {
        auto s = limit->try_acquire(a);
        REQUIRE(s);
        ConnLimit::Slot moved = std::move(*s);
        CHECK(limit->count(a) == 1);
    }
    CHECK(limit->count(a) == 0);
}
