// SPDX-License-Identifier: Apache-2.0
// Adds the notice to one body text part, keeping its charset when it can (RFC 2046 section
// 4.1.2) and re-encoding it as UTF-8 quoted-printable when it cannot (RFC 2045 section 6.7).
#include "mime/mime_text.hpp"

#include <algorithm>
#include <cctype>

#include "mime/mime_tree.hpp"

namespace sealpost::mime::detail {
namespace {

/// A new UTF-8 quoted-printable text part (RFC 2045 section 6.7) holding `text`.
gobj::Ref<GMimeTextPart> make_text_part(const char* subtype, std::string_view text) {
    auto tp = gobj::Ref<GMimeTextPart>::adopt(g_mime_text_part_new_with_subtype(subtype));
    auto stream = gobj::mem_stream(text);
    auto wrapper = gobj::Ref<GMimeDataWrapper>::adopt(
        g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
    g_mime_part_set_content(gobj::part(tp.get()), wrapper.get());
    g_mime_object_set_content_type_parameter(gobj::object(tp.get()), "charset", "utf-8");
    g_mime_part_set_content_encoding(gobj::part(tp.get()), GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE);
    return tp;
}

bool is_ascii(std::string_view s) {
    return std::all_of(s.begin(), s.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

bool short_lines(std::string_view s) {
    std::size_t run = 0;
    for (const char c : s) {
        run = (c == '\n') ? 0 : run + 1;
        if (run > 998) {  // RFC 5322 section 2.1.1
            return false;
        }
    }
    return true;
}

/// Every line break as `eol` (bare CR, bare LF and CRLF all count as one break).
std::string with_eol(std::string_view s, std::string_view eol) {
    std::string out;
    out.reserve(s.size() + s.size() / 32);
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\r') {
            if (i + 1 < s.size() && s[i + 1] == '\n') {
                ++i;
            }
            out += eol;
        } else if (s[i] == '\n') {
            out += eol;
        } else {
            out.push_back(s[i]);
        }
    }
    return out;
}

}  // namespace

std::string splice_notice(std::string_view body, std::string_view notice, bool html) {
    std::string out;
    if (html) {
        const std::string low = lower(body);
        const std::size_t at = low.rfind("</body");
        if (at != std::string::npos) {
            out.append(body.substr(0, at));
            out.append(notice);
            out.append(body.substr(at));
            return out;
        }
    }
    out.append(body);
    if (!out.empty() && out.back() != '\n') {
        out.push_back('\n');
    }
    out.append(notice);
    return out;
}

Status add_notice(GMimeObject* obj, std::string_view notice_utf8, bool html) {
    GMimePart* part = gobj::as_part(obj);
    if (part == nullptr) {
        return make_error(Errc::internal, "mime: notice target is not a part");
    }
    SP_TRY(body, decoded_content(obj));

    const char* declared = g_mime_object_get_content_type_parameter(obj, "charset");
    const std::string cs = declared != nullptr ? lower(declared) : std::string("us-ascii");
    const bool utf8 = cs == "utf-8" || cs == "utf8";
    const bool ascii = cs == "us-ascii" || cs == "ascii";

    const std::string notice_block =
        html ? std::string(notice_utf8) : "\n" + std::string(notice_utf8);
    std::string content;
    bool relabel_utf8 = false;
    std::string notice_in_cs;
    if (utf8 || (ascii && is_ascii(notice_block))) {
        content = splice_notice(body, notice_block, html);
    } else if (!ascii && gobj::convert_charset(notice_block, cs.c_str(), "utf-8", notice_in_cs)) {
        // The part's charset can represent the notice: body bytes untouched, charset kept.
        content = splice_notice(body, notice_in_cs, html);
    } else {
        // It cannot: convert the whole body to UTF-8 and relabel the part (never lossy).
        std::string body_utf8;
        if (ascii) {
            if (!g_utf8_validate(body.data(), static_cast<gssize>(body.size()), nullptr)) {
                return refuse(reason::charset, "8-bit text labelled us-ascii");
            }
            body_utf8 = body;
        } else if (!gobj::convert_charset(body, "utf-8", cs.c_str(), body_utf8)) {
            return refuse(reason::charset, "text part not convertible from " + cs);
        }
        content = splice_notice(body_utf8, notice_block, html);
        relabel_utf8 = true;
    }

    const GMimeContentEncoding old_enc = g_mime_part_get_content_encoding(part);
    GMimeContentEncoding enc = GMIME_CONTENT_ENCODING_QUOTEDPRINTABLE;
    if (old_enc == GMIME_CONTENT_ENCODING_BASE64) {
        enc = GMIME_CONTENT_ENCODING_BASE64;
        content = with_eol(content, "\r\n");  // RFC 2049 canonical form before base64
    } else {
        // GMime's newline filter writes CRLF on output; give it LF-only text so a CR never
        // ends up quoted-printable-encoded as =0D.
        content = with_eol(content, "\n");
        if ((old_enc == GMIME_CONTENT_ENCODING_DEFAULT || old_enc == GMIME_CONTENT_ENCODING_7BIT) &&
            is_ascii(content) && short_lines(content)) {
            enc = old_enc;
        }
    }

    auto stream = gobj::mem_stream(content);
    auto wrapper = gobj::Ref<GMimeDataWrapper>::adopt(
        g_mime_data_wrapper_new_with_stream(stream.get(), GMIME_CONTENT_ENCODING_DEFAULT));
    g_mime_part_set_content(part, wrapper.get());
    if (enc != old_enc) {
        g_mime_part_set_content_encoding(part, enc);
    }
    if (relabel_utf8 || (declared == nullptr && !is_ascii(content))) {
        g_mime_object_set_content_type_parameter(obj, "charset", "utf-8");
    }
    return {};
}

gobj::Ref<GMimeMultipart> make_notice_body(std::string_view text, std::string_view html) {
    auto alt = gobj::Ref<GMimeMultipart>::adopt(g_mime_multipart_new_with_subtype("alternative"));
    auto plain = make_text_part("plain", text);
    std::string page = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"></head><body>\n";
    page += html;
    page += "\n</body></html>\n";
    auto page_part = make_text_part("html", page);
    g_mime_multipart_add(alt.get(), gobj::object(plain.get()));
    g_mime_multipart_add(alt.get(), gobj::object(page_part.get()));
    return alt;
}

}  // namespace sealpost::mime::detail
