// SPDX-License-Identifier: Apache-2.0
// sealpost's own mails through the proxy's upstream kinds (smtp::Client or maildir): the same
// connection, TLS and credential handling as relayed mail, with [notify] settings.
#include "notice/notice_sender.hpp"

#include <stdexcept>

#include "smtp/smtp_command.hpp"

namespace sealpost::notice {
namespace {

bool is_ascii(std::string_view s) {
    for (const char c : s) {
        if (static_cast<unsigned char>(c) >= 0x80) {
            return false;
        }
    }
    return true;
}

Error refused(std::string_view step, const smtp::Reply& r) {
    std::string text = std::string(step) + " refused: " + std::to_string(r.code);
    if (!r.first_line().empty()) {
        text += " " + std::string(r.first_line());
    }
    return make_error(Errc::unavailable, std::move(text));
}

}  // namespace

smtp::UpstreamOptions notify_options(const Config& cfg) {
    return {.upstream = cfg.notify_upstream(),
            .hostname = cfg.proxy.hostname,
            .max_message_size = cfg.proxy.max_message_size,
            .data_timeout = cfg.proxy.data_timeout,
            .relays_client_auth = false};
}

Result<NotifySender> NotifySender::make(net::any_io_executor ex,
                                        const smtp::UpstreamOptions& opts) {
    std::shared_ptr<const smtp::UpstreamSettings> settings;
    try {
        settings = smtp::load_upstream_settings(opts);
    } catch (const std::exception& e) {
        return make_error(Errc::invalid_argument, e.what());
    }
    if (opts.upstream.kind == UpstreamKind::maildir) {
        return NotifySender(smtp::make_maildir_upstream(std::move(settings)));
    }
    return NotifySender(smtp::make_smtp_upstream(std::move(ex), std::move(settings)));
}

net::awaitable<Status> NotifySender::begin(std::string_view from, std::string_view to) {
    if (!smtp::valid_mailbox(from, true) || !smtp::valid_mailbox(to, true)) {
        co_return make_error(Errc::invalid_argument, "bad address");
    }
    auto hello = co_await up_->hello();
    if (!hello) {
        co_return std::move(hello).error();
    }
    if (!hello->positive()) {
        co_return refused("EHLO", *hello);
    }
    const bool utf8 = !is_ascii(from) || !is_ascii(to);
    if (utf8 && !up_->caps().smtputf8) {
        co_return make_error(Errc::unavailable,
                             "the upstream does not offer SMTPUTF8 (RFC 6531) "
                             "for a non-ASCII address");
    }
    auto auth = co_await up_->auth_own();
    if (!auth) {
        co_return std::move(auth).error();
    }
    if (auth->code != 235) {
        co_return refused("AUTH", *auth);
    }
    smtp::MailArgs mail;
    mail.reverse_path = std::string(from);
    mail.smtputf8 = utf8;
    auto m = co_await up_->mail(mail);
    if (!m) {
        co_return std::move(m).error();
    }
    if (m->code != 250) {
        co_return refused("MAIL", *m);
    }
    smtp::RcptArgs rcpt;
    rcpt.forward_path = std::string(to);
    auto r = co_await up_->rcpt(rcpt);
    if (!r) {
        co_return std::move(r).error();
    }
    if (r->code != 250 && r->code != 251) {
        co_return refused("RCPT", *r);
    }
    co_return Status{};
}

net::awaitable<Status> NotifySender::finish(std::string_view message) {
    auto r = co_await up_->data(message);
    if (!r) {
        co_return std::move(r).error();
    }
    if (r->klass() != 2) {
        co_return refused("DATA", *r);
    }
    co_return Status{};
}

net::awaitable<void> NotifySender::quit() {
    co_await up_->quit();
}

}  // namespace sealpost::notice
