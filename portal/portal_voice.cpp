// SPDX-License-Identifier: Apache-2.0
// Codes by voice call: the TwiML a Twilio call reads, and the caller that sends the spoken text
// through the [voice] provider (portal_sms.cpp builds it like an SMS provider).
#include "portal/portal_voice.hpp"

#include "core/core_text.hpp"
#include "crypto/crypto_secret.hpp"

namespace sealpost::portal {

std::string_view voice_locale(std::string_view lang) noexcept {
    if (lang == "fr") {
        return "fr-CH";
    }
    if (lang == "it") {
        return "it-IT";
    }
    if (lang == "en") {
        return "en-GB";
    }
    return "de-CH";
}

std::string twiml_say(std::string_view words, std::string_view lang) {
    // XML 1.0 section 2.4: & and < escaped in character data (html_escape also does > and ").
    return "<Response><Pause length=\"1\"/><Say language=\"" + std::string(voice_locale(lang)) +
           "\">" + text::html_escape(words) + "</Say></Response>";
}

Status VoiceCaller::call(std::string_view to_e164, std::string_view text,
                         std::string_view lang) const {
    if (!twiml_) {
        return gateway_->send(to_e164, text);
    }
    std::string twiml = twiml_say(text, lang);
    Status st = gateway_->send(to_e164, twiml);
    crypto::secure_wipe(twiml.data(), twiml.size());  // it holds the code
    return st;
}

Result<std::unique_ptr<VoiceCaller>> make_voice_caller(const VoiceConfig& cfg) {
    SP_TRY(gateway, make_voice_sender(cfg.gateway));
    return std::make_unique<VoiceCaller>(std::move(gateway),
                                         cfg.gateway.provider == SmsProvider::twilio);
}

}  // namespace sealpost::portal
