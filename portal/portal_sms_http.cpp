// SPDX-License-Identifier: Apache-2.0
// The http and twilio SMS providers: expand the request, send it through libcurl, retry with
// backoff on 5xx, timeouts and connection errors, and log one line per attempt.
#include <algorithm>
#include <chrono>
#include <string>
#include <thread>
#include <utility>

#include "core/core_log.hpp"
#include "crypto/crypto_secret.hpp"
#include "portal/portal_curl.hpp"
#include "portal/portal_sms_detail.hpp"

namespace sealpost::portal::sms {

namespace {

using std::chrono::milliseconds;

constexpr milliseconds kFirstBackoff{250};

/// 250 ms, 500 ms, 1 s, ... but never more than a quarter of the per-attempt timeout, so the
/// pauses stay small next to the attempts themselves.
milliseconds backoff(unsigned attempt, milliseconds timeout) {
    const unsigned shift = std::min(attempt - 1, 8U);
    return std::min(kFirstBackoff * (1U << shift), timeout / 4);
}

/// libcurl failures that mean our own setup is broken, not the gateway.
bool is_local_failure(CURLcode c) {
    return c == CURLE_FAILED_INIT || c == CURLE_OUT_OF_MEMORY || c == CURLE_UNKNOWN_OPTION ||
           c == CURLE_NOT_BUILT_IN || c == CURLE_BAD_FUNCTION_ARGUMENT;
}

class GatewaySender final : public SmsSender {
  public:
    explicit GatewaySender(GatewaySpec spec) : spec_(std::move(spec)) {}
    ~GatewaySender() override {
        crypto::secure_wipe(spec_.password.data(), spec_.password.size());
        crypto::secure_wipe(spec_.secret.data(), spec_.secret.size());
        for (SmsHeader& h : spec_.headers) {
            crypto::secure_wipe(h.value.data(), h.value.size());
        }
    }
    GatewaySender(const GatewaySender&) = delete;
    GatewaySender& operator=(const GatewaySender&) = delete;
    GatewaySender(GatewaySender&&) = delete;
    GatewaySender& operator=(GatewaySender&&) = delete;

    Status send(std::string_view to_e164, std::string_view text) override;

  private:
    GatewaySpec spec_;  // never changed after construction (send is thread-safe)
};

Status GatewaySender::send(std::string_view to_e164, std::string_view text) {
    SP_CHECK(check_message(to_e164, text));
    const Fields fields{to_e164, text, spec_.sender, spec_.secret};
    std::string url = expand_url(spec_.url, fields);
    const WipeOnExit wipe_url(url);
    std::string body;
    if (spec_.method != HttpMethod::get) {
        body = expand(spec_.body_template, fields, spec_.body_escape);
    }
    const WipeOnExit wipe_body(body);

    curl::HeaderList headers;
    for (const SmsHeader& h : spec_.headers) {
        SP_CHECK(headers.add(h.name, h.value));
    }
    // No "Expect: 100-continue" round trip: gateways differ in whether they answer it.
    SP_CHECK(headers.suppress("Expect"));

    curl::Request req;
    req.method = spec_.method;
    req.url = url.c_str();
    req.headers = &headers;
    req.body = body;
    if (!spec_.username.empty()) {
        req.username = spec_.username.c_str();
        req.password = spec_.password.c_str();
    }
    req.timeout = spec_.timeout;

    const std::string masked = log::mask_phone(to_e164);
    for (unsigned attempt = 1;; ++attempt) {
        const auto start = std::chrono::steady_clock::now();
        const curl::Outcome o = curl::perform(req);
        const auto ms =
            std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - start)
                .count();
        const bool answered = o.code == CURLE_OK;
        const bool ok = answered && o.status >= 200 && o.status <= 299;
        const bool transient =
            answered ? (o.status >= 500 && o.status <= 599) : curl::is_transient(o.code);
        const bool again = !ok && transient && attempt <= spec_.retries;
        const std::string what = answered ? std::to_string(o.status) : curl::error_name(o.code);
        {
            log::Line line(ok ? spdlog::level::info : spdlog::level::warn, "sms.attempt");
            line.kv("provider", spec_.provider).kv("to", masked).kv("attempt", attempt);
            line.kv(answered ? "status" : "curl", what).kv("ms", static_cast<std::int64_t>(ms));
            line.kv("result", ok ? "sent" : (again ? "retry" : "failed"));
        }
        if (ok) {
            return {};
        }
        if (!again) {
            const std::string detail =
                "sms " + spec_.provider + ": " + (answered ? "HTTP " + what : "curl " + what) +
                " after " + std::to_string(attempt) + (attempt == 1 ? " attempt" : " attempts");
            return make_error(
                !answered && is_local_failure(o.code) ? Errc::internal : Errc::unavailable, detail);
        }
        std::this_thread::sleep_for(backoff(attempt, spec_.timeout));
    }
}

}  // namespace

std::unique_ptr<SmsSender> make_gateway_sender(GatewaySpec spec) {
    return std::make_unique<GatewaySender>(std::move(spec));
}

}  // namespace sealpost::portal::sms
