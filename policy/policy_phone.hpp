// SPDX-License-Identifier: Apache-2.0
// Where the patient's mobile number comes from: the `[sms:...]` subject tag, the
// `X-Sealpost-Phone:` header and the contacts store, normalised to E.164 mobile. A stored
// contact wins: a reply keeps the other side's subject, so whoever controls a patient's mailbox
// could otherwise ask for "[sms:their number]" and receive the second factor.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/core_config.hpp"
#include "core/core_result.hpp"

namespace sealpost::vault {
class Vault;
}

namespace sealpost::seal {

/// A subject with its `[sms:...]` tag taken out.
struct SmsTag {
    std::string subject;             ///< the subject without the tag, whitespace tidied
    std::optional<std::string> raw;  ///< the number as written, trimmed; nullopt: no tag
    /// The tag stands inside quotation marks (`"..."`, `“...”`, `„...“`, `«...»`, `‹...›`):
    /// quoted text is someone else's words, so it counts like a reply (see is_reply_subject).
    bool quoted = false;
};

/// Finds `[sms:NUMBER]` in a decoded subject (`sms` in any case, spaces allowed around `sms`
/// and `:`). NUMBER may hold digits, spaces, `+`, `.`, `-`, `/`, `(`, `)`; it is checked
/// further by resolve_phone(). The tag and the whitespace before it are removed; the parts
/// either side are joined with one space.
/// Errors (Errc::invalid_argument, detail a PhoneError code below): two or more tags
/// (kErrTagTwice), an empty or malformed number or a tag without `]` (kErrTagBad).
Result<SmsTag> parse_sms_tag(std::string_view subject);

/// `subject` with every `[sms:...]` tag removed, malformed ones included (an opener without
/// `]` takes the rest of the subject): what may leave the practice. Never fails.
std::string remove_sms_tags(std::string_view subject);

/// True when `subject` starts like a reply or a forward: after any `[...]` prefixes (`[ext]`),
/// a word such as Re, AW, Fwd, FW, WG, TR, RIF, R, I, SV, VS, VL, Antw, Doorst, RV, Enc, Res,
/// Odp, YNT (any case, an optional count `Re[2]` or `AW(3)`, spaces before the colon allowed)
/// followed by `:`. Its subject may have been written by the other side.
bool is_reply_subject(std::string_view subject);

/// Where the number was found.
enum class PhoneSource { subject_tag, header, contacts };
std::string_view to_string(PhoneSource s) noexcept;

struct ResolvedPhone {
    std::string e164;  ///< `+41791234567`
    PhoneSource source = PhoneSource::contacts;
    std::string language;  ///< the stored contact's language (de|fr|it|en) when source is
                           ///< contacts and it has one; "" otherwise
};

/// A stored contact as the lookup returns it.
struct StoredContact {
    std::string e164;
    std::string language;  ///< de|fr|it|en or ""
};

/// What resolve_phone() is given for one external recipient.
struct PhoneInputs {
    std::string recipient;                     ///< envelope recipient
    std::optional<std::string> tag_number;     ///< SmsTag::raw
    std::size_t external_recipients = 0;       ///< external recipients of this message
    std::optional<std::string> header_number;  ///< X-Sealpost-Phone value, if present
    std::string default_region = "CH";
    /// The message is a reply or a forward (subject prefix, In-Reply-To or References, or a
    /// quoted tag): a tag in its subject may come from the other side and is never used.
    bool reply = false;
    /// A tag or header number that differs from the stored contact is used for this mail
    /// instead of being refused (`[proxy] allow_phone_override`, off by default).
    bool allow_override = false;
    /// Landline numbers are accepted too (a `[voice]` provider calls them with the code);
    /// without it a landline anywhere is refused with kErrLandline.
    bool accept_landline = false;
};

/// Reads the stored contact (E.164 number and language) for an address. Errc::not_found when
/// there is none; other errors (key_error, io, ...) are passed on (the proxy answers 4xx).
using ContactLookup = std::function<Result<StoredContact>(std::string_view email)>;
/// Stores `e164` as the contact of `email` when it has none; a stored contact stays as it is
/// (Status ok).
using ContactSave = std::function<Status(std::string_view email, std::string_view e164)>;

// Error details of resolve_phone()/parse_sms_tag() (Errc::invalid_argument): stable codes for
// logs; phone_reply_text() turns them into the text after `550 5.7.1 `.
inline constexpr std::string_view kErrTagTwice = "sms_tag_twice";
inline constexpr std::string_view kErrTagBad = "sms_tag_malformed";
inline constexpr std::string_view kErrTagRecipients = "sms_tag_needs_one_external_recipient";
inline constexpr std::string_view kErrTagNotMobile = "sms_tag_not_mobile";
inline constexpr std::string_view kErrHeaderNotMobile = "phone_header_not_mobile";
inline constexpr std::string_view kErrContactNotMobile = "contact_not_mobile";
inline constexpr std::string_view kErrNoNumber = "no_mobile_number";
/// The number (tag, header or stored contact) is a landline and no `[voice]` is configured.
inline constexpr std::string_view kErrLandline = "landline_without_voice";
inline constexpr std::string_view kErrTagInReply = "sms_tag_in_reply";
/// strip_phone_data() (mime_phone_strip.hpp) could not take a tag out of the subject.
inline constexpr std::string_view kErrTagStuck = "sms_tag_not_removable";
// The mismatch errors carry the last two digits of both numbers in their detail,
// `<code>:<given>:<other>` (e.g. `sms_tag_differs_from_contact:89:67`); phone_error_code()
// gives the code alone.
inline constexpr std::string_view kErrTagMismatch = "sms_tag_differs_from_contact";
inline constexpr std::string_view kErrHeaderMismatch = "phone_header_differs_from_contact";
inline constexpr std::string_view kErrTagHeaderMismatch = "sms_tag_differs_from_phone_header";

/// The stable code of a resolve_phone()/parse_sms_tag() error detail (the part before `:`).
std::string_view phone_error_code(const Error& e) noexcept;

/** The patient's number:
 * - a tag (allowed only with exactly one external recipient) and the header must each be a
 *   valid mobile number (or landline with `accept_landline`; a landline without it is
 *   kErrLandline); one that is not is an error, no other source is tried (the sender
 *   meant that number);
 * - a stored contact wins. A tag or header that differs from it (compared as E.164) refuses
 *   the mail (kErrTagMismatch, kErrHeaderMismatch) unless `allow_override`, which uses the
 *   given number for this mail (tag before header);
 * - a tag in a reply or forward (`reply`) is used only when it equals the stored number, and
 *   is refused otherwise (kErrTagInReply), whatever `allow_override` says;
 * - without a stored contact: the tag, else the header; a tag and a header that differ are
 *   refused (kErrTagHeaderMismatch); neither: kErrNoNumber.
 * Errors: Errc::invalid_argument with one of the kErr* codes (550 5.7.1 via
 * phone_reply_text), or the lookup's own error (not not_found) unchanged.
 */
Result<ResolvedPhone> resolve_phone(const PhoneInputs& in, const ContactLookup& lookup);

/// The 550 5.7.1 text for a resolve_phone()/parse_sms_tag() error in the staff's language
/// (practice.refusal_lang(): the practice's staff read it in their mail program), printable
/// ASCII (RFC 5321 4.2: French, German and Italian transliterated, "Aucun numero de mobile"),
/// with the recipient masked (log::mask_address), e.g.
/// `No mobile number for p***@example.ch: add [sms:+41...] to the subject`.
/// nullopt for errors that are not the sender's to fix (the proxy answers 4xx then).
std::optional<std::string> phone_reply_text(const Error& e, std::string_view recipient,
                                            Language lang = Language::en);

/// After the upstream accepted the message: with `learn_contacts` on, a number that came from
/// the subject tag becomes the recipient's contact if the recipient has none. A stored number
/// is never overwritten (only `sealpost contacts set` changes it). Does nothing otherwise.
Status learn_contact(bool learn_contacts, std::string_view recipient, const ResolvedPhone& phone,
                     const ContactSave& save);

/// Adapters over the vault's contacts (vault::Vault::contact_get / contact_add). The Vault must
/// outlive them. The saver only adds: it never replaces a stored contact.
ContactLookup vault_contact_lookup(vault::Vault& v);
ContactSave vault_contact_save(vault::Vault& v);

}  // namespace sealpost::seal
