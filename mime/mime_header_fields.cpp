// SPDX-License-Identifier: Apache-2.0
// Top-level header fields read from the raw message (RFC 5322 2.2), RFC 2047 decoding and
// encoding of unstructured values, and address lists (RFC 5322 3.4), through GMime.
#include "mime/mime_header_fields.hpp"

#include <optional>

#include "core/core_ascii.hpp"
#include "mime/mime_gobject.hpp"

namespace sealpost::mime {

namespace {

bool is_wsp(char c) noexcept {
    return c == ' ' || c == '\t';
}

/// GMime reads C strings: a NUL would hide what follows it, so it becomes a space.
std::string c_text(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c == '\0') {
            c = ' ';
        }
    }
    return out;
}

void collect(InternetAddressList* list, std::vector<std::string>& out) {
    if (list == nullptr) {
        return;
    }
    const int n = internet_address_list_length(list);
    for (int i = 0; i < n; ++i) {
        InternetAddress* a = internet_address_list_get_address(list, i);
        if (InternetAddressMailbox* m = gobj::as_mailbox(a)) {
            const char* addr = internet_address_mailbox_get_addr(m);
            out.emplace_back(addr == nullptr ? "" : addr);
        } else if (InternetAddressGroup* g = gobj::as_group(a)) {
            // RFC 5322 3.4: a group holds mailboxes only, so this recursion is one level.
            collect(internet_address_group_get_members(g), out);
        }
    }
}

}  // namespace

std::size_t visit_header_fields(std::string_view msg,
                                const std::function<void(const HeaderField&)>& fn) {
    std::optional<HeaderField> cur;
    std::size_t value_begin = 0;
    const auto flush = [&] {
        if (!cur) {
            return;
        }
        std::size_t value_end = cur->end;
        if (value_end >= value_begin + 2 && msg.substr(value_end - 2, 2) == "\r\n") {
            value_end -= 2;
        }
        cur->value = msg.substr(value_begin, value_end - value_begin);
        fn(*cur);
        cur.reset();
    };
    std::size_t pos = 0;
    while (pos < msg.size()) {
        const auto eol = msg.find("\r\n", pos);
        const std::size_t line_end = eol == std::string_view::npos ? msg.size() : eol;
        const std::size_t next = eol == std::string_view::npos ? msg.size() : eol + 2;
        if (line_end == pos) {  // the empty line: the body follows
            flush();
            return pos;
        }
        if (is_wsp(msg[pos]) && cur) {  // a continuation line (RFC 5322 2.2.3)
            cur->end = next;
            pos = next;
            continue;
        }
        flush();
        HeaderField f;
        f.begin = pos;
        f.end = next;
        const auto colon = msg.substr(pos, line_end - pos).find(':');
        if (colon == std::string_view::npos) {
            value_begin = pos;  // not a field: no name, kept as it is
        } else {
            std::string_view name = msg.substr(pos, colon);
            while (!name.empty() && is_wsp(name.back())) {  // RFC 5322 4.5 obs-optional
                name.remove_suffix(1);
            }
            f.name = name;
            value_begin = pos + colon + 1;
        }
        cur = f;
        pos = next;
    }
    flush();
    return msg.size();
}

bool same_field_name(std::string_view a, std::string_view b) noexcept {
    return ascii_iequals(a, b);
}

std::string unfold(std::string_view value) {
    std::string out;
    out.reserve(value.size());
    for (std::size_t i = 0; i < value.size(); ++i) {
        if (value[i] == '\r' && i + 2 < value.size() && value[i + 1] == '\n' &&
            is_wsp(value[i + 2])) {
            ++i;  // drop CR LF, keep the whitespace that follows
            continue;
        }
        out += value[i];
    }
    return out;
}

std::string decode_unstructured(std::string_view value) {
    gobj::ensure_init();
    const gobj::ParserOptions po;
    std::string out =
        gobj::take_string(g_mime_utils_header_decode_text(po.get(), c_text(unfold(value)).c_str()));
    std::string_view v = out;
    while (!v.empty() && is_wsp(v.front())) {
        v.remove_prefix(1);
    }
    while (!v.empty() && is_wsp(v.back())) {
        v.remove_suffix(1);
    }
    return std::string(v);
}

std::string make_unstructured_field(std::string_view name, std::string_view value, bool encode) {
    gobj::ensure_init();
    const gobj::ParserOptions po;
    const gobj::FormatOptions fo;
    std::string text(value);
    if (encode) {
        text = gobj::take_string(
            g_mime_utils_header_encode_text(fo.get(), c_text(value).c_str(), "utf-8"));
    }
    const std::string line = std::string(name) + ": " + c_text(text);
    const std::string folded =
        gobj::take_string(g_mime_utils_unstructured_header_fold(po.get(), fo.get(), line.c_str()));
    // GMime folds with bare LF; the message is CRLF throughout (RFC 5322 2.2).
    std::string out;
    out.reserve(folded.size() + 8);
    for (std::size_t i = 0; i < folded.size(); ++i) {
        if (folded[i] == '\n' && (i == 0 || folded[i - 1] != '\r')) {
            out += '\r';
        }
        out += folded[i];
    }
    if (out.size() < 2 || out.substr(out.size() - 2) != "\r\n") {
        out += "\r\n";
    }
    return out;
}

std::vector<std::string> parse_address_list(std::string_view value) {
    gobj::ensure_init();
    const gobj::ParserOptions po;
    auto list = gobj::Ref<InternetAddressList>::adopt(
        internet_address_list_parse(po.get(), c_text(unfold(value)).c_str()));
    std::vector<std::string> out;
    collect(list.get(), out);
    return out;
}

}  // namespace sealpost::mime
