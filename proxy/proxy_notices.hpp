// SPDX-License-Identifier: Apache-2.0
// The proxy's sender of download notices (DESIGN 5b): the portal queues a notice in the vault
// when a patient first downloads from an envelope; this loop mails it to the practice through
// the [notify] upstream, removes it once sent, and retries with backoff when that fails.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/io_context.hpp>

#include "core/core_config.hpp"
#include "notice/notice_sender.hpp"
#include "notice/notice_templates.hpp"
#include "proxy/proxy_metrics.hpp"
#include "vault/vault.hpp"

namespace sealpost::proxy {

namespace net = boost::asio;

/// Notices taken from the queue per pass; the rest wait for the next pass.
inline constexpr std::size_t kNoticeBatch = 100;
/// How long a claimed notice is this proxy's: a batch is sent well within it, and a notice a
/// dead proxy claimed goes out from another one after it.
inline constexpr std::int64_t kNoticeLeaseSeconds = 600;
/// Reminders and expiry notices (vault_reminders.cpp) taken per pass.
inline constexpr std::size_t kFollowUpBatch = 100;
/// A notice that still fails this long after the download is given up (and logged).
inline constexpr std::int64_t kNoticeGiveUp = 3LL * 86400;

/** Seconds until the next attempt after `failures` failed ones (1, 2, ...): 1 min, 5 min,
 * 30 min, then hourly. */
std::int64_t notice_backoff(std::uint32_t failures) noexcept;

/** Runs the notice queue on a thread and an io_context of its own, so neither the vault's
 * fsyncs nor a slow [notify] upstream ever delay an SMTP session. A pass runs at start and
 * then every proxy.notice_interval; each due notice gets its own upstream session
 * (notice/notice_sender.hpp) and the mail of notice/notice_download.hpp, in
 * the staff's language (practice.staff_lang()).
 * - sent: removed from the queue (vault::notice_done);
 * - refused or upstream unreachable: tried again after notice_backoff(), and given up with an
 *   error in the log once the download is kNoticeGiveUp old;
 * - unusable (no sender, a malformed address, a record that cannot be opened): dropped at
 *   once, with an error in the log.
 * Delivery is at least once: a stop between the upstream's 250 and notice_done sends that
 * notice again after the restart.
 *
 * The same pass then sends the follow-ups of unused links (proxy_followups.cpp): the patient's
 * reminder (proxy.remind_patient, remind_before the link expires) and the sender's expiry
 * notice (proxy.notify_sender_on_expiry). These go at most once: the vault deletes the record
 * (and writes the audit event) once the upstream accepted RCPT and before DATA, so a stop or a
 * refused DATA loses that one mail (logged) but never sends it twice. A failure before that is
 * tried again after notice_backoff(); a reminder is given up when its link expires, an expiry
 * notice kNoticeGiveUp after the expiry.
 */
class NoticeLoop {
  public:
    /** Checks the [notify] settings the way the proxy checks [upstream] (throws
     * std::runtime_error with one line at start when they are unusable). `cfg`, `vault` and
     * `counts` must outlive the loop. */
    NoticeLoop(const Config& cfg, std::shared_ptr<vault::Vault> vault, ProxyMetrics& counts);
    NoticeLoop(const NoticeLoop&) = delete;
    NoticeLoop& operator=(const NoticeLoop&) = delete;
    /// stop() and join.
    ~NoticeLoop();

    /// Starts the thread; the first pass runs at once.
    void start();
    /// Asks the loop to stop (returns at once; a send in progress is abandoned).
    void stop();
    /// The [practice] settings for the notices composed from now on (SIGHUP); at start, cfg's.
    void set_practice(PracticeConfig practice);

  private:
    net::awaitable<void> run();
    net::awaitable<void> pass();
    net::awaitable<void> send_one(notice::NotifySender& sender, const vault::QueuedNotice& n);
    void drop(const vault::QueuedNotice& n, std::string_view reason, const Error& e);
    /// The follow-ups of unused links (proxy_followups.cpp).
    net::awaitable<void> follow_ups(std::optional<notice::NotifySender>& sender);
    net::awaitable<void> send_follow_up(notice::NotifySender& sender, const vault::DueFollowUp& f);
    void drop(const vault::DueFollowUp& f, std::string_view reason, const Error& e);
    [[nodiscard]] vault::FollowUpPolicy follow_up_policy() const;

    [[nodiscard]] PracticeConfig practice() const;

    const Config& cfg_;
    mutable std::mutex practice_mutex_;  ///< set on the server's loop, read on this thread
    PracticeConfig practice_;
    std::shared_ptr<vault::Vault> vault_;
    ProxyMetrics& counts_;
    seal::NoticeTemplates templates_;  ///< the reminder is the sealing notice again
    net::io_context io_{1};
    std::thread thread_;
};

}  // namespace sealpost::proxy
