// Where the patient's mobile number comes from (DESIGN.md section 3): the `[sms:...]` subject
// tag, the `X-Sealpost-Phone:` header, then the contacts store; normalised to E.164 mobile.
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "core/core_result.hpp"

namespace sealpost::vault {
class Vault;
}

namespace sealpost::seal {

/// A subject with its `[sms:...]` tag taken out.
struct SmsTag {
    std::string subject;             ///< the subject without the tag, whitespace tidied
    std::optional<std::string> raw;  ///< the number as written, trimmed; nullopt: no tag
};

/// Finds `[sms:NUMBER]` in a decoded subject (`sms` in any case, spaces allowed around `sms`
/// and `:`). NUMBER may hold digits, spaces, `+`, `.`, `-`, `/`, `(`, `)`; it is checked
/// further by resolve_phone(). The tag and the whitespace before it are removed; the parts
/// either side are joined with one space.
/// Errors (Errc::invalid_argument, detail a PhoneError code below): two or more tags
/// (kErrTagTwice), an empty or malformed number or a tag without `]` (kErrTagBad).
Result<SmsTag> parse_sms_tag(std::string_view subject);

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
};

/// Reads the stored contact (E.164 number and language) for an address. Errc::not_found when
/// there is none; other errors (key_error, io, ...) are passed on (the proxy answers 4xx).
using ContactLookup = std::function<Result<StoredContact>(std::string_view email)>;
/// Stores `e164` as the contact of `email`.
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

/// In order: the subject tag (only with exactly one external recipient), the header, the
/// contacts store. A number that is present but not a valid mobile number is an error; the
/// next source is not tried (the sender meant that number).
/// Errors: Errc::invalid_argument with one of the kErr* codes (550 5.7.1 via
/// phone_reply_text), or the lookup's own error (not not_found) unchanged.
Result<ResolvedPhone> resolve_phone(const PhoneInputs& in, const ContactLookup& lookup);

/// The 550 5.7.1 text for a resolve_phone()/parse_sms_tag() error, printable ASCII, with the
/// recipient masked (log::mask_address), e.g.
/// `No mobile number for p***@example.ch: add [sms:+41...] to the subject`.
/// nullopt for errors that are not the sender's to fix (the proxy answers 4xx then).
std::optional<std::string> phone_reply_text(const Error& e, std::string_view recipient);

/// After the upstream accepted the message: with `learn_contacts` on, a number that came from
/// the subject tag becomes the recipient's contact. Does nothing otherwise (Status ok).
Status learn_contact(bool learn_contacts, std::string_view recipient, const ResolvedPhone& phone,
                     const ContactSave& save);

/// Adapters over the vault's contacts (vault::Vault::contact_get / contact_set). The Vault must
/// outlive them. The saver keeps a stored contact's language.
ContactLookup vault_contact_lookup(vault::Vault& v);
ContactSave vault_contact_save(vault::Vault& v);

}  // namespace sealpost::seal
