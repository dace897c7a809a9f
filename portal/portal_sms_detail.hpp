// SPDX-License-Identifier: Apache-2.0
// Internal to the SMS providers: what make_sms_sender hands to each provider, and the small
// helpers they share (input checks, wiping, a file descriptor owner). Not for other portal code.
#pragma once

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/core_config.hpp"
#include "core/core_result.hpp"
#include "crypto/crypto_secret.hpp"
#include "portal/portal_sms.hpp"
#include "portal/portal_sms_format.hpp"

namespace sealpost::portal::sms {

/// Wipes a string's bytes when the scope ends (request URLs and bodies hold the code).
class WipeOnExit {
  public:
    explicit WipeOnExit(std::string& s) noexcept : s_(s) {}
    ~WipeOnExit() { crypto::secure_wipe(s_.data(), s_.size()); }
    WipeOnExit(const WipeOnExit&) = delete;
    WipeOnExit& operator=(const WipeOnExit&) = delete;
    WipeOnExit(WipeOnExit&&) = delete;
    WipeOnExit& operator=(WipeOnExit&&) = delete;

  private:
    std::string& s_;
};

/// Owns a POSIX file descriptor and closes it once.
class Fd {
  public:
    explicit Fd(int fd = -1) noexcept : fd_(fd) {}
    ~Fd() {
        if (fd_ >= 0) {
            ::close(fd_);
        }
    }
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
    Fd& operator=(Fd&& o) noexcept {
        std::swap(fd_, o.fd_);
        return *this;
    }
    [[nodiscard]] int get() const noexcept { return fd_; }

  private:
    int fd_;
};

/// Longest text accepted (Twilio's limit for one message body, in bytes here).
inline constexpr std::size_t kMaxText = 1600;

/// The checks SmsSender::send promises before anything is sent. Errors: Errc::invalid_argument,
/// with a detail that holds neither the number nor the text.
Status check_message(std::string_view to_e164, std::string_view text);

/// One gateway (http or twilio), fully resolved from the config at startup.
struct GatewaySpec {
    std::string provider;  ///< "http" or "twilio", for logs and error details
    HttpMethod method = HttpMethod::post;
    std::string url;                 ///< may hold placeholders in path and query
    std::vector<SmsHeader> headers;  ///< sent as given; includes Content-Type when there is a body
    std::string body_template;       ///< ignored for GET
    Escape body_escape = Escape::json;
    std::string sender;
    std::string username;  ///< basic auth when non-empty
    std::string password;  ///< the twilio token; wiped by the sender's destructor
    std::string secret;    ///< http: sms.secret_file's value for {secret}; wiped likewise
    std::chrono::milliseconds timeout{10000};
    unsigned retries = 2;
};

/// The http and twilio providers (portal_sms_http.cpp). Needs curl::global_init() first.
std::unique_ptr<SmsSender> make_gateway_sender(GatewaySpec spec);

/// The outbox provider (portal_sms_outbox.cpp): creates or checks the file now.
/// Errors: Errc::io.
Result<std::unique_ptr<SmsSender>> make_outbox_sender(const std::filesystem::path& path);

}  // namespace sealpost::portal::sms
