// SPDX-License-Identifier: Apache-2.0
// Codes by voice call for patients with only a landline (issue #18): the caller that hands the
// spoken text (Pages::voice_text: the code twice, digit by digit, in the patient's language) to
// the [voice] provider, wrapped in TwiML for Twilio. The providers themselves are the SMS ones.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/core_config.hpp"
#include "core/core_result.hpp"
#include "portal/portal_sms.hpp"

namespace sealpost::portal {

/// The BCP 47 tag a Twilio `<Say>` is given for a patient language (de, fr, it, en): the Swiss
/// variant where voices exist (de-CH, fr-CH), it-IT and en-GB otherwise; unknown: de-CH.
std::string_view voice_locale(std::string_view lang) noexcept;

/// `<Response><Pause length="1"/><Say language="de-CH">TEXT</Say></Response>`: the TwiML of a
/// call that reads `words` (XML-escaped) once the patient picks up (the pause lets the phone
/// reach the ear). https://www.twilio.com/docs/voice/twiml/say
std::string twiml_say(std::string_view words, std::string_view lang);

/// Places a call that reads a code. Thread-safe, blocking like SmsSender::send.
class VoiceCaller {
  public:
    /// `gateway` from make_voice_sender; `twiml`: wrap the text in TwiML (provider twilio).
    VoiceCaller(std::unique_ptr<SmsSender> gateway, bool twiml)
        : gateway_(std::move(gateway)), twiml_(twiml) {}

    /// Calls `to_e164` and reads `text` in `lang`. Errors as SmsSender::send.
    Status call(std::string_view to_e164, std::string_view text, std::string_view lang) const;

  private:
    std::unique_ptr<SmsSender> gateway_;
    bool twiml_;
};

/// Startup: the caller for `[voice]` (cfg.enabled must be true). Errors as make_voice_sender.
Result<std::unique_ptr<VoiceCaller>> make_voice_caller(const VoiceConfig& cfg);

}  // namespace sealpost::portal
