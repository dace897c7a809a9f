// The proxy's admin listener (see proxy_admin.hpp), on Beast like the portal's.
#include "proxy/proxy_admin.hpp"

#include <chrono>
#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include "core/core_log.hpp"
#include "core/core_metrics.hpp"
#include "smtp/smtp_stream.hpp"

namespace sealpost::proxy {

namespace beast = boost::beast;
namespace http = beast::http;
using net::ip::tcp;

namespace {

constexpr std::size_t kHeaderLimit = std::size_t{8} * 1024;
constexpr std::chrono::seconds kTimeout{10};

struct Page {
    http::status status = http::status::ok;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
};

}  // namespace

AdminListener::AdminListener(net::io_context& io, const Endpoint& where)
    : io_(io), acceptor_(smtp::listen_on_loopback(io, where, "proxy.admin_listen")) {}

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
            log::warn("proxy.admin_accept_failed").kv("detail", ec.message());
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
    Page page;
    if (req.method() != http::verb::get) {
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
                } else if (pages.healthy()) {
                    p.body = "ok\n";
                } else {
                    p.status = http::status::service_unavailable;
                    p.body = "vault unavailable\n";
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
        res.set(http::field::allow, "GET");
    }
    res.keep_alive(false);
    res.body() = std::move(page.body);
    res.prepare_payload();
    stream.expires_after(kTimeout);
    co_await http::async_write(stream, res, net::redirect_error(net::use_awaitable, ec));
    log::debug("proxy.admin_request").kv("target", target).kv("status", res.result_int());
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
}

}  // namespace sealpost::proxy
