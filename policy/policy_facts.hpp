// SPDX-License-Identifier: Apache-2.0
// Facts the policy reads from a message's headers: subject tags, the RFC 2156 Sensitivity
// header, and whether the message is signed or encrypted (then it is never rewritten).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/core_config.hpp"
#include "policy/policy_types.hpp"

namespace sealpost::policy {

/// The facts of one envelope recipient: internal when its domain is one of the practice's
/// internal_domains (PracticeConfig::is_internal).
RecipientFacts recipient_facts(const PracticeConfig& practice, std::string_view address);

/// Tags present in a decoded subject (`[secure]`, `(vertraulich)`, `(confidential)`,
/// `(confidentiel)`, `[plain]`), ASCII case-insensitive, anywhere in the subject.
SubjectTags subject_tags(std::string_view subject) noexcept;

/// The subject without the bracketed control tags `[secure]` and `[plain]` (any case), the
/// whitespace around each joined to one space and the ends trimmed (DESIGN 3: "the subject
/// loses its control tags"). `(vertraulich)` and the other words in parentheses stay: the
/// patient may read them. `[sms:...]` is seal::parse_sms_tag's.
std::string strip_control_tags(std::string_view subject);

/// True when `tags` contains `t`.
constexpr bool has_tag(SubjectTags tags, SubjectTag t) noexcept {
    return (tags & static_cast<SubjectTags>(t)) != 0;
}

/// A tag's name as written in a policy file (`secure`, `plain`, ...).
std::string_view to_string(SubjectTag t) noexcept;
/// `secure`/`[secure]`, `vertraulich`/`(vertraulich)`, ... (ASCII case-insensitive).
std::optional<SubjectTag> parse_subject_tag(std::string_view s) noexcept;

/// RFC 2156 5.3.4 `Sensitivity:` value: `Personal`, `Private`, `Company-Confidential`
/// (case-insensitive, surrounding whitespace and a trailing comment ignored). nullopt else.
std::optional<Sensitivity> parse_sensitivity(std::string_view header_value) noexcept;
std::string_view to_string(Sensitivity s) noexcept;

/// Classifies the top-level part. `content_type` is `type/subtype` (any case, parameters
/// allowed), `smime_type` the S/MIME `smime-type` parameter (RFC 8551 3.2.2) or "", and
/// `first_text` the start of the first text/plain body (for inline PGP, RFC 4880 6.2).
/// application/pkcs7-mime with smime-type=signed-data (or certs-only) counts as signed: its
/// content is readable by anyone; every other pkcs7-mime counts as encrypted (fail closed).
Protection detect_protection(std::string_view content_type, std::string_view smime_type,
                             std::string_view first_text) noexcept;

}  // namespace sealpost::policy
