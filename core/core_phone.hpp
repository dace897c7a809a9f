// SPDX-License-Identifier: Apache-2.0
// Patients' phone numbers: normalise what senders write (`079 123 45 67`, `+41 79 ...`) to E.164
// with libphonenumber and classify them: a mobile gets its code by SMS, a landline only by a
// voice call (`[voice]`), anything else is refused.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/core_result.hpp"

namespace sealpost {

/// How a code reaches a number: a mobile (libphonenumber MOBILE or FIXED_LINE_OR_MOBILE) by
/// SMS, a landline (FIXED_LINE) only by a voice call.
enum class PhoneKind { mobile, landline };

/// A validated number.
struct PhoneNumber {
    std::string e164;    ///< `+41791234567` (ITU-T E.164 with '+')
    std::string region;  ///< ISO 3166-1 region of the number, e.g. "CH"
    PhoneKind kind = PhoneKind::mobile;
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

/// normalize_mobile(), but a valid FIXED_LINE number is accepted too (kind landline) when
/// `accept_landline` (a `[voice]` provider is configured). Without it a landline is refused with
/// the detail "landline number" (so callers can say what to do), other numbers as
/// normalize_mobile() does.
Result<PhoneNumber> normalize_phone(std::string_view input, std::string_view default_region,
                                    bool accept_landline);

/// The last two digits of a number (fewer if it has fewer), skipping any other character: all
/// of a number that a masked display (log::mask_phone) or an error detail may show.
std::string last_two_digits(std::string_view number);

}  // namespace sealpost
