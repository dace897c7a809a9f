// SPDX-License-Identifier: Apache-2.0
// The portal's HTML pages: what each page shows (plain structs filled by the routes) and one
// render function per page. All text comes from the language catalogs; everything is escaped.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/core_result.hpp"

namespace sealpost::portal {

/// de, fr, it, en: the languages every page and SMS exists in.
inline constexpr std::string_view kLanguages[] = {"de", "fr", "it", "en"};

/** Pick a language: `explicit_choice` (the ?lang= switcher or the lang cookie) if it is one of
 * kLanguages, else the best match of an RFC 9110 §12.5.4 `Accept-Language` header (q-values,
 * `de-CH` matches `de`, `*` and unknown tags ignored), else `fallback`. Never fails; malformed
 * headers are ignored. */
std::string choose_language(std::string_view explicit_choice, std::string_view accept_language,
                            std::string_view fallback);

/** The values of the `notice` fields below: a message shown above the page's form. Errors
 * (announced with role="alert"): code_wrong (with CodePage::tries_left), code_expired,
 * code_used_up (the code took too many wrong tries), code_invalid (not digits of the right
 * length), session_expired, zip_empty (nothing selected), zip_too_large. Confirmations
 * (role="status"): code_sent, call_started (the code comes by a voice call), renewed
 * (DocumentsPage, with its expiry date). Any other value
 * shows nothing. */
inline constexpr std::string_view kNotices[] = {
    "code_sent",       "code_wrong", "code_expired", "code_used_up",  "code_invalid",
    "session_expired", "renewed",    "zip_empty",    "zip_too_large", "call_started"};

/// What every page needs.
struct PageContext {
    std::string lang;           ///< one of kLanguages
    std::string practice_name;  ///< from config, shown in the header
    bool has_logo = false;      ///< show <img src="/static/logo">
    std::string csrf;           ///< value of the hidden `csrf` field in every form ("" = no form)
    /// "/d/{token}" on link pages ("" elsewhere). Forms post to link_path + "/code" and
    /// link_path + "/verify"; downloads are link_path + "/doc/{index}" and the ZIP form is a GET
    /// to link_path + "/zip" with one `d={index}` per checked box; the language switcher links
    /// to link_path + "?lang=xx" (or "?lang=xx" alone when link_path is empty).
    std::string link_path;
    // The practice's contact (revFADP art. 19), shown in every page's footer: each "" = not
    // shown. email is a plain local@domain (config-checked).
    std::string address;
    std::string phone;
    std::string email;
};

struct DocumentRow {
    std::uint32_t index = 0;
    std::string file_name;     ///< as the practice sent it (escaped when rendered)
    std::string content_type;  ///< e.g. application/pdf (rendered as "PDF" where known)
    std::uint64_t size = 0;    ///< bytes (rendered "182 KB")
};

/// GET /d/{token}: who sent what, and the button that sends a code.
struct LandingPage {
    std::vector<DocumentRow> documents;  ///< names only are shown (no sizes before the check)
    std::string masked_phone;            ///< "••67"
    std::string notice;    ///< optional catalog key of a message shown above the form ("" = none)
    bool by_call = false;  ///< a landline: the button offers "call me with the code", not SMS
    /// practice.hide_document_names: "Document 1", "Document 2" ... (in the page's language)
    /// instead of the names, which may be health data; they show only after the code.
    bool hide_names = false;
};

/// GET /privacy: the duty to inform (revFADP art. 19): who is responsible, what is stored, for
/// how long, who processes it and how to ask. The contact comes from PageContext.
struct PrivacyPage {
    unsigned link_days = 30;       ///< vault.link_ttl in days
    unsigned retention_days = 90;  ///< vault.retention in days
    unsigned max_days = 365;       ///< vault.max_retention in days
    std::string gateway;           ///< the SMS gateway's name or host ("" = not named)
    std::string privacy_url;       ///< the practice's own notice, https:// ("" = none)
    std::string privacy_text;      ///< the practice's own text, paragraphs by line ("" = none)
};

/// After POST …/code, or a wrong code: the code input form.
struct CodePage {
    std::string masked_phone;
    std::string notice;          ///< catalog key: "code_sent", "code_wrong", "code_expired", ...
    unsigned tries_left = 0;     ///< shown with "code_wrong"
    bool renewal = false;        ///< the link had expired: success renews it (different title)
    unsigned code_length = 6;    ///< digits (portal.code_length): the input's min/maxlength
    unsigned code_minutes = 10;  ///< validity in minutes (portal.code_ttl), shown as a hint
    bool by_call = false;        ///< the code comes by a voice call (a landline), not by SMS
};

/// After a successful check: the documents, one download each, and a ZIP of the selection.
struct DocumentsPage {
    std::vector<DocumentRow> documents;
    std::int64_t expires_at = 0;  ///< unix seconds: "available until 27.12.2026"
    std::string notice;           ///< catalog key, e.g. "renewed" after a renewal
};

/// 410 for an expired link while the data is retained.
struct ExpiredPage {
    std::int64_t expired_at = 0;  ///< unix seconds
    std::string masked_phone;
    std::string notice;    ///< catalog key or ""
    bool by_call = false;  ///< the renewal code comes by a voice call
};

/// Every other plain page: not found, gone, locked, too many requests, bad request, ...
enum class MessageKind {
    not_found,        ///< 404: unknown or malformed link (same page for both)
    gone,             ///< 410: revoked or purged, no renewal
    locked_for_now,   ///< 423/429: too many wrong codes, try again after `until`
    locked_for_good,  ///< 423: lifetime limit reached, ask the practice for a new link
    too_many_codes,   ///< 429: code rate limit (envelope or IP), try again later
    bad_request,      ///< 400
    forbidden,        ///< 403: missing or wrong CSRF token, or session expired
    session_expired,  ///< 403 on a download without a valid session: start again
    sms_failed,       ///< 502/503: the SMS could not be sent, nothing was counted
    call_failed,      ///< 503: the voice call could not be placed, nothing was counted
    busy,             ///< 503: too many ZIP downloads at once, try again in a moment
    unavailable,      ///< 503: internal error, try again later (never details)
};
struct MessagePage {
    MessageKind kind = MessageKind::not_found;
    std::int64_t until = 0;  ///< unix seconds for locked_for_now / too_many_codes, else 0
    std::string back_href;   ///< optional same-origin link back ("" = none)
};

/// "4, 8, 1, 5, 9, 2": the code's digits separated by ", ", so a text-to-speech voice reads
/// them one by one instead of as one number. Characters other than digits are dropped.
std::string spoken_digits(std::string_view code);

/** Loaded once at start from `portal.templates_dir`: layout.html, one template per page,
 * strings.{de,fr,it,en}.txt and portal.css. Immutable and thread-safe afterwards. */
class Pages {
  public:
    /** Errors: Errc::io (a file is missing: detail names it), Errc::invalid_argument (a
     * catalog lacks a key another one has, or a template names an unknown key: detail says
     * which). Startup only. */
    static Result<std::shared_ptr<const Pages>> load(const std::filesystem::path& dir);

    [[nodiscard]] std::string landing(const PageContext& c, const LandingPage& p) const;
    [[nodiscard]] std::string code(const PageContext& c, const CodePage& p) const;
    [[nodiscard]] std::string documents(const PageContext& c, const DocumentsPage& p) const;
    [[nodiscard]] std::string expired(const PageContext& c, const ExpiredPage& p) const;
    [[nodiscard]] std::string message(const PageContext& c, const MessagePage& p) const;
    /// GET /help: the patient help text.
    [[nodiscard]] std::string help(const PageContext& c) const;
    /// GET /privacy: the privacy notice.
    [[nodiscard]] std::string privacy(const PageContext& c, const PrivacyPage& p) const;

    /// The stylesheet served at /static/portal.css.
    [[nodiscard]] const std::string& css() const;
    /// SMS text in `lang` (unknown: de): short, names the practice, contains the code and its
    /// validity in minutes (portal.code_ttl), never a link.
    [[nodiscard]] std::string sms_text(std::string_view lang, std::string_view practice,
                                       std::string_view code, unsigned valid_minutes = 10) const;
    /// What a voice call reads in `lang` (unknown: de): names the practice and reads the code
    /// twice, digit by digit ("4, 8, 1, 5, 9, 2"), never a link.
    [[nodiscard]] std::string voice_text(std::string_view lang, std::string_view practice,
                                         std::string_view code) const;

    struct Impl;
    explicit Pages(std::unique_ptr<const Impl> impl);
    ~Pages();
    Pages(const Pages&) = delete;
    Pages& operator=(const Pages&) = delete;

  private:
    std::unique_ptr<const Impl> impl_;
};

}  // namespace sealpost::portal
