// SPDX-License-Identifier: Apache-2.0
// Delivering the portal's one-time codes: the SmsSender interface ("send this text to this
// number") and the factories that build the provider configured in [sms] (http gateway, Twilio,
// or a local outbox file) or in [voice] (the same providers, for calls; see portal_voice.hpp).
#pragma once

#include <memory>
#include <string_view>

#include "core/core_config.hpp"
#include "core/core_result.hpp"

namespace sealpost::portal {

/** @page sms SMS providers
 *
 * - `http`: one request to `SmsConfig::url` (POST, GET or PUT) with the configured extra headers
 *   and a body made from `body_template`. `{to}`, `{text}` and `{sender}` are replaced in one
 *   pass (a value that itself contains "{to}" is not expanded again): in the URL's path and
 *   query percent-encoded (RFC 3986 2.3: all but unreserved characters), in the body as JSON
 *   string content (RFC 8259 section 7) or as application/x-www-form-urlencoded (WHATWG URL
 *   standard, "urlencoded serializing"), per `body_encoding`. Content-Type is set to match
 *   unless a configured header sets it. GET sends no body. Success is any 2xx status.
 * - `twilio`: POST `{url}/2010-04-01/Accounts/{account_sid}/Messages.json` with the form body
 *   `To`, `From` (= sender), `Body`, and HTTP basic auth (RFC 7617) account_sid:token, the
 *   token read once at startup from `auth_token_file`. Configured `headers` are not sent.
 * - `outbox`: appends one line per SMS to `outbox_path` (created 0600):
 *   `2025-01-31T08:15:00Z to=+41791234567 text=Ihr Code: 123456\n`, with `\` and line breaks
 *   in the text escaped as `\\`, `\n` and `\r`. One write(2) under flock(2), so several
 *   processes and threads may append at once without interleaving. For development and the
 *   demo: the file holds live codes.
 *
 * Network rules (http and twilio): every attempt's connect and whole transfer are bounded by
 * `timeout`; up to `retries` more attempts follow, only after a 5xx, a timeout or a connection
 * error (never after a 4xx, a 3xx or a certificate failure), with a backoff of 250 ms, 500 ms,
 * 1 s... capped at a quarter of `timeout`. So one send blocks at most about
 * (retries + 1) * timeout * 1.25. TLS peer and host verification is always on, redirects are
 * never followed, only http and https are spoken (http only to localhost, checked by the
 * config), response bodies are read up to 16 KiB and discarded.
 *
 * Logging: one `sms.attempt` line per attempt (provider, attempt, status or curl error name,
 * duration in ms, the number masked as `••67`). The text, the full number, header values, the
 * URL and the token are never logged. Request buffers that held the text are wiped after use.
 */

/// Sends one SMS. Implementations keep only immutable state after construction.
class SmsSender {
  public:
    virtual ~SmsSender() = default;
    SmsSender() = default;
    SmsSender(const SmsSender&) = delete;
    SmsSender& operator=(const SmsSender&) = delete;
    SmsSender(SmsSender&&) = delete;
    SmsSender& operator=(SmsSender&&) = delete;

    /** Send `text` to `to_e164`. Blocking, for a worker thread (never an event-loop thread):
     * may take up to the bound described above.
     *
     * `to_e164` is "+" and 7 to 15 digits, like "+41791234567"; `text` is 1 to 1600 bytes of
     * valid UTF-8 without NUL and holds a one-time code: it is never logged.
     *
     * Errors: Errc::invalid_argument (malformed number or text; nothing was sent),
     * Errc::unavailable (the gateway refused or could not be reached after the retries; the
     * detail names the provider, the last HTTP status or curl error name and the attempts, never
     * the text or the number), Errc::io (outbox file), Errc::internal (libcurl setup).
     *
     * Thread-safe: may be called from several threads at once. */
    virtual Status send(std::string_view to_e164, std::string_view text) = 0;
};

/** Startup: build the provider that `cfg.provider` names, from a config that load_config() has
 * validated. Initialises libcurl (http, twilio). twilio reads `auth_token_file` now: its first
 * line is the token; the file must be a regular file (no symlink) that others cannot read.
 * outbox creates `outbox_path` (0600) now if it is missing, so a wrong path fails at startup.
 *
 * Errors, each with a one-line detail that names the key or file and never a secret:
 * Errc::key_error (token file missing, empty, a symlink or readable by others),
 * Errc::io (token or outbox file cannot be opened or read; outbox readable by others),
 * Errc::invalid_argument (a required setting is empty), Errc::internal (libcurl init). */
Result<std::unique_ptr<SmsSender>> make_sms_sender(const SmsConfig& cfg);

/** Startup: the same providers for `[voice]`, which deliver a code by a call (VoiceCaller in
 * portal_voice.hpp wraps the result). Differences from make_sms_sender: twilio POSTs
 * `{url}/2010-04-01/Accounts/{account_sid}/Calls.json` with the form body `To`, `From`
 * (= sender, a number of the account) and `Twiml` (= the text given to send); logs and error
 * details name the provider `http-voice` or `twilio-voice` and the keys `voice.*`. Errors as
 * make_sms_sender. */
Result<std::unique_ptr<SmsSender>> make_voice_sender(const SmsConfig& cfg);

}  // namespace sealpost::portal
