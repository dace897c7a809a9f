// Mobile phone numbers: normalise what senders write (`079 123 45 67`, `+41 79 ...`) to E.164
// with libphonenumber and refuse anything that cannot receive an SMS code.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/core_result.hpp"

namespace sealpost {

/// A validated mobile number.
struct PhoneNumber {
    std::string e164;    ///< `+41791234567` (ITU-T E.164 with '+')
    std::string region;  ///< ISO 3166-1 region of the number, e.g. "CH"
    friend bool operator==(const PhoneNumber&, const PhoneNumber&) = default;
};

/// Longest input accepted (characters, before normalisation).
inline constexpr std::size_t kMaxPhoneInput = 64;

/// Normalises `input` (spaces, dots, dashes, parentheses allowed; `+41...`, `0041...` or a
/// national number read in `default_region`) to E.164. The number must be valid and of type
/// MOBILE or FIXED_LINE_OR_MOBILE.
/// Errors: Errc::invalid_argument with detail "not a phone number" or "not a mobile number"
/// (also "too long" over kMaxPhoneInput). The detail never repeats the input.
Result<PhoneNumber> normalize_mobile(std::string_view input,
                                     std::string_view default_region = "CH");

/// The last two digits of a number (fewer if it has fewer), skipping any other character: all
/// of a number that a masked display (log::mask_phone) or an error detail may show.
std::string last_two_digits(std::string_view number);

}  // namespace sealpost
