// SPDX-License-Identifier: Apache-2.0
// GLib/GMime object management for the MIME rewrite: the only file that expands GLib's cast
// and type-check macros (they are old-style casts), so the rest of mime/mime_* stays clean.
#include "mime/mime_gobject.hpp"

#include <mutex>

namespace sealpost::mime::gobj {

void ensure_init() {
    static std::once_flag once;
    std::call_once(once, [] { g_mime_init(); });
}

void ref(void* object) noexcept {
    g_object_ref(object);
}

void unref(void* object) noexcept {
    g_object_unref(object);
}

std::string take_string(char* s) {
    if (s == nullptr) {
        return {};
    }
    std::string out(s);
    g_free(s);
    return out;
}

std::string date_header(std::int64_t unix_seconds) {
    GDateTime* t = g_date_time_new_from_unix_local(unix_seconds);
    if (t == nullptr) {  // out of GLib's range (years 1..9999)
        return {};
    }
    std::string out = take_string(g_mime_utils_header_format_date(t));
    g_date_time_unref(t);
    return out;
}

ParserOptions::ParserOptions() : p_(g_mime_parser_options_new()) {}
ParserOptions::~ParserOptions() {
    g_mime_parser_options_free(p_);
}

FormatOptions::FormatOptions() : p_(g_mime_format_options_new()) {
    g_mime_format_options_set_newline_format(p_, GMIME_NEWLINE_FORMAT_DOS);
}
FormatOptions::~FormatOptions() {
    g_mime_format_options_free(p_);
}

GMimeMultipart* as_multipart(GMimeObject* o) noexcept {
    return (o != nullptr && GMIME_IS_MULTIPART(o)) ? GMIME_MULTIPART(o) : nullptr;
}
GMimePart* as_part(GMimeObject* o) noexcept {
    return (o != nullptr && GMIME_IS_PART(o)) ? GMIME_PART(o) : nullptr;
}
GMimeTextPart* as_text_part(GMimeObject* o) noexcept {
    return (o != nullptr && GMIME_IS_TEXT_PART(o)) ? GMIME_TEXT_PART(o) : nullptr;
}
GMimeMessagePart* as_message_part(GMimeObject* o) noexcept {
    return (o != nullptr && GMIME_IS_MESSAGE_PART(o)) ? GMIME_MESSAGE_PART(o) : nullptr;
}
InternetAddressMailbox* as_mailbox(InternetAddress* a) noexcept {
    return (a != nullptr && INTERNET_ADDRESS_IS_MAILBOX(a)) ? INTERNET_ADDRESS_MAILBOX(a) : nullptr;
}
InternetAddressGroup* as_group(InternetAddress* a) noexcept {
    return (a != nullptr && INTERNET_ADDRESS_IS_GROUP(a)) ? INTERNET_ADDRESS_GROUP(a) : nullptr;
}

GMimeObject* object(GMimeMultipart* p) noexcept {
    return GMIME_OBJECT(p);
}
GMimeObject* object(GMimePart* p) noexcept {
    return GMIME_OBJECT(p);
}
GMimeObject* object(GMimeTextPart* p) noexcept {
    return GMIME_OBJECT(p);
}
GMimeObject* object(GMimeMessage* p) noexcept {
    return GMIME_OBJECT(p);
}
GMimePart* part(GMimeTextPart* p) noexcept {
    return GMIME_PART(p);
}

Ref<GMimeStream> mem_stream(std::string_view bytes) {
    return Ref<GMimeStream>::adopt(g_mime_stream_mem_new_with_buffer(bytes.data(), bytes.size()));
}

Ref<GMimeStream> mem_stream_borrowed(std::string_view bytes, GByteArray& holder) {
    // GMime only reads through the header; the const_cast never leads to a write because
    // nothing writes to a stream the parser reads.
    holder.data = reinterpret_cast<guint8*>(const_cast<char*>(bytes.data()));
    holder.len = static_cast<guint>(bytes.size());
    auto s = Ref<GMimeStream>::adopt(g_mime_stream_mem_new_with_byte_array(&holder));
    g_mime_stream_mem_set_owner(GMIME_STREAM_MEM(s.get()), FALSE);
    return s;
}

Ref<GMimeStream> mem_stream() {
    return Ref<GMimeStream>::adopt(g_mime_stream_mem_new());
}

std::string mem_stream_bytes(GMimeStream* s) {
    GByteArray* arr = g_mime_stream_mem_get_byte_array(GMIME_STREAM_MEM(s));
    if (arr == nullptr || arr->len == 0) {
        return {};
    }
    return std::string(reinterpret_cast<const char*>(arr->data), arr->len);
}

bool convert_charset(std::string_view in, const char* to, const char* from, std::string& out) {
    const char* to_name = g_mime_charset_iconv_name(to);
    const char* from_name = g_mime_charset_iconv_name(from);
    gsize read = 0;
    gsize written = 0;
    GError* err = nullptr;
    gchar* res = g_convert(in.data(), static_cast<gssize>(in.size()), to_name, from_name, &read,
                           &written, &err);
    if (err != nullptr) {
        g_error_free(err);
    }
    if (res == nullptr || read != in.size()) {
        g_free(res);
        return false;
    }
    out.assign(res, written);
    g_free(res);
    return true;
}

}  // namespace sealpost::mime::gobj
