// A TCP connection that may be upgraded to TLS (STARTTLS, RFC 3207) or start with it (RFC
// 8314), with our own read buffer (so a pipelining or injection check can see what is pending),
// line reading with a length cap, and a deadline on every operation. Used by server and client.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/core_config.hpp"
#include "core/core_result.hpp"

namespace sealpost::smtp {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using Duration = std::chrono::steady_clock::duration;

/// One line read from the peer, without its line ending.
struct Line {
    std::string text;
    bool too_long = false;  ///< the line was over the limit; its bytes were discarded
};

/// Must be owned by a shared_ptr (the deadline timer's handler keeps it alive).
class Stream : public std::enable_shared_from_this<Stream> {
  public:
    explicit Stream(tcp::socket socket);
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;
    ~Stream();

    /// Resolves `host` and connects within `timeout` (client side).
    net::awaitable<Status> connect(const std::string& host, std::uint16_t port, Duration timeout);

    /// Reads more bytes into buffer(). Errc::unavailable on EOF, reset, timeout (timed_out()).
    net::awaitable<Status> read_more(Duration timeout);
    /// Reads one line ending in LF (a CR before it is removed). A line longer than `max`
    /// octets (with its CRLF) is discarded up to its LF and reported as too_long.
    net::awaitable<Result<Line>> read_line(std::size_t max, Duration timeout);
    net::awaitable<Status> write(std::string_view data, Duration timeout);

    /// TLS handshakes. Errc::auth_failed when the handshake or the certificate check fails.
    net::awaitable<Status> handshake_server(net::ssl::context& ctx, Duration timeout);
    net::awaitable<Status> handshake_client(net::ssl::context& ctx, const std::string& host,
                                            bool verify, Duration timeout);

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
    net::awaitable<Status> run_handshake(net::ssl::stream_base::handshake_type kind,
                                         Duration timeout);
    void arm(Duration timeout);
    void disarm() noexcept;

    tcp::socket sock_;
    std::optional<net::ssl::stream<tcp::socket&>> tls_;
    net::steady_timer timer_;
    std::uint64_t generation_ = 0;
    bool timed_out_ = false;
    std::string buf_;
    std::unique_ptr<char[]> chunk_;
};

/// Server context: TLS 1.2 or later only (RFC 8996, BCP 195), certificate chain and key from
/// PEM files. Throws std::runtime_error (startup / SIGHUP reload) when they cannot be used.
std::shared_ptr<net::ssl::context> make_server_tls_context(const std::string& cert_file,
                                                           const std::string& key_file);
/// Client context: TLS 1.2+, peer verification with `ca_file` or the system store.
std::shared_ptr<net::ssl::context> make_client_tls_context(bool verify, const std::string& ca_file);

/// A listening socket on `where` (SO_REUSEADDR; port 0 picks a free one), for the proxy's and
/// the portal's listeners. Throws std::runtime_error (startup) naming `what`, e.g.
/// "proxy.admin_listen: cannot listen on 127.0.0.1:25: Address already in use".
tcp::acceptor listen_on(net::io_context& io, const Endpoint& where, std::string_view what);
/// listen_on for an admin listener (/metrics, /healthz): an address that is not loopback is
/// refused before anything is bound, since metrics are not for the internet.
tcp::acceptor listen_on_loopback(net::io_context& io, const Endpoint& where, std::string_view what);

}  // namespace sealpost::smtp
