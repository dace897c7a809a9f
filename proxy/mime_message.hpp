// A parsed mail message for sealing: what it holds (attachments, text parts, signed or
// encrypted) after GMime parsed it with sealpost's safety checks. No GMime types in this API.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "core/core_result.hpp"

namespace sealpost::mime {

/// Own limits on top of GMime's (DESIGN section 9). Exceeding one refuses the message.
struct MimeLimits {
    unsigned max_depth = 20;      ///< nesting of multiparts and message/rfc822 parts
    std::size_t max_parts = 200;  ///< every MIME entity counted, containers included
};

/// One attachment (RFC 2183 disposition `attachment`, or a non-body leaf), in document order.
struct MimeAttachment {
    std::size_t index = 0;       ///< position in MimeMessage::attachments()
    std::string path;            ///< MIME part path for logs, e.g. "1.2" (RFC 3501 style)
    std::string content_type;    ///< lower-case `type/subtype`
    std::string file_name;       ///< UTF-8, RFC 2231 / 2047 decoded; a default when it has none
    bool has_file_name = false;  ///< false: file_name is a made-up default
    std::string content_id;      ///< RFC 2392 id without angle brackets, "" if none
    bool inline_image = false;   ///< image referenced by `cid:` from an HTML body part
    std::string bytes;           ///< content with the transfer encoding undone
    [[nodiscard]] std::size_t size() const noexcept { return bytes.size(); }
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
}  // namespace reason

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
