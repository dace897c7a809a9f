// SPDX-License-Identifier: Apache-2.0
// The portal's routing and the code flow: which path and method reach which answer, the
// landing page, sending the code (by SMS, or by a voice call to a landline) and checking it
// (DESIGN 4).
#include "core/core_log.hpp"
#include "core/core_phone.hpp"
#include "portal/portal_app.hpp"
#include "portal/portal_app_impl.hpp"
#include "portal/portal_cookies.hpp"

namespace sealpost::portal {

namespace {

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

}  // namespace

Response App::handle(const Request& rq, const Appearance& look) {
    ++counters_.requests;
    Ctx c(look);
    const std::string chosen = form_value(rq.query, "lang");
    const std::string remembered = cookie_value(rq.cookie, kLangCookie);
    c.lang = choose_language(chosen.empty() ? remembered : chosen, rq.accept_language,
                             to_string(look.practice.default_language));
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
        r.body = c.look.pages->css();
        r.header("Content-Type", "text/css; charset=utf-8");
        return r;
    }
    if (path == "/static/logo" && !look.logo.bytes.empty()) {
        Response r;
        r.body = look.logo.bytes;
        r.header("Content-Type", look.logo.type);
        return r;
    }
    if (path == "/help") {
        return page(200, c, c.look.pages->help(page_context(c, false)));
    }
    if (path == "/privacy") {
        return page(200, c, c.look.pages->privacy(page_context(c, false), privacy_page(c)));
    }
    ++counters_.not_found;
    return message(404, c, MessageKind::not_found);
}

bool App::by_call(const vault::OpenedEnvelope& env) const {
    if (voice_ == nullptr) {
        return false;
    }
    auto n = normalize_phone(env.meta.phone_e164, "CH", true);
    return n && n->kind == PhoneKind::landline;
}

bool App::runs_inline(const Request& rq) const {
    // Next to the routes it describes: a GET's writes go to the background runner
    // (audit_later), and downloads (documents and ZIPs alike) only open readers here; their
    // bytes are decrypted a chunk at a time as the server sends them.
    return rq.method == "GET";
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
        p.by_call = by_call(env);
        return page(410, c, c.look.pages->expired(page_context(c, true), p));
    }
    if (sessions_.valid(cookie_value(rq.cookie, kSessionCookie), env.summary.id)) {
        return documents_page(200, c, env, form_value(rq.query, "renewed") == "1" ? "renewed" : "");
    }
    auto guard = vault_.guard_status(env.summary.id, code_policy_);
    if (!guard) {
        return open_failed(c, guard.error());
    }
    // Only a lock keeps the patient from the landing page; a rate limit shows when a code
    // is asked for.
    if (guard->state == vault::GuardState::locked_for_good ||
        guard->state == vault::GuardState::locked_for_now) {
        return guard_refused(c, guard->state, guard->until);
    }
    LandingPage p;
    p.documents = rows_of(env.meta);
    p.hide_names = cfg_.practice.hide_document_names;
    p.masked_phone = log::mask_phone(env.meta.phone_e164);
    p.by_call = by_call(env);
    return page(200, c, c.look.pages->landing(page_context(c, true), p));
}

Response App::send_code(const Request& rq, Ctx& c, const vault::OpenedEnvelope& env) {
    const vault::EnvelopeId& id = env.summary.id;
    std::int64_t ip_retry = 0;
    if (!ip_codes_.allow(rq.client_ip, &ip_retry)) {
        ++counters_.codes_refused;
        log::info("portal.code_refused").kv("sid", rq.sid).kv("reason", "ip_limit");
        return message(429, c, MessageKind::too_many_codes, ip_retry);
    }
    auto issued = vault_.code_issue(id, code_policy_);
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
        return guard_refused(c, g.state, g.until);
    }
    // The SMS or the call is in the patient's language (the envelope's), not the browser's. A
    // call goes through the same guard, counters and withdrawal as an SMS: one code, one channel.
    const bool call = by_call(env);
    const std::string_view code = issued->code->code;
    std::string text =
        call
            ? c.look.pages->voice_text(env.meta.language, c.look.practice.name, code)
            : c.look.pages->sms_text(env.meta.language, c.look.practice.name, code, code_minutes());
    const Status sent = call ? voice_->call(env.meta.phone_e164, text, env.meta.language)
                             : sms_->send(env.meta.phone_e164, text);
    crypto::secure_wipe(text.data(), text.size());
    const std::string_view channel = call ? "call" : "sms";
    if (!sent) {
        // DESIGN 4: a failed SMS (or call) says so and costs nothing.
        (void)vault_.code_withdraw(id, issued->code->issued_at);
        ip_codes_.refund(rq.client_ip);
        ++counters_.codes_failed;
        audit(id, vault::AuditKind::code_failed, std::nullopt, rq);
        log::warn("portal.code_failed")
            .kv("sid", rq.sid)
            .kv("envelope", vault::envelope_id_hex(id))
            .kv("channel", channel)
            .kv("err", errc_name(sent.error().code));
        return message(503, c, call ? MessageKind::call_failed : MessageKind::sms_failed);
    }
    ++counters_.codes_sent;
    if (call) {
        ++counters_.codes_called;
    }
    audit(id, call ? vault::AuditKind::code_called : vault::AuditKind::code_sent, std::nullopt, rq);
    log::info("portal.code_sent")
        .kv("sid", rq.sid)
        .kv("envelope", vault::envelope_id_hex(id))
        .kv("channel", channel);
    CodePage p;
    p.masked_phone = log::mask_phone(env.meta.phone_e164);
    p.by_call = call;
    p.notice = call ? "call_started" : "code_sent";
    p.renewal = env.link_expired;
    p.code_length = cfg_.portal.code_length;
    p.code_minutes = code_minutes();
    return page(200, c, c.look.pages->code(page_context(c, true), p));
}

Response App::verify(const Request& rq, Ctx& c, const vault::OpenedEnvelope& env) {
    const vault::EnvelopeId& id = env.summary.id;
    std::string typed = digits_of(form_value(rq.body, "code"));
    auto check = vault_.code_verify(id, typed, code_policy_);
    crypto::secure_wipe(typed.data(), typed.size());
    if (!check) {
        return open_failed(c, check.error());
    }
    CodePage p;
    p.masked_phone = log::mask_phone(env.meta.phone_e164);
    p.by_call = by_call(env);
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
            r.header("Set-Cookie", session_cookie(std::string_view(cookie->data(), cookie->size()),
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
            return page(200, c, c.look.pages->code(page_context(c, true), p));
        case vault::CodeVerdict::no_code:
            p.notice = "code_expired";
            return page(200, c, c.look.pages->code(page_context(c, true), p));
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
            return guard_refused(
                c,
                for_good ? vault::GuardState::locked_for_good : vault::GuardState::locked_for_now,
                check->until);
        }
    }
    return message(503, c, MessageKind::unavailable);
}

}  // namespace sealpost::portal
