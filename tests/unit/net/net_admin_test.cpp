// SPDX-License-Identifier: Apache-2.0
// The admin HTTP listener both daemons use, over real loopback sockets: the two pages, HEAD,
// 404, 503 from the health producer, 405 with Allow for every other method, no-store on every
// answer, and the loopback-only rule.
#include <catch2/catch.hpp>

#include <atomic>
#include <stdexcept>
#include <string>
#include <thread>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/asio/write.hpp>

#include "net/net_admin.hpp"

namespace asio = boost::asio;
using sealpost::AdminListener;
using sealpost::AdminPages;
using sealpost::Endpoint;

namespace {

/// An admin listener on 127.0.0.1:0, its event loop on a thread of its own.
struct Admin {
    asio::io_context io;
    asio::thread_pool pool{1};
    AdminListener listener{io, Endpoint{"127.0.0.1", 0}, "test.admin_listen"};
    std::atomic<bool> healthy{true};
    std::thread loop;

    Admin() {
        AdminPages pages;
        pages.metrics = [] { return std::string("sealpost_test_total 1\n"); };
        pages.unhealthy = [this] {
            return healthy ? std::string() : std::string("vault unavailable");
        };
        listener.start(pool.get_executor(), std::move(pages));
        loop = std::thread([this] { io.run(); });
    }
    Admin(const Admin&) = delete;
    Admin& operator=(const Admin&) = delete;
    ~Admin() {
        // stop() ends the accept loop: the event loop then runs out of work and returns.
        asio::post(io, [this] { listener.stop(); });
        loop.join();
        pool.join();
    }

    /// Sends `request` as is and returns everything the listener answers until it closes.
    std::string ask(const std::string& request) {
        asio::io_context client;
        asio::ip::tcp::socket sock(client);
        sock.connect(listener.endpoint());
        asio::write(sock, asio::buffer(request));
        std::string answer;
        boost::system::error_code ec;
        asio::read(sock, asio::dynamic_buffer(answer), ec);
        return answer;
    }
};

std::string get(Admin& a, const std::string& method, const std::string& target) {
    return a.ask(method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
}

std::string body_of(const std::string& answer) {
    const auto end = answer.find("\r\n\r\n");
    return end == std::string::npos ? std::string() : answer.substr(end + 4);
}

}  // namespace

TEST_CASE("admin listener serves /metrics and /healthz with no-store", "[net][admin]") {
    Admin a;
    const std::string metrics = get(a, "GET", "/metrics");
    CHECK(metrics.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(metrics.find("\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\n") !=
          std::string::npos);
    CHECK(metrics.find("\r\nCache-Control: no-store\r\n") != std::string::npos);
    CHECK(body_of(metrics) == "sealpost_test_total 1\n");

    const std::string health = get(a, "GET", "/healthz");
    CHECK(health.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(health.find("\r\nContent-Type: text/plain; charset=utf-8\r\n") != std::string::npos);
    CHECK(health.find("\r\nCache-Control: no-store\r\n") != std::string::npos);
    CHECK(body_of(health) == "ok\n");

    a.healthy = false;
    const std::string sick = get(a, "GET", "/healthz");
    CHECK(sick.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0) == 0);
    CHECK(sick.find("\r\nCache-Control: no-store\r\n") != std::string::npos);
    CHECK(body_of(sick) == "vault unavailable\n");
}

TEST_CASE("admin listener answers HEAD without a body", "[net][admin]") {
    Admin a;
    const std::string head = get(a, "HEAD", "/healthz");
    CHECK(head.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(head.find("\r\nContent-Length: 3\r\n") != std::string::npos);
    CHECK(head.find("\r\nCache-Control: no-store\r\n") != std::string::npos);
    CHECK(body_of(head).empty());
}

TEST_CASE("admin listener refuses other methods with 405 and Allow", "[net][admin]") {
    Admin a;
    for (const char* method : {"POST", "PUT", "DELETE", "OPTIONS"}) {
        INFO(method);
        const std::string r = get(a, method, "/metrics");
        CHECK(r.rfind("HTTP/1.1 405 Method Not Allowed\r\n", 0) == 0);
        CHECK(r.find("\r\nAllow: GET, HEAD\r\n") != std::string::npos);
        CHECK(r.find("\r\nCache-Control: no-store\r\n") != std::string::npos);
        CHECK(body_of(r) == "method not allowed\n");
    }
}

TEST_CASE("admin listener: unknown paths are 404", "[net][admin]") {
    Admin a;
    for (const char* target : {"/nope", "/metrics?x", "/healthz/", "/"}) {
        INFO(target);
        const std::string r = get(a, "GET", target);
        CHECK(r.rfind("HTTP/1.1 404 Not Found\r\n", 0) == 0);
        CHECK(r.find("\r\nCache-Control: no-store\r\n") != std::string::npos);
        CHECK(body_of(r) == "not found\n");
    }
}

TEST_CASE("admin listener binds loopback addresses only", "[net][admin]") {
    asio::io_context io;
    try {
        AdminListener l(io, Endpoint{"0.0.0.0", 0}, "proxy.admin_listen");
        FAIL("bound a non-loopback address");
    } catch (const std::runtime_error& e) {
        CHECK(std::string(e.what()) ==
              "proxy.admin_listen must be a loopback address (metrics are not for the internet)");
    }
}
