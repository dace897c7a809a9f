// SPDX-License-Identifier: Apache-2.0
// The portal application (DESIGN 4): one object that answers every request. Its parts live
// in separate files: routing and the code flow (portal_routes.cpp), downloads and ZIPs
// (portal_download.cpp), the audit jobs (portal_audit.cpp), and the pages and error replies
// they share (portal_app.cpp). Synchronous and network-free: the server runs POSTs on a
// worker thread, so the vault's fsyncs and the SMS gateway never block the event loop, and
// GETs (pages and downloads) on the event loop, so slow downloads never hold a worker.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "core/core_config.hpp"
#include "portal/portal_appearance.hpp"
#include "portal/portal_http.hpp"
#include "portal/portal_logo.hpp"
#include "portal/portal_pages.hpp"
#include "portal/portal_sessions.hpp"
#include "portal/portal_sms.hpp"
#include "portal/portal_voice.hpp"
#include "portal/portal_zip.hpp"
#include "vault/vault.hpp"

namespace sealpost::portal {

/// Counters for /metrics (monotonic since start).
struct PortalCounters {
    std::atomic<std::uint64_t> requests{0};
    std::atomic<std::uint64_t> codes_sent{0};     ///< by SMS or by a voice call
    std::atomic<std::uint64_t> codes_called{0};   ///< of codes_sent: by a voice call
    std::atomic<std::uint64_t> codes_failed{0};   ///< the SMS gateway failed
    std::atomic<std::uint64_t> codes_refused{0};  ///< a rate limit or lock said no
    std::atomic<std::uint64_t> verified{0};
    std::atomic<std::uint64_t> wrong_codes{0};
    std::atomic<std::uint64_t> locks{0};
    std::atomic<std::uint64_t> renewals{0};
    std::atomic<std::uint64_t> downloads{0};  ///< documents and ZIPs served
    std::atomic<std::uint64_t> not_found{0};
    std::atomic<std::uint64_t> errors{0};  ///< internal errors answered 503
};

/** The portal application. Thread-safe: handle() may run on several threads at once. Holds
 * references to `cfg` and `vault`, which must outlive it. Reads no file: the logo comes
 * loaded (load_logo). The practice's settings, pages and logo (the Appearance) start as
 * `cfg.practice`, `pages` and `logo` and may be replaced while it runs (SIGHUP); everything
 * else in `cfg` stays as it was at start. */
class App {
  public:
    /// `voice` (may be null: no [voice]) calls landline numbers with the code instead of an SMS.
    App(const Config& cfg, vault::Vault& vault, std::shared_ptr<const Pages> pages,
        std::unique_ptr<SmsSender> sms, crypto::SecretBytes ip_key, Logo logo = {},
        std::unique_ptr<VoiceCaller> voice = {});

    /// One request, one response; never throws for anything a client sends. A GET never
    /// waits for a disk sync (its audit events go to the background runner), so the server
    /// may run GETs on its event loop; POSTs write durably and call the SMS gateway.
    /// Answered with the Appearance in force.
    Response handle(const Request& rq);
    /// handle(rq) with the Appearance `look`: the one the connection was accepted with.
    Response handle(const Request& rq, const Appearance& look);

    /// The Appearance in force: a connection takes it when it is accepted and keeps it.
    [[nodiscard]] std::shared_ptr<const Appearance> appearance() const;
    /// Puts `look` in force for connections accepted from now on (SIGHUP).
    void set_appearance(std::shared_ptr<const Appearance> look);

    /// True when handle(rq) is quick and never waits for a disk sync or the SMS gateway, so
    /// the server may run it on its event loop: every GET (a download, document or ZIP, only
    /// opens its readers; the server pulls the bytes a chunk at a time as the client takes
    /// them). Everything else belongs on the worker pool, so slow downloads never occupy it.
    [[nodiscard]] bool runs_inline(const Request& rq) const;

    /// Where GET routes send their writes (audit events and the practice's notice of downloads);
    /// by default they run inline. The server passes its worker pool. Set before the first request.
    void set_background(std::function<void(std::function<void()>)> run) {
        background_ = std::move(run);
    }

    /// A plain page for the server's own answers (bad request, timeout, overload).
    Response plain_error(unsigned status, MessageKind kind, std::string_view accept_language,
                         const Appearance& look);

    [[nodiscard]] const PortalCounters& counters() const noexcept { return counters_; }
    [[nodiscard]] SessionStore& sessions() noexcept { return sessions_; }

  private:
    struct Ctx;  // one request's language, visitor cookie and link path

    Response route_link(const Request& rq, Ctx& c, std::string_view rest);
    Response landing(const Request& rq, Ctx& c, const vault::OpenedEnvelope& env);
    Response send_code(const Request& rq, Ctx& c, const vault::OpenedEnvelope& env);
    Response verify(const Request& rq, Ctx& c, const vault::OpenedEnvelope& env);
    Response download(const Request& rq, Ctx& c, const vault::OpenedEnvelope& env,
                      std::string_view index);
    Response zip(const Request& rq, Ctx& c, const vault::OpenedEnvelope& env);

    Response page(unsigned status, Ctx& c, std::string html);
    Response message(unsigned status, Ctx& c, MessageKind kind, std::int64_t until = 0);
    Response open_failed(Ctx& c, const Error& e);
    /// The one mapping of the code guard's refusals to replies: locked for good 423, locked
    /// for now 429 (until the lock ends), too many codes 429 (until the next is allowed).
    Response guard_refused(Ctx& c, vault::GuardState state, std::int64_t until);
    /// The list of documents behind a verified session, with a notice ("" = none).
    Response documents_page(unsigned status, Ctx& c, const vault::OpenedEnvelope& env,
                            std::string notice);
    PageContext page_context(Ctx& c, bool with_form);
    /// What GET /privacy shows, from the connection's [practice], and [vault] and [sms].
    [[nodiscard]] PrivacyPage privacy_page(const Ctx& c) const;
    /// The envelope's code goes by a voice call: [voice] is configured and the number is a
    /// landline (classified again from the stored E.164 number, core_phone).
    [[nodiscard]] bool by_call(const vault::OpenedEnvelope& env) const;
    [[nodiscard]] unsigned code_minutes() const;
    [[nodiscard]] vault::IpHash ip_hash(std::string_view ip) const;
    /// A stable key for the session behind `cookie` that is not the cookie (the ZIP caps).
    [[nodiscard]] std::string session_key(std::string_view cookie) const;
    void audit(const vault::EnvelopeId& id, vault::AuditKind kind, std::optional<std::uint32_t> doc,
               const Request& rq);
    /// audit() with the client's IP already hashed (ip_hash): what a background job gets.
    void audit(const vault::EnvelopeId& id, vault::AuditKind kind, std::optional<std::uint32_t> doc,
               const vault::IpHash& ip, std::string_view sid);
    /// The `downloaded` events of `docs` (first downloads in this session, in order) and the
    /// practice's notice queued when configured (notify_sender_on_download), as one job on the
    /// background runner (GETs never wait for a sync). Nothing when `docs` is empty.
    void audit_later(const vault::OpenedEnvelope& env, std::vector<std::uint32_t> docs,
                     const Request& rq);

    const Config& cfg_;
    vault::Vault& vault_;
    mutable std::mutex look_mutex_;  ///< guards look_ (read at accept, written on SIGHUP)
    std::shared_ptr<const Appearance> look_;
    std::unique_ptr<SmsSender> sms_;
    std::unique_ptr<VoiceCaller> voice_;  ///< null without [voice]
    crypto::SecretBytes ip_key_;
    vault::CodePolicy code_policy_;
    SessionStore sessions_;
    CsrfGuard csrf_;
    IpLimiter ip_codes_;
    ZipGate zip_gate_;
    PortalCounters counters_;
    std::function<void(std::function<void()>)> background_;
};

}  // namespace sealpost::portal
