// SPDX-License-Identifier: Apache-2.0
// The follow-ups of unused links in sealpost-proxy's notice loop (see proxy_notices.hpp): the
// patient's one reminder and the sender's one expiry notice, taken from the vault
// (vault_reminders.cpp) in batches and mailed through [notify], at most once each.
#include "core/core_log.hpp"
#include "notice/notice_followup.hpp"
#include "proxy/proxy_notices.hpp"

namespace sealpost::proxy {

namespace {

std::string_view kind_name(vault::FollowUpKind k) {
    return k == vault::FollowUpKind::reminder ? "reminder" : "expiry";
}

}  // namespace

vault::FollowUpPolicy NoticeLoop::follow_up_policy() const {
    vault::FollowUpPolicy p;
    p.remind_patient = cfg_.proxy.remind_patient;
    p.remind_before = cfg_.proxy.remind_before.count();
    p.notify_sender_on_expiry = cfg_.proxy.notify_sender_on_expiry;
    return p;
}

net::awaitable<void> NoticeLoop::follow_ups(std::optional<notice::NotifySender>& sender) {
    auto due = vault_->followup_due(follow_up_policy(), kFollowUpBatch);
    if (!due) {
        log::error("proxy.followup_list_failed")
            .kv("err", errc_name(due.error().code))
            .kv("detail", due.error().detail);
        co_return;
    }
    for (const vault::DueFollowUp& f : *due) {
        if (f.unreadable) {
            drop(f, "unreadable", *f.unreadable);
            continue;
        }
        if (!sender) {
            auto made =
                notice::NotifySender::make(io_.get_executor(), notice::notify_options(cfg_));
            if (!made) {
                log::error("proxy.followup_failed")
                    .kv("err", "config")
                    .kv("detail", made.error().detail);
                co_return;
            }
            sender.emplace(std::move(made).value());
        }
        co_await send_follow_up(*sender, f);
    }
}

net::awaitable<void> NoticeLoop::send_follow_up(notice::NotifySender& sender,
                                                const vault::DueFollowUp& f) {
    const std::string id = vault::envelope_id_hex(f.id);
    const bool reminder = f.kind == vault::FollowUpKind::reminder;
    const std::int64_t now = vault_->now();
    auto mail = reminder ? notice::compose_reminder(cfg_.practice, templates_, f, now)
                         : notice::compose_expiry_notice(cfg_.practice, f, now);
    if (!mail) {
        drop(f, "unusable", mail.error());
        co_return;
    }
    const notice::FollowUpRoute route = notice::followup_route(cfg_.practice, f);
    const std::string& to = route.to;
    Status st = co_await sender.begin(route.from, to);
    if (st) {
        // Recorded before DATA: from here on it counts as sent, so it never goes twice.
        st = vault_->followup_sent(f.id, f.kind);
        if (!st) {
            co_await sender.quit();
            crypto::wipe(*mail);
            log::warn("proxy.followup_skipped")
                .kv("envelope", id)
                .kv("kind", kind_name(f.kind))
                .kv("err", errc_name(st.error().code));
            co_return;
        }
        st = co_await sender.finish(*mail);
        crypto::wipe(*mail);
        co_await sender.quit();
        if (!st) {
            log::error("proxy.followup_lost")
                .kv("envelope", id)
                .kv("kind", kind_name(f.kind))
                .kv("err", errc_name(st.error().code))
                .kv("detail", st.error().detail);
            co_return;
        }
        ++(reminder ? counts_.reminders_sent : counts_.expiry_notices_sent);
        log::info("proxy.followup_sent")
            .kv("envelope", id)
            .kv("kind", kind_name(f.kind))
            .kv("to", log::mask_address(to))
            .kv("attempts", f.attempts + 1);
        co_return;
    }
    crypto::wipe(*mail);
    co_await sender.quit();
    const Error& e = st.error();
    if (e.code == Errc::invalid_argument) {
        drop(f, "unusable", e);  // a malformed address: retrying cannot help
        co_return;
    }
    if (!reminder && now - f.expires_at >= kNoticeGiveUp) {
        drop(f, "gave_up", e);  // a reminder gives up by itself when the link expires
        co_return;
    }
    const std::int64_t next = now + notice_backoff(f.attempts + 1);
    log::warn("proxy.followup_failed")
        .kv("envelope", id)
        .kv("kind", kind_name(f.kind))
        .kv("attempts", f.attempts + 1)
        .kv("retry_in_s", next - now)
        .kv("err", errc_name(e.code))
        .kv("detail", e.detail);
    if (Status later = vault_->followup_retry_later(f.id, f.kind, next);
        !later && later.error().code != Errc::not_found) {
        log::error("proxy.followup_retry_failed")
            .kv("envelope", id)
            .kv("err", errc_name(later.error().code));
    }
}

void NoticeLoop::drop(const vault::DueFollowUp& f, std::string_view reason, const Error& e) {
    log::error("proxy.followup_dropped")
        .kv("envelope", vault::envelope_id_hex(f.id))
        .kv("kind", kind_name(f.kind))
        .kv("reason", reason)
        .kv("attempts", f.attempts)
        .kv("err", errc_name(e.code))
        .kv("detail", e.detail);
    if (Status done = vault_->followup_drop(f.id, f.kind);
        !done && done.error().code != Errc::not_found) {
        log::error("proxy.followup_drop_failed")
            .kv("envelope", vault::envelope_id_hex(f.id))
            .kv("err", errc_name(done.error().code));
    }
}

}  // namespace sealpost::proxy
