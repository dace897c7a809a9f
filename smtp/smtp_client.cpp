// SPDX-License-Identifier: Apache-2.0
// Upstream SMTP client: lockstep (one command, one reply), strict about what the server sends.
#include "smtp/smtp_client.hpp"

#include <algorithm>
#include <charconv>

#include <boost/asio/use_awaitable.hpp>

#include "smtp/smtp_command.hpp"
#include "smtp/smtp_data_reader.hpp"
#include "smtp/smtp_sasl.hpp"

namespace sealpost::smtp {

namespace {
std::string upper(std::string_view s) {
    std::string out(s);
    for (auto& c : out) {
        if (c >= 'a' && c <= 'z') {
            c = static_cast<char>(c - 'a' + 'A');
        }
    }
    return out;
}

std::vector<std::string_view> words(std::string_view s) {
    std::vector<std::string_view> out;
    while (!s.empty()) {
        const auto sp = s.find(' ');
        if (sp != 0) {
            out.push_back(s.substr(0, sp));
        }
        if (sp == std::string_view::npos) {
            break;
        }
        s.remove_prefix(sp + 1);
    }
    return out;
}
bool valid_mailbox_or_null(std::string_view a) {
    return a.empty() || valid_mailbox(a, false);
}
}  // namespace

Capabilities Capabilities::parse(const Reply& ehlo) {
    Capabilities c;
    // The first line is the greeting name; extensions follow, one per line.
    for (std::size_t i = 1; i < ehlo.lines.size(); ++i) {
        const auto w = words(ehlo.lines[i]);
        if (w.empty()) {
            continue;
        }
        const std::string kw = upper(w[0]);
        if (kw == "PIPELINING") {
            c.pipelining = true;
        } else if (kw == "8BITMIME") {
            c.eightbitmime = true;
        } else if (kw == "SMTPUTF8") {
            c.smtputf8 = true;
        } else if (kw == "DSN") {
            c.dsn = true;
        } else if (kw == "ENHANCEDSTATUSCODES") {
            c.enhanced = true;
        } else if (kw == "STARTTLS") {
            c.starttls = true;
        } else if (kw == "SIZE") {
            c.size_given = true;
            if (w.size() > 1) {
                std::uint64_t n = 0;
                auto [p, ec] = std::from_chars(w[1].data(), w[1].data() + w[1].size(), n);
                if (ec == std::errc{} && p == w[1].data() + w[1].size()) {
                    c.size = n;
                }
            }
        } else if (kw == "AUTH") {
            for (std::size_t j = 1; j < w.size(); ++j) {
                std::string m = upper(w[j]);
                if (std::find(c.auth.begin(), c.auth.end(), m) == c.auth.end()) {
                    c.auth.push_back(std::move(m));
                }
            }
        }
    }
    return c;
}

bool Capabilities::has_auth(std::string_view mech) const {
    return std::find(auth.begin(), auth.end(), upper(mech)) != auth.end();
}

Client::Client(net::any_io_executor ex, std::shared_ptr<net::ssl::context> tls_ctx,
               ClientOptions opt)
    : ex_(std::move(ex)), tls_ctx_(std::move(tls_ctx)), opt_(std::move(opt)) {}

Client::~Client() {
    close();
}

void Client::close() noexcept {
    if (stream_) {
        stream_->close();
        stream_.reset();
    }
}

Error Client::fail(Error e) noexcept {
    close();
    return e;
}

net::awaitable<Result<Reply>> Client::read_reply(Duration timeout) {
    ReplyParser parser;
    for (;;) {
        auto line = co_await stream_->read_line(ReplyParser::max_line, timeout);
        if (!line) {
            co_return fail(std::move(line).error());
        }
        if (line->too_long) {
            co_return fail(make_error(Errc::corrupt, "upstream reply line too long"));
        }
        auto done = parser.feed(line->text);
        if (!done) {
            co_return fail(std::move(done).error());
        }
        if (*done) {
            // We never pipeline towards the upstream, so anything after a complete reply was
            // not asked for: response injection (DESIGN 9). Drop the session.
            if (!stream_->buffer().empty()) {
                co_return fail(make_error(Errc::corrupt, "unexpected bytes after upstream reply"));
            }
            co_return parser.take();
        }
    }
}

net::awaitable<Status> Client::connect() {
    close();
    auto sock = tcp::socket(ex_);
    stream_ = std::make_shared<Stream>(std::move(sock));
    caps_ = Capabilities{};
    auto st = co_await stream_->connect(opt_.host, opt_.port, opt_.connect_timeout);
    if (!st) {
        co_return fail(std::move(st).error());
    }
    if (opt_.tls == ClientTls::implicit) {
        auto hs = co_await stream_->handshake_client(*tls_ctx_, opt_.host, opt_.verify,
                                                     opt_.connect_timeout);
        if (!hs) {
            co_return fail(std::move(hs).error());
        }
    }
    auto greeting = co_await read_reply(opt_.connect_timeout);
    if (!greeting) {
        co_return std::move(greeting).error();
    }
    if (greeting->code != 220) {
        co_return fail(
            make_error(Errc::unavailable, "upstream greeting " + std::to_string(greeting->code)));
    }
    co_return Status{};
}

net::awaitable<Result<Reply>> Client::ehlo_once() {
    auto r = co_await command("EHLO " + opt_.helo_name);
    if (!r) {
        co_return r;
    }
    if (r->code == 250) {
        caps_ = Capabilities::parse(*r);
        co_return r;
    }
    if (r->klass() == 5) {
        // RFC 5321 4.1.4: fall back to HELO for servers without ESMTP.
        auto h = co_await command("HELO " + opt_.helo_name);
        if (h && h->code == 250) {
            caps_ = Capabilities{};
        }
        co_return h;
    }
    co_return r;
}

net::awaitable<Result<Reply>> Client::hello() {
    if (!stream_) {
        co_return make_error(Errc::unavailable, "not connected");
    }
    auto r = co_await ehlo_once();
    if (!r || r->code != 250 || opt_.tls != ClientTls::starttls || stream_->tls()) {
        co_return r;
    }
    if (!caps_.starttls) {
        co_return fail(make_error(Errc::auth_failed, "upstream does not offer STARTTLS"));
    }
    auto st = co_await command("STARTTLS");
    if (!st) {
        co_return st;
    }
    if (st->code != 220) {
        co_return fail(make_error(Errc::auth_failed,
                                  "upstream refused STARTTLS with " + std::to_string(st->code)));
    }
    // read_reply() already made sure nothing followed the 220 (RFC 3207 and CVE-2011-0411).
    auto hs =
        co_await stream_->handshake_client(*tls_ctx_, opt_.host, opt_.verify, opt_.command_timeout);
    if (!hs) {
        co_return fail(std::move(hs).error());
    }
    // RFC 3207 4.2: forget everything learnt before TLS and ask again.
    caps_ = Capabilities{};
    co_return co_await ehlo_once();
}

net::awaitable<Result<Reply>> Client::command(std::string_view line) {
    if (!stream_) {
        co_return make_error(Errc::unavailable, "not connected");
    }
    if (line.find_first_of("\r\n") != std::string_view::npos) {
        // A CR or LF from a caller's data would start a second command (injection).
        co_return make_error(Errc::invalid_argument, "line break inside an SMTP command");
    }
    std::string out;
    out.reserve(line.size() + 2);
    out.append(line);
    out += "\r\n";
    auto w = co_await stream_->write(out, opt_.command_timeout);
    if (!w) {
        co_return fail(std::move(w).error());
    }
    co_return co_await read_reply(opt_.command_timeout);
}

net::awaitable<Result<Reply>> Client::secret_line(std::string& line) {
    if (!stream_) {
        crypto::wipe(line);
        co_return make_error(Errc::unavailable, "not connected");
    }
    line += "\r\n";
    auto w = co_await stream_->write(line, opt_.command_timeout);
    crypto::wipe(line);
    if (!w) {
        co_return fail(std::move(w).error());
    }
    co_return co_await read_reply(opt_.command_timeout);
}

net::awaitable<Result<Reply>> Client::data(std::string_view stuffed) {
    auto r = co_await command("DATA");
    if (!r || r->code != 354) {
        co_return r;
    }
    auto w = co_await stream_->write(stuffed, opt_.data_timeout);
    if (!w) {
        co_return fail(std::move(w).error());
    }
    co_return co_await read_reply(opt_.data_timeout);
}

net::awaitable<Result<Reply>> Client::authenticate(std::string_view user,
                                                   std::string_view password) {
    if (caps_.has_auth("PLAIN")) {
        crypto::Secret raw(std::string(1, '\0') + std::string(user) + '\0' + std::string(password));
        std::string line = "AUTH PLAIN " + base64_encode(raw.view());
        co_return co_await secret_line(line);
    }
    if (caps_.has_auth("LOGIN")) {
        auto r = co_await command("AUTH LOGIN");
        if (!r || r->code != 334) {
            co_return r;
        }
        std::string u = base64_encode(user);
        r = co_await secret_line(u);
        if (!r || r->code != 334) {
            co_return r;
        }
        std::string p = base64_encode(password);
        co_return co_await secret_line(p);
    }
    co_return make_error(Errc::unavailable, "upstream offers neither AUTH PLAIN nor LOGIN");
}

net::awaitable<Result<Reply>> Client::send_mail(std::string_view from,
                                                const std::vector<std::string>& rcpts,
                                                std::string_view message) {
    if (!valid_mailbox_or_null(from)) {
        co_return make_error(Errc::invalid_argument, "bad sender address");
    }
    auto r = co_await command("MAIL FROM:<" + std::string(from) + ">");
    if (!r || r->code != 250) {
        co_return r;
    }
    std::size_t accepted = 0;
    Result<Reply> last = r;
    for (const auto& rcpt : rcpts) {
        if (!valid_mailbox(rcpt, false)) {
            co_return make_error(Errc::invalid_argument, "bad recipient address");
        }
        last = co_await command("RCPT TO:<" + rcpt + ">");
        if (!last) {
            co_return last;
        }
        if (last->code == 250 || last->code == 251) {
            ++accepted;
        }
    }
    if (accepted == 0) {
        (void)co_await command("RSET");
        co_return last;
    }
    co_return co_await data(dot_stuff(message));
}

net::awaitable<void> Client::quit() {
    if (stream_) {
        auto w = co_await stream_->write("QUIT\r\n", std::chrono::seconds(5));
        if (w) {
            (void)co_await stream_->read_line(ReplyParser::max_line, std::chrono::seconds(5));
        }
    }
    close();
}

}  // namespace sealpost::smtp
