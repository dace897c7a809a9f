// SPDX-License-Identifier: Apache-2.0
// The SMTP smarthost upstream: an smtp::Client driven one command at a time.
#include <sys/stat.h>
#include <unistd.h>
#include <fstream>

#include "core/core_log.hpp"
#include "net/net_tls.hpp"
#include "smtp/smtp_data_reader.hpp"
#include "smtp/smtp_maildir.hpp"
#include "smtp/smtp_upstream.hpp"

namespace sealpost::smtp {

namespace {

smtp::ClientTls to_client_tls(TlsMode m) {
    switch (m) {
        case TlsMode::starttls:
            return smtp::ClientTls::starttls;
        case TlsMode::implicit:
            return smtp::ClientTls::implicit;
        case TlsMode::none:
            return smtp::ClientTls::none;
    }
    return smtp::ClientTls::starttls;
}

class SmtpUpstream final : public Upstream {
  public:
    SmtpUpstream(net::any_io_executor ex, std::shared_ptr<const UpstreamSettings> s)
        : s_(std::move(s)), client_(std::move(ex), s_->tls_ctx, options(*s_)) {}

    static smtp::ClientOptions options(const UpstreamSettings& s) {
        smtp::ClientOptions o;
        o.host = s.cfg.host;
        o.port = s.cfg.port;
        o.tls = to_client_tls(s.cfg.tls);
        o.verify = s.cfg.verify;
        o.helo_name = s.helo_name;
        o.connect_timeout = s.cfg.connect_timeout;
        o.command_timeout = s.cfg.command_timeout;
        o.data_timeout = std::max(s.cfg.command_timeout, s.data_timeout);
        return o;
    }

    net::awaitable<Result<smtp::Reply>> hello() override {
        if (!client_.connected()) {
            auto st = co_await client_.connect();
            if (!st) {
                co_return std::move(st).error();
            }
        }
        co_return co_await client_.hello();
    }
    [[nodiscard]] const smtp::Capabilities& caps() const override { return client_.caps(); }
    [[nodiscard]] bool is_open() const override { return client_.connected(); }

    net::awaitable<Result<smtp::Reply>> mail(const smtp::MailArgs& a) override {
        co_return co_await client_.command(a.serialize(client_.caps().dsn));
    }
    net::awaitable<Result<smtp::Reply>> rcpt(const smtp::RcptArgs& a) override {
        co_return co_await client_.command(a.serialize(client_.caps().dsn));
    }
    net::awaitable<Result<smtp::Reply>> rset() override {
        co_return co_await client_.command("RSET");
    }
    net::awaitable<Result<smtp::Reply>> data(std::string_view message) override {
        co_return co_await client_.data(smtp::dot_stuff(message));
    }
    net::awaitable<Result<smtp::Reply>> auth_line(std::string& line) override {
        co_return co_await client_.secret_line(line);
    }
    net::awaitable<Result<smtp::Reply>> auth_own() override {
        if (s_->cfg.username.empty()) {
            co_return smtp::make_reply(235, "2.7.0", "no upstream credentials configured");
        }
        const std::string_view pw = s_->password ? s_->password->view() : std::string_view{};
        co_return co_await client_.authenticate(s_->cfg.username, pw);
    }
    net::awaitable<void> quit() override { co_await client_.quit(); }
    void close() noexcept override { client_.close(); }

  private:
    std::shared_ptr<const UpstreamSettings> s_;
    smtp::Client client_;
};

}  // namespace

std::unique_ptr<Upstream> make_smtp_upstream(net::any_io_executor ex,
                                             std::shared_ptr<const UpstreamSettings> s) {
    return std::make_unique<SmtpUpstream>(std::move(ex), std::move(s));
}

std::shared_ptr<const UpstreamSettings> load_upstream_settings(const UpstreamOptions& opts) {
    const UpstreamConfig& up = opts.upstream;
    auto s = std::make_shared<UpstreamSettings>();
    s->cfg = up;
    s->helo_name = !up.helo_name.empty() ? up.helo_name : opts.hostname;
    if (s->helo_name.empty()) {
        // Neither configured: the system's name, as for the greeting (never an empty EHLO).
        char buf[256] = {};
        s->helo_name =
            (::gethostname(buf, sizeof buf - 1) == 0 && buf[0] != '\0') ? buf : "localhost";
    }
    s->max_message_size = opts.max_message_size;
    s->data_timeout = opts.data_timeout;
    if (up.kind == UpstreamKind::maildir) {
        maildir_prepare(up.maildir);
        return s;
    }
    if (up.tls != TlsMode::none) {
        s->tls_ctx = make_client_tls_context(up.verify, up.ca_file.string());
    }
    const bool loopback = is_loopback_ip(up.host) || up.host == "localhost";
    if (up.tls == TlsMode::none && !loopback && (opts.relays_client_auth || !up.username.empty())) {
        // Passwords must never cross a network in clear (RFC 8314 4.1, DESIGN: nothing leaks).
        throw std::runtime_error(
            "upstream.tls = none to a non-loopback host would send passwords "
            "in clear; use starttls or implicit");
    }
    if (!up.username.empty()) {
        const auto& pf = up.password_file;
        struct stat st {};
        if (pf.empty() || ::stat(pf.c_str(), &st) != 0) {
            throw std::runtime_error("upstream.password_file " + pf.string() + " cannot be read");
        }
        if ((st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
            throw std::runtime_error("upstream.password_file " + pf.string() +
                                     " is readable by others; chmod 600 it");
        }
        std::ifstream in(pf, std::ios::binary);
        crypto::Secret pw;
        std::getline(in, pw.str());
        if (!pw.str().empty() && pw.str().back() == '\r') {
            pw.str().pop_back();
        }
        if (pw.empty()) {
            throw std::runtime_error("upstream.password_file " + pf.string() + " is empty");
        }
        s->password = std::make_shared<const crypto::Secret>(std::move(pw));
    }
    return s;
}

}  // namespace sealpost::smtp
