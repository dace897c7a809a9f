// SPDX-License-Identifier: Apache-2.0
// Patient phone resolution: `[sms:...]` subject tag, X-Sealpost-Phone header, contacts store,
// with the stored contact winning and replies never trusted (see policy_phone.hpp).
#include "policy/policy_phone.hpp"

#include <array>
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

/// normalize_phone()'s refusal of a landline when no voice provider is configured.
bool is_landline(const Error& e) {
    return e.detail == "landline number";
}

Error fail(std::string_view code) {
    return make_error(Errc::invalid_argument, std::string(code));
}

/// `<code>:<given>:<other>` with the last two digits of both numbers.
Error mismatch(std::string_view code, std::string_view given, std::string_view other) {
    return make_error(Errc::invalid_argument, std::string(code) + ":" + last_two_digits(given) +
                                                  ":" + last_two_digits(other));
}

/// Quotation marks that open or close quoted text in a subject: ASCII `"`, and in UTF-8
/// “ ” „ « » ‹ ›. An apostrophe is not one (d'Aubert).
constexpr std::array<std::string_view, 8> kQuotes = {"\"",           "\xE2\x80\x9C", "\xE2\x80\x9D",
                                                     "\xE2\x80\x9E", "\xC2\xAB",     "\xC2\xBB",
                                                     "\xE2\x80\xB9", "\xE2\x80\xBA"};

bool has_quote(std::string_view s) noexcept {
    for (const auto q : kQuotes) {
        if (s.find(q) != std::string_view::npos) {
            return true;
        }
    }
    return false;
}

/// `left` and `right` joined by one space where both have text (the tag's place tidied);
/// leading whitespace of `left` stays as written.
std::string join_around(std::string_view left, std::string_view right) {
    while (!left.empty() && is_ws(left.back())) {
        left.remove_suffix(1);
    }
    while (!right.empty() && is_ws(right.front())) {
        right.remove_prefix(1);
    }
    if (trim_ws(left).empty()) {
        return std::string(right);
    }
    std::string out(left);
    if (!right.empty()) {
        out += ' ';
    }
    out += right;
    return out;
}

/// Reply and forward prefixes in the languages of Swiss practices and their patients' mail
/// clients (lower case): de AW/WG/Antw, fr TR/RE, it R/I/RIF/RV/Inoltra, nl Antw/Doorst/VS,
/// sv/da/no SV/VS/VB/VL/FS, es/pt RE/RV/Enc/Res, pl Odp/PD, tr YNT/ILT.
constexpr std::array<std::string_view, 27> kReplyWords = {
    "re",  "aw",  "fw",  "fwd", "wg",  "tr",   "rif",     "r",      "i",
    "sv",  "vs",  "vb",  "vl",  "fs",  "antw", "antwort", "doorst", "rv",
    "enc", "res", "odp", "pd",  "ynt", "ilt",  "inoltra", "ref",    "wtr"};

bool is_alpha(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
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
    out.quoted = has_quote(subject.substr(0, *tag_begin)) && has_quote(subject.substr(tag_end));
    return out;
}

std::string remove_sms_tags(std::string_view subject) {
    std::string s(subject);
    // Each pass removes one tag, so this ends after at most size/5 passes.
    for (std::size_t i = 0; i < s.size();) {
        const auto after = opener_end(s, i);
        if (!after) {
            ++i;
            continue;
        }
        const auto close = s.find(']', *after);
        const std::size_t end = close == std::string::npos ? s.size() : close + 1;
        std::string_view left = std::string_view(s).substr(0, i);
        while (!left.empty() && is_ws(left.back())) {
            left.remove_suffix(1);
        }
        // Go on from the last character before the tag: the text before it holds no opener,
        // but its last `[` may open one with what followed the tag.
        const std::size_t restart = left.empty() ? 0 : left.size() - 1;
        s = join_around(std::string_view(s).substr(0, i), std::string_view(s).substr(end));
        i = restart;
    }
    return s;
}

bool is_reply_subject(std::string_view s) {
    std::size_t i = 0;
    for (int prefixes = 0; prefixes < 64; ++prefixes) {
        while (i < s.size() && is_ws(s[i])) {
            ++i;
        }
        if (i >= s.size()) {
            return false;
        }
        if (s[i] == '[') {  // [ext], [EXTERN], [Extern]: a gateway's mark, skip it
            const auto close = s.find(']', i);
            if (close == std::string_view::npos) {
                return false;
            }
            i = close + 1;
            continue;
        }
        std::size_t j = i;
        while (j < s.size() && is_alpha(s[j]) && j - i < 16) {
            ++j;
        }
        if (j == i) {
            return false;
        }
        std::string word;
        for (std::size_t k = i; k < j; ++k) {
            word += lower(s[k]);
        }
        std::size_t k = j;
        if (k < s.size() && (s[k] == '[' || s[k] == '(')) {  // Re[2]: AW(3):
            const char close = s[k] == '[' ? ']' : ')';
            std::size_t d = k + 1;
            while (d < s.size() && s[d] >= '0' && s[d] <= '9') {
                ++d;
            }
            if (d > k + 1 && d < s.size() && s[d] == close) {
                k = d + 1;
            }
        }
        while (k < s.size() && is_ws(s[k])) {  // French typography: "RE :", "TR :"
            ++k;
        }
        constexpr std::string_view kFullwidthColon = "\xEF\xBC\x9A";
        const bool colon = (k < s.size() && s[k] == ':') || s.substr(k, 3) == kFullwidthColon;
        if (!colon) {
            return false;
        }
        for (const auto w : kReplyWords) {
            if (word == w) {
                return true;
            }
        }
        return false;
    }
    return false;
}

std::string_view phone_error_code(const Error& e) noexcept {
    const std::string_view d = e.detail;
    return d.substr(0, d.find(':'));
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
    std::optional<std::string> tag;
    if (in.tag_number) {
        // One link per external recipient, one tag per message: the number belongs to the
        // only patient, or the sender must split the message.
        if (in.external_recipients != 1) {
            return fail(kErrTagRecipients);
        }
        auto n = normalize_phone(*in.tag_number, in.default_region, in.accept_landline);
        if (!n) {
            return fail(is_landline(n.error()) ? kErrLandline : kErrTagNotMobile);
        }
        tag = std::move(n).value().e164;
    }
    std::optional<std::string> header;
    if (in.header_number) {
        auto n = normalize_phone(trim_ws(*in.header_number), in.default_region, in.accept_landline);
        if (!n) {
            return fail(is_landline(n.error()) ? kErrLandline : kErrHeaderNotMobile);
        }
        header = std::move(n).value().e164;
    }
    // The stored contact is read even when the mail names a number: it wins.
    std::optional<StoredContact> stored;
    std::optional<std::string> stored_e164;  // nullopt also when the stored one is not usable
    bool stored_landline = false;            // ... because it is a landline without [voice]
    if (lookup) {
        auto s = lookup(in.recipient);
        if (s) {
            stored = std::move(*s);
            auto n = normalize_phone(stored->e164, in.default_region, in.accept_landline);
            if (n) {
                stored_e164 = std::move(n).value().e164;
            } else {
                stored_landline = is_landline(n.error());
            }
        } else if (s.error().code != Errc::not_found) {
            return std::move(s).error();
        }
    }
    const auto differs = [&](const std::optional<std::string>& given) {
        return given && (!stored_e164 || *given != *stored_e164);
    };
    // A reply keeps the other side's subject: its tag is never a source of its own.
    if (in.reply && differs(tag)) {
        return fail(kErrTagInReply);
    }
    if (stored && !differs(tag) && !differs(header)) {
        if (!stored_e164) {
            return fail(stored_landline ? kErrLandline : kErrContactNotMobile);
        }
        return ResolvedPhone{*stored_e164, PhoneSource::contacts, std::move(stored->language)};
    }
    if (stored && !in.allow_override) {
        if (differs(tag)) {
            return mismatch(kErrTagMismatch, *tag, stored->e164);
        }
        return mismatch(kErrHeaderMismatch, *header, stored->e164);
    }
    if (tag && header && *tag != *header) {
        return mismatch(kErrTagHeaderMismatch, *tag, *header);
    }
    if (tag) {
        return ResolvedPhone{std::move(*tag), PhoneSource::subject_tag, {}};
    }
    if (header) {
        return ResolvedPhone{std::move(*header), PhoneSource::header, {}};
    }
    return fail(kErrNoNumber);
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
        // Add only: a stored number is the practice's word (contacts set/import) and a learned
        // one must never replace it. contact_add checks and writes in one transaction.
        auto st = v.contact_add(email, e164, "");
        if (!st && st.error().code == Errc::exists) {
            return {};
        }
        return st;
    };
}

}  // namespace sealpost::seal
