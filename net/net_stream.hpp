// SPDX-License-Identifier: Apache-2.0
// A TCP connection that may be upgraded to TLS (STARTTLS, RFC 3207) or start with it (RFC
// 8314), with our own read buffer (so a pipelining or injection check can see what is pending),
// line reading with a length cap, and a deadline on every operation. Used by the proxy's SMTP
// sessions and by the SMTP client (upstream, sealpost's own mails).
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/core_result.hpp"

namespace sealpost {

/// One line read from the peer, without its line ending.
struct Line {
    std::string text;
    bool too_long = false;  ///< the line was over the limit; its bytes were discarded
};

/// Must be owned by a shared_ptr (the deadline timer's handler keeps it alive).
class Stream : public std::enable_shared_from_this<Stream> {
  public:
    using tcp = boost::asio::ip::tcp;
    using Duration = std::chrono::steady_clock::duration;

    explicit Stream(tcp::socket socket);
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;
    ~Stream();

    /// Resolves `host` and connects within `timeout` (client side).
    boost::asio::awaitable<Status> connect(const std::string& host, std::uint16_t port,
                                           Duration timeout);

    /// Reads more bytes into buffer(). Errc::unavailable on EOF, reset, timeout (timed_out()).
    boost::asio::awaitable<Status> read_more(Duration timeout);
    /// Reads one line ending in LF (a CR before it is removed). A line longer than `max`
    /// octets (with its CRLF) is discarded up to its LF and reported as too_long.
    boost::asio::awaitable<Result<Line>> read_line(std::size_t max, Duration timeout);
    boost::asio::awaitable<Status> write(std::string_view data, Duration timeout);

    /// TLS handshakes. Errc::auth_failed when the handshake or the certificate check fails.
    boost::asio::awaitable<Status> handshake_server(boost::asio::ssl::context& ctx,
                                                    Duration timeout);
    boost::asio::awaitable<Status> handshake_client(boost::asio::ssl::context& ctx,
                                                    const std::string& host, bool verify,
                                                    Duration timeout);

    /// Bytes read but not yet consumed.
    std::string& buffer() noexcept { return buf_; }
    [[nodiscard]] bool tls() const noexcept { return tls_.has_value(); }
    /// `TLSv1.3:TLS_AES_256_GCM_SHA384`, or "" before TLS.
    [[nodiscard]] std::string tls_description() const;
    [[nodiscard]] bool timed_out() const noexcept { return timed_out_; }
    /// The remote IP as text ("" if unknown).
    [[nodiscard]] std::string remote_ip() const;
    [[nodiscard]] std::string local_ip() const;
    tcp::socket& socket() noexcept { return sock_; }

    /// Aborts the operation in progress (it completes with an error).
    void cancel() noexcept;
    /// Closes the socket at once (no TLS close_notify).
    void close() noexcept;

  private:
    /// Runs the handshake of the already-emplaced tls_ under a deadline.
    boost::asio::awaitable<Status> run_handshake(boost::asio::ssl::stream_base::handshake_type kind,
                                                 Duration timeout);
    void arm(Duration timeout);
    void disarm() noexcept;

    tcp::socket sock_;
    std::optional<boost::asio::ssl::stream<tcp::socket&>> tls_;
    boost::asio::steady_timer timer_;
    std::uint64_t generation_ = 0;
    bool timed_out_ = false;
    std::string buf_;
    std::unique_ptr<char[]> chunk_;
};

}  // namespace sealpost
