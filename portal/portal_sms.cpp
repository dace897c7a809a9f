// make_sms_sender and make_voice_sender: turn the validated [sms] or [voice] config into one
// provider, reading the Twilio token file; and the input checks every provider applies before it
// sends anything.
#include "portal/portal_sms.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdio>
#include <system_error>

#include "portal/portal_curl.hpp"
#include "portal/portal_sms_detail.hpp"

namespace sealpost::portal {

namespace {

namespace fs = std::filesystem;

// A Twilio auth token is 32 hex characters; anything near this size is not a token file.
constexpr std::size_t kMaxTokenFile = 4096;

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

Error token_error(Errc c, std::string_view section, const fs::path& p, std::string_view why) {
    return make_error(
        c, std::string(section) + ".auth_token_file " + p.string() + ": " + std::string(why));
}

std::string mode_text(mode_t m) {
    std::array<char, 8> buf{};
    (void)std::snprintf(buf.data(), buf.size(), "%04o", static_cast<unsigned>(m & 07777U));
    return buf.data();
}

/// The token: the file's first line without trailing blanks. The file must be a regular file,
/// not a symlink, and others must not be able to read it (as for the vault's key files).
Result<std::string> read_token(std::string_view section, const fs::path& path) {
    // O_NONBLOCK: a FIFO planted in place of the file must not hang the start.
    sms::Fd fd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
    if (fd.get() < 0) {
        const int e = errno;
        if (e == ENOENT) {
            return token_error(Errc::key_error, section, path, "missing");
        }
        if (e == ELOOP) {
            return token_error(Errc::key_error, section, path, "is a symlink; refused");
        }
        return token_error(Errc::io, section, path,
                           "cannot open: " + std::system_category().message(e));
    }
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) {
        return token_error(Errc::io, section, path,
                           "cannot stat: " + std::system_category().message(errno));
    }
    if (!S_ISREG(st.st_mode)) {
        return token_error(Errc::key_error, section, path, "not a regular file; refused");
    }
    if ((st.st_mode & 0007U) != 0) {
        return token_error(
            Errc::key_error, section, path,
            "mode " + mode_text(st.st_mode) + " gives access to others; refused (chmod 600 it)");
    }
    std::string text(kMaxTokenFile + 1, '\0');
    const sms::WipeOnExit wipe_text(text);
    std::size_t got = 0;
    while (got < text.size()) {
        const ssize_t n = ::read(fd.get(), text.data() + got, text.size() - got);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0) {
            return token_error(Errc::io, section, path,
                               "cannot read: " + std::system_category().message(errno));
        }
        if (n == 0) {
            break;
        }
        got += static_cast<std::size_t>(n);
    }
    if (got > kMaxTokenFile) {
        return token_error(Errc::key_error, section, path, "too large for a token file");
    }
    std::string_view token(text.data(), got);
    token = token.substr(0, token.find('\n'));
    while (!token.empty() &&
           (token.back() == '\r' || token.back() == ' ' || token.back() == '\t')) {
        token.remove_suffix(1);
    }
    if (token.empty()) {
        return token_error(Errc::key_error, section, path, "empty");
    }
    if (std::any_of(token.begin(), token.end(),
                    [](char c) { return static_cast<unsigned char>(c) < 0x20U || c == 0x7F; })) {
        return token_error(Errc::key_error, section, path, "holds control characters");
    }
    std::string out;
    out.reserve(token.size());  // exact, so the copy is the only one left to wipe
    out.assign(token);
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
    if (cfg.url.empty()) {
        return make_error(Errc::invalid_argument,
                          std::string(ch.section) + ".url is required for provider http");
    }
    sms::GatewaySpec spec;
    spec.provider = ch.section == kSms.section ? "http" : "http-voice";
    spec.method = cfg.method;
    spec.url = cfg.url;
    spec.body_template = cfg.body_template;
    spec.body_escape =
        cfg.body_encoding == BodyEncoding::form ? sms::Escape::form : sms::Escape::json;
    spec.headers = cfg.headers;
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
    if (cfg.account_sid.empty() || cfg.auth_token_file.empty()) {
        const std::string s(ch.section);
        return make_error(Errc::invalid_argument,
                          s + ".account_sid and " + s + ".auth_token_file are required for twilio");
    }
    SP_TRY(token, read_token(ch.section, cfg.auth_token_file));
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
    return make_error(Errc::invalid_argument, std::string(ch.section) + ".provider: unknown");
}

}  // namespace

Result<std::unique_ptr<SmsSender>> make_sms_sender(const SmsConfig& cfg) {
    return make_sender(cfg, kSms);
}

Result<std::unique_ptr<SmsSender>> make_voice_sender(const SmsConfig& cfg) {
    return make_sender(cfg, kVoice);
}

}  // namespace sealpost::portal
