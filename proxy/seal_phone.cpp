// Patient phone resolution: `[sms:...]` subject tag, X-Sealpost-Phone header, contacts store
// (see seal_phone.hpp and DESIGN.md section 3, "Where the patient's mobile number comes from").
#include "proxy/seal_phone.hpp"

#include <string>

#include "core/core_log.hpp"
#include "core/core_phone.hpp"
#include "vault/vault.hpp"

namespace sealpost::seal {
namespace {

char lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

bool is_ws(char c) noexcept {
    return c == ' ' || c == '\t';
}

/// If an `[sms:` opener (spaces allowed around `sms`) starts at `i`, the index after ':'.
std::optional<std::size_t> opener_end(std::string_view s, std::size_t i) {
    if (s[i] != '[') {
        return std::nullopt;
    }
    std::size_t j = i + 1;
    while (j < s.size() && is_ws(s[j])) {
        ++j;
    }
    if (j + 3 > s.size() || lower(s[j]) != 's' || lower(s[j + 1]) != 'm' ||
        lower(s[j + 2]) != 's') {
        return std::nullopt;
    }
    j += 3;
    while (j < s.size() && is_ws(s[j])) {
        ++j;
    }
    if (j >= s.size() || s[j] != ':') {
        return std::nullopt;
    }
    return j + 1;
}

bool is_number_char(char c) noexcept {
    return (c >= '0' && c <= '9') || c == ' ' || c == '\t' || c == '+' || c == '.' || c == '-' ||
           c == '/' || c == '(' || c == ')';
}

std::string_view trim_ws(std::string_view s) noexcept {
    while (!s.empty() && is_ws(s.front())) {
        s.remove_prefix(1);
    }
    while (!s.empty() && is_ws(s.back())) {
        s.remove_suffix(1);
    }
    return s;
}

Error fail(std::string_view code) {
    return make_error(Errc::invalid_argument, std::string(code));
}

}  // namespace

Result<SmsTag> parse_sms_tag(std::string_view subject) {
    std::optional<std::size_t> tag_begin;
    std::size_t tag_end = 0;  // one past ']'
    std::string_view number;
    for (std::size_t i = 0; i < subject.size(); ++i) {
        const auto after = opener_end(subject, i);
        if (!after) {
            continue;
        }
        if (tag_begin) {
            return fail(kErrTagTwice);
        }
        const auto close = subject.find(']', *after);
        if (close == std::string_view::npos) {
            return fail(kErrTagBad);
        }
        tag_begin = i;
        tag_end = close + 1;
        number = trim_ws(subject.substr(*after, close - *after));
        i = close;
    }
    SmsTag out;
    if (!tag_begin) {
        out.subject = std::string(subject);
        return out;
    }
    if (number.empty() || number.size() > kMaxPhoneInput) {
        return fail(kErrTagBad);
    }
    bool digit = false;
    for (const char c : number) {
        if (!is_number_char(c)) {
            return fail(kErrTagBad);
        }
        digit = digit || (c >= '0' && c <= '9');
    }
    if (!digit) {
        return fail(kErrTagBad);
    }
    const std::string_view left = trim_ws(subject.substr(0, *tag_begin));
    const std::string_view right = trim_ws(subject.substr(tag_end));
    // Keep leading whitespace of the left part as it was written; tidy only around the tag.
    const std::string_view head = subject.substr(0, *tag_begin);
    std::string_view left_keep = head;
    while (!left_keep.empty() && is_ws(left_keep.back())) {
        left_keep.remove_suffix(1);
    }
    out.subject = std::string(left.empty() ? std::string_view{} : left_keep);
    if (!left.empty() && !right.empty()) {
        out.subject += ' ';
    }
    std::string_view tail = subject.substr(tag_end);
    while (!tail.empty() && is_ws(tail.front())) {
        tail.remove_prefix(1);
    }
    out.subject += std::string(tail);
    out.raw = std::string(number);
    return out;
}

std::string_view to_string(PhoneSource s) noexcept {
    switch (s) {
        case PhoneSource::subject_tag:
            return "subject_tag";
        case PhoneSource::header:
            return "header";
        case PhoneSource::contacts:
            return "contacts";
    }
    return "unknown";
}

Result<ResolvedPhone> resolve_phone(const PhoneInputs& in, const ContactLookup& lookup) {
    if (in.tag_number) {
        // One link per external recipient, one tag per message: the number belongs to the
        // only patient, or the sender must split the message (DESIGN 3).
        if (in.external_recipients != 1) {
            return fail(kErrTagRecipients);
        }
        auto n = normalize_mobile(*in.tag_number, in.default_region);
        if (!n) {
            return fail(kErrTagNotMobile);
        }
        return ResolvedPhone{std::move(n).value().e164, PhoneSource::subject_tag, {}};
    }
    if (in.header_number) {
        auto n = normalize_mobile(trim_ws(*in.header_number), in.default_region);
        if (!n) {
            return fail(kErrHeaderNotMobile);
        }
        return ResolvedPhone{std::move(n).value().e164, PhoneSource::header, {}};
    }
    if (!lookup) {
        return fail(kErrNoNumber);
    }
    auto stored = lookup(in.recipient);
    if (!stored) {
        if (stored.error().code == Errc::not_found) {
            return fail(kErrNoNumber);
        }
        return std::move(stored).error();
    }
    auto n = normalize_mobile(stored->e164, in.default_region);
    if (!n) {
        return fail(kErrContactNotMobile);
    }
    return ResolvedPhone{std::move(n).value().e164, PhoneSource::contacts,
                         std::move(stored->language)};
}

std::optional<std::string> phone_reply_text(const Error& e, std::string_view recipient) {
    if (e.code != Errc::invalid_argument) {
        return std::nullopt;
    }
    const std::string who = log::mask_address(recipient);
    const std::string_view d = e.detail;
    if (d == kErrNoNumber) {
        return "No mobile number for " + who + ": add [sms:+41...] to the subject";
    }
    if (d == kErrTagRecipients) {
        return std::string(
            "An [sms:...] subject tag needs exactly one external recipient: "
            "send one message per patient");
    }
    if (d == kErrTagTwice) {
        return std::string("More than one [sms:...] tag in the subject: give one number");
    }
    if (d == kErrTagBad) {
        return std::string(
            "The [sms:...] tag in the subject is malformed: write e.g. "
            "[sms:+41 79 123 45 67]");
    }
    if (d == kErrTagNotMobile) {
        return "The [sms:...] number for " + who +
               " is not a mobile number: add [sms:+41...] with a mobile number";
    }
    if (d == kErrHeaderNotMobile) {
        return "The X-Sealpost-Phone number for " + who + " is not a mobile number";
    }
    if (d == kErrContactNotMobile) {
        return "The stored number for " + who +
               " is not a mobile number: add [sms:+41...] to the subject";
    }
    return std::nullopt;
}

Status learn_contact(bool learn_contacts, std::string_view recipient, const ResolvedPhone& phone,
                     const ContactSave& save) {
    if (!learn_contacts || phone.source != PhoneSource::subject_tag || !save) {
        return {};
    }
    return save(recipient, phone.e164);
}

ContactLookup vault_contact_lookup(vault::Vault& v) {
    return [&v](std::string_view email) -> Result<StoredContact> {
        SP_TRY(c, v.contact_get(email));
        return StoredContact{std::move(c.phone_e164), std::move(c.language)};
    };
}

ContactSave vault_contact_save(vault::Vault& v) {
    return [&v](std::string_view email, std::string_view e164) -> Status {
        std::string language;
        auto old = v.contact_get(email);
        if (old) {
            if (old->phone_e164 == e164) {
                return {};  // unchanged: no write transaction
            }
            language = old->language;
        } else if (old.error().code != Errc::not_found) {
            return std::move(old).error();
        }
        return v.contact_set(email, e164, language);
    };
}

}  // namespace sealpost::seal
