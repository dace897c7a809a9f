// SPDX-License-Identifier: Apache-2.0
// Buffered TCP/TLS stream with per-operation deadlines (net_stream.hpp): RFC 5321 4.5.3.2
// timeouts, RFC 3207 STARTTLS, RFC 8314 implicit TLS.
#include "net/net_stream.hpp"

#include <openssl/ssl.h>
#include <boost/asio/connect.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace sealpost {

namespace {
namespace net = boost::asio;
using tcp = Stream::tcp;
using Duration = Stream::Duration;

constexpr std::size_t chunk_size = std::size_t{64} * 1024;

using boost::system::error_code;

Error io_error(const char* what, const error_code& ec, bool timed_out) {
    return make_error(Errc::unavailable, std::string(what) + ": " +
                                             (timed_out ? std::string("timeout") : ec.message()));
}
}  // namespace

Stream::Stream(tcp::socket socket)
    : sock_(std::move(socket)), timer_(sock_.get_executor()), chunk_(new char[chunk_size]) {}

Stream::~Stream() {
    close();
}

void Stream::arm(Duration timeout) {
    timed_out_ = false;
    const std::uint64_t gen = ++generation_;
    timer_.expires_after(timeout);
    timer_.async_wait([weak = weak_from_this(), gen](const error_code& ec) {
        auto self = weak.lock();
        if (ec || !self || gen != self->generation_) {
            return;
        }
        self->timed_out_ = true;
        error_code ignored;
        self->sock_.cancel(ignored);
    });
}

void Stream::disarm() noexcept {
    ++generation_;
    timer_.cancel();
}

void Stream::cancel() noexcept {
    error_code ignored;
    sock_.cancel(ignored);
}

void Stream::close() noexcept {
    error_code ignored;
    timer_.cancel();
    sock_.shutdown(tcp::socket::shutdown_both, ignored);
    sock_.close(ignored);
}

std::string Stream::remote_ip() const {
    error_code ec;
    auto ep = sock_.remote_endpoint(ec);
    if (ec) {
        return {};
    }
    auto addr = ep.address();
    if (addr.is_v6() && addr.to_v6().is_v4_mapped()) {
        return addr.to_v6().to_v4().to_string();
    }
    return addr.to_string();
}

std::string Stream::local_ip() const {
    error_code ec;
    auto ep = sock_.local_endpoint(ec);
    return ec ? std::string() : ep.address().to_string();
}

std::string Stream::tls_description() const {
    if (!tls_) {
        return {};
    }
    // const_cast: native_handle() is non-const in Boost 1.74; the calls only read.
    SSL* ssl = const_cast<net::ssl::stream<tcp::socket&>&>(*tls_).native_handle();
    return std::string(SSL_get_version(ssl)) + ":" + SSL_get_cipher_name(ssl);
}

net::awaitable<Status> Stream::connect(const std::string& host, std::uint16_t port,
                                       Duration timeout) {
    tcp::resolver resolver(sock_.get_executor());
    error_code ec;
    // The resolver is not the socket, so the deadline cancels it through its own timer.
    net::steady_timer t(sock_.get_executor());
    t.expires_after(timeout);
    bool expired = false;
    t.async_wait([&resolver, &expired](const error_code& e) {
        if (!e) {
            expired = true;
            resolver.cancel();
        }
    });
    auto results = co_await resolver.async_resolve(host, std::to_string(port),
                                                   net::redirect_error(net::use_awaitable, ec));
    t.cancel();
    if (ec || expired) {
        co_return io_error("resolve", ec, expired);
    }
    arm(timeout);
    co_await net::async_connect(sock_, results, net::redirect_error(net::use_awaitable, ec));
    disarm();
    if (ec) {
        co_return io_error("connect", ec, timed_out_);
    }
    sock_.set_option(tcp::no_delay(true), ec);
    co_return Status{};
}

net::awaitable<Status> Stream::read_more(Duration timeout) {
    error_code ec;
    std::size_t n = 0;
    arm(timeout);
    if (tls_) {
        n = co_await tls_->async_read_some(net::buffer(chunk_.get(), chunk_size),
                                           net::redirect_error(net::use_awaitable, ec));
    } else {
        n = co_await sock_.async_read_some(net::buffer(chunk_.get(), chunk_size),
                                           net::redirect_error(net::use_awaitable, ec));
    }
    disarm();
    if (ec) {
        co_return io_error("read", ec, timed_out_);
    }
    buf_.append(chunk_.get(), n);
    co_return Status{};
}

net::awaitable<Result<Line>> Stream::read_line(std::size_t max, Duration timeout) {
    bool discarding = false;
    std::size_t scanned = 0;
    for (;;) {
        const auto lf = buf_.find('\n', scanned);
        if (lf != std::string::npos) {
            Line line;
            if (discarding || lf + 1 > max) {
                line.too_long = true;
            } else {
                std::size_t end = lf;
                if (end > 0 && buf_[end - 1] == '\r') {
                    --end;
                }
                line.text.assign(buf_, 0, end);
            }
            buf_.erase(0, lf + 1);
            co_return line;
        }
        if (buf_.size() > max) {
            // Over the limit before its end: drop what we have, keep dropping to the LF.
            discarding = true;
            buf_.clear();
        }
        scanned = buf_.size();
        auto st = co_await read_more(timeout);
        if (!st) {
            co_return std::move(st).error();
        }
    }
}

net::awaitable<Status> Stream::write(std::string_view data, Duration timeout) {
    error_code ec;
    arm(timeout);
    if (tls_) {
        co_await net::async_write(*tls_, net::buffer(data.data(), data.size()),
                                  net::redirect_error(net::use_awaitable, ec));
    } else {
        co_await net::async_write(sock_, net::buffer(data.data(), data.size()),
                                  net::redirect_error(net::use_awaitable, ec));
    }
    disarm();
    if (ec) {
        co_return io_error("write", ec, timed_out_);
    }
    co_return Status{};
}

net::awaitable<Status> Stream::run_handshake(net::ssl::stream_base::handshake_type kind,
                                             Duration timeout) {
    error_code ec;
    arm(timeout);
    co_await tls_->async_handshake(kind, net::redirect_error(net::use_awaitable, ec));
    disarm();
    if (ec) {
        co_return make_error(
            Errc::auth_failed,
            "tls handshake: " + (timed_out_ ? std::string("timeout") : ec.message()));
    }
    co_return Status{};
}

net::awaitable<Status> Stream::handshake_server(net::ssl::context& ctx, Duration timeout) {
    tls_.emplace(sock_, ctx);
    co_return co_await run_handshake(net::ssl::stream_base::server, timeout);
}

net::awaitable<Status> Stream::handshake_client(net::ssl::context& ctx, const std::string& host,
                                                bool verify, Duration timeout) {
    tls_.emplace(sock_, ctx);
    SSL* ssl = tls_->native_handle();
    // SNI is for host names only (RFC 6066 3: literal IP addresses are not permitted).
    if (!host.empty() && host.find_first_not_of("0123456789.:") != std::string::npos) {
        // SSL_set_tlsext_host_name is a macro with an old-style cast; call what it expands to.
        SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                 const_cast<char*>(host.c_str()));
    }
    if (verify) {
        tls_->set_verify_mode(net::ssl::verify_peer);
        // Checks the name (or IP literal) against the certificate (RFC 6125).
        tls_->set_verify_callback(net::ssl::host_name_verification(host));
    } else {
        tls_->set_verify_mode(net::ssl::verify_none);
    }
    co_return co_await run_handshake(net::ssl::stream_base::client, timeout);
}

}  // namespace sealpost
