// SPDX-License-Identifier: Apache-2.0
// Request parsing helpers and response header rules for the portal (RFC 9110, 6265, 6266).
#include "portal/portal_http.hpp"

#include <algorithm>
#include <array>
#include <cctype>

#include "core/core_hex.hpp"

namespace sealpost::portal {

namespace {

bool is_token_char(char c) {
    static constexpr std::string_view kExtra = "!#$%&'*+-.^_`|~";
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           kExtra.find(c) != std::string_view::npos;
}

/// Splits "a=b&c=d" and calls f(name, raw value) for each pair, at most `max` pairs.
template <typename F>
void each_pair(std::string_view s, std::size_t max, F&& f) {
    std::size_t seen = 0;
    while (!s.empty() && seen < max) {
        const std::size_t amp = s.find('&');
        const std::string_view pair = s.substr(0, amp);
        s = amp == std::string_view::npos ? std::string_view{} : s.substr(amp + 1);
        ++seen;
        const std::size_t eq = pair.find('=');
        if (eq == std::string_view::npos) {
            continue;
        }
        if (!f(pair.substr(0, eq), pair.substr(eq + 1))) {
            return;
        }
    }
}

/// Length in bytes of the UTF-8 sequence starting with `lead`, 0 if not a valid lead byte.
std::size_t utf8_len(unsigned char lead) {
    if (lead < 0x80) {
        return 1;
    }
    if (lead >= 0xc2 && lead <= 0xdf) {
        return 2;
    }
    if (lead >= 0xe0 && lead <= 0xef) {
        return 3;
    }
    if (lead >= 0xf0 && lead <= 0xf4) {
        return 4;
    }
    return 0;
}

/// Code point of a well-formed sequence (checked by the caller for length and continuations).
std::uint32_t code_point(std::string_view seq) {
    const auto b = [&](std::size_t i) {
        return static_cast<std::uint32_t>(static_cast<unsigned char>(seq[i]));
    };
    switch (seq.size()) {
        case 1:
            return b(0);
        case 2:
            return ((b(0) & 0x1f) << 6) | (b(1) & 0x3f);
        case 3:
            return ((b(0) & 0x0f) << 12) | ((b(1) & 0x3f) << 6) | (b(2) & 0x3f);
        default:
            return ((b(0) & 0x07) << 18) | ((b(1) & 0x3f) << 12) | ((b(2) & 0x3f) << 6) |
                   (b(3) & 0x3f);
    }
}

/// Bidi controls (Unicode TR9: LRE..RLO, LRI..PDI, LRM/RLM/ALM) would let "fdp.exe" pose as
/// "exe.pdf"; line and paragraph separators break headers and listings.
bool is_forbidden(std::uint32_t cp) {
    return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || (cp >= 0x202a && cp <= 0x202e) ||
           (cp >= 0x2066 && cp <= 0x2069) || cp == 0x200e || cp == 0x200f || cp == 0x061c ||
           cp == 0x2028 || cp == 0x2029 || cp == 0xfeff;
}

constexpr std::size_t kMaxNameBytes = 200;

}  // namespace

const std::vector<std::pair<std::string_view, std::string_view>>& security_headers() {
    // The token is in the URL: no-referrer keeps it out of Referer, no-store out of caches.
    static const std::vector<std::pair<std::string_view, std::string_view>> kHeaders = {
        {"Cache-Control", "no-store"},
        {"Referrer-Policy", "no-referrer"},
        {"Strict-Transport-Security", "max-age=63072000"},
        {"Content-Security-Policy",
         "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
         "frame-ancestors 'none'; base-uri 'none'"},
        {"X-Content-Type-Options", "nosniff"},
        {"X-Frame-Options", "DENY"},
        {"X-Robots-Tag", "noindex, nofollow"},
        {"Cross-Origin-Opener-Policy", "same-origin"},
        {"Cross-Origin-Resource-Policy", "same-origin"},
    };
    return kHeaders;
}

std::optional<std::string> form_decode(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        if (c == '+') {
            c = ' ';
        } else if (c == '%') {
            if (i + 2 >= s.size()) {
                return std::nullopt;
            }
            const int hi = hex::digit_value(s[i + 1]);
            const int lo = hex::digit_value(s[i + 2]);
            if (hi < 0 || lo < 0) {
                return std::nullopt;
            }
            c = static_cast<char>((hi << 4) | lo);
            i += 2;
        }
        if (c == '\0') {
            return std::nullopt;
        }
        out.push_back(c);
    }
    return out;
}

std::vector<std::string> form_values(std::string_view encoded, std::string_view name,
                                     std::size_t max_values) {
    std::vector<std::string> out;
    each_pair(encoded, 4 * max_values, [&](std::string_view n, std::string_view v) {
        if (n == name) {
            if (auto d = form_decode(v)) {
                out.push_back(std::move(*d));
            }
        }
        return out.size() < max_values;
    });
    return out;
}

std::string form_value(std::string_view encoded, std::string_view name) {
    auto v = form_values(encoded, name, 1);
    return v.empty() ? std::string{} : std::move(v.front());
}

std::string cookie_value(std::string_view header, std::string_view name) {
    // RFC 6265 5.4: cookie-pair *( ";" SP cookie-pair ); be lenient about spaces.
    while (!header.empty()) {
        const std::size_t semi = header.find(';');
        std::string_view pair = header.substr(0, semi);
        header = semi == std::string_view::npos ? std::string_view{} : header.substr(semi + 1);
        while (!pair.empty() && (pair.front() == ' ' || pair.front() == '\t')) {
            pair.remove_prefix(1);
        }
        const std::size_t eq = pair.find('=');
        if (eq != std::string_view::npos && pair.substr(0, eq) == name) {
            std::string_view v = pair.substr(eq + 1);
            while (!v.empty() && (v.back() == ' ' || v.back() == '\t')) {
                v.remove_suffix(1);
            }
            if (v.size() >= 2 && v.front() == '"' && v.back() == '"') {
                v = v.substr(1, v.size() - 2);
            }
            return std::string(v);
        }
    }
    return {};
}

std::string sanitize_file_name(std::string_view name, std::string_view fallback) {
    std::string out;
    for (std::size_t i = 0; i < name.size();) {
        const auto lead = static_cast<unsigned char>(name[i]);
        std::size_t n = utf8_len(lead);
        if (n == 0 || i + n > name.size()) {
            out.push_back('_');  // not UTF-8: keep a visible placeholder
            ++i;
            continue;
        }
        const std::string_view seq = name.substr(i, n);
        bool ok = true;
        for (std::size_t k = 1; k < n; ++k) {
            ok = ok && (static_cast<unsigned char>(seq[k]) & 0xc0) == 0x80;
        }
        if (!ok) {
            out.push_back('_');
            ++i;
            continue;
        }
        i += n;
        const std::uint32_t cp = code_point(seq);
        if (is_forbidden(cp)) {
            continue;
        }
        if (cp == '/' || cp == '\\' || cp == ':') {
            out.push_back('_');  // no paths, on any system the file is saved on
            continue;
        }
        if (out.size() + n > kMaxNameBytes) {
            break;
        }
        out.append(seq);
    }
    const std::size_t first = out.find_first_not_of(". ");
    out.erase(0, first == std::string::npos ? out.size() : first);
    while (!out.empty() && (out.back() == ' ' || out.back() == '.')) {
        out.pop_back();
    }
    return out.empty() ? std::string(fallback) : out;
}

std::string content_disposition(std::string_view file_name, std::string_view fallback) {
    const std::string clean = sanitize_file_name(file_name, fallback);
    std::string ascii;
    std::string encoded;
    bool all_ascii = true;
    for (std::size_t i = 0; i < clean.size(); ++i) {
        const auto c = static_cast<unsigned char>(clean[i]);
        if (c < 0x80) {
            // quoted-string fallback (RFC 6266 4.3): no '"' or '\' to escape, no '%' that a
            // user agent might decode.
            ascii.push_back(c == '"' || c == '\\' || c == '%' ? '_' : static_cast<char>(c));
        } else {
            all_ascii = false;
            if ((c & 0xc0) != 0x80) {
                ascii.push_back('_');  // one placeholder per non-ASCII character
            }
        }
        // RFC 8187 3.2.1 attr-char: ALPHA / DIGIT / "!#$&+-.^_`|~"
        if (std::isalnum(c) != 0 ||
            std::string_view("!#$&+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos) {
            encoded.push_back(static_cast<char>(c));
        } else {
            encoded.push_back('%');
            hex::append(encoded, c, /*upper=*/true);
        }
    }
    std::string out = "attachment; filename=\"" + ascii + "\"";
    if (!all_ascii || ascii != clean) {
        out += "; filename*=UTF-8''" + encoded;
    }
    return out;
}

std::string safe_content_type(std::string_view stored) {
    std::string_view t = stored.substr(0, stored.find(';'));
    while (!t.empty() && t.back() == ' ') {
        t.remove_suffix(1);
    }
    const std::size_t slash = t.find('/');
    std::string out;
    if (slash == std::string_view::npos || slash == 0 || slash + 1 == t.size() || t.size() > 100 ||
        !std::all_of(t.begin(), t.begin() + static_cast<std::ptrdiff_t>(slash), is_token_char) ||
        !std::all_of(t.begin() + static_cast<std::ptrdiff_t>(slash) + 1, t.end(), is_token_char)) {
        return "application/octet-stream";
    }
    out.assign(t);
    std::transform(out.begin(), out.end(), out.begin(), [](char c) {
        return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    });
    // Types a browser would render as active content if it ever ignored the disposition.
    static constexpr std::array<std::string_view, 5> kActive = {
        "text/html", "application/xhtml+xml", "image/svg+xml", "text/xml", "application/xml"};
    if (std::find(kActive.begin(), kActive.end(), out) != kActive.end()) {
        return "application/octet-stream";
    }
    return out;
}

}  // namespace sealpost::portal
