// SPDX-License-Identifier: Apache-2.0
// Patients' numbers for codes: libphonenumber (PhoneNumberUtil) parses and classifies (mobile for
// SMS, landline for a voice call), we add a strict character filter so vanity letters, extensions
// and other noise are refused.
#include "core/core_phone.hpp"

#include <algorithm>

#include <phonenumbers/phonenumber.pb.h>
#include <phonenumbers/phonenumberutil.h>

namespace sealpost {
namespace {

using i18n::phonenumbers::PhoneNumberUtil;

// What senders put between digits: `+41 79 123 45 67`, `079.123.45.67`, `(079) 123-45-67`,
// `079/123 45 67`. Letters are refused: libphonenumber would read `1-800-FLOWERS` as digits.
bool allowed_chars(std::string_view s) {
    bool seen_digit = false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        const char c = s[i];
        if (c >= '0' && c <= '9') {
            seen_digit = true;
        } else if (c == '+') {
            // Only as the first non-space character.
            if (seen_digit || s.find_first_not_of(" \t") != i) {
                return false;
            }
        } else if (c != ' ' && c != '\t' && c != '.' && c != '-' && c != '(' && c != ')' &&
                   c != '/') {
            return false;
        }
    }
    return seen_digit;
}

Error not_a_number() {
    return make_error(Errc::invalid_argument, "not a phone number");
}

}  // namespace

Result<PhoneNumber> normalize_mobile(std::string_view input, std::string_view default_region) {
    auto n = normalize_phone(input, default_region, false);
    if (!n && n.error().detail == "landline number") {
        return make_error(Errc::invalid_argument, "not a mobile number");
    }
    return n;
}

Result<PhoneNumber> normalize_phone(std::string_view input, std::string_view default_region,
                                    bool accept_landline) {
    if (input.size() > kMaxPhoneInput) {
        return make_error(Errc::invalid_argument, "too long");
    }
    if (!allowed_chars(input)) {
        return not_a_number();
    }
    const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
    // libphonenumber treats a tab as garbage; senders' tabs are just spacing.
    std::string text(input);
    std::replace(text.begin(), text.end(), '\t', ' ');
    i18n::phonenumbers::PhoneNumber number;
    if (util.Parse(text, std::string(default_region), &number) !=
        PhoneNumberUtil::NO_PARSING_ERROR) {
        return not_a_number();
    }
    if (number.has_extension() || !util.IsValidNumber(number)) {
        return not_a_number();
    }
    const auto type = util.GetNumberType(number);
    PhoneNumber out;
    if (type == PhoneNumberUtil::FIXED_LINE) {
        if (!accept_landline) {
            return make_error(Errc::invalid_argument, "landline number");
        }
        out.kind = PhoneKind::landline;
    } else if (type != PhoneNumberUtil::MOBILE && type != PhoneNumberUtil::FIXED_LINE_OR_MOBILE) {
        return make_error(Errc::invalid_argument, "not a mobile number");
    }
    util.Format(number, PhoneNumberUtil::E164, &out.e164);
    util.GetRegionCodeForNumber(number, &out.region);
    return out;
}

std::string last_two_digits(std::string_view number) {
    std::string out;
    for (auto it = number.rbegin(); it != number.rend() && out.size() < 2; ++it) {
        if (*it >= '0' && *it <= '9') {
            out.insert(out.begin(), *it);
        }
    }
    return out;
}

}  // namespace sealpost
