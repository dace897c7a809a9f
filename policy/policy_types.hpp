// SPDX-License-Identifier: Apache-2.0
// The sealing policy's data (DESIGN.md section 5): the facts a rule sees about a message and
// one recipient, the compiled rules, and the decision for one recipient.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sealpost::policy {

// ---- facts -------------------------------------------------------------------------------

/// Subject tags a sender types to steer the policy (matched case-insensitively anywhere in
/// the decoded subject). One bit each in SubjectTags.
enum class SubjectTag : std::uint8_t {
    secure = 1U << 0U,        ///< `[secure]`
    vertraulich = 1U << 1U,   ///< `(vertraulich)`
    confidential = 1U << 2U,  ///< `(confidential)`
    confidentiel = 1U << 3U,  ///< `(confidentiel)`
    plain = 1U << 4U,         ///< `[plain]`
};
using SubjectTags = std::uint8_t;  ///< OR of SubjectTag bits

/// `Sensitivity:` header values (RFC 2156 section 5.3.4; X.400 interworking).
enum class Sensitivity : std::uint8_t { personal, private_, company_confidential };

/// Whether the message carries a signature or encryption that a rewrite would break.
enum class Protection : std::uint8_t {
    none,
    signed_,    ///< multipart/signed (RFC 1847), S/MIME signed-data, inline PGP signed
    encrypted,  ///< multipart/encrypted (RFC 1847/3156), S/MIME enveloped-data, PGP message
};

struct AttachmentFacts {
    std::string content_type;  ///< `type/subtype`, lower-cased, no parameters
    std::string file_name;     ///< decoded (RFC 2231 / RFC 2047) file name, "" if none
    std::uint64_t size = 0;    ///< decoded size in bytes
    bool is_invoice = false;   ///< looks_like_invoice() of the part
    /// An image that the HTML shows by Content-ID (RFC 2392 `cid:`), e.g. a signature logo:
    /// really an image of its declared type, no document-like name, at most
    /// Policy::inline_image_max bytes (mime::MimeAttachment::inline_image plus the size).
    bool inline_image = false;
    /// Other readings of the type (declared, implied by a name, held inside a forwarded
    /// message or a container) and other names. `content_type` and `file_name` are the
    /// primary readings. The strictest reading wins: a `seal` or `reject` rule matches when
    /// any reading matches, a `pass` rule only when every reading does.
    std::vector<std::string> other_types;
    std::vector<std::string> other_names;
};

/// What the policy knows about the whole message (once per message).
struct MessageFacts {
    std::string sender;  ///< envelope sender (MAIL FROM), as given
    SubjectTags tags = 0;
    std::optional<Sensitivity> sensitivity;  ///< nullopt: header absent or unknown value
    Protection protection = Protection::none;
    std::vector<AttachmentFacts> attachments;
};

/// What the policy knows about one recipient.
struct RecipientFacts {
    std::string address;    ///< envelope recipient (RCPT TO)
    bool internal = false;  ///< PracticeConfig::is_internal(address)
};

// ---- rules -------------------------------------------------------------------------------

enum class Action : std::uint8_t { seal, pass, reject };
/// Which attachments a `seal` removes into the vault.
enum class AttachmentSelector : std::uint8_t { all, invoices };
enum class RecipientKind : std::uint8_t { internal, external };

/// Conditions on one attachment; a rule's attachment keys must all hold for the same one.
struct AttachmentMatch {
    std::vector<std::string> types;  ///< globs on content type (lower-cased), OR
    std::vector<std::string> names;  ///< globs on file name (lower-cased), OR
    std::optional<std::uint64_t> min_size;
    std::optional<std::uint64_t> max_size;
    bool invoice = false;  ///< the attachment must look like an invoice

    [[nodiscard]] bool any() const {
        return !types.empty() || !names.empty() || min_size || max_size || invoice;
    }
};

/// One `[[rule]]`. Absent keys match everything; all present keys must match (AND).
struct Rule {
    std::string name;               ///< from the file, or `rule[N]` (1-based)
    std::uint32_t line = 0;         ///< where it starts in the file, for logs
    std::vector<std::string> from;  ///< address patterns, lower-cased, OR
    std::vector<std::string> to;    ///< address patterns, lower-cased, OR
    std::optional<RecipientKind> recipient;
    SubjectTags subject_tags = 0;          ///< any of these tags present (OR); 0 = not a condition
    std::vector<Sensitivity> sensitivity;  ///< OR; empty = not a condition
    AttachmentMatch attachment;

    Action action = Action::seal;
    AttachmentSelector attachments = AttachmentSelector::all;
    bool keep_inline_images = true;
    std::string message;  ///< reject text: printable ASCII, at most kMaxRejectMessage
};

/// `inline_image_max`: default 64 KiB (a signature logo), at most 1 MiB.
inline constexpr std::uint64_t kDefaultInlineImageMax = 64ULL * 1024;
inline constexpr std::uint64_t kMaxInlineImageMax = 1024ULL * 1024;

/// What to do with messages the rules would seal but that are signed or encrypted.
enum class ProtectedAction : std::uint8_t { pass, reject };

struct Policy {
    std::string source;  ///< file name, for logs
    ProtectedAction signed_ = ProtectedAction::reject;
    ProtectedAction encrypted = ProtectedAction::reject;
    Action no_match = Action::reject;  ///< pass or reject (seal needs a rule's selector)
    /// Largest inline image (`inline_image_max`) that `keep_inline_images` keeps; a larger
    /// one is a document (a scan, not a logo).
    std::uint64_t inline_image_max = kDefaultInlineImageMax;
    std::vector<Rule> rules;
};

inline constexpr std::size_t kMaxRejectMessage = 200;

// ---- decision ----------------------------------------------------------------------------

/// Why a decision was taken, for logs (`policy=rule rule=external-seal`).
/// `nothing_to_seal`: a seal rule matched but selected no attachment (e.g. `invoices` and no
/// invoice, or only inline images that are kept), so the message passes unchanged.
enum class DecisionSource : std::uint8_t { rule, no_match, signed_, encrypted, nothing_to_seal };

struct Decision {
    Action action = Action::reject;
    DecisionSource source = DecisionSource::no_match;
    std::size_t rule_index =
        0;                  ///< 0-based index of the rule (source == rule or signed_/encrypted)
    std::string rule_name;  ///< "" for no_match
    AttachmentSelector attachments = AttachmentSelector::all;
    bool keep_inline_images = true;
    std::string message;  ///< for reject: the text after `550 5.7.1 ` (printable ASCII)
    /// For seal: indexes into MessageFacts::attachments to move into the vault; never empty
    /// (a seal that would select nothing is turned into pass, source nothing_to_seal).
    std::vector<std::size_t> selection;
};

std::string_view to_string(Action a) noexcept;
std::string_view to_string(DecisionSource s) noexcept;
std::string_view to_string(AttachmentSelector s) noexcept;

}  // namespace sealpost::policy
