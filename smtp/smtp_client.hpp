// SPDX-License-Identifier: Apache-2.0
// The client side of SMTP, for the proxy's upstream and for sealpost's own mails: connect,
// implicit TLS (RFC 8314) or STARTTLS (RFC 3207) with certificate checks, EHLO capability
// parsing, AUTH PLAIN/LOGIN (RFC 4954), one command at a time, and response-injection checks.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/ssl/context.hpp>

#include "core/core_result.hpp"
#include "net/net_stream.hpp"
#include "smtp/smtp_reply.hpp"

namespace sealpost::smtp {

namespace net = boost::asio;
using tcp = net::ip::tcp;
using Duration = Stream::Duration;

enum class ClientTls { starttls, implicit, none };

/// What the server's EHLO reply advertised (RFC 5321 4.1.1.1).
struct Capabilities {
    bool pipelining = false;
    bool eightbitmime = false;
    bool smtputf8 = false;
    bool dsn = false;
    bool enhanced = false;
    bool starttls = false;
    bool size_given = false;
    std::uint64_t size = 0;         ///< SIZE value; 0 = no fixed limit (RFC 1870 4)
    std::vector<std::string> auth;  ///< mechanisms, upper-case

    static Capabilities parse(const Reply& ehlo);
    [[nodiscard]] bool has_auth(std::string_view mech) const;
};

struct ClientOptions {
    std::string host;
    std::uint16_t port = 25;
    ClientTls tls = ClientTls::starttls;
    bool verify = true;
    std::string helo_name = "localhost";
    std::chrono::seconds connect_timeout{30};
    std::chrono::seconds command_timeout{300};
    std::chrono::seconds data_timeout{600};  ///< for the final reply after the message
};

/// One upstream SMTP session. Errors: Errc::unavailable (cannot connect, timeout, closed),
/// Errc::auth_failed (TLS handshake or certificate failure, STARTTLS missing),
/// Errc::corrupt (protocol violation, e.g. bytes after a reply). After an error the client is
/// closed; a 4xx/5xx reply is not an error but a Reply.
class Client {
  public:
    Client(net::any_io_executor ex, std::shared_ptr<net::ssl::context> tls_ctx, ClientOptions opt);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    /// TCP connect, TLS for implicit, the greeting. A non-220 greeting is Errc::unavailable.
    net::awaitable<Status> connect();
    /// EHLO (and with tls=starttls: STARTTLS, handshake, EHLO again). Returns the EHLO reply;
    /// caps() holds what it advertised. Falls back to HELO when EHLO is refused with 5xx.
    net::awaitable<Result<Reply>> hello();
    /// Sends one command line (no CRLF) and reads its reply.
    net::awaitable<Result<Reply>> command(std::string_view line);
    /// Sends an AUTH exchange line (a secret): like command() but the line is wiped after.
    net::awaitable<Result<Reply>> secret_line(std::string& line);
    /// DATA, the dot-stuffed message, and the final reply. A non-354 reply to DATA is returned.
    net::awaitable<Result<Reply>> data(std::string_view stuffed);
    /// AUTH with our own credentials: PLAIN if offered, else LOGIN. Returns the final reply.
    net::awaitable<Result<Reply>> authenticate(std::string_view user, std::string_view password);
    /// One whole transaction for sealpost's own mails (DESIGN 5b): MAIL, RCPT for each
    /// recipient, DATA with `message` (CRLF lines, not stuffed). Returns the final reply, or the
    /// refusing reply of MAIL (or of the last RCPT when none was accepted, after an RSET).
    net::awaitable<Result<Reply>> send_mail(std::string_view from,
                                            const std::vector<std::string>& rcpts,
                                            std::string_view message);
    /// QUIT, best effort, then close.
    net::awaitable<void> quit();
    void close() noexcept;

    [[nodiscard]] bool connected() const noexcept { return stream_ != nullptr; }
    [[nodiscard]] const Capabilities& caps() const noexcept { return caps_; }
    [[nodiscard]] bool tls() const noexcept { return stream_ && stream_->tls(); }

  private:
    net::awaitable<Result<Reply>> read_reply(Duration timeout);
    net::awaitable<Result<Reply>> ehlo_once();
    Error fail(Error e) noexcept;

    net::any_io_executor ex_;
    std::shared_ptr<net::ssl::context> tls_ctx_;
    ClientOptions opt_;
    std::shared_ptr<Stream> stream_;
    Capabilities caps_;
};

}  // namespace sealpost::smtp
