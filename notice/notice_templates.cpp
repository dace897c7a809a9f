// SPDX-License-Identifier: Apache-2.0
// Notice templates: loading with placeholder checks, rendering with HTML escaping, and the
// expiry date in the recipient's language in Swiss local time.
#include "notice/notice_templates.hpp"

#include <fstream>
#include <iterator>

#include "core/core_log.hpp"
#include "core/core_time.hpp"

namespace sealpost::seal {
namespace {

constexpr std::array<Language, 4> kLanguages = {Language::de, Language::fr, Language::it,
                                                Language::en};
constexpr std::size_t kMaxTemplate = std::size_t{64} * 1024;

std::size_t lang_index(Language l) {
    return static_cast<std::size_t>(l);
}

Result<std::string> read_file(const std::filesystem::path& p) {
    std::ifstream f(p, std::ios::binary);
    if (!f) {
        return make_error(Errc::io, "cannot read " + p.string());
    }
    std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
    if (s.size() > kMaxTemplate) {
        return make_error(Errc::invalid_argument, p.string() + ": larger than 64 KiB");
    }
    return s;
}

}  // namespace

std::vector<std::string> notice_document_names(const PracticeConfig& practice, Language lang,
                                               std::vector<std::string> names) {
    if (!practice.hide_document_names) {
        return names;
    }
    // de, fr, it, en (Language order)
    constexpr std::array<std::string_view, 4> kWord = {"Dokument", "Document", "Documento",
                                                       "Document"};
    for (std::size_t i = 0; i < names.size(); ++i) {
        names[i] =
            std::string(kWord.at(static_cast<std::size_t>(lang))) + " " + std::to_string(i + 1);
    }
    return names;
}

std::string link_url(const PracticeConfig& practice, std::string_view token) {
    std::string out = practice.base_url;
    out += "/d/";
    out += token;
    return out;
}

Result<NoticeTemplates> NoticeTemplates::load(const std::filesystem::path& dir) {
    NoticeTemplates t;
    for (const Language lang : kLanguages) {
        for (const bool html : {false, true}) {
            const auto path =
                dir / ("notice." + std::string(to_string(lang)) + (html ? ".html" : ".txt"));
            SP_TRY(text, read_file(path));
            auto parsed = Template::parse(
                text, {.vars = kPlaceholders, .keys = false, .cite = Template::Cite::byte});
            if (!parsed) {
                return make_error(Errc::invalid_argument,
                                  path.string() + ": " + parsed.error().detail);
            }
            (html ? t.html_ : t.text_)[lang_index(lang)] = std::move(parsed).value();
        }
    }
    return t;
}

mime::MimeNotice NoticeTemplates::render(Language lang, const NoticeValues& v) const {
    // The engine cleans every value (text::clean drops control characters and bidi marks, so
    // a file name cannot forge or reorder lines: "Trojan Source") and escapes it in HTML.
    const TemplateValues vars = {{"practice", v.practice},
                                 {"link", v.link},
                                 {"expires", format_date(v.expires_at, lang)},
                                 {"phone", log::mask_phone(v.phone_e164)}};
    const TemplateLists lists = {{"documents", v.documents}};
    const std::size_t i = lang_index(lang);
    return mime::MimeNotice{
        text_[i].render({.output = Template::Output::text, .vars = &vars, .lists = &lists}),
        html_[i].render({.output = Template::Output::html, .vars = &vars, .lists = &lists})};
}

std::string format_date(std::int64_t unix_seconds, Language lang) {
    const auto d = zurich_time(unix_seconds);
    if (!d) {
        return std::to_string(unix_seconds);  // outside the years 0..9999: never a real expiry
    }
    const unsigned day = d->day;
    const unsigned month = d->month;
    const int yr = d->year;

    static constexpr std::array<std::string_view, 12> de = {
        "Januar", "Februar", "März",      "April",   "Mai",      "Juni",
        "Juli",   "August",  "September", "Oktober", "November", "Dezember"};
    static constexpr std::array<std::string_view, 12> fr = {
        "janvier", "février", "mars",      "avril",   "mai",      "juin",
        "juillet", "août",    "septembre", "octobre", "novembre", "décembre"};
    static constexpr std::array<std::string_view, 12> it = {
        "gennaio", "febbraio", "marzo",     "aprile",  "maggio",   "giugno",
        "luglio",  "agosto",   "settembre", "ottobre", "novembre", "dicembre"};
    static constexpr std::array<std::string_view, 12> en = {
        "January", "February", "March",     "April",   "May",      "June",
        "July",    "August",   "September", "October", "November", "December"};
    const std::size_t m = month - 1;
    const std::string ds = std::to_string(day);
    const std::string ys = std::to_string(yr);
    switch (lang) {
        case Language::de:
            return ds + ". " + std::string(de[m]) + " " + ys;
        case Language::fr:
            return (day == 1 ? std::string("1er") : ds) + " " + std::string(fr[m]) + " " + ys;
        case Language::it:
            return ds + " " + std::string(it[m]) + " " + ys;
        case Language::en:
            return ds + " " + std::string(en[m]) + " " + ys;
    }
    return ds + "." + std::to_string(month) + "." + ys;
}

}  // namespace sealpost::seal
