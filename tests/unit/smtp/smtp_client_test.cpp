// SPDX-License-Identifier: Apache-2.0
// Unit tests for the upstream SMTP client against a scripted in-process server: a whole
// send_mail transaction, response injection, and refusal of line breaks in commands.
#include <catch2/catch.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

#include "smtp/smtp_client.hpp"

using namespace sealpost;
using namespace sealpost::smtp;
namespace asio = boost::asio;

namespace {

/// Accepts one connection, sends `greeting`, then answers each line by its verb from `script`
/// (default 250), recording what it received.
asio::awaitable<void> fake_server(tcp::acceptor& acc, std::string greeting,
                                  std::map<std::string, std::string> script,
                                  std::vector<std::string>& got) {
    boost::system::error_code ec;
    auto sock = co_await acc.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec) {
        co_return;
    }
    co_await asio::async_write(sock, asio::buffer(greeting),
                               asio::redirect_error(asio::use_awaitable, ec));
    asio::streambuf in;
    bool in_data = false;
    for (;;) {
        const auto n = co_await asio::async_read_until(
            sock, in, "\r\n", asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            co_return;
        }
        std::string line(asio::buffers_begin(in.data()),
                         asio::buffers_begin(in.data()) + static_cast<std::ptrdiff_t>(n));
        in.consume(n);
        got.push_back(line);
        std::string answer;
        if (in_data) {
            if (line != ".\r\n") {
                continue;
            }
            in_data = false;
            answer = script.count("END") ? script["END"] : "250 2.0.0 queued\r\n";
        } else {
            const std::string verb = line.substr(0, line.find_first_of(" \r"));
            answer = script.count(verb) ? script[verb] : "250 OK\r\n";
            in_data = verb == "DATA" && answer.rfind("354", 0) == 0;
        }
        co_await asio::async_write(sock, asio::buffer(answer),
                                   asio::redirect_error(asio::use_awaitable, ec));
        if (line.rfind("QUIT", 0) == 0) {
            co_return;
        }
    }
}

struct Fixture {
    asio::io_context io;
    tcp::acceptor acc{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
    std::vector<std::string> got;

    ClientOptions options() {
        ClientOptions o;
        o.host = "127.0.0.1";
        o.port = acc.local_endpoint().port();
        o.tls = ClientTls::none;
        o.helo_name = "sealpost.test";
        o.connect_timeout = std::chrono::seconds(5);
        o.command_timeout = std::chrono::seconds(5);
        return o;
    }
};

}  // namespace

TEST_CASE("send_mail runs a whole transaction with dot-stuffing") {
    Fixture f;
    asio::co_spawn(f.io,
                   fake_server(f.acc, "220 up ESMTP\r\n",
                               {{"EHLO", "250-up\r\n250-SIZE 1000\r\n250 AUTH PLAIN\r\n"},
                                {"DATA", "354 go\r\n"}},
                               f.got),
                   asio::detached);
    // Catch2 v2 macros do not compile inside coroutines: collect, then check after run().
    Result<Reply> final_reply = make_error(Errc::internal);
    bool connected = false;
    bool hello_ok = false;
    Capabilities caps;
    asio::co_spawn(
        f.io,
        [&]() -> asio::awaitable<void> {
            Client c(f.io.get_executor(), nullptr, f.options());
            connected = (co_await c.connect()).ok();
            hello_ok = (co_await c.hello()).ok();
            caps = c.caps();
            // (a named vector: GCC 12 rejects a braced list inside a co_await expression)
            const std::vector<std::string> rcpts{"b@example.org"};
            final_reply = co_await c.send_mail("a@example.ch", rcpts, "S: x\r\n\r\n.dot\r\n");
            co_await c.quit();
        },
        asio::detached);
    f.io.run();
    CHECK(connected);
    CHECK(hello_ok);
    CHECK(caps.size == 1000);
    CHECK(caps.has_auth("plain"));
    REQUIRE(final_reply.ok());
    CHECK(final_reply->code == 250);
    const std::vector<std::string> expected = {"EHLO sealpost.test\r\n",
                                               "MAIL FROM:<a@example.ch>\r\n",
                                               "RCPT TO:<b@example.org>\r\n",
                                               "DATA\r\n",
                                               "S: x\r\n",
                                               "\r\n",
                                               "..dot\r\n",
                                               ".\r\n",
                                               "QUIT\r\n"};
    CHECK(f.got == expected);
}

TEST_CASE("bytes after a reply abort the session as corrupt") {
    Fixture f;
    asio::co_spawn(f.io, fake_server(f.acc, "220 up\r\n250 injected\r\n", {}, f.got),
                   asio::detached);
    Status st;
    bool still_connected = true;
    asio::co_spawn(
        f.io,
        [&]() -> asio::awaitable<void> {
            Client c(f.io.get_executor(), nullptr, f.options());
            st = co_await c.connect();
            still_connected = c.connected();
        },
        asio::detached);
    f.io.run();
    CHECK_FALSE(still_connected);
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == Errc::corrupt);
}

TEST_CASE("a command with a line break is refused before anything is sent") {
    Fixture f;
    asio::co_spawn(f.io, fake_server(f.acc, "220 up\r\n", {}, f.got), asio::detached);
    Result<Reply> r = make_error(Errc::internal);
    Result<Reply> m = make_error(Errc::internal);
    asio::co_spawn(
        f.io,
        [&]() -> asio::awaitable<void> {
            Client c(f.io.get_executor(), nullptr, f.options());
            (void)co_await c.connect();
            r = co_await c.command("NOOP\r\nRSET");
            const std::vector<std::string> rcpts{"b@example.org"};
            m = co_await c.send_mail("a@example.ch>\r\nRCPT TO:<x@y.ch", rcpts, "x\r\n");
            co_await c.quit();
        },
        asio::detached);
    f.io.run();
    REQUIRE_FALSE(r.ok());
    CHECK(r.error().code == Errc::invalid_argument);
    REQUIRE_FALSE(m.ok());
    CHECK(f.got == std::vector<std::string>{"QUIT\r\n"});
}

TEST_CASE("an unreachable upstream is unavailable") {
    asio::io_context io;
    std::uint16_t port = 0;
    {
        tcp::acceptor probe(io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
        port = probe.local_endpoint().port();
    }  // closed again: nothing listens there now
    Status st;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            ClientOptions o;
            o.host = "127.0.0.1";
            o.port = port;
            o.tls = ClientTls::none;
            Client c(io.get_executor(), nullptr, o);
            st = co_await c.connect();
        },
        asio::detached);
    io.run();
    REQUIRE_FALSE(st.ok());
    CHECK(st.error().code == Errc::unavailable);
}
