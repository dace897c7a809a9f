// Notice templates: loading with placeholder checks, rendering with HTML escaping, and the
// expiry date in the recipient's language in Swiss local time.
#include "notice/notice_templates.hpp"

#include "core/core_text.hpp"

#include <algorithm>
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

std::string render_one(const NoticeTemplates::Parsed& t, const NoticeValues& v, Language lang,
                       bool html) {
    // text::clean drops control characters and bidi marks, so a file name cannot forge or
    // reorder lines ("Trojan Source").
    auto val = [&](std::string_view s) {
        return html ? text::html_escape(text::clean(s)) : text::clean(s);
    };
    std::string out;
    for (const auto& piece : t) {
        if (!piece.placeholder) {
            out += piece.text;
        } else if (piece.text == "practice") {
            out += val(v.practice);
        } else if (piece.text == "link") {
            out += val(v.link);
        } else if (piece.text == "expires") {
            out += val(format_date(v.expires_at, lang));
        } else if (piece.text == "phone") {
            out += val(log::mask_phone(v.phone_e164));
        } else if (piece.text == "documents") {
            for (std::size_t i = 0; i < v.documents.size(); ++i) {
                if (html) {
                    out += "<li>" + val(v.documents[i]) + "</li>";
                } else {
                    out += (i == 0 ? "- " : "\n- ") + val(v.documents[i]);
                }
            }
        }
    }
    return out;
}

}  // namespace

std::string link_url(const PracticeConfig& practice, std::string_view token) {
    std::string out = practice.base_url;
    out += "/d/";
    out += token;
    return out;
}

Result<NoticeTemplates::Parsed> parse_template(std::string_view text) {
    NoticeTemplates::Parsed out;
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t open = text.find("{{", pos);
        if (open == std::string_view::npos) {
            out.push_back({false, std::string(text.substr(pos))});
            break;
        }
        if (open > pos) {
            out.push_back({false, std::string(text.substr(pos, open - pos))});
        }
        const std::size_t close = text.find("}}", open + 2);
        if (close == std::string_view::npos) {
            return make_error(Errc::invalid_argument,
                              "unclosed {{ at byte " + std::to_string(open));
        }
        const std::string name(text.substr(open + 2, close - open - 2));
        if (std::find(kPlaceholders.begin(), kPlaceholders.end(), name) == kPlaceholders.end()) {
            return make_error(Errc::invalid_argument, "unknown placeholder {{" + name +
                                                          "}} at byte " + std::to_string(open));
        }
        out.push_back({true, name});
        pos = close + 2;
    }
    return out;
}

Result<NoticeTemplates> NoticeTemplates::load(const std::filesystem::path& dir) {
    NoticeTemplates t;
    for (const Language lang : kLanguages) {
        for (const bool html : {false, true}) {
            const auto path =
                dir / ("notice." + std::string(to_string(lang)) + (html ? ".html" : ".txt"));
            SP_TRY(text, read_file(path));
            auto parsed = parse_template(text);
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
    return mime::MimeNotice{render_one(text_[lang_index(lang)], v, lang, false),
                            render_one(html_[lang_index(lang)], v, lang, true)};
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
