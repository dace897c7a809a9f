// SPDX-License-Identifier: Apache-2.0
// The admin HTTP listener (net_admin.hpp), on Beast: the method check, the two pages and the
// headers every answer carries, in one place for both daemons.
#include "net/net_admin.hpp"

#include <chrono>
#include <utility>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "core/core_log.hpp"
#include "core/core_metrics.hpp"
#include "net/net_listen.hpp"

namespace sealpost {

namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using net::ip::tcp;

constexpr std::size_t kHeaderLimit = std::size_t{8} * 1024;
constexpr std::chrono::seconds kTimeout{10};
/// After a failed accept (e.g. out of file descriptors): a pause, not a busy loop.
constexpr std::chrono::milliseconds kAcceptPause{100};

struct Page {
    http::status status = http::status::ok;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
};

}  // namespace

AdminListener::AdminListener(net::io_context& io, const Endpoint& where, std::string_view key)
    : io_(io),
      acceptor_(listen_on_loopback(io, where, key)),
      section_(key.substr(0, key.find('.'))) {}

void AdminListener::start(net::any_io_executor blocking, AdminPages pages) {
    blocking_ = std::move(blocking);
    pages_ = std::move(pages);
    net::co_spawn(io_, accept_loop(), net::detached);
}

void AdminListener::stop() {
    boost::system::error_code ec;
    acceptor_.close(ec);
}

net::awaitable<void> AdminListener::accept_loop() {
    for (;;) {
        boost::system::error_code ec;
        tcp::socket sock =
            co_await acceptor_.async_accept(net::redirect_error(net::use_awaitable, ec));
        if (ec == net::error::operation_aborted || !acceptor_.is_open()) {
            co_return;
        }
        if (ec) {
            log::warn(section_ + ".admin_accept_failed").kv("detail", ec.message());
            net::steady_timer pause(io_, kAcceptPause);
            co_await pause.async_wait(net::redirect_error(net::use_awaitable, ec));
            continue;
        }
        net::co_spawn(io_, serve(std::move(sock)), net::detached);
    }
}

net::awaitable<void> AdminListener::serve(tcp::socket sock) {
    beast::tcp_stream stream(std::move(sock));
    beast::flat_buffer buffer(kHeaderLimit);
    http::request_parser<http::empty_body> parser;
    parser.header_limit(kHeaderLimit);
    boost::system::error_code ec;
    stream.expires_after(kTimeout);
    co_await http::async_read(stream, buffer, parser, net::redirect_error(net::use_awaitable, ec));
    if (ec) {
        co_return;
    }
    const auto& req = parser.get();
    const std::string target(req.target());
    const bool head = req.method() == http::verb::head;
    Page page;
    if (req.method() != http::verb::get && !head) {
        page.status = http::status::method_not_allowed;
        page.body = "method not allowed\n";
    } else if (target == "/metrics" || target == "/healthz") {
        const bool want_metrics = target == "/metrics";
        const AdminPages& pages = pages_;
        page = co_await net::co_spawn(
            blocking_,
            [&pages, want_metrics]() -> net::awaitable<Page> {
                Page p;
                if (want_metrics) {
                    p.content_type = std::string(metrics::kContentType);
                    p.body = pages.metrics();
                } else if (std::string why = pages.unhealthy(); why.empty()) {
                    p.body = "ok\n";
                } else {
                    p.status = http::status::service_unavailable;
                    p.body = std::move(why) + "\n";
                }
                co_return p;
            },
            net::use_awaitable);
    } else {
        page.status = http::status::not_found;
        page.body = "not found\n";
    }
    http::response<http::string_body> res{page.status, 11};
    res.set(http::field::content_type, page.content_type);
    res.set(http::field::cache_control, "no-store");
    if (page.status == http::status::method_not_allowed) {
        res.set(http::field::allow, "GET, HEAD");
    }
    res.keep_alive(false);
    res.body() = std::move(page.body);
    res.prepare_payload();
    stream.expires_after(kTimeout);
    if (head) {
        // RFC 9110 9.3.2: the GET answer's header fields (Content-Length included), no body.
        http::response<http::empty_body> head_res{std::move(res.base())};
        co_await http::async_write(stream, head_res, net::redirect_error(net::use_awaitable, ec));
    } else {
        co_await http::async_write(stream, res, net::redirect_error(net::use_awaitable, ec));
    }
    log::debug(section_ + ".admin_request")
        .kv("target", target)
        .kv("status", static_cast<unsigned>(page.status));
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

}  // namespace sealpost
