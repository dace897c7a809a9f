// SPDX-License-Identifier: Apache-2.0
// The one place that touches GLib/GMime object management: RAII owners for GObjects and
// g_malloc'd memory, GMime's one-time init, and checked down-casts (GLib's cast macros).
#pragma once

#include <gmime/gmime.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

namespace sealpost::mime::gobj {

/// Calls g_mime_init() once per process (thread-safe). GMime is never shut down: its
/// one-time tables live as long as the process.
void ensure_init();

/// Adds / drops one reference of any GObject (g_object_ref / g_object_unref), for Ref below.
void ref(void* object) noexcept;
void unref(void* object) noexcept;

/// Owns one reference to a GObject-derived T. Move-only. `adopt` takes a reference the caller
/// already owns (a `_new` function's result); `retain` adds one (a borrowed `get_` result).
template <class T>
class Ref {
  public:
    Ref() = default;
    static Ref adopt(T* p) noexcept { return Ref(p); }
    static Ref retain(T* p) noexcept {
        if (p != nullptr) {
            ref(p);
        }
        return Ref(p);
    }
    Ref(Ref&& o) noexcept : p_(std::exchange(o.p_, nullptr)) {}
    Ref& operator=(Ref&& o) noexcept {
        if (this != &o) {
            reset();
            p_ = std::exchange(o.p_, nullptr);
        }
        return *this;
    }
    Ref(const Ref&) = delete;
    Ref& operator=(const Ref&) = delete;
    ~Ref() { reset(); }

    void reset() noexcept {
        if (p_ != nullptr) {
            unref(std::exchange(p_, nullptr));
        }
    }
    [[nodiscard]] T* get() const noexcept { return p_; }
    explicit operator bool() const noexcept { return p_ != nullptr; }

  private:
    explicit Ref(T* p) noexcept : p_(p) {}
    T* p_ = nullptr;
};

/// Takes ownership of a g_malloc'd string and returns it as std::string ("" for null).
std::string take_string(char* s);

/// The RFC 5322 section 3.3 date-time of `unix_seconds` in the local time zone (TZ), as GMime
/// writes it: `Fri, 27 Nov 2026 10:02:00 +0000`.
std::string date_header(std::int64_t unix_seconds);

/// Owned GMimeParserOptions / GMimeFormatOptions (boxed types with their own free functions).
class ParserOptions {
  public:
    ParserOptions();
    ~ParserOptions();
    ParserOptions(const ParserOptions&) = delete;
    ParserOptions& operator=(const ParserOptions&) = delete;
    [[nodiscard]] GMimeParserOptions* get() const noexcept { return p_; }

  private:
    GMimeParserOptions* p_;
};

/// Format options that write CRLF line endings (RFC 5322 on the wire).
class FormatOptions {
  public:
    FormatOptions();
    ~FormatOptions();
    FormatOptions(const FormatOptions&) = delete;
    FormatOptions& operator=(const FormatOptions&) = delete;
    [[nodiscard]] GMimeFormatOptions* get() const noexcept { return p_; }

  private:
    GMimeFormatOptions* p_;
};

// ---- checked casts: nullptr when the object is not of that type ----
GMimeMultipart* as_multipart(GMimeObject* o) noexcept;
GMimePart* as_part(GMimeObject* o) noexcept;
GMimeTextPart* as_text_part(GMimeObject* o) noexcept;
GMimeMessagePart* as_message_part(GMimeObject* o) noexcept;
InternetAddressMailbox* as_mailbox(InternetAddress* a) noexcept;
InternetAddressGroup* as_group(InternetAddress* a) noexcept;
// ---- up-casts (always valid) ----
GMimeObject* object(GMimeMultipart* p) noexcept;
GMimeObject* object(GMimePart* p) noexcept;
GMimeObject* object(GMimeTextPart* p) noexcept;
GMimeObject* object(GMimeMessage* p) noexcept;
GMimePart* part(GMimeTextPart* p) noexcept;

/// A new memory stream holding a copy of `bytes`.
Ref<GMimeStream> mem_stream(std::string_view bytes);
/// A new, empty memory stream.
Ref<GMimeStream> mem_stream();

/// A read-only memory stream over `bytes` without copying them. `holder` is the GByteArray
/// header the stream reads through (GMimeStreamMem only reads its `data` and `len` when
/// nothing is written, and with set_owner(FALSE) never frees it): both `holder` and `bytes`
/// must outlive the stream and every GMime object parsed from it.
Ref<GMimeStream> mem_stream_borrowed(std::string_view bytes, GByteArray& holder);
/// The bytes held by a memory stream made by mem_stream().
std::string mem_stream_bytes(GMimeStream* s);

/// Converts `in` from charset `from` to charset `to` (iconv names via GMime's charset map).
/// Returns false when a character cannot be represented or the input is invalid: no
/// substitution, ever (a lossy notice or body would be wrong in front of a patient).
bool convert_charset(std::string_view in, const char* to, const char* from, std::string& out);

}  // namespace sealpost::mime::gobj
