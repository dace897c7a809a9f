// SPDX-License-Identifier: Apache-2.0
// Rendering of the portal's pages and SMS: fills each template with the page's values, builds
// the repeated fragments (documents, notices, language switcher) with every value escaped.
#include <algorithm>
#include <array>

#include "core/core_log.hpp"
#include "core/core_text.hpp"
#include "portal/portal_pages_impl.hpp"

namespace sealpost::portal {
namespace {

/// Each language names itself in the switcher (so a patient finds theirs in any language).
constexpr std::array<std::string_view, std::size(kLanguages)> kLanguageNames = {
    "Deutsch", "Fran\u00e7ais", "Italiano", "English"};

constexpr std::array<MessageKind, 12> kMessageKinds = {
    MessageKind::not_found,      MessageKind::gone,
    MessageKind::locked_for_now, MessageKind::locked_for_good,
    MessageKind::too_many_codes, MessageKind::bad_request,
    MessageKind::forbidden,      MessageKind::session_expired,
    MessageKind::sms_failed,     MessageKind::busy,
    MessageKind::unavailable,    MessageKind::call_failed};

std::string_view slug(MessageKind k) {
    switch (k) {
        case MessageKind::not_found:
            return "not_found";
        case MessageKind::gone:
            return "gone";
        case MessageKind::locked_for_now:
            return "locked_for_now";
        case MessageKind::locked_for_good:
            return "locked_for_good";
        case MessageKind::too_many_codes:
            return "too_many_codes";
        case MessageKind::bad_request:
            return "bad_request";
        case MessageKind::forbidden:
            return "forbidden";
        case MessageKind::session_expired:
            return "session_expired";
        case MessageKind::sms_failed:
            return "sms_failed";
        case MessageKind::call_failed:
            return "call_failed";
        case MessageKind::busy:
            return "busy";
        case MessageKind::unavailable:
            return "unavailable";
    }
    return "unavailable";
}

bool is_error_notice(std::string_view n) {
    return n != "code_sent" && n != "call_started" && n != "renewed";
}

/// Placeholders a notice text may use; a page fills those it knows.
constexpr std::string_view kNoticeValues = "practice phone tries date";

/// A same-origin path only ("/d/…"), never "//host" or "/\host" (which browsers treat as
/// another origin), so a back link cannot lead away from the portal.
bool same_origin_path(std::string_view href) {
    return !href.empty() && href[0] == '/' &&
           (href.size() == 1 || (href[1] != '/' && href[1] != '\\')) &&
           std::none_of(href.begin(), href.end(),
                        [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7f; });
}

std::string lower_ascii(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(), [](char c) {
        return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
    });
    return out;
}

/// What one render needs: the catalog of the page's language and the context.
class Render {
  public:
    Render(const Pages::Impl& impl, const PageContext& c)
        : impl_(impl),
          c_(c),
          lang_(kLanguages[language_index(c.lang)]),
          cat_(impl.catalogs[language_index(c.lang)]) {}

    /// Catalog text with placeholders filled (plain text: escape before output).
    [[nodiscard]] std::string text(std::string_view key, const Values& v = {}) const {
        const std::string* s = cat_.find(key);
        return s == nullptr ? std::string() : substitute(*s, v);
    }

    /// Values every page has.
    [[nodiscard]] Values base() const { return {{"practice", c_.practice_name}}; }

    [[nodiscard]] std::string notice(std::string_view key, Values v) const {
        if (key.empty()) {
            return {};
        }
        if (std::find(std::begin(kNotices), std::end(kNotices), key) == std::end(kNotices)) {
            log::warn("portal.page.unknown_notice").kv("notice", key);
            return {};
        }
        std::string k = "notice." + std::string(key);
        if (key == "code_wrong" && v["tries"] == "1") {
            k += "_one";
        }
        v.emplace("practice", c_.practice_name);
        const bool error = is_error_notice(key);
        return std::string("<p class=\"notice") +
               (error ? " notice-error\" role=\"alert\">" : "\" role=\"status\">") +
               escape_text(text(k, v)) + "</p>\n";
    }

    [[nodiscard]] std::string size(std::uint64_t bytes) const {
        const std::string dec = text("number.decimal");
        const std::string kb = text("unit.kb");
        const std::string mb = text("unit.mb");
        const std::string gb = text("unit.gb");
        return format_size(bytes, SizeStyle{dec, kb, mb, gb});
    }

    /// "PDF", "XML", "Bild", ... from a content type; the subtype upper-cased otherwise.
    [[nodiscard]] std::string doc_type(std::string_view content_type) const {
        const std::string ct = lower_ascii(content_type.substr(0, content_type.find(';')));
        const std::size_t slash = ct.find('/');
        if (slash == std::string::npos || slash == 0 || slash + 1 == ct.size()) {
            return text("type.file");
        }
        const std::string_view type = std::string_view(ct).substr(0, slash);
        std::string_view sub = std::string_view(ct).substr(slash + 1);
        while (!sub.empty() && sub.back() == ' ') {
            sub.remove_suffix(1);
        }
        if (sub == "pdf") {
            return "PDF";
        }
        if (sub == "xml" || (sub.size() > 4 && sub.substr(sub.size() - 4) == "+xml")) {
            return "XML";
        }
        if (type == "image") {
            return text("type.image");
        }
        if (type == "text" && sub == "plain") {
            return text("type.text");
        }
        if (sub == "msword" || sub.find("wordprocessingml") != std::string_view::npos) {
            return "Word";
        }
        if (sub == "vnd.ms-excel" || sub.find("spreadsheetml") != std::string_view::npos) {
            return "Excel";
        }
        if (sub.substr(0, 2) == "x-") {
            sub.remove_prefix(2);
        }
        std::string out(sub.substr(0, 12));
        std::transform(out.begin(), out.end(), out.begin(), [](char c) {
            return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
        });
        return out.empty() ? text("type.file") : out;
    }

    /// The whole document: the layout around a rendered page body.
    [[nodiscard]] std::string page(Tpl body, const std::string& title, const Values& vars,
                                   const Values& raws, std::string_view switch_base) const {
        Values lv = base();
        lv.emplace("lang", std::string(lang_));
        lv.emplace("title", title);
        lv.emplace("help_href", "/help?lang=" + std::string(lang_));
        lv.emplace("privacy_href", "/privacy?lang=" + std::string(lang_));
        Values lr;
        lr.emplace("contact", contact());
        lr.emplace("body", fill(impl_.tpl(body), vars, raws));
        lr.emplace("switcher", switcher(switch_base));
        lr.emplace("logo", c_.has_logo
                               ? "<img class=\"logo\" src=\"/static/logo\" alt=\"" +
                                     escape_text(c_.practice_name) + "\">"
                               : "<p class=\"practice\">" + escape_text(c_.practice_name) + "</p>");
        return fill(impl_.tpl(Tpl::layout), lv, lr);
    }

    /** The practice's contact as an <address>: name, postal address, phone (a tel: link of
     * its digits) and e-mail (a mailto: link), each only when set. Every value escaped; the
     * e-mail is a plain local@domain (config-checked), so the mailto: URL needs no encoding. */
    [[nodiscard]] std::string contact() const {
        std::string out = "<address class=\"contact\">" + escape_text(c_.practice_name);
        if (!c_.address.empty()) {
            out += "<br>" + escape_text(c_.address);
        }
        if (!c_.phone.empty()) {
            std::string dial;
            for (const char ch : c_.phone) {
                if ((ch >= '0' && ch <= '9') || (ch == '+' && dial.empty())) {
                    dial.push_back(ch);
                }
            }
            out += "<br>" + escape_text(text("layout.phone")) + ": ";
            out += dial.empty()
                       ? escape_text(c_.phone)
                       : concat({"<a href=\"tel:", dial, "\">", escape_text(c_.phone), "</a>"});
        }
        if (!c_.email.empty()) {
            out += concat({"<br>", escape_text(text("layout.email")), ": <a href=\"mailto:",
                           text::html_escape(c_.email), "\">", escape_text(c_.email), "</a>"});
        }
        return out + "</address>";
    }

  private:
    /// A page template with the catalog of this language for its `{{t:key}}`s.
    [[nodiscard]] std::string fill(const Template& t, const Values& vars,
                                   const Values& raws) const {
        return t.render({.output = Template::Output::html,
                         .vars = &vars,
                         .raws = &raws,
                         .key = [this](std::string_view k) { return cat_.find(k); }});
    }

    [[nodiscard]] std::string switcher(std::string_view base) const {
        std::string out = "<ul class=\"lang-switch\">";
        for (std::size_t i = 0; i < std::size(kLanguages); ++i) {
            const std::string l(kLanguages[i]);
            out += concat({"<li><a href=\"", text::html_escape(concat({base, "?lang=", l})),
                           "\" hreflang=\"", l, "\" lang=\"", l, "\"",
                           l == lang_ ? " aria-current=\"true\"" : "", ">", kLanguageNames[i],
                           "</a></li>"});
        }
        return out + "</ul>";
    }

    const Pages::Impl& impl_;
    const PageContext& c_;
    std::string_view lang_;
    const Catalog& cat_;
};

/// The landing page's list: the names, or "Document 1", "Document 2" ... when they are hidden.
std::string file_list(const Render& r, const std::vector<DocumentRow>& docs, bool hide_names) {
    std::string out = "<ul class=\"file-list\">\n";
    for (std::size_t i = 0; i < docs.size(); ++i) {
        const std::string name = hide_names
                                     ? r.text("landing.document", {{"n", std::to_string(i + 1)}})
                                     : docs[i].file_name;
        out += concat({"<li>", escape_text(name), "</li>\n"});
    }
    return out + "</ul>";
}

}  // namespace

std::vector<CodeKey> code_keys() {
    std::vector<CodeKey> keys = {
        {"title.landing", ""},
        {"title.code", ""},
        {"title.renew", ""},
        {"title.documents", ""},
        {"title.expired", ""},
        {"title.help", ""},
        {"landing.intro.one", "practice"},
        {"landing.intro.many", "practice n"},
        {"code.lead", "phone"},
        {"code.lead_renew", "phone"},
        {"documents.download", ""},
        {"documents.select", ""},
        {"documents.zip", ""},
        {"type.image", ""},
        {"type.text", ""},
        {"type.file", ""},
        {"number.decimal", ""},
        {"unit.kb", ""},
        {"unit.mb", ""},
        {"unit.gb", ""},
        {"message.back", ""},
        {"message.retry_at", "date time"},
        {"message.retry_later", ""},
        {"sms.text", "practice code minutes"},
        {"title.privacy", ""},
        {"landing.document", "n"},
        {"layout.phone", ""},
        {"layout.email", ""},
        {"privacy.more", "practice"},
        {"privacy.extra.heading", "practice"},
        {"voice.text", "practice digits"},
        // The texts that differ between an SMS and a voice call (by_call on the page).
        {"landing.verify.text", "phone"},
        {"landing.verify.text_call", "phone"},
        {"landing.send", ""},
        {"landing.call", ""},
        {"code.lead_call", "phone"},
        {"code.lead_renew_call", "phone"},
        {"code.label", ""},
        {"code.label_call", ""},
        {"code.none.heading", ""},
        {"code.none.heading_call", ""},
        {"code.none.text", "practice"},
        {"code.none.text_call", "practice"},
        {"code.resend", ""},
        {"code.resend_call", ""},
        {"expired.renew.text", "phone"},
        {"expired.renew.text_call", "phone"},
        {"notice.code_wrong_one", kNoticeValues},
    };
    for (const std::string_view n : kNotices) {
        keys.push_back({"notice." + std::string(n), kNoticeValues});
    }
    for (const MessageKind k : kMessageKinds) {
        keys.push_back({"message." + std::string(slug(k)) + ".title", ""});
        keys.push_back({"message." + std::string(slug(k)) + ".text", "practice"});
    }
    return keys;
}

std::string Pages::landing(const PageContext& c, const LandingPage& p) const {
    const Render r(*impl_, c);
    Values v = r.base();
    v.emplace("phone", p.masked_phone);
    v.emplace("csrf", c.csrf);
    v.emplace("code_action", c.link_path + "/code");
    const std::string n = std::to_string(p.documents.size());
    v.emplace("intro", r.text(p.documents.size() == 1 ? "landing.intro.one" : "landing.intro.many",
                              {{"practice", c.practice_name}, {"n", n}}));
    v.emplace("verify_text", r.text(p.by_call ? "landing.verify.text_call" : "landing.verify.text",
                                    {{"phone", p.masked_phone}}));
    v.emplace("send_label", r.text(p.by_call ? "landing.call" : "landing.send"));
    Values raws;
    raws.emplace("notice", r.notice(p.notice, {{"phone", p.masked_phone}}));
    raws.emplace("documents", file_list(r, p.documents, p.hide_names));
    return r.page(Tpl::landing, r.text("title.landing"), v, raws, c.link_path);
}

std::string Pages::code(const PageContext& c, const CodePage& p) const {
    const Render r(*impl_, c);
    Values v = r.base();
    v.emplace("phone", p.masked_phone);
    v.emplace("csrf", c.csrf);
    v.emplace("code_action", c.link_path + "/code");
    v.emplace("verify_action", c.link_path + "/verify");
    const std::string title = r.text(p.renewal ? "title.renew" : "title.code");
    v.emplace("heading", title);
    const std::string call = p.by_call ? "_call" : "";
    v.emplace("lead", r.text((p.renewal ? "code.lead_renew" : "code.lead") + call,
                             {{"phone", p.masked_phone}}));
    v.emplace("code_label", r.text("code.label" + call));
    v.emplace("none_heading", r.text("code.none.heading" + call));
    v.emplace("none_text", r.text("code.none.text" + call, r.base()));
    v.emplace("resend_label", r.text("code.resend" + call));
    v.emplace("n", std::to_string(p.code_length));
    v.emplace("minutes", std::to_string(p.code_minutes));
    Values raws;
    raws.emplace("notice", r.notice(p.notice, {{"phone", p.masked_phone},
                                               {"tries", std::to_string(p.tries_left)}}));
    return r.page(Tpl::code, title, v, raws, c.link_path);
}

std::string Pages::documents(const PageContext& c, const DocumentsPage& p) const {
    const Render r(*impl_, c);
    const std::string date = format_date(p.expires_at);
    Values v = r.base();
    v.emplace("date", date);
    v.emplace("zip_action", c.link_path + "/zip");

    // With one document there is nothing to select: no checkboxes and no ZIP button.
    const bool select = p.documents.size() > 1;
    const std::string download = escape_text(r.text("documents.download"));
    std::string rows = "<ul class=\"doc-list\">\n";
    for (const auto& d : p.documents) {
        const std::string idx = std::to_string(d.index);
        const std::string name = escape_text(d.file_name);
        rows += "<li class=\"doc\">\n";
        if (select) {
            rows += concat({"<input type=\"checkbox\" id=\"doc-", idx, "\" name=\"d\" value=\"",
                            idx, "\" checked>\n<div class=\"doc-body\"><label for=\"doc-", idx,
                            "\" class=\"doc-name\">", name, "</label>\n"});
        } else {
            rows += concat({"<div class=\"doc-body\"><p class=\"doc-name\">", name, "</p>\n"});
        }
        rows += concat({"<p class=\"doc-meta\">", escape_text(r.doc_type(d.content_type)),
                        " \u00b7 ", escape_text(r.size(d.size)), "</p></div>\n",
                        "<a class=\"button secondary doc-download\" href=\"",
                        text::html_escape(concat({c.link_path, "/doc/", idx})), "\">", download,
                        "<span class=\"visually-hidden\">: ", name, "</span></a>\n</li>\n"});
    }
    rows += "</ul>";
    if (select) {
        rows = "<fieldset class=\"doc-select\"><legend class=\"visually-hidden\">" +
               escape_text(r.text("documents.select")) + "</legend>\n" + rows + "\n</fieldset>";
    }
    Values raws;
    raws.emplace("notice", r.notice(p.notice, {{"date", date}}));
    raws.emplace("rows", rows);
    raws.emplace("zip", select ? "<button type=\"submit\" class=\"button\">" +
                                     escape_text(r.text("documents.zip")) + "</button>"
                               : std::string());
    return r.page(Tpl::documents, r.text("title.documents"), v, raws, c.link_path);
}

std::string Pages::expired(const PageContext& c, const ExpiredPage& p) const {
    const Render r(*impl_, c);
    Values v = r.base();
    v.emplace("phone", p.masked_phone);
    v.emplace("csrf", c.csrf);
    v.emplace("code_action", c.link_path + "/code");
    v.emplace("date", format_date(p.expired_at));
    v.emplace("renew_text", r.text(p.by_call ? "expired.renew.text_call" : "expired.renew.text",
                                   {{"phone", p.masked_phone}}));
    Values raws;
    raws.emplace("notice", r.notice(p.notice, {{"phone", p.masked_phone}}));
    return r.page(Tpl::expired, r.text("title.expired"), v, raws, c.link_path);
}

std::string Pages::message(const PageContext& c, const MessagePage& p) const {
    const Render r(*impl_, c);
    const std::string key = "message." + std::string(slug(p.kind));
    const std::string title = r.text(key + ".title");
    Values v = r.base();
    v.emplace("heading", title);
    v.emplace("text", r.text(key + ".text", r.base()));
    Values raws;
    if (p.kind == MessageKind::locked_for_now || p.kind == MessageKind::too_many_codes) {
        const std::string when =
            p.until > 0 ? r.text("message.retry_at",
                                 {{"date", format_date(p.until)}, {"time", format_time(p.until)}})
                        : r.text("message.retry_later");
        raws.emplace("more", "<p>" + escape_text(when) + "</p>");
    }
    if (same_origin_path(p.back_href)) {
        raws.emplace("back", "<p><a class=\"button secondary\" href=\"" +
                                 text::html_escape(p.back_href) + "\">" +
                                 escape_text(r.text("message.back")) + "</a></p>");
    }
    return r.page(Tpl::message, title, v, raws, c.link_path);
}

std::string Pages::help(const PageContext& c) const {
    const Render r(*impl_, c);
    return r.page(Tpl::help, r.text("title.help"), r.base(), {}, "/help");
}

std::string Pages::privacy(const PageContext& c, const PrivacyPage& p) const {
    const Render r(*impl_, c);
    Values v = r.base();
    v.emplace("link_days", std::to_string(p.link_days));
    v.emplace("retention_days", std::to_string(p.retention_days));
    v.emplace("max_days", std::to_string(p.max_days));
    v.emplace("gateway", p.gateway.empty() ? std::string() : " (" + p.gateway + ")");
    Values raws;
    raws.emplace("contact", r.contact());
    if (!p.privacy_url.empty()) {
        raws.emplace("more", concat({"<p><a href=\"", text::html_escape(p.privacy_url), "\">",
                                     escape_text(r.text("privacy.more", r.base())), "</a></p>"}));
    }
    if (!p.privacy_text.empty()) {
        std::string extra =
            concat({"<section class=\"help-item\">\n<h2>",
                    escape_text(r.text("privacy.extra.heading", r.base())), "</h2>\n"});
        std::string_view rest = p.privacy_text;
        while (!rest.empty()) {
            const std::size_t nl = rest.find('\n');
            const std::string_view para = rest.substr(0, nl);
            if (!para.empty()) {
                extra += concat({"<p>", escape_text(para), "</p>\n"});
            }
            rest = nl == std::string_view::npos ? std::string_view{} : rest.substr(nl + 1);
        }
        raws.emplace("extra", extra + "</section>");
    }
    return r.page(Tpl::privacy, r.text("title.privacy"), v, raws, "/privacy");
}

std::string Pages::sms_text(std::string_view lang, std::string_view practice, std::string_view code,
                            unsigned valid_minutes) const {
    const Catalog& cat = impl_->catalogs[language_index(lang)];
    const std::string* s = cat.find("sms.text");
    if (s == nullptr) {
        return {};
    }
    // An SMS is one line of plain text: no control characters from the practice's name.
    return substitute(*s, {{"practice", text::clean(practice)},
                           {"code", text::clean(code)},
                           {"minutes", std::to_string(valid_minutes)}});
}

std::string spoken_digits(std::string_view code) {
    std::string out;
    out.reserve(code.size() * 3);
    for (const char c : code) {
        if (c < '0' || c > '9') {
            continue;
        }
        if (!out.empty()) {
            out += ", ";
        }
        out += c;
    }
    return out;
}

std::string Pages::voice_text(std::string_view lang, std::string_view practice,
                              std::string_view code) const {
    const Catalog& cat = impl_->catalogs[language_index(lang)];
    const std::string* s = cat.find("voice.text");
    if (s == nullptr) {
        return {};
    }
    return substitute(*s, {{"practice", text::clean(practice)}, {"digits", spoken_digits(code)}});
}

}  // namespace sealpost::portal
