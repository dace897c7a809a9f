// The portal's routes: every answer a patient can get, each mapped from a vault or SMS result
// in one place (open_failed, message), never with internal detail.
#include "portal/portal_app.hpp"

#include <fstream>
#include <iterator>
#include <set>

#include "core/core_log.hpp"
#include "portal/portal_zip.hpp"

namespace sealpost::portal {

namespace {

constexpr std::string_view kSessionCookie = "__Host-sealpost";
constexpr std::string_view kVisitorCookie = "__Host-sealpost-csrf";
constexpr std::string_view kLangCookie = "__Host-sealpost-lang";
constexpr std::size_t kMaxSessions = 100000;
constexpr std::size_t kMaxIps = 100000;
constexpr std::string_view kIpLabel = "sealpost-ip-v1";
constexpr std::string_view kZipLabel = "sealpost-zip-session-v1";
/// Retry-After of the page that says too many ZIPs are streaming.
constexpr std::int64_t kZipRetrySeconds = 10;

std::string read_small_file(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    if (!in) {
        throw std::runtime_error("cannot read " + p.string());
    }
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (data.size() > (1U << 20)) {
        throw std::runtime_error(p.string() + " is larger than 1 MiB");
    }
    return data;
}

std::string logo_type_of(const std::filesystem::path& p) {
    const std::string ext = p.extension().string();
    if (ext == ".svg") {
        return "image/svg+xml";
    }
    if (ext == ".jpg" || ext == ".jpeg") {
        return "image/jpeg";
    }
    return "image/png";
}

std::string set_cookie(std::string_view name, std::string_view value, std::int64_t max_age) {
    // RFC 6265bis 4.1.3.2: __Host- cookies are Secure, Path=/ and have no Domain.
    std::string c(name);
    c += '=';
    c += value;
    c += "; Path=/; Secure; HttpOnly; SameSite=Strict";
    if (max_age > 0) {
        c += "; Max-Age=" + std::to_string(max_age);
    }
    return c;
}

/// The patient may type "123 456" or "123-456": keep the digits only, bounded.
std::string digits_of(std::string_view typed) {
    std::string out;
    for (char ch : typed.substr(0, 64)) {
        if (ch >= '0' && ch <= '9') {
            out.push_back(ch);
        } else if (ch != ' ' && ch != '-') {
            out.push_back('x');  // anything else makes it malformed, hence wrong
        }
    }
    return out;
}

std::vector<DocumentRow> rows_of(const vault::EnvelopeMeta& meta) {
    std::vector<DocumentRow> rows;
    for (const auto& d : meta.documents) {
        rows.push_back({d.info.index, d.file_name, d.content_type, d.info.size});
    }
    return rows;
}

}  // namespace

struct App::Ctx {
    std::string lang;
    std::string visitor;  ///< CSRF visitor cookie ("" = none yet)
    bool new_visitor = false;
    bool lang_chosen = false;  ///< ?lang= given: remember it in a cookie
    std::string link_path;     ///< "/d/{token}" or ""
};

App::App(const Config& cfg, vault::Vault& vault, std::shared_ptr<const Pages> pages,
         std::unique_ptr<SmsSender> sms, crypto::SecretBytes ip_key)
    : cfg_(cfg),
      vault_(vault),
      pages_(std::move(pages)),
      sms_(std::move(sms)),
      ip_key_(std::move(ip_key)),
      sessions_(cfg.portal.session_idle, cfg.portal.session_absolute, kMaxSessions,
                [&vault] { return vault.now(); }),
      ip_codes_(cfg.portal.codes_per_ip_per_hour, kMaxIps, [&vault] { return vault.now(); }),
      zip_gate_(cfg.portal.max_zip_per_session, cfg.portal.max_zip_concurrent) {
    if (!cfg.practice.logo.empty()) {
        logo_ = read_small_file(cfg.practice.logo);
        logo_type_ = logo_type_of(cfg.practice.logo);
    }
}

vault::CodePolicy App::code_policy() const {
    const auto& p = cfg_.portal;
    vault::CodePolicy c;
    c.digits = p.code_length;
    c.ttl = p.code_ttl;
    c.per_window = p.codes_per_window;
    c.window = p.code_window;
    c.per_day = p.codes_per_day;
    c.tries_per_code = p.max_tries_per_code;
    c.killed_before_lock = p.killed_codes_before_lock;
    c.lock_duration = p.lock_duration;
    c.tries_total = p.max_tries_total;
    return c;
}

unsigned App::code_minutes() const {
    return static_cast<unsigned>((cfg_.portal.code_ttl.count() + 59) / 60);
}

vault::IpHash App::ip_hash(std::string_view ip) const {
    std::string msg(kIpLabel);
    msg += ip;
    const auto mac = crypto::hmac_sha256(ip_key_, crypto::as_bytes(msg));
    vault::IpHash h{};
    std::copy_n(mac.begin(), h.size(), h.begin());
    return h;
}

void App::audit(const vault::EnvelopeId& id, vault::AuditKind kind,
                std::optional<std::uint32_t> doc, const Request& rq) {
    audit(id, kind, doc, ip_hash(rq.client_ip), rq.sid);
}

void App::audit(const vault::EnvelopeId& id, vault::AuditKind kind,
                std::optional<std::uint32_t> doc, const vault::IpHash& ip, std::string_view sid) {
    if (Status st = vault_.audit_append(id, kind, doc, ip); !st) {
        // The patient's action already happened; losing its trace is logged, not shown.
        log::warn("portal.audit_failed")
            .kv("sid", sid)
            .kv("kind", vault::audit_kind_name(kind))
            .kv("err", errc_name(st.error().code));
    }
}

void App::audit_later(const vault::OpenedEnvelope& env, std::vector<std::uint32_t> docs,
                      const Request& rq) {
    if (docs.empty()) {
        return;
    }
    // The practice's notice (DESIGN 5b) is only queued here; the proxy mails it. It needs the
    // sender, the recipient and the file names, so the copy the job keeps has no DEK, phone or
    // subject. One notice per envelope (the vault keeps the first), so one call will do.
    std::shared_ptr<vault::OpenedEnvelope> notice;
    if (cfg_.portal.notify_sender_on_download) {
        notice = std::make_shared<vault::OpenedEnvelope>();
        notice->summary = env.summary;
        notice->meta.sender = env.meta.sender;
        notice->meta.recipient = env.meta.recipient;
        notice->meta.documents = env.meta.documents;
    }
    // Hashed here: the patient's IP does not wait in the queue, only its hash (all that is
    // stored) does.
    auto job = [this, id = env.summary.id, docs = std::move(docs), notice,
                ip = ip_hash(rq.client_ip), sid = rq.sid] {
        // The notice first: once the audit trail shows the download, its notice is queued.
        if (notice) {
            if (auto q = vault_.notice_queue(*notice, docs.front()); !q) {
                log::warn("portal.notice_failed")
                    .kv("sid", sid)
                    .kv("envelope", vault::envelope_id_hex(id))
                    .kv("err", errc_name(q.error().code));
            }
        }
        // The vault has no batch append: one durable write per document, in this one job.
        for (const std::uint32_t doc : docs) {
            audit(id, vault::AuditKind::downloaded, doc, ip, sid);
        }
    };
    if (!background_) {
        job();
        return;
    }
    // The download itself must not wait for these fsyncs; failures are logged, not shown.
    background_(std::move(job));
}

PageContext App::page_context(Ctx& c, bool with_form) {
    PageContext pc;
    pc.lang = c.lang;
    pc.practice_name = cfg_.practice.name;
    pc.has_logo = !logo_.empty();
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
        r.header("Set-Cookie", set_cookie(kVisitorCookie, c.visitor, 0));
    }
    if (c.lang_chosen) {
        r.header("Set-Cookie", set_cookie(kLangCookie, c.lang, 365LL * 86400));
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

Response App::handle(const Request& rq) {
    ++counters_.requests;
    Ctx c;
    const std::string chosen = form_value(rq.query, "lang");
    const std::string remembered = cookie_value(rq.cookie, kLangCookie);
    c.lang = choose_language(chosen.empty() ? remembered : chosen, rq.accept_language,
                             to_string(cfg_.practice.default_language));
    c.lang_chosen = !chosen.empty() && c.lang == chosen;
    c.visitor = cookie_value(rq.cookie, kVisitorCookie);
    if (c.visitor.size() > 64) {
        c.visitor.clear();
    }

    if (rq.method != "GET" && rq.method != "POST") {
        return message(405, c, MessageKind::bad_request).header("Allow", "GET, POST");
    }
    const std::string_view path = rq.path;
    if (path.rfind("/d/", 0) == 0) {
        return route_link(rq, c, path.substr(3));
    }
    if (rq.method != "GET") {
        return message(405, c, MessageKind::bad_request).header("Allow", "GET");
    }
    if (path == "/static/portal.css") {
        Response r;
        r.body = pages_->css();
        r.header("Content-Type", "text/css; charset=utf-8");
        return r;
    }
    if (path == "/static/logo" && !logo_.empty()) {
        Response r;
        r.body = logo_;
        r.header("Content-Type", logo_type_);
        return r;
    }
    if (path == "/help") {
        return page(200, c, pages_->help(page_context(c, false)));
    }
    ++counters_.not_found;
    return message(404, c, MessageKind::not_found);
}

bool App::runs_inline(const Request& rq) const {
    // Next to the routes it describes: a GET's writes go to the background runner
    // (audit_later), and downloads (documents and ZIPs alike) only open readers here; their
    // bytes are decrypted a chunk at a time as the server sends them.
    return rq.method == "GET";
}

std::string App::session_key(std::string_view cookie) const {
    // Keyed hash, as the session store keeps it: the cookie itself is not held in memory.
    std::string msg(kZipLabel);
    msg += cookie;
    const auto mac = crypto::hmac_sha256(ip_key_, crypto::as_bytes(msg));
    return {mac.begin(), mac.end()};
}

Response App::route_link(const Request& rq, Ctx& c, std::string_view rest) {
    const std::size_t slash = rest.find('/');
    const std::string_view token = rest.substr(0, slash);
    const std::string_view action =
        slash == std::string_view::npos ? std::string_view{} : rest.substr(slash + 1);
    // The vault does the same work for malformed, unknown and known tokens (timing).
    auto opened = vault_.envelope_open(token);
    if (!opened) {
        return open_failed(c, opened.error());
    }
    c.link_path = "/d/";
    c.link_path += token;
    const vault::OpenedEnvelope& env = *opened;

    if (rq.method == "POST") {
        if (rq.content_type.rfind("application/x-www-form-urlencoded", 0) != 0 ||
            !csrf_.check(c.visitor, c.link_path, form_value(rq.body, "csrf"))) {
            log::info("portal.csrf_refused").kv("sid", rq.sid);
            return message(403, c, MessageKind::forbidden);
        }
        if (action == "code") {
            return send_code(rq, c, env);
        }
        if (action == "verify") {
            return verify(rq, c, env);
        }
        return message(405, c, MessageKind::bad_request).header("Allow", "GET");
    }
    if (action.empty()) {
        return landing(rq, c, env);
    }
    if (action.rfind("doc/", 0) == 0) {
        return download(rq, c, env, action.substr(4));
    }
    if (action == "zip") {
        return zip(rq, c, env);
    }
    if (action == "code" || action == "verify") {
        return message(405, c, MessageKind::bad_request).header("Allow", "POST");
    }
    ++counters_.not_found;
    return message(404, c, MessageKind::not_found);
}

Response App::landing(const Request& rq, Ctx& c, const vault::OpenedEnvelope& env) {
    if (env.link_expired) {
        ExpiredPage p;
        p.expired_at = env.summary.expires_at;
        p.masked_phone = log::mask_phone(env.meta.phone_e164);
        return page(410, c, pages_->expired(page_context(c, true), p));
    }
    if (sessions_.valid(cookie_value(rq.cookie, kSessionCookie), env.summary.id)) {
        DocumentsPage p;
        p.documents = rows_of(env.meta);
        p.expires_at = env.summary.expires_at;
        if (form_value(rq.query, "renewed") == "1") {
            p.notice = "renewed";
        }
        return page(200, c, pages_->documents(page_context(c, true), p));
    }
    auto guard = vault_.guard_status(env.summary.id, code_policy());
    if (!guard) {
        return open_failed(c, guard.error());
    }
    if (guard->state == vault::GuardState::locked_for_good) {
        return message(423, c, MessageKind::locked_for_good);
    }
    if (guard->state == vault::GuardState::locked_for_now) {
        return message(429, c, MessageKind::locked_for_now, guard->until);
    }
    LandingPage p;
    p.documents = rows_of(env.meta);
    p.masked_phone = log::mask_phone(env.meta.phone_e164);
    return page(200, c, pages_->landing(page_context(c, true), p));
}

Response App::send_code(const Request& rq, Ctx& c, const vault::OpenedEnvelope& env) {
    const vault::EnvelopeId& id = env.summary.id;
    std::int64_t ip_retry = 0;
    if (!ip_codes_.allow(rq.client_ip, &ip_retry)) {
        ++counters_.codes_refused;
        log::info("portal.code_refused").kv("sid", rq.sid).kv("reason", "ip_limit");
        return message(429, c, MessageKind::too_many_codes, ip_retry);
    }
    auto issued = vault_.code_issue(id, code_policy());
    if (!issued) {
        ip_codes_.refund(rq.client_ip);
        return open_failed(c, issued.error());
    }
    if (!issued->code) {
        ip_codes_.refund(rq.client_ip);
        ++counters_.codes_refused;
        const auto& g = issued->guard;
        log::info("portal.code_refused")
            .kv("sid", rq.sid)
            .kv("envelope", vault::envelope_id_hex(id))
            .kv("reason", g.state == vault::GuardState::rate_limited ? "rate_limit" : "locked");
        switch (g.state) {
            case vault::GuardState::locked_for_good:
                return message(423, c, MessageKind::locked_for_good);
            case vault::GuardState::locked_for_now:
                return message(429, c, MessageKind::locked_for_now, g.until);
            default:
                return message(429, c, MessageKind::too_many_codes, g.until);
        }
    }
    // The SMS is in the patient's language (the envelope's), not the browser's.
    std::string text =
        pages_->sms_text(env.meta.language, cfg_.practice.name, issued->code->code, code_minutes());
    const Status sent = sms_->send(env.meta.phone_e164, text);
    crypto::secure_wipe(text.data(), text.size());
    if (!sent) {
        // DESIGN 4: a failed SMS says so and costs nothing.
        (void)vault_.code_withdraw(id, issued->code->issued_at);
        ip_codes_.refund(rq.client_ip);
        ++counters_.codes_failed;
        audit(id, vault::AuditKind::code_failed, std::nullopt, rq);
        log::warn("portal.code_failed")
            .kv("sid", rq.sid)
            .kv("envelope", vault::envelope_id_hex(id))
            .kv("err", errc_name(sent.error().code));
        return message(503, c, MessageKind::sms_failed);
    }
    ++counters_.codes_sent;
    audit(id, vault::AuditKind::code_sent, std::nullopt, rq);
    log::info("portal.code_sent").kv("sid", rq.sid).kv("envelope", vault::envelope_id_hex(id));
    CodePage p;
    p.masked_phone = log::mask_phone(env.meta.phone_e164);
    p.notice = "code_sent";
    p.renewal = env.link_expired;
    p.code_length = cfg_.portal.code_length;
    p.code_minutes = code_minutes();
    return page(200, c, pages_->code(page_context(c, true), p));
}

Response App::verify(const Request& rq, Ctx& c, const vault::OpenedEnvelope& env) {
    const vault::EnvelopeId& id = env.summary.id;
    std::string typed = digits_of(form_value(rq.body, "code"));
    auto check = vault_.code_verify(id, typed, code_policy());
    crypto::secure_wipe(typed.data(), typed.size());
    if (!check) {
        return open_failed(c, check.error());
    }
    CodePage p;
    p.masked_phone = log::mask_phone(env.meta.phone_e164);
    p.renewal = env.link_expired;
    p.code_length = cfg_.portal.code_length;
    p.code_minutes = code_minutes();
    switch (check->verdict) {
        case vault::CodeVerdict::accepted: {
            ++counters_.verified;
            audit(id, vault::AuditKind::verified, std::nullopt, rq);
            std::string location = c.link_path;
            if (env.link_expired) {
                if (auto renewed = vault_.envelope_renew(env); !renewed) {
                    return open_failed(c, renewed.error());
                }
                ++counters_.renewals;
                location += "?renewed=1";
            }
            auto cookie = sessions_.create(id);
            if (!cookie) {
                return open_failed(c, cookie.error());
            }
            log::info("portal.verified")
                .kv("sid", rq.sid)
                .kv("envelope", vault::envelope_id_hex(id));
            // Post/Redirect/Get (RFC 9110 15.4.4): a reload does not post the code again.
            Response r;
            r.status = 303;
            r.header("Location", location);
            r.header("Set-Cookie",
                     set_cookie(kSessionCookie, std::string_view(cookie->data(), cookie->size()),
                                cfg_.portal.session_absolute.count()));
            return r;
        }
        case vault::CodeVerdict::wrong:
            ++counters_.wrong_codes;
            log::info("portal.code_wrong")
                .kv("sid", rq.sid)
                .kv("envelope", vault::envelope_id_hex(id))
                .kv("tries_left", check->tries_left);
            p.notice = check->tries_left > 0 ? "code_wrong" : "code_used_up";
            p.tries_left = check->tries_left;
            return page(200, c, pages_->code(page_context(c, true), p));
        case vault::CodeVerdict::no_code:
            p.notice = "code_expired";
            return page(200, c, pages_->code(page_context(c, true), p));
        case vault::CodeVerdict::locked_for_now:
        case vault::CodeVerdict::locked_for_good: {
            const bool for_good = check->verdict == vault::CodeVerdict::locked_for_good;
            ++counters_.wrong_codes;
            ++counters_.locks;
            audit(id, vault::AuditKind::locked, std::nullopt, rq);
            log::warn("portal.locked")
                .kv("sid", rq.sid)
                .kv("envelope", vault::envelope_id_hex(id))
                .kv("for_good", for_good);
            return for_good ? message(423, c, MessageKind::locked_for_good)
                            : message(429, c, MessageKind::locked_for_now, check->until);
        }
    }
    return message(503, c, MessageKind::unavailable);
}

Response App::download(const Request& rq, Ctx& c, const vault::OpenedEnvelope& env,
                       std::string_view index) {
    const std::string cookie = cookie_value(rq.cookie, kSessionCookie);
    if (env.link_expired || !sessions_.valid(cookie, env.summary.id)) {
        return message(403, c, MessageKind::session_expired);
    }
    std::uint32_t doc = 0;
    if (index.empty() || index.size() > 4 ||
        index.find_first_not_of("0123456789") != std::string_view::npos) {
        return message(404, c, MessageKind::not_found);
    }
    for (char ch : index) {
        doc = (doc * 10) + static_cast<std::uint32_t>(ch - '0');
    }
    if (doc >= env.meta.documents.size()) {
        return message(404, c, MessageKind::not_found);
    }
    auto reader = vault_.document_reader(env, doc);
    if (!reader) {
        return open_failed(c, reader.error());
    }
    const auto& meta = env.meta.documents[doc];
    if (sessions_.first_download(cookie, doc)) {
        audit_later(env, {doc}, rq);
    }
    ++counters_.downloads;
    log::info("portal.download")
        .kv("sid", rq.sid)
        .kv("envelope", vault::envelope_id_hex(env.summary.id))
        .kv("doc", doc);
    Response r;
    r.header("Content-Type", safe_content_type(meta.content_type));
    r.header("Content-Disposition", content_disposition(meta.file_name, "document"));
    r.length = meta.info.size;
    auto shared = std::make_shared<vault::DocumentReader>(std::move(reader).value());
    r.source = [shared]() { return shared->next(); };
    return r;
}

Response App::zip(const Request& rq, Ctx& c, const vault::OpenedEnvelope& env) {
    const std::string cookie = cookie_value(rq.cookie, kSessionCookie);
    if (env.link_expired || !sessions_.valid(cookie, env.summary.id)) {
        return message(403, c, MessageKind::session_expired);
    }
    std::set<std::uint32_t> chosen;
    for (const std::string& v : form_values(rq.query, "d", env.meta.documents.size() + 1)) {
        if (!v.empty() && v.size() <= 4 && v.find_first_not_of("0123456789") == std::string::npos) {
            const auto i = static_cast<std::uint32_t>(std::stoul(v));
            if (i < env.meta.documents.size()) {
                chosen.insert(i);
            }
        }
    }
    if (chosen.empty()) {
        for (std::uint32_t i = 0; i < env.meta.documents.size(); ++i) {
            chosen.insert(i);
        }
    }
    std::uint64_t total = 0;
    for (std::uint32_t i : chosen) {
        total += env.meta.documents[i].info.size;
    }
    if (total > cfg_.portal.max_zip_size) {
        DocumentsPage p;
        p.documents = rows_of(env.meta);
        p.expires_at = env.summary.expires_at;
        p.notice = "zip_too_large";
        return page(413, c, pages_->documents(page_context(c, true), p));
    }
    // Streaming costs a chunk of memory per archive, but each one holds a connection, a
    // reader per document and the CPU of its CRC: capped per session and in all.
    ZipGate::Ticket ticket = zip_gate_.try_enter(session_key(cookie));
    if (!ticket) {
        log::info("portal.zip_refused").kv("sid", rq.sid);
        return message(503, c, MessageKind::busy, vault_.now() + kZipRetrySeconds);
    }
    std::vector<ZipEntry> entries;
    for (std::uint32_t i : chosen) {
        // Every reader is made before the first byte: a document that cannot be read gives
        // an error page, not a cut archive.
        auto reader = vault_.document_reader(env, i);
        if (!reader) {
            return open_failed(c, reader.error());
        }
        ZipEntry e;
        e.name = sanitize_file_name(env.meta.documents[i].file_name, "document");
        e.size = env.meta.documents[i].info.size;
        auto shared = std::make_shared<vault::DocumentReader>(std::move(reader).value());
        e.data = [shared]() { return shared->next(); };
        entries.push_back(std::move(e));
    }
    auto archive = ZipStream::make(std::move(entries), vault_.now());
    if (!archive) {
        return open_failed(c, archive.error());
    }
    // One background job for the whole archive, not one per document.
    std::vector<std::uint32_t> first;
    for (std::uint32_t i : chosen) {
        if (sessions_.first_download(cookie, i)) {
            first.push_back(i);
        }
    }
    audit_later(env, std::move(first), rq);
    ++counters_.downloads;
    log::info("portal.download_zip")
        .kv("sid", rq.sid)
        .kv("envelope", vault::envelope_id_hex(env.summary.id))
        .kv("docs", static_cast<std::uint64_t>(chosen.size()));
    Response r;
    r.header("Content-Type", "application/zip");
    r.header("Content-Disposition",
             content_disposition(cfg_.practice.name + ".zip", "documents.zip"));
    r.length = archive->length();
    // The server pulls the pieces as the client takes them; the ticket goes with the last one
    // (or when the client leaves).
    auto stream = std::make_shared<ZipStream>(std::move(archive).value());
    auto held = std::make_shared<ZipGate::Ticket>(std::move(ticket));
    r.source = [stream, held]() { return stream->next(); };
    return r;
}

}  // namespace sealpost::portal
