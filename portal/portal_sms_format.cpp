// SPDX-License-Identifier: Apache-2.0
// Escaping and placeholder expansion for SMS gateway requests, and the outbox line format.
#include "portal/portal_sms_format.hpp"

#include <algorithm>
#include <array>
#include <ctime>

#include "core/core_hex.hpp"

namespace sealpost::portal::sms {

namespace {

bool is_alnum(unsigned char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

void append_pct(std::string& out, unsigned char c) {
    out += '%';
    hex::append(out, c, /*upper=*/true);
}

void append_json(std::string& out, std::string_view v) {
    for (const char ch : v) {
        const auto c = static_cast<unsigned char>(ch);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\b':
                out += "\\b";
                break;
            case '\f':
                out += "\\f";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\r':
                out += "\\r";
                break;
            case '\t':
                out += "\\t";
                break;
            default:
                if (c < 0x20U) {
                    out += "\\u00";
                    hex::append(out, c);
                } else {
                    out += ch;  // UTF-8 passes as is (RFC 8259 8.1)
                }
        }
    }
}

// WHATWG URL standard, application/x-www-form-urlencoded serializer: keeps ASCII alphanumerics
// and *-._ ; space becomes '+'; every other byte of the UTF-8 encoding is %XX.
void append_form(std::string& out, std::string_view v) {
    for (const char ch : v) {
        const auto c = static_cast<unsigned char>(ch);
        if (is_alnum(c) || c == '*' || c == '-' || c == '.' || c == '_') {
            out += ch;
        } else if (c == ' ') {
            out += '+';
        } else {
            append_pct(out, c);
        }
    }
}

// RFC 3986 2.3: unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~". Everything else, including
// '+' (a form decoder would read it as a space) and '/', is percent-encoded.
void append_url(std::string& out, std::string_view v) {
    for (const char ch : v) {
        const auto c = static_cast<unsigned char>(ch);
        if (is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
            out += ch;
        } else {
            append_pct(out, c);
        }
    }
}

/// Worst case growth of one escaped byte: `\u00XX` in JSON.
constexpr std::size_t kMaxEscapeGrowth = 6;

std::size_t expanded_bound(std::string_view tmpl, const Fields& f) {
    const auto braces = static_cast<std::size_t>(std::count(tmpl.begin(), tmpl.end(), '{'));
    const std::size_t longest =
        std::max({f.to.size(), f.text.size(), f.sender.size(), f.secret.size()});
    return tmpl.size() + braces * longest * kMaxEscapeGrowth;
}

void expand_into(std::string& out, std::string_view tmpl, const Fields& f, Escape how) {
    constexpr std::array<std::string_view, 4> kNames = {"{to}", "{text}", "{sender}", "{secret}"};
    const std::array<std::string_view, 4> values = {f.to, f.text, f.sender, f.secret};
    std::size_t i = 0;
    while (i < tmpl.size()) {
        const std::size_t open = tmpl.find('{', i);
        if (open == std::string_view::npos) {
            out.append(tmpl.substr(i));
            break;
        }
        out.append(tmpl.substr(i, open - i));
        std::size_t matched = 0;
        for (std::size_t k = 0; k < kNames.size(); ++k) {
            if (tmpl.substr(open, kNames[k].size()) == kNames[k]) {
                append_escaped(out, values[k], how);
                matched = kNames[k].size();
                break;
            }
        }
        if (matched == 0) {
            out += '{';
            matched = 1;
        }
        i = open + matched;
    }
}

}  // namespace

void append_escaped(std::string& out, std::string_view value, Escape how) {
    switch (how) {
        case Escape::json:
            append_json(out, value);
            break;
        case Escape::form:
            append_form(out, value);
            break;
        case Escape::url:
            append_url(out, value);
            break;
    }
}

std::string expand(std::string_view tmpl, const Fields& f, Escape how) {
    std::string out;
    out.reserve(expanded_bound(tmpl, f));
    expand_into(out, tmpl, f, how);
    return out;
}

std::string expand_url(std::string_view url, const Fields& f) {
    const std::size_t scheme_end = url.find("://");
    if (scheme_end == std::string_view::npos) {
        return std::string(url);
    }
    const std::size_t authority_end = url.find_first_of("/?#", scheme_end + 3);
    if (authority_end == std::string_view::npos) {
        return std::string(url);
    }
    std::string out;
    out.reserve(expanded_bound(url, f));
    out.append(url.substr(0, authority_end));
    expand_into(out, url.substr(authority_end), f, Escape::url);
    return out;
}

std::string outbox_line(std::int64_t unix_seconds, std::string_view to, std::string_view text) {
    const auto t = static_cast<std::time_t>(unix_seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::array<char, 32> stamp{};
    const std::size_t n = std::strftime(stamp.data(), stamp.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);

    std::string line;
    line.reserve(n + to.size() + 2 * text.size() + 16);
    line.append(stamp.data(), n).append(" to=").append(to).append(" text=");
    for (const char c : text) {
        if (c == '\\') {
            line += "\\\\";
        } else if (c == '\n') {
            line += "\\n";
        } else if (c == '\r') {
            line += "\\r";
        } else {
            line += c;
        }
    }
    line += '\n';
    return line;
}

bool is_e164(std::string_view s) noexcept {
    if (s.size() < 8 || s.size() > 16 || s[0] != '+' || s[1] == '0') {
        return false;
    }
    return std::all_of(s.begin() + 1, s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool is_utf8(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = 0;
        std::uint32_t cp = 0;
        if (c < 0x80U) {
            ++i;
            continue;
        }
        if (c >= 0xC2U && c <= 0xDFU) {
            len = 2;
            cp = c & 0x1FU;
        } else if (c >= 0xE0U && c <= 0xEFU) {
            len = 3;
            cp = c & 0x0FU;
        } else if (c >= 0xF0U && c <= 0xF4U) {
            len = 4;
            cp = c & 0x07U;
        } else {
            return false;  // continuation byte first, C0/C1 (overlong), or F5..FF
        }
        if (s.size() - i < len) {
            return false;
        }
        for (std::size_t k = 1; k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0U) != 0x80U) {
                return false;
            }
            cp = (cp << 6U) | (cc & 0x3FU);
        }
        const bool overlong = (len == 3 && cp < 0x800U) || (len == 4 && cp < 0x10000U);
        const bool surrogate = cp >= 0xD800U && cp <= 0xDFFFU;
        if (overlong || surrogate || cp > 0x10FFFFU) {
            return false;
        }
        i += len;
    }
    return true;
}

}  // namespace sealpost::portal::sms
