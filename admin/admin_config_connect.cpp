// SPDX-License-Identifier: Apache-2.0
// `sealpost config check --connect` (admin_config_check.hpp): reach the [upstream] and [notify]
// SMTP servers with the smtp/ client the proxy uses (EHLO, STARTTLS, AUTH, QUIT: never MAIL)
// and the SMS gateway with one HTTP HEAD of its address (never an SMS).
#include <algorithm>
#include <exception>
#include <memory>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "admin/admin_config_check.hpp"
#include "admin/admin_format.hpp"
#include "net/net_stream.hpp"
#include "net/net_tls.hpp"
#include "notice/notice_sender.hpp"
#include "smtp/smtp_upstream.hpp"
#include "vault/vault.hpp"

namespace sealpost::admin {

namespace {

namespace asio = boost::asio;

/// The reply's first line, safe for the terminal.
std::string reply_text(const smtp::Reply& r) {
    return std::to_string(r.code) + " " + printable(r.first_line(), 200);
}

/// One SMTP server: EHLO (STARTTLS and EHLO again when configured), AUTH with the configured
/// login when there is one, QUIT. `what` is "upstream" or "notify".
asio::awaitable<void> try_smtp(const std::string& what, const smtp::UpstreamOptions& opts,
                               std::vector<Finding>& found, std::ostream& out) {
    std::shared_ptr<const smtp::UpstreamSettings> settings;
    try {
        settings = smtp::load_upstream_settings(opts);
    } catch (const std::exception& e) {
        found.push_back({true, what, e.what()});
        co_return;
    }
    const std::string where = what + " " + opts.upstream.url;
    const auto ex = co_await asio::this_coro::executor;
    auto up = smtp::make_smtp_upstream(ex, settings);
    auto hello = co_await up->hello();
    if (!hello) {
        found.push_back({true, where, printable(hello.error().detail, 300)});
        co_return;
    }
    if (hello->klass() != 2) {
        found.push_back({true, where, "EHLO refused: " + reply_text(*hello)});
        co_await up->quit();
        co_return;
    }
    std::string done = "EHLO";
    if (opts.upstream.tls == TlsMode::starttls) {
        done += ", STARTTLS";
    }
    if (!opts.upstream.username.empty()) {
        auto auth = co_await up->auth_own();
        if (!auth) {
            found.push_back({true, where, "AUTH: " + printable(auth.error().detail, 300)});
            co_return;
        }
        if (auth->code != 235) {
            found.push_back({true, where,
                             "AUTH as " + printable(opts.upstream.username, 100) +
                                 " refused: " + reply_text(*auth)});
            co_await up->quit();
            co_return;
        }
        done += ", AUTH";
    }
    co_await up->quit();
    out << "ok: " << where << ": " << done << ", QUIT\n";
}

/// scheme, host and port of an SMS gateway URL (the loader checked its syntax).
struct Origin {
    bool tls = true;
    std::string host;
    std::uint16_t port = 443;
    std::string path = "/";  ///< up to the query, "/" when it holds placeholders
};

Origin origin_of(const std::string& url) {
    Origin o;
    const auto sep = url.find("://");
    o.tls = url.compare(0, sep, "https") == 0;
    o.port = o.tls ? 443 : 80;
    const auto start = sep + 3;
    const auto end = std::min(url.find_first_of("/?#", start), url.size());
    std::string authority = url.substr(start, end - start);
    std::string port;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        o.host = authority.substr(1, close - 1);
        if (close + 1 < authority.size() && authority[close + 1] == ':') {
            port = authority.substr(close + 2);
        }
    } else {
        const auto colon = authority.rfind(':');
        o.host = authority.substr(0, colon);
        if (colon != std::string::npos) {
            port = authority.substr(colon + 1);
        }
    }
    if (!port.empty()) {
        o.port = static_cast<std::uint16_t>(std::stoul(port));
    }
    const std::string path = url.substr(end, url.find_first_of("?#", end) - end);
    if (!path.empty() && path.find('{') == std::string::npos) {
        o.path = path;
    }
    return o;
}

/// The SMS gateway: TCP, TLS with the certificate checked, and one HEAD; any HTTP answer
/// means it is reachable (gateways answer a HEAD with 2xx, 404 or 405).
asio::awaitable<void> try_sms(const SmsConfig& sms, std::vector<Finding>& found,
                              std::ostream& out) {
    const Origin o = origin_of(sms.url);
    const std::string where = "sms.url " + o.host + ":" + std::to_string(o.port);
    const auto ex = co_await asio::this_coro::executor;
    auto stream = std::make_shared<Stream>(asio::ip::tcp::socket(ex));
    const Stream::Duration timeout = sms.timeout;
    if (auto c = co_await stream->connect(o.host, o.port, timeout); !c) {
        found.push_back({true, where, "cannot connect: " + printable(c.error().detail, 300)});
        co_return;
    }
    if (o.tls) {
        auto ctx = make_client_tls_context(true, {});
        if (auto h = co_await stream->handshake_client(*ctx, o.host, true, timeout); !h) {
            found.push_back({true, where, "TLS: " + printable(h.error().detail, 300)});
            co_return;
        }
    }
    const std::string head = "HEAD " + o.path + " HTTP/1.1\r\nHost: " + o.host +
                             "\r\nUser-Agent: sealpost-config-check\r\nConnection: close\r\n\r\n";
    if (auto w = co_await stream->write(head, timeout); !w) {
        found.push_back({true, where, "cannot send: " + printable(w.error().detail, 300)});
        co_return;
    }
    auto status = co_await stream->read_line(1024, timeout);
    if (!status || status->text.rfind("HTTP/", 0) != 0) {
        found.push_back({true, where, "no HTTP answer to HEAD " + o.path});
        co_return;
    }
    stream->close();
    out << "ok: " << where << ": " << (o.tls ? "TLS, " : "") << "HEAD " << o.path << ": "
        << printable(status->text, 100) << "\n";
}

// Named locals, never temporaries, in the co_await expressions below: GCC 12 destroys such
// temporaries twice when the coroutine resumes.
asio::awaitable<void> try_all(const Config& cfg, std::vector<Finding>& found, std::ostream& out) {
    if (cfg.upstream.kind == UpstreamKind::smtp) {
        smtp::UpstreamOptions opts;
        opts.upstream = cfg.upstream;
        opts.hostname = cfg.proxy.hostname;
        opts.max_message_size = cfg.proxy.max_message_size;
        opts.data_timeout = cfg.proxy.data_timeout;
        opts.relays_client_auth = cfg.proxy.auth == AuthMode::passthrough;
        const std::string what = "upstream";
        co_await try_smtp(what, opts, found, out);
    }
    if (!cfg.notify.url.empty() && cfg.notify.kind == UpstreamKind::smtp) {
        const smtp::UpstreamOptions opts = notice::notify_options(cfg);
        const std::string what = "notify";
        co_await try_smtp(what, opts, found, out);
    }
    if (cfg.sms.provider != SmsProvider::outbox) {
        co_await try_sms(cfg.sms, found, out);
    }
}

}  // namespace

std::vector<Finding> check_connections(const Config& cfg, std::ostream& out) {
    std::vector<Finding> found;
    asio::io_context io;
    asio::co_spawn(io, try_all(cfg, found, out), [](const std::exception_ptr& e) {
        if (e) {
            std::rethrow_exception(e);  // out of io.run(), to main's handler
        }
    });
    io.run();
    if (cfg.vault.backend == VaultBackend::postgresql) {
        // The vault's database: reachable, and at this build's schema (what the daemons check).
        vault::VaultOptions opts;
        static_cast<VaultConfig&>(opts) = cfg.vault;
        auto ready = vault::vault_schema_check(opts);
        if (!ready) {
            found.push_back({true, "vault.dsn_file", ready.error().detail});
        } else {
            out << "ok: vault: PostgreSQL reachable, schema version " << *ready << "\n";
        }
    }
    return found;
}

}  // namespace sealpost::admin
