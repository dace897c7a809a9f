// SPDX-License-Identifier: Apache-2.0
// Language catalogs, the Accept-Language negotiation and the local date, time and size formats
// of the portal's pages.
#include "portal/portal_i18n.hpp"

#include <algorithm>
#include <array>

#include "core/core_time.hpp"
#include "portal/portal_pages.hpp"

namespace sealpost::portal {
namespace {

/// Accept-Language is only a preference: past this many bytes or ranges the rest is ignored,
/// so a huge header costs bounded work.
constexpr std::size_t kMaxAcceptBytes = 4096;
constexpr std::size_t kMaxAcceptRanges = 64;

bool is_alpha(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}
bool is_digit(char c) {
    return c >= '0' && c <= '9';
}
char lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string_view trim(std::string_view s) {
    const auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\r'; };
    while (!s.empty() && blank(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && blank(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

bool valid_key(std::string_view k) {
    return !k.empty() && std::all_of(k.begin(), k.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || is_digit(c) || c == '_' || c == '.';
    });
}

bool valid_placeholder_name(std::string_view n) {
    return !n.empty() && std::all_of(n.begin(), n.end(),
                                     [](char c) { return (c >= 'a' && c <= 'z') || c == '_'; });
}

/// Every `{` opens a placeholder `{name}`; a `}` outside one is an error too.
bool valid_placeholders(std::string_view text) {
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t open = text.find_first_of("{}", pos);
        if (open == std::string_view::npos) {
            return true;
        }
        if (text[open] == '}') {
            return false;
        }
        const std::size_t close = text.find('}', open + 1);
        if (close == std::string_view::npos ||
            !valid_placeholder_name(text.substr(open + 1, close - open - 1))) {
            return false;
        }
        pos = close + 1;
    }
    return true;
}

/// Index of a language tag's primary subtag in kLanguages (case-insensitive), or npos.
std::size_t find_language(std::string_view tag) {
    for (std::size_t i = 0; i < std::size(kLanguages); ++i) {
        const std::string_view l = kLanguages[i];
        if (tag.size() == l.size() && std::equal(tag.begin(), tag.end(), l.begin(),
                                                 [](char a, char b) { return lower(a) == b; })) {
            return i;
        }
    }
    return std::string_view::npos;
}

/// RFC 9110 §12.5.4: language-range = (1*8ALPHA *("-" 1*8alphanum)) / "*" (RFC 4647 §2.1).
bool valid_range(std::string_view r) {
    if (r == "*") {
        return true;
    }
    bool first = true;
    while (true) {
        const std::size_t dash = r.find('-');
        const std::string_view sub = r.substr(0, dash);
        if (sub.empty() || sub.size() > 8 || !std::all_of(sub.begin(), sub.end(), [first](char c) {
                return is_alpha(c) || (!first && is_digit(c));
            })) {
            return false;
        }
        if (dash == std::string_view::npos) {
            return true;
        }
        r.remove_prefix(dash + 1);
        first = false;
    }
}

/// RFC 9110 §12.4.2: qvalue = ( "0" [ "." 0*3DIGIT ] ) / ( "1" [ "." 0*3("0") ] ), in
/// thousandths; -1 when malformed.
int parse_qvalue(std::string_view q) {
    if (q.empty() || (q[0] != '0' && q[0] != '1') || q.size() > 5 ||
        (q.size() > 1 && q[1] != '.')) {
        return -1;
    }
    int frac = 0;
    int scale = 100;
    for (std::size_t i = 2; i < q.size(); ++i) {
        if (!is_digit(q[i])) {
            return -1;
        }
        frac += (q[i] - '0') * scale;
        scale /= 10;
    }
    if (q[0] == '1') {
        return frac == 0 ? 1000 : -1;
    }
    return frac;
}

/// The weight of one Accept-Language element in thousandths, -1 when the element is malformed.
int element_weight(std::string_view params) {
    // weight = OWS ";" OWS "q=" qvalue; the parameter name is case-insensitive.
    const std::string_view p = trim(params);
    if (p.size() < 2 || lower(p[0]) != 'q' || p[1] != '=') {
        return -1;
    }
    return parse_qvalue(p.substr(2));
}

std::string two_digits(int v) {
    return std::string{static_cast<char>('0' + (v / 10) % 10), static_cast<char>('0' + v % 10)};
}

/// a / b rounded half up, without overflow.
std::uint64_t div_round(std::uint64_t a, std::uint64_t b) {
    return a / b + ((a % b) * 2 >= b ? 1 : 0);
}

std::string one_decimal(std::uint64_t tenths, std::string_view mark) {
    return std::to_string(tenths / 10) + std::string(mark) + std::to_string(tenths % 10);
}

/// One `key = text` line into `entries`; `where` ("FILE:LINE: ") prefixes the error.
Status add_entry(std::map<std::string, std::string, std::less<>>& entries, std::string_view line,
                 const std::string& where) {
    const std::size_t eq = line.find('=');
    if (eq == std::string_view::npos) {
        return make_error(Errc::invalid_argument, where + "expected `key = text`");
    }
    const std::string key(trim(line.substr(0, eq)));
    const std::string_view value = trim(line.substr(eq + 1));
    if (!valid_key(key)) {
        return make_error(Errc::invalid_argument, where + "bad key '" + key + "'");
    }
    if (value.empty()) {
        return make_error(Errc::invalid_argument, where + "key '" + key + "' has no text");
    }
    if (!valid_placeholders(value)) {
        return make_error(Errc::invalid_argument,
                          where + "key '" + key + "': malformed {placeholder}");
    }
    if (!entries.emplace(key, std::string(value)).second) {
        return make_error(Errc::invalid_argument, where + "duplicate key '" + key + "'");
    }
    return {};
}

}  // namespace

Result<Catalog> Catalog::parse(std::string_view text, std::string_view file) {
    Catalog c;
    if (text.substr(0, 3) == "\xEF\xBB\xBF") {
        text.remove_prefix(3);
    }
    std::size_t line_no = 0;
    while (!text.empty()) {
        const std::size_t nl = text.find('\n');
        const std::string_view line = trim(text.substr(0, nl));
        text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
        ++line_no;
        if (line.empty() || line.front() == '#') {
            continue;
        }
        SP_CHECK(
            add_entry(c.entries_, line, std::string(file) + ":" + std::to_string(line_no) + ": "));
    }
    return c;
}

const std::string* Catalog::find(std::string_view key) const {
    const auto it = entries_.find(key);
    return it == entries_.end() ? nullptr : &it->second;
}

std::vector<std::string> placeholders(std::string_view text) {
    std::vector<std::string> out;
    std::size_t pos = 0;
    while ((pos = text.find('{', pos)) != std::string_view::npos) {
        const std::size_t close = text.find('}', pos);
        if (close == std::string_view::npos) {
            break;
        }
        out.emplace_back(text.substr(pos + 1, close - pos - 1));
        pos = close + 1;
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

std::size_t language_index(std::string_view lang) {
    for (std::size_t i = 0; i < std::size(kLanguages); ++i) {
        if (kLanguages[i] == lang) {
            return i;
        }
    }
    return 0;
}

std::string choose_language(std::string_view explicit_choice, std::string_view accept_language,
                            std::string_view fallback) {
    if (const std::size_t i = find_language(explicit_choice); i != std::string_view::npos) {
        return std::string(kLanguages[i]);
    }
    // Best weight per language and the position where it was first reached: ties go to the
    // range the client listed first.
    std::array<int, std::size(kLanguages)> weight{};
    std::array<std::size_t, std::size(kLanguages)> position{};
    std::string_view rest = accept_language.substr(0, kMaxAcceptBytes);
    for (std::size_t n = 0; n < kMaxAcceptRanges && !rest.empty(); ++n) {
        const std::size_t comma = rest.find(',');
        const std::string_view element = trim(rest.substr(0, comma));
        rest.remove_prefix(comma == std::string_view::npos ? rest.size() : comma + 1);

        const std::size_t semi = element.find(';');
        const std::string_view range = trim(element.substr(0, semi));
        const int w =
            semi == std::string_view::npos ? 1000 : element_weight(element.substr(semi + 1));
        // q=0 means "not acceptable" (RFC 9110 §12.4.2); "*" says nothing about our four.
        if (w <= 0 || range == "*" || !valid_range(range)) {
            continue;
        }
        const std::size_t i = find_language(range.substr(0, range.find('-')));
        if (i != std::string_view::npos && w > weight[i]) {
            weight[i] = w;
            position[i] = n;
        }
    }
    std::size_t best = std::string_view::npos;
    for (std::size_t i = 0; i < weight.size(); ++i) {
        if (weight[i] > 0 && (best == std::string_view::npos || weight[i] > weight[best] ||
                              (weight[i] == weight[best] && position[i] < position[best]))) {
            best = i;
        }
    }
    if (best != std::string_view::npos) {
        return std::string(kLanguages[best]);
    }
    const std::size_t f = find_language(fallback);
    return std::string(kLanguages[f == std::string_view::npos ? 0 : f]);
}

std::string format_date(std::int64_t unix_seconds) {
    const auto z = zurich_time(unix_seconds);
    if (!z) {
        return {};
    }
    return two_digits(static_cast<int>(z->day)) + "." + two_digits(static_cast<int>(z->month)) +
           "." + std::to_string(z->year);
}

std::string format_time(std::int64_t unix_seconds) {
    const auto z = zurich_time(unix_seconds);
    if (!z) {
        return {};
    }
    return two_digits(static_cast<int>(z->hour)) + ":" + two_digits(static_cast<int>(z->minute));
}

std::string format_size(std::uint64_t bytes, const SizeStyle& style) {
    static constexpr std::string_view kNbsp = "\u00a0";
    const std::string unit_sep(kNbsp);
    if (bytes == 0) {
        return "0" + unit_sep + std::string(style.kb);
    }
    const std::uint64_t kb = std::max<std::uint64_t>(1, div_round(bytes, 1000));
    if (kb < 1000) {
        return std::to_string(kb) + unit_sep + std::string(style.kb);
    }
    const std::uint64_t tenths_mb = div_round(bytes, 100'000);
    if (tenths_mb < 10'000) {
        return one_decimal(tenths_mb, style.decimal) + unit_sep + std::string(style.mb);
    }
    return one_decimal(div_round(bytes, 100'000'000), style.decimal) + unit_sep +
           std::string(style.gb);
}

}  // namespace sealpost::portal
