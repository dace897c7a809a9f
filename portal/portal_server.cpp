// SPDX-License-Identifier: Apache-2.0
// Listeners and connections of sealpost-portal: Beast HTTP/1.1 over TLS (or loopback HTTP
// behind a reverse proxy), keep-alive, size limits, a deadline on every read and write.
#include "portal/portal_server.hpp"

#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "core/core_log.hpp"
#include "core/core_reload.hpp"
#include "net/net_listen.hpp"
#include "net/net_signals.hpp"
#include "net/net_tls.hpp"
#include "portal/portal_reload.hpp"
#include "portal/portal_request.hpp"
#include "vault/vault_crypto.hpp"
#include "vault/vault_metrics.hpp"

namespace sealpost::portal {

namespace beast = boost::beast;
namespace http = beast::http;
using net::use_awaitable;

namespace {

std::string_view sv(beast::string_view s) {
    return {s.data(), s.size()};
}
beast::string_view bsv(std::string_view s) {
    return {s.data(), s.size()};
}

template <class Fields>
void apply_headers(Fields& f, const Response& r) {
    for (const auto& [name, value] : security_headers()) {
        f.set(bsv(name), bsv(value));
    }
    for (const auto& [name, value] : r.headers) {
        f.insert(bsv(name), bsv(value));  // insert: Set-Cookie may repeat
    }
}

}  // namespace

Server::Server(net::io_context& io, std::vector<net::io_context*> workers, net::thread_pool& pool,
               const Config& cfg, App& app, vault::Vault& vault)
    : io_(io),
      workers_(std::move(workers)),
      pool_(pool),
      cfg_(cfg),
      app_(app),
      vault_(vault),
      live_(cfg),
      limiter_(ConnLimiter::Limits{
          .total = cfg.portal.max_connections,
          .per_address = cfg.portal.max_connections_per_address,
          // The last tenth of the connections go to addresses that hold none yet: room for
          // patients while one address floods (its own cap does most).
          .reserved = cfg.portal.max_connections / 10}),
      portal_(listen_on(io, cfg.portal.listen, "portal.listen")),
      admin_(io, cfg.portal.admin_listen, "portal.admin_listen"),
      signals_(io) {
    app_.set_background([&pool](std::function<void()> job) { net::post(pool, std::move(job)); });
    if (cfg.portal.tls) {
        tls_ = make_server_tls_context(cfg.portal.tls_cert.string(), cfg.portal.tls_key.string());
    }
}

void Server::start() {
    net::co_spawn(io_, accept_loop(), net::detached);
    admin_.start(pool_.get_executor(), admin_pages());
    net::co_spawn(io_, purge_loop(), net::detached);
    watch_signals(
        signals_, "portal.signal", [this] { reload(); }, [this] { stop(); });
}

void Server::reload() {
    Config next;
    std::shared_ptr<const Appearance> look;
    std::shared_ptr<net::ssl::context> tls = tls_;
    try {
        next = load_config(cfg_.source);
        auto loaded = load_appearance(next);
        if (!loaded) {
            throw std::runtime_error(loaded.error().detail);
        }
        look = std::move(loaded).value();
        // A new context only when the listener speaks TLS; turning TLS on or off needs a
        // restart (the listener's kind), noted below.
        if (tls_) {
            tls = make_server_tls_context(next.portal.tls_cert.string(),
                                          next.portal.tls_key.string());
        }
    } catch (const std::exception& e) {
        // ConfigError names the file, line and key; the others the file: never a value.
        ReloadReport::log_failed("portal.reload", e.what());
        return;
    }
    ReloadReport report = portal_reload_report(live_, cfg_, next);
    report.applied(look->logo.bytes != app_.appearance()->logo.bytes, "logo");
    if (tls) {
        report.certificate(certificate_fingerprint(*tls_), certificate_fingerprint(*tls));
    }
    tls_ = std::move(tls);
    app_.set_appearance(std::move(look));
    live_ = std::move(next);
    report.log_ok("portal.reload");
}

void Server::stop() {
    if (stopping_.exchange(true)) {
        return;
    }
    boost::system::error_code ec;
    portal_.close(ec);
    admin_.stop();
    io_.stop();
    for (net::io_context* w : workers_) {
        w->stop();
    }
}

AdminPages Server::admin_pages() {
    // Both run on the worker pool (they read the vault), never on the event loop.
    AdminPages pages;
    pages.metrics = [&app = app_, &v = vault_, &m = metrics_, &limiter = limiter_] {
        auto stats = v.vault_stats();
        std::string out =
            render_metrics(app.counters(), m, limiter.open(), stats ? &*stats : nullptr);
        vault::render_pool_metrics(out, v);
        return out;
    };
    pages.unhealthy = [&v = vault_] {
        return v.vault_stats() ? std::string() : std::string("vault unavailable");
    };
    return pages;
}

net::awaitable<void> Server::accept_loop() {
    for (;;) {
        boost::system::error_code ec;
        // Each connection lives on one worker's single-threaded io_context from now on.
        net::io_context& home =
            workers_.empty() ? io_ : *workers_[next_worker_++ % workers_.size()];
        tcp::socket sock =
            co_await portal_.async_accept(home, net::redirect_error(use_awaitable, ec));
        if (stopping_) {
            co_return;
        }
        if (ec) {
            log::warn("portal.accept_failed").kv("detail", ec.message());
            net::steady_timer pause(io_, std::chrono::milliseconds(100));
            co_await pause.async_wait(net::redirect_error(use_awaitable, ec));
            continue;
        }
        const std::uint64_t id = ++next_id_;
        auto ex = sock.get_executor();
        const auto remote = sock.remote_endpoint(ec);
        const std::string peer = ec ? std::string("?") : remote.address().to_string();
        // The reverse proxy speaks for many clients: it is not capped per address.
        const bool privileged =
            !cfg_.portal.trusted_proxy.empty() && peer == cfg_.portal.trusted_proxy;
        ConnLimiter::Slot slot = limiter_.try_acquire(peer, privileged);
        if (!slot) {
            ++metrics_.connections_refused;
            if (slot.verdict() == ConnLimiter::Verdict::address_full) {
                ++metrics_.connections_refused_address;
            }
            sock.close(ec);  // no work spent here: a flood costs it an accept and a close
            continue;
        }
        ++metrics_.connections;
        // The TLS context and the Appearance in force now stay with this connection until it
        // ends, whatever a reload puts in force meanwhile.
        net::co_spawn(ex, serve(std::move(sock), id, std::move(slot), tls_, app_.appearance()),
                      [](const std::exception_ptr& e) {
                          if (e) {
                              try {
                                  std::rethrow_exception(e);
                              } catch (const std::exception& err) {
                                  log::error("portal.connection_failed").kv("detail", err.what());
                              }
                          }
                      });
    }
}

namespace {

/// What one connection needs to run its request loop, whatever the stream type.
struct ConnCtx {
    App& app;
    const Appearance& look;
    net::thread_pool& pool;
    const Config& cfg;
    Metrics& metrics;
    const ConnLimiter& limiter;
    std::string peer;
    std::uint64_t id = 0;
};

/** A deadline for waiting on the client (handshake, request head): halved while the portal is
 * under pressure (more than three quarters of max_connections open), as Postfix's postscreen
 * shortens its timeouts under stress, so idle connections make room sooner. */
std::chrono::seconds client_deadline(std::chrono::seconds configured, const ConnLimiter& limiter) {
    if (!limiter.under_pressure()) {
        return configured;
    }
    return std::max(std::chrono::seconds(1), configured / 2);
}

template <class Stream>
net::awaitable<bool> write_response(Stream& stream, beast::tcp_stream& lowest, Response r,
                                    bool keep_alive, std::chrono::seconds timeout) {
    boost::system::error_code ec;
    if (!r.source) {
        http::response<http::string_body> res;
        res.result(r.status);
        res.version(11);
        apply_headers(res, r);
        res.keep_alive(keep_alive);
        res.body() = std::move(r.body);
        res.prepare_payload();
        lowest.expires_after(timeout);
        co_await http::async_write(stream, res, net::redirect_error(use_awaitable, ec));
        co_return !ec;
    }
    http::response<http::empty_body> res;
    res.result(r.status);
    res.version(11);
    apply_headers(res, r);
    res.keep_alive(keep_alive);
    res.content_length(r.length);
    http::response_serializer<http::empty_body> sr(res);
    lowest.expires_after(timeout);
    co_await http::async_write_header(stream, sr, net::redirect_error(use_awaitable, ec));
    if (ec) {
        co_return false;
    }
    std::uint64_t sent = 0;
    for (;;) {
        auto chunk = r.source();
        if (!chunk) {
            // The promised length cannot be kept: closing tells the client the body is short.
            log::error("portal.stream_failed").kv("err", errc_name(chunk.error().code));
            co_return false;
        }
        if (!*chunk) {
            break;
        }
        lowest.expires_after(timeout);
        co_await net::async_write(stream, net::buffer((*chunk)->data(), (*chunk)->size()),
                                  net::redirect_error(use_awaitable, ec));
        if (ec) {
            co_return false;
        }
        sent += (*chunk)->size();
    }
    co_return sent == r.length;
}

template <class Stream>
net::awaitable<void> request_loop(Stream& stream, beast::tcp_stream& lowest, ConnCtx& c) {
    const auto timeout = c.cfg.portal.request_timeout;
    const std::size_t max_request = c.cfg.portal.max_request_size;
    beast::flat_buffer buffer(max_request + kHeaderLimit);
    for (std::uint64_t n = 1;; ++n) {
        RequestParser parser;
        limit_request(parser, max_request);
        boost::system::error_code ec;
        // The head (and the wait for it on a kept-alive connection) has a short deadline of its
        // own: an idle or slowloris connection gives its place back within seconds.
        lowest.expires_after(client_deadline(c.cfg.portal.header_timeout, c.limiter));
        co_await http::async_read_header(stream, buffer, parser,
                                         net::redirect_error(use_awaitable, ec));
        if (!ec && !framing_ok(parser.get())) {
            // RFC 9112 6.1 and 6.3: a transfer coding other than chunked leaves the body's
            // length unknown; answer 400 and close before reading any of it (no smuggling).
            ++c.metrics.bad_requests;
            log::info("portal.bad_request")
                .kv("sid", std::to_string(c.id) + "." + std::to_string(n))
                .kv("status", 400)
                .kv("detail", "transfer-encoding");
            Response r = c.app.plain_error(400, MessageKind::bad_request, "", c.look);
            co_await write_response(stream, lowest, std::move(r), false, timeout);
            co_return;
        }
        if (!ec && !parser.is_done()) {
            // One deadline for the whole body: a slowloris trickle runs into it.
            lowest.expires_after(timeout);
            co_await http::async_read(stream, buffer, parser,
                                      net::redirect_error(use_awaitable, ec));
        }
        const auto started = std::chrono::steady_clock::now();
        if (ec == http::error::end_of_stream || ec == net::error::eof ||
            ec == net::error::connection_reset || ec == net::ssl::error::stream_truncated) {
            co_return;
        }
        if (ec) {
            ++c.metrics.bad_requests;
            const unsigned status = refused_request_status(ec);
            log::info("portal.bad_request")
                .kv("sid", std::to_string(c.id) + "." + std::to_string(n))
                .kv("status", status)
                .kv("detail", ec.message());
            if (ec != beast::error::timeout || parser.got_some()) {
                Response r = c.app.plain_error(status, MessageKind::bad_request, "", c.look);
                co_await write_response(stream, lowest, std::move(r), false, timeout);
            }
            co_return;
        }
        const bool keep_alive = parser.get().keep_alive();
        const bool origin_form = is_origin_form(sv(parser.get().target()));
        // Released, so the body (a POST's SMS code) is moved into rq rather than copied.
        Request rq = to_request(parser.release(), c.peer, c.cfg.portal.trusted_proxy,
                                std::to_string(c.id) + "." + std::to_string(n));
        Response res;
        if (!origin_form) {
            ++c.metrics.bad_requests;
            res = c.app.plain_error(400, MessageKind::bad_request, rq.accept_language, c.look);
        } else if (c.app.runs_inline(rq)) {
            res = c.app.handle(rq, c.look);
        } else {
            // POSTs block (vault fsyncs, the SMS gateway) and a ZIP takes a while to build:
            // run them on the worker pool.
            App& app = c.app;
            const Appearance& look = c.look;
            res = co_await net::co_spawn(
                c.pool,
                [&app, &rq, &look]() -> net::awaitable<Response> {
                    co_return app.handle(rq, look);
                },
                use_awaitable);
        }
        // The SMS code of a verify POST must not outlive its request in memory.
        crypto::secure_wipe(rq.body.data(), rq.body.size());
        const bool ok =
            co_await write_response(stream, lowest, std::move(res), keep_alive, timeout);
        c.metrics.latency.observe(std::chrono::steady_clock::now() - started);
        if (!ok || !keep_alive) {
            co_return;
        }
    }
}

}  // namespace

net::awaitable<void> Server::serve(tcp::socket sock, std::uint64_t id, ConnLimiter::Slot slot,
                                   std::shared_ptr<net::ssl::context> tls,
                                   std::shared_ptr<const Appearance> look) {
    (void)slot;  // held in this frame: the place is given back when the connection ends
    boost::system::error_code ec;
    const auto remote = sock.remote_endpoint(ec);
    ConnCtx c{app_,
              *look,
              pool_,
              cfg_,
              metrics_,
              limiter_,
              ec ? std::string("?") : remote.address().to_string(),
              id};
    sock.set_option(tcp::no_delay(true), ec);
    if (!tls) {
        beast::tcp_stream stream(std::move(sock));
        co_await request_loop(stream, stream, c);
        stream.socket().shutdown(tcp::socket::shutdown_send, ec);
        co_return;
    }
    beast::ssl_stream<beast::tcp_stream> stream(beast::tcp_stream(std::move(sock)), *tls);
    auto& lowest = beast::get_lowest_layer(stream);
    lowest.expires_after(client_deadline(cfg_.portal.handshake_timeout, limiter_));
    co_await stream.async_handshake(net::ssl::stream_base::server,
                                    net::redirect_error(use_awaitable, ec));
    if (ec) {
        log::debug("portal.tls_failed").kv("sid", id).kv("detail", ec.message());
        co_return;
    }
    co_await request_loop(stream, lowest, c);
    // close_notify, bounded: a client that never answers must not keep us.
    lowest.expires_after(std::chrono::seconds(2));
    co_await stream.async_shutdown(net::redirect_error(use_awaitable, ec));
}

net::awaitable<void> Server::purge_loop() {
    net::steady_timer timer(io_);
    for (;;) {
        timer.expires_after(cfg_.portal.purge_interval);
        boost::system::error_code ec;
        co_await timer.async_wait(net::redirect_error(use_awaitable, ec));
        if (ec || stopping_) {
            co_return;
        }
        vault::Vault& v = vault_;
        co_await net::co_spawn(
            pool_,
            [&v]() -> net::awaitable<void> {
                auto counts = v.vault_purge();
                if (!counts) {
                    log::error("portal.purge_failed").kv("err", errc_name(counts.error().code));
                } else {
                    log::info("portal.purge")
                        .kv("retention_ended", counts->retention_ended)
                        .kv("orphans", counts->orphans)
                        .kv("tombstones_removed", counts->tombstones_removed);
                }
                co_return;
            },
            use_awaitable);
    }
}

}  // namespace sealpost::portal
