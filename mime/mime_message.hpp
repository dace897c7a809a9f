// SPDX-License-Identifier: Apache-2.0
// A parsed mail message for sealing: what it holds (attachments, text parts, signed or
// encrypted) after GMime parsed it with sealpost's safety checks. No GMime types in this API.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/core_result.hpp"

namespace sealpost::mime {

/// Own limits on top of GMime's (DESIGN section 9). Exceeding one refuses the message.
struct MimeLimits {
    unsigned max_depth = 20;      ///< nesting of multiparts and message/rfc822 parts
    std::size_t max_parts = 200;  ///< every MIME entity counted, containers included
    /// Decoded attachment bytes kept in memory, all attachments together; the others are
    /// decoded again when read (MimeMessage::attachment_write), never held beside the message.
    std::size_t hold_bytes = std::size_t{4} << 20;
};

/// One attachment: every leaf other than the readable body text (RFC 2183 disposition
/// `attachment`, a named part, a non-text leaf, or a "text" part whose bytes are a file), in
/// document order. Content decides, not labels: `content_type` is what the bytes are when
/// their magic number is known (mime_sniff.hpp), else the declared type.
struct MimeAttachment {
    std::size_t index = 0;      ///< position in MimeMessage::attachments()
    std::string path;           ///< MIME part path for logs, e.g. "1.2" (RFC 3501 style)
    std::string content_type;   ///< lower-case `type/subtype`: sniffed, else declared
    std::string declared_type;  ///< lower-case `type/subtype` as the Content-Type says
    /// Every reading of the part's type, lower-case, no duplicates: the sniffed type, the
    /// declared type, the type the file name implies, and for a forwarded message the
    /// readings of every part inside it. The policy matches rules against all of them.
    std::vector<std::string> type_readings;
    std::string file_name;       ///< UTF-8, RFC 2231 / 2047 decoded; a default when it has none
    bool has_file_name = false;  ///< false: file_name is a made-up default
    /// Other names the part carries (Content-Type `name` when it differs from the
    /// Content-Disposition `filename`; names of the parts inside a forwarded message).
    std::vector<std::string> other_names;
    std::string content_id;  ///< RFC 2392 id without angle brackets, "" if none
    /// A real image of its declared type (PNG, JPEG, GIF, WebP), referenced by `cid:` from an
    /// HTML body part, with no document-like name: a logo may stay (the policy also caps
    /// its size, `inline_image_max`). Everything else is a document.
    bool inline_image = false;
    /// The content with the transfer encoding undone, when MimeLimits::hold_bytes had room
    /// for it; else nothing, and MimeMessage::attachment_write() decodes it again on demand.
    std::optional<std::string> bytes;
    std::uint64_t decoded_size = 0;         ///< octets of the decoded content
    std::array<std::uint8_t, 32> digest{};  ///< SHA-256 of the decoded content
    [[nodiscard]] std::uint64_t size() const noexcept { return decoded_size; }
};

/// A body text part (text/plain or text/html that is not an attachment), decoded.
struct MimeBody {
    std::string path;
    std::string content_type;  ///< text/plain or text/html
    std::string charset;       ///< lower-case charset parameter, "" when absent
    std::string text;          ///< transfer-decoded and converted to UTF-8 (lossy only if
                               ///< the part is invalid in its own charset)
};

/// One top-level header: name as written, value unfolded and RFC 2047-decoded (UTF-8).
struct MimeHeader {
    std::string name;
    std::string value;
};

/// Why a message cannot be sealed safely (the proxy answers 4xx; logs show `reason`).
/// Returned as Errc::invalid_argument with detail `mime:<reason> ...`.
namespace reason {
inline constexpr std::string_view parser_warning = "parser_warning";  ///< critical GMime warning
inline constexpr std::string_view too_deep = "too_deep";
inline constexpr std::string_view too_many_parts = "too_many_parts";
inline constexpr std::string_view not_a_message = "not_a_message";
inline constexpr std::string_view nul_octet = "nul_octet";  ///< RFC 2045 2.8: not in mail data
inline constexpr std::string_view signed_or_encrypted = "signed_or_encrypted";
inline constexpr std::string_view charset = "charset";  ///< a text part cannot be converted
inline constexpr std::string_view selection = "selection";
inline constexpr std::string_view verify = "verify";  ///< the rewritten message fails the check
// Shapes on which parsers may disagree (DESIGN 3): deliberate, so refused permanently.
/// a line that begins with a boundary but is not its delimiter (RFC 2046 5.1.1)
inline constexpr std::string_view ambiguous_boundary = "ambiguous_boundary";
/// Content-Type, -Transfer-Encoding or -Disposition twice in one part (RFC 2045 3)
inline constexpr std::string_view duplicate_header = "duplicate_header";
/// a transfer encoding outside RFC 2045 6.1 on a non-text part, or on a container
inline constexpr std::string_view unknown_encoding = "unknown_encoding";
/// a text part holding a uuencode, yEnc, BinHex or base64 file (the detail names which)
inline constexpr std::string_view encoded_file_in_text = "encoded_file_in_text";
}  // namespace reason

/// The `<reason>` of a `mime:<reason>: ...` refusal (Errc::invalid_argument), "" for any
/// other error.
std::string_view refusal_reason(const Error& e) noexcept;
/// The word after `mime:<reason>: ` (e.g. `uuencode` for encoded_file_in_text), "" if none.
std::string_view refusal_subject(const Error& e) noexcept;

/// A parsed message. Holds the original bytes: every rewrite starts again from them, so one
/// parsed message serves several recipients without one rewrite affecting the next.
class MimeMessage {
  public:
    /** Parses the DATA bytes (CRLF lines, not dot-stuffed). Errors (Errc::invalid_argument,
     * detail `mime:<reason>: ...`): a critical parser warning (RFC 2046 multipart without
     * boundary, nesting overflow, conflicting headers, headerless parts), a multipart GMime
     * found malformed or truncated, more than `limits` allow, no message at all.
     */
    static Result<MimeMessage> parse(std::string data, MimeLimits limits = {});
    /// The same over bytes the caller keeps: `data` must outlive the MimeMessage. The proxy
    /// parses the message it holds for the upstream this way, without a copy (GMime reads the
    /// buffer in place; parts refer to ranges of it).
    static Result<MimeMessage> parse_borrowed(std::string_view data, MimeLimits limits = {});

    [[nodiscard]] const std::vector<MimeAttachment>& attachments() const noexcept;
    /** Streams attachment `index`'s decoded content into `sink`, in pieces of at most 64 KiB,
     * from the held bytes or decoded again from the message. Stops at the sink's first error
     * and returns it. Errors: Errc::invalid_argument (no such attachment), Errc::internal.
     * Caveat: reads move GMime stream positions; one reader per message at a time. */
    Status attachment_write(std::size_t index,
                            const std::function<Status(std::string_view)>& sink) const;
    /// The whole decoded content of attachment `index` (a copy: for small parts and tests).
    Result<std::string> attachment_bytes(std::size_t index) const;
    /// multipart/signed anywhere (RFC 1847): rewriting would break the signature.
    [[nodiscard]] bool is_signed() const noexcept;
    /// multipart/encrypted, application/pkcs7-mime or application/pgp-encrypted anywhere.
    [[nodiscard]] bool is_encrypted() const noexcept;
    /// Body text parts (text/plain and text/html that are not attachments), document order.
    [[nodiscard]] const std::vector<MimeBody>& bodies() const noexcept;
    [[nodiscard]] std::size_t text_parts() const noexcept { return bodies().size(); }
    /// The decoded Subject (UTF-8, RFC 2047 decoded), "" when absent.
    [[nodiscard]] const std::string& subject() const noexcept;
    /// The message's own headers in order (Content-* headers of a single-part body included).
    [[nodiscard]] const std::vector<MimeHeader>& headers() const noexcept;
    /// Value of the first header called `name` (ASCII case-insensitive), "" when absent.
    [[nodiscard]] std::string header(std::string_view name) const;
    /// Lower-case `type/subtype` of the body (the root part), and its RFC 8551 `smime-type`
    /// parameter ("" when absent): for the policy's signed/encrypted decision.
    [[nodiscard]] const std::string& root_content_type() const noexcept;
    [[nodiscard]] const std::string& root_smime_type() const noexcept;
    [[nodiscard]] std::string_view raw() const noexcept;
    [[nodiscard]] const MimeLimits& limits() const noexcept;

    MimeMessage(MimeMessage&&) noexcept;
    MimeMessage& operator=(MimeMessage&&) noexcept;
    MimeMessage(const MimeMessage&) = delete;
    MimeMessage& operator=(const MimeMessage&) = delete;
    ~MimeMessage();

    struct State;

  private:
    explicit MimeMessage(std::unique_ptr<State> s);
    static Result<MimeMessage> parse_state(std::unique_ptr<State> st, MimeLimits limits);
    std::unique_ptr<State> s_;
};

/// The indexes of every attachment, leaving out inline images when `keep_inline_images`.
std::vector<std::size_t> select_all(const MimeMessage& m, bool keep_inline_images);

}  // namespace sealpost::mime
