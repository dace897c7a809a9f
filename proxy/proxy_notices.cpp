// SPDX-License-Identifier: Apache-2.0
// The download-notice sender of sealpost-proxy (see proxy_notices.hpp): one pass over the
// vault's queue every proxy.notice_interval, on a thread of its own.
#include "proxy/proxy_notices.hpp"

#include <stdexcept>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "core/core_log.hpp"
#include "notice/notice_download.hpp"

namespace sealpost::proxy {

std::int64_t notice_backoff(std::uint32_t failures) noexcept {
    switch (failures) {
        case 0:
        case 1:
            return 60;
        case 2:
            return 300;
        case 3:
            return 1800;
        default:
            return 3600;
    }
}

NoticeLoop::NoticeLoop(const Config& cfg, std::shared_ptr<vault::Vault> vault, ProxyMetrics& counts)
    : cfg_(cfg), practice_(cfg.practice), vault_(std::move(vault)), counts_(counts) {
    // The same checks as every later send, once at start: a broken [notify] stops the start
    // with one line instead of failing quietly for three days.
    auto probe = notice::NotifySender::make(io_.get_executor(), notice::notify_options(cfg_));
    if (!probe) {
        throw std::runtime_error("[notify]: " + probe.error().detail);
    }
    auto templates = seal::NoticeTemplates::load(cfg_.proxy.templates_dir);
    if (!templates) {
        throw std::runtime_error("templates: " + templates.error().detail);
    }
    templates_ = std::move(*templates);
}

NoticeLoop::~NoticeLoop() {
    stop();
    if (thread_.joinable()) {
        thread_.join();
    }
}

void NoticeLoop::start() {
    net::co_spawn(io_, run(), net::detached);
    thread_ = std::thread([this] { io_.run(); });
}

void NoticeLoop::stop() {
    io_.stop();
}

net::awaitable<void> NoticeLoop::run() {
    net::steady_timer timer(io_);
    for (;;) {
        co_await pass();
        timer.expires_after(cfg_.proxy.notice_interval);
        boost::system::error_code ec;
        co_await timer.async_wait(net::redirect_error(net::use_awaitable, ec));
        if (ec) {
            co_return;
        }
    }
}

net::awaitable<void> NoticeLoop::pass() {
    // A quiet proxy would keep the last escrow batch key until its next envelope.
    vault_->escrow_batch_expire();
    // The vault calls block this thread only (short transactions, at most one fsync each).
    // Claimed, not just listed: with several proxies on one PostgreSQL vault, each notice goes
    // out once. A proxy that dies mid-batch leaves its claims to another after the lease.
    auto due = vault_->notice_claim(kNoticeBatch, kNoticeLeaseSeconds);
    if (!due) {
        log::error("proxy.notice_queue_failed")
            .kv("err", errc_name(due.error().code))
            .kv("detail", due.error().detail);
        ++counts_.notice_runs;
        co_return;
    }
    std::optional<notice::NotifySender> sender;
    for (const vault::QueuedNotice& n : *due) {
        if (n.unreadable) {
            drop(n, "unreadable", *n.unreadable);
            continue;
        }
        if (!sender) {
            auto made =
                notice::NotifySender::make(io_.get_executor(), notice::notify_options(cfg_));
            if (!made) {
                // Checked at start, so a file changed since: every notice waits for the next try.
                log::error("proxy.notice_failed")
                    .kv("err", "config")
                    .kv("detail", made.error().detail);
                break;
            }
            sender.emplace(std::move(made).value());
        }
        co_await send_one(*sender, n);
    }
    co_await follow_ups(sender);
    ++counts_.notice_runs;
}

void NoticeLoop::set_practice(PracticeConfig practice) {
    const std::scoped_lock lock(practice_mutex_);
    practice_ = std::move(practice);
}

PracticeConfig NoticeLoop::practice() const {
    const std::scoped_lock lock(practice_mutex_);
    return practice_;
}

net::awaitable<void> NoticeLoop::send_one(notice::NotifySender& sender,
                                          const vault::QueuedNotice& n) {
    const std::string id = vault::envelope_id_hex(n.id);
    const PracticeConfig practice = this->practice();
    auto mail = notice::compose_download_notice(practice, n, vault_->now());
    if (!mail) {
        drop(n, "unusable", mail.error());
        co_return;
    }
    const std::string& from = practice.from_address.empty() ? n.sender : practice.from_address;
    Status st = co_await sender.begin(from, n.sender);
    if (st) {
        st = co_await sender.finish(*mail);
    }
    co_await sender.quit();
    if (st) {
        ++counts_.notices_sent;
        log::info("proxy.notice_sent")
            .kv("envelope", id)
            .kv("to", log::mask_address(n.sender))
            .kv("attempts", n.attempts + 1);
        if (Status done = vault_->notice_done(n.id);
            !done && done.error().code != Errc::not_found) {
            // Sent but still queued: it goes out again at the next pass (at least once).
            log::error("proxy.notice_done_failed")
                .kv("envelope", id)
                .kv("err", errc_name(done.error().code));
        }
        co_return;
    }
    const Error& e = st.error();
    if (e.code == Errc::invalid_argument) {
        drop(n, "unusable", e);  // a malformed address: retrying cannot help
        co_return;
    }
    ++counts_.notices_failed;
    const std::int64_t now = vault_->now();
    if (now - n.downloaded_at >= kNoticeGiveUp) {
        drop(n, "gave_up", e);
        co_return;
    }
    const std::int64_t next = now + notice_backoff(n.attempts + 1);
    log::warn("proxy.notice_failed")
        .kv("envelope", id)
        .kv("attempts", n.attempts + 1)
        .kv("retry_in_s", next - now)
        .kv("err", errc_name(e.code))
        .kv("detail", e.detail);
    if (Status later = vault_->notice_retry_later(n.id, next);
        !later && later.error().code != Errc::not_found) {
        log::error("proxy.notice_retry_failed")
            .kv("envelope", id)
            .kv("err", errc_name(later.error().code));
    }
}

void NoticeLoop::drop(const vault::QueuedNotice& n, std::string_view reason, const Error& e) {
    ++counts_.notices_dropped;
    log::error("proxy.notice_dropped")
        .kv("envelope", vault::envelope_id_hex(n.id))
        .kv("reason", reason)
        .kv("attempts", n.attempts)
        .kv("err", errc_name(e.code))
        .kv("detail", e.detail);
    if (Status done = vault_->notice_done(n.id); !done && done.error().code != Errc::not_found) {
        log::error("proxy.notice_done_failed")
            .kv("envelope", vault::envelope_id_hex(n.id))
            .kv("err", errc_name(done.error().code));
    }
}

}  // namespace sealpost::proxy
