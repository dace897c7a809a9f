// SPDX-License-Identifier: Apache-2.0
// The one place that owns libcurl objects (global init, easy handle, header list) and runs one
// bounded, verified HTTP request with them. The SMS providers build on this; nothing else calls
// libcurl directly.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include <curl/curl.h>

#include "core/core_config.hpp"
#include "core/core_result.hpp"

namespace sealpost::portal::curl {

/// curl_global_init(CURL_GLOBAL_DEFAULT), once per process; later calls return the first
/// result. Call it at startup (make_sms_sender does), before worker threads use perform().
/// Thread-safe. Errors: Errc::internal. Never calls curl_global_cleanup: the process keeps
/// libcurl until it exits.
Status global_init();

/// Calls curl_easy_cleanup.
struct EasyDeleter {
    void operator()(CURL* h) const noexcept;
};
/// An owned easy handle. One per request: a handle is used by one thread at a time.
using Easy = std::unique_ptr<CURL, EasyDeleter>;

/// An owned curl_slist of request header lines. Header values may hold API keys, so every
/// string is wiped (crypto::secure_wipe) before the list is freed. Move-only.
class HeaderList {
  public:
    HeaderList() = default;
    ~HeaderList();
    HeaderList(const HeaderList&) = delete;
    HeaderList& operator=(const HeaderList&) = delete;
    HeaderList(HeaderList&& o) noexcept;
    HeaderList& operator=(HeaderList&& o) noexcept;

    /// Append one line, "Name: value". An empty value is sent as "Name;" (curl's syntax for an
    /// empty header; "Name:" would remove the header). Errors: Errc::internal (allocation).
    Status add(std::string_view name, std::string_view value);
    /// Ask libcurl not to send a header it would add itself (e.g. "Expect"). Errors: as add().
    Status suppress(std::string_view name);
    [[nodiscard]] curl_slist* get() const noexcept { return head_; }

  private:
    void reset() noexcept;
    curl_slist* head_ = nullptr;
};

/// Response bodies are read up to this many bytes; the transfer is then cut short. The body is
/// never returned or logged: gateways echo the number and the text.
inline constexpr std::size_t kMaxResponseBody = std::size_t{16} * 1024;

/// One HTTP request. Everything is borrowed for the duration of perform(); the C strings are
/// NUL-terminated (libcurl's options take them so).
struct Request {
    HttpMethod method = HttpMethod::post;
    const char* url = "";
    const HeaderList* headers = nullptr;  ///< may be null
    std::string_view body;                ///< sent with POST and PUT, ignored with GET
    const char* username = nullptr;       ///< HTTP basic auth (RFC 7617) when not null
    const char* password = nullptr;
    std::chrono::milliseconds timeout{10000};  ///< bounds the connect and the whole transfer
};

/// What one attempt gave.
struct Outcome {
    CURLcode code = CURLE_OK;  ///< CURLE_OK when a complete HTTP response arrived
    long status = 0;           ///< HTTP status code when code == CURLE_OK  // NOLINT
    bool body_capped = false;  ///< the response body was longer than kMaxResponseBody
};

/** Run one request, blocking. Never follows redirects, speaks only http and https, verifies the
 * TLS peer and host name (TLS 1.2 or later) against the system store, sets CURLOPT_NOSIGNAL so
 * it is safe on any thread, ignores proxies for loopback hosts, and bounds both the connect and
 * the whole transfer by `timeout`. A response body longer than kMaxResponseBody ends the
 * transfer early; the status is still reported. Thread-safe (one easy handle per call); needs
 * global_init() first. */
Outcome perform(const Request& req);

/// Short stable name for logs and error details ("couldnt_connect", "operation_timedout"), or
/// "curl_<number>" for codes without one. Never includes the URL or host.
std::string error_name(CURLcode c);

/// True for failures worth retrying: connection refused or reset, timeouts, name resolution,
/// TLS handshake resets, empty replies. False for certificate or URL problems.
bool is_transient(CURLcode c) noexcept;

}  // namespace sealpost::portal::curl
