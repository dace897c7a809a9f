// SPDX-License-Identifier: Apache-2.0
// The portal application's shared parts: construction, the page and message replies every
// route answers with, and the one mapping of vault errors (open_failed) and code-guard
// refusals (guard_refused) to replies, never with internal detail.
#include "portal/portal_app.hpp"

#include "core/core_config_reader.hpp"
#include "core/core_log.hpp"
#include "portal/portal_app_impl.hpp"
#include "portal/portal_cookies.hpp"

namespace sealpost::portal {

namespace {

constexpr std::size_t kMaxSessions = 100000;
constexpr std::size_t kMaxIps = 100000;
/// Retry-After of the page that says the portal is unavailable (the vault database down).
constexpr std::int64_t kUnavailableRetrySeconds = 15;

}  // namespace

std::vector<DocumentRow> rows_of(const vault::EnvelopeMeta& meta) {
    std::vector<DocumentRow> rows;
    for (const auto& d : meta.documents) {
        rows.push_back({d.info.index, d.file_name, d.content_type, d.info.size});
    }
    return rows;
}

App::App(const Config& cfg, vault::Vault& vault, std::shared_ptr<const Pages> pages,
         std::unique_ptr<SmsSender> sms, crypto::SecretBytes ip_key, Logo logo,
         std::unique_ptr<VoiceCaller> voice)
    : cfg_(cfg),
      vault_(vault),
      look_(std::make_shared<const Appearance>(Appearance{
          .practice = cfg.practice, .pages = std::move(pages), .logo = std::move(logo)})),
      sms_(std::move(sms)),
      voice_(std::move(voice)),
      ip_key_(std::move(ip_key)),
      code_policy_(cfg.portal),
      sessions_(cfg.portal.session_idle, cfg.portal.session_absolute, kMaxSessions,
                [&vault] { return vault.now(); }),
      ip_codes_(cfg.portal.codes_per_ip_per_hour, kMaxIps, [&vault] { return vault.now(); }),
      zip_gate_(cfg.portal.max_zip_per_session, cfg.portal.max_zip_concurrent) {}

std::shared_ptr<const Appearance> App::appearance() const {
    const std::scoped_lock lock(look_mutex_);
    return look_;
}

void App::set_appearance(std::shared_ptr<const Appearance> look) {
    const std::scoped_lock lock(look_mutex_);
    look_ = std::move(look);
}

Response App::handle(const Request& rq) {
    const auto look = appearance();
    return handle(rq, *look);
}

unsigned App::code_minutes() const {
    return static_cast<unsigned>((cfg_.portal.code_ttl.count() + 59) / 60);
}

PrivacyPage App::privacy_page(const Ctx& c) const {
    const auto days = [](std::chrono::seconds d) {
        return static_cast<unsigned>((d.count() + 86399) / 86400);
    };
    PrivacyPage p;
    p.link_days = days(cfg_.vault.link_ttl);
    p.retention_days = days(cfg_.vault.retention);
    p.max_days = days(cfg_.vault.max_retention);
    // Named so the patient knows who else sees the number: Twilio, or the http gateway's host.
    if (cfg_.sms.provider == SmsProvider::twilio) {
        p.gateway = "Twilio";
    } else if (cfg_.sms.provider == SmsProvider::http) {
        // The config's own URL reader (core_config_reader.hpp): sms.url passed it at load.
        if (const auto u = config_detail::parse_url(cfg_.sms.url)) {
            p.gateway = u->host;
        }
    }
    // The practice's own notice follows a reload, like the rest of [practice].
    p.privacy_url = c.look.practice.privacy_url;
    p.privacy_text = c.look.practice.privacy_text;
    return p;
}

PageContext App::page_context(Ctx& c, bool with_form) {
    PageContext pc;
    pc.lang = c.lang;
    pc.practice_name = c.look.practice.name;
    pc.has_logo = !c.look.logo.bytes.empty();
    pc.link_path = c.link_path;
    pc.address = cfg_.practice.address;
    pc.phone = cfg_.practice.phone;
    pc.email = cfg_.practice.email;
    if (with_form) {
        if (c.visitor.empty()) {
            if (auto v = CsrfGuard::new_visitor()) {
                c.visitor = *v;
                c.new_visitor = true;
            }
        }
        pc.csrf = csrf_.token(c.visitor, c.link_path);
    }
    return pc;
}

Response App::page(unsigned status, Ctx& c, std::string html) {
    Response r;
    r.status = status;
    r.body = std::move(html);
    r.header("Content-Type", "text/html; charset=utf-8");
    if (c.new_visitor) {
        r.header("Set-Cookie", visitor_cookie(c.visitor));
    }
    if (c.lang_chosen) {
        r.header("Set-Cookie", lang_cookie(c.lang));
    }
    return r;
}

Response App::message(unsigned status, Ctx& c, MessageKind kind, std::int64_t until) {
    MessagePage m;
    m.kind = kind;
    if (kind == MessageKind::unavailable && until == 0) {
        // The vault's database is down or busy (RFC 9110 15.6.4): say when to come back, so
        // browsers and load balancers do not hammer it. The page itself says "try again".
        until = vault_.now() + kUnavailableRetrySeconds;
    }
    m.until = until;
    if (!c.link_path.empty() && kind != MessageKind::not_found && kind != MessageKind::gone) {
        m.back_href = c.link_path;
    }
    Response r = page(status, c, c.look.pages->message(page_context(c, false), m));
    if ((status == 429 || status == 503) && until > vault_.now()) {
        r.header("Retry-After", std::to_string(until - vault_.now()));
    }
    return r;
}

Response App::documents_page(unsigned status, Ctx& c, const vault::OpenedEnvelope& env,
                             std::string notice) {
    DocumentsPage p;
    p.documents = rows_of(env.meta);
    p.expires_at = env.summary.expires_at;
    p.notice = std::move(notice);
    return page(status, c, c.look.pages->documents(page_context(c, true), p));
}

Response App::plain_error(unsigned status, MessageKind kind, std::string_view accept_language,
                          const Appearance& look) {
    Ctx c(look);
    c.lang = choose_language("", accept_language, to_string(look.practice.default_language));
    return message(status, c, kind);
}

Response App::open_failed(Ctx& c, const Error& e) {
    switch (e.code) {
        case Errc::bad_token:
            ++counters_.not_found;
            c.link_path.clear();  // nothing on the page may depend on the token
            return message(404, c, MessageKind::not_found);
        case Errc::revoked:
            c.link_path.clear();
            return message(410, c, MessageKind::gone);
        default:
            ++counters_.errors;
            log::error("portal.vault_error").kv("err", errc_name(e.code)).kv("detail", e.detail);
            return message(503, c, MessageKind::unavailable);
    }
}

Response App::guard_refused(Ctx& c, vault::GuardState state, std::int64_t until) {
    switch (state) {
        case vault::GuardState::locked_for_good:
            // RFC 4918 11.3 423 Locked: only a reissued link helps, so no Retry-After.
            return message(423, c, MessageKind::locked_for_good);
        case vault::GuardState::locked_for_now:
            return message(429, c, MessageKind::locked_for_now, until);
        default:
            return message(429, c, MessageKind::too_many_codes, until);
    }
}

}  // namespace sealpost::portal
