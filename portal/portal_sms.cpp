// SPDX-License-Identifier: Apache-2.0
// make_sms_sender and make_voice_sender: turn the validated [sms] or [voice] config into one
// provider, reading the Twilio token or the http gateway's secret_file; and the input checks
// every provider applies before it sends anything.
#include "portal/portal_sms.hpp"

#include <algorithm>

#include "crypto/crypto_secret_file.hpp"
#include "portal/portal_curl.hpp"
#include "portal/portal_sms_detail.hpp"

namespace sealpost::portal {

namespace {

namespace fs = std::filesystem;

/// Which config section a provider comes from, and what the Twilio provider posts to.
struct Channel {
    std::string_view section;  ///< "sms" or "voice", for error details and logs
    /// Twilio resource and form body: a message (Body) or a call that speaks TwiML.
    std::string_view twilio_resource;
    std::string_view twilio_body;
};

// https://www.twilio.com/docs/messaging/api/message-resource#create-a-message-resource
constexpr Channel kSms{"sms", "Messages.json", "To={to}&From={sender}&Body={text}"};
// https://www.twilio.com/docs/voice/api/call-resource#create-a-call-resource (Twiml parameter)
constexpr Channel kVoice{"voice", "Calls.json", "To={to}&From={sender}&Twiml={text}"};

/// The secret of a `*_file` key as a plain string for the gateway spec (which wipes it).
Result<std::string> read_secret(const fs::path& path, std::string_view key) {
    SP_TRY(secret, crypto::read_secret_file(path, key));
    std::string out;
    out.reserve(secret.view().size());  // exact, so the copy is the only one left to wipe
    out.assign(secret.view());
    return out;
}

/// `value` with each "{secret}" replaced by `secret` (header values; the config checked that
/// {secret} is only used with a secret_file). The caller wipes the result's old copies.
std::string with_secret(std::string_view value, std::string_view secret) {
    constexpr std::string_view kPlaceholder = "{secret}";
    std::string out;
    out.reserve(value.size() + secret.size() * 4);
    for (std::size_t i = 0; i < value.size();) {
        const auto at = value.find(kPlaceholder, i);
        if (at == std::string_view::npos) {
            out.append(value.substr(i));
            break;
        }
        out.append(value.substr(i, at - i));
        out.append(secret);
        i = at + kPlaceholder.size();
    }
    return out;
}

std::vector<SmsHeader> with_content_type(std::vector<SmsHeader> headers, std::string_view type) {
    const bool given = std::any_of(headers.begin(), headers.end(), [](const SmsHeader& h) {
        return h.name.size() == 12 && std::equal(h.name.begin(), h.name.end(), "content-type",
                                                 [](char a, char b) { return (a | 0x20) == b; });
    });
    if (!given) {
        headers.push_back({"Content-Type", std::string(type)});
    }
    return headers;
}

Result<std::unique_ptr<SmsSender>> make_http(const SmsConfig& cfg, const Channel& ch) {
    const std::string section(ch.section);
    if (cfg.url.empty()) {
        return make_error(Errc::invalid_argument, section + ".url is required for provider http");
    }
    sms::GatewaySpec spec;
    spec.provider = ch.section == kSms.section ? "http" : "http-voice";
    spec.method = cfg.method;
    spec.url = cfg.url;
    spec.body_template = cfg.body_template;
    spec.body_escape =
        cfg.body_encoding == BodyEncoding::form ? sms::Escape::form : sms::Escape::json;
    spec.headers = cfg.headers;
    if (!cfg.secret_file.empty()) {
        SP_TRY(secret, read_secret(cfg.secret_file, section + ".secret_file"));
        spec.secret = std::move(secret);
        for (SmsHeader& h : spec.headers) {
            h.value = with_secret(h.value, spec.secret);
        }
    }
    if (cfg.method != HttpMethod::get) {
        spec.headers =
            with_content_type(std::move(spec.headers), cfg.body_encoding == BodyEncoding::form
                                                           ? "application/x-www-form-urlencoded"
                                                           : "application/json");
    }
    spec.sender = cfg.sender;
    spec.timeout = cfg.timeout;
    spec.retries = cfg.retries;
    return sms::make_gateway_sender(std::move(spec));
}

Result<std::unique_ptr<SmsSender>> make_twilio(const SmsConfig& cfg, const Channel& ch) {
    const std::string section(ch.section);
    if (cfg.account_sid.empty() || cfg.auth_token_file.empty()) {
        return make_error(Errc::invalid_argument, section + ".account_sid and " + section +
                                                      ".auth_token_file are required for twilio");
    }
    SP_TRY(token, read_secret(cfg.auth_token_file, section + ".auth_token_file"));
    std::string base = cfg.url.empty() ? std::string("https://api.twilio.com") : cfg.url;
    while (!base.empty() && base.back() == '/') {
        base.pop_back();
    }
    sms::GatewaySpec spec;
    spec.provider = ch.section == kSms.section ? "twilio" : "twilio-voice";
    spec.method = HttpMethod::post;
    spec.url =
        base + "/2010-04-01/Accounts/" + cfg.account_sid + "/" + std::string(ch.twilio_resource);
    spec.body_template = ch.twilio_body;
    spec.body_escape = sms::Escape::form;
    spec.headers = {{"Content-Type", "application/x-www-form-urlencoded"}};
    spec.sender = cfg.sender;
    spec.username = cfg.account_sid;
    spec.password = std::move(token);
    spec.timeout = cfg.timeout;
    spec.retries = cfg.retries;
    return sms::make_gateway_sender(std::move(spec));
}

}  // namespace

namespace sms {

Status check_message(std::string_view to_e164, std::string_view text) {
    if (!is_e164(to_e164)) {
        return make_error(Errc::invalid_argument, "sms: recipient is not an E.164 number");
    }
    if (text.empty() || text.size() > kMaxText) {
        return make_error(Errc::invalid_argument, "sms: text is empty or longer than " +
                                                      std::to_string(kMaxText) + " bytes");
    }
    if (text.find('\0') != std::string_view::npos || !is_utf8(text)) {
        return make_error(Errc::invalid_argument, "sms: text is not UTF-8 without NUL");
    }
    return {};
}

}  // namespace sms

namespace {

Result<std::unique_ptr<SmsSender>> make_sender(const SmsConfig& cfg, const Channel& ch) {
    switch (cfg.provider) {
        case SmsProvider::outbox:
            return sms::make_outbox_sender(cfg.outbox_path);
        case SmsProvider::http:
            SP_CHECK(curl::global_init());
            return make_http(cfg, ch);
        case SmsProvider::twilio:
            SP_CHECK(curl::global_init());
            return make_twilio(cfg, ch);
    }
    return make_error(Errc::invalid_argument,
                      std::string(ch.section) + ".provider: unknown provider");
}

}  // namespace

Result<std::unique_ptr<SmsSender>> make_sms_sender(const SmsConfig& cfg) {
    return make_sender(cfg, kSms);
}

Result<std::unique_ptr<SmsSender>> make_voice_sender(const SmsConfig& cfg) {
    return make_sender(cfg, kVoice);
}

}  // namespace sealpost::portal
