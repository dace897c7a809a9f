// The portal application's shared parts: construction, the page and message replies every
// route answers with, and the one mapping of vault errors (open_failed) and code-guard
// refusals (guard_refused) to replies, never with internal detail.
#include "portal/portal_app.hpp"

#include "core/core_log.hpp"
#include "portal/portal_app_impl.hpp"
#include "portal/portal_cookies.hpp"

namespace sealpost::portal {

namespace {

constexpr std::size_t kMaxSessions = 100000;
constexpr std::size_t kMaxIps = 100000;

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
      pages_(std::move(pages)),
      sms_(std::move(sms)),
      voice_(std::move(voice)),
      ip_key_(std::move(ip_key)),
      logo_(std::move(logo)),
      code_policy_(cfg.portal),
      sessions_(cfg.portal.session_idle, cfg.portal.session_absolute, kMaxSessions,
                [&vault] { return vault.now(); }),
      ip_codes_(cfg.portal.codes_per_ip_per_hour, kMaxIps, [&vault] { return vault.now(); }),
      zip_gate_(cfg.portal.max_zip_per_session, cfg.portal.max_zip_concurrent) {}

unsigned App::code_minutes() const {
    return static_cast<unsigned>((cfg_.portal.code_ttl.count() + 59) / 60);
}

PageContext App::page_context(Ctx& c, bool with_form) {
    PageContext pc;
    pc.lang = c.lang;
    pc.practice_name = cfg_.practice.name;
    pc.has_logo = !logo_.bytes.empty();
    pc.link_path = c.link_path;
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
    m.until = until;
    if (!c.link_path.empty() && kind != MessageKind::not_found && kind != MessageKind::gone) {
        m.back_href = c.link_path;
    }
    Response r = page(status, c, pages_->message(page_context(c, false), m));
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
    return page(status, c, pages_->documents(page_context(c, true), p));
}

Response App::plain_error(unsigned status, MessageKind kind, std::string_view accept_language) {
    Ctx c;
    c.lang = choose_language("", accept_language, to_string(cfg_.practice.default_language));
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
