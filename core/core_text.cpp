// SPDX-License-Identifier: Apache-2.0
// HTML escaping and cleaning of untrusted text (see core_text.hpp).
#include "core/core_text.hpp"

namespace sealpost::text {

std::string html_escape(std::string_view s) {
    std::string out;
    out.reserve(s.size() + 16);
    for (const char c : s) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out.push_back(c);
        }
    }
    return out;
}

std::string clean(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    for (std::size_t i = 0; i < s.size(); ++i) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c < 0x20 || c == 0x7f) {
            out.push_back(' ');
            continue;
        }
        // U+200E/F and U+202A..E are E2 80 8E/8F/AA..AE; U+2066..9 are E2 81 A6..A9.
        if (c == 0xe2 && i + 2 < s.size()) {
            const auto c1 = static_cast<unsigned char>(s[i + 1]);
            const auto c2 = static_cast<unsigned char>(s[i + 2]);
            const bool bidi =
                (c1 == 0x80 && (c2 == 0x8e || c2 == 0x8f || (c2 >= 0xaa && c2 <= 0xae))) ||
                (c1 == 0x81 && c2 >= 0xa6 && c2 <= 0xa9);
            if (bidi) {
                i += 2;
                continue;
            }
        }
        out.push_back(static_cast<char>(c));
    }
    return out;
}

}  // namespace sealpost::text
