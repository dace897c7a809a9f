// SPDX-License-Identifier: Apache-2.0
// libcurl RAII owners and the one hardened request runner used by the SMS providers.
#include "portal/portal_curl.hpp"

#include <mutex>
#include <string>
#include <utility>

#include "crypto/crypto_secret.hpp"

namespace sealpost::portal::curl {

namespace {

/// Counts the response body and stops the transfer once it passes kMaxResponseBody. Nothing is
/// kept: the body is read only so that the exchange completes, and gateways echo the number and
/// the text in it.
struct BodySink {
    std::size_t seen = 0;
    bool capped = false;
};

std::size_t on_body(char* /*data*/, std::size_t size, std::size_t count, void* user) {
    auto* sink = static_cast<BodySink*>(user);
    const std::size_t n = size * count;
    if (n > kMaxResponseBody - sink->seen) {
        sink->capped = true;
        return 0;  // anything but n aborts the transfer with CURLE_WRITE_ERROR
    }
    sink->seen += n;
    return n;
}

/// Sets options in order and remembers the first failure, so one check covers them all.
class Options {
  public:
    explicit Options(CURL* h) : h_(h) {}
    template <class T>
    void set(CURLoption opt, T value) {
        if (first_error_ == CURLE_OK) {
            first_error_ = curl_easy_setopt(h_, opt, value);
        }
    }
    [[nodiscard]] CURLcode result() const noexcept { return first_error_; }

  private:
    CURL* h_;
    CURLcode first_error_ = CURLE_OK;
};

}  // namespace

Status global_init() {
    static std::once_flag once;
    static CURLcode rc = CURLE_OK;
    std::call_once(once, [] { rc = curl_global_init(CURL_GLOBAL_DEFAULT); });
    if (rc != CURLE_OK) {
        return make_error(Errc::internal, "curl_global_init failed: " + error_name(rc));
    }
    return {};
}

void EasyDeleter::operator()(CURL* h) const noexcept {
    curl_easy_cleanup(h);
}

HeaderList::~HeaderList() {
    reset();
}

HeaderList::HeaderList(HeaderList&& o) noexcept : head_(std::exchange(o.head_, nullptr)) {}

HeaderList& HeaderList::operator=(HeaderList&& o) noexcept {
    if (this != &o) {
        reset();
        head_ = std::exchange(o.head_, nullptr);
    }
    return *this;
}

void HeaderList::reset() noexcept {
    for (curl_slist* p = head_; p != nullptr; p = p->next) {
        if (p->data != nullptr) {
            crypto::secure_wipe(p->data, std::char_traits<char>::length(p->data));
        }
    }
    curl_slist_free_all(head_);
    head_ = nullptr;
}

Status HeaderList::add(std::string_view name, std::string_view value) {
    std::string line;
    line.reserve(name.size() + value.size() + 2);
    line.append(name);
    if (value.empty()) {
        line += ';';
    } else {
        line.append(": ").append(value);
    }
    curl_slist* grown = curl_slist_append(head_, line.c_str());  // copies the string
    crypto::secure_wipe(line.data(), line.size());
    if (grown == nullptr) {
        return make_error(Errc::internal, "curl_slist_append failed");
    }
    head_ = grown;
    return {};
}

Status HeaderList::suppress(std::string_view name) {
    const std::string line = std::string(name) + ":";  // "Name:" with no value removes it
    curl_slist* grown = curl_slist_append(head_, line.c_str());
    if (grown == nullptr) {
        return make_error(Errc::internal, "curl_slist_append failed");
    }
    head_ = grown;
    return {};
}

Outcome perform(const Request& req) {
    Outcome out;
    const Easy easy(curl_easy_init());
    if (!easy) {
        out.code = CURLE_FAILED_INIT;
        return out;
    }
    BodySink sink;
    const auto ms = static_cast<long>(req.timeout.count());  // NOLINT(google-runtime-int)
    Options o(easy.get());
    o.set(CURLOPT_URL, req.url);
    // Only http and https, for the request and for any redirect (none is followed anyway).
    o.set(CURLOPT_PROTOCOLS_STR, "http,https");
    o.set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    o.set(CURLOPT_FOLLOWLOCATION, 0L);
    o.set(CURLOPT_MAXREDIRS, 0L);
    // No signals (SIGALRM for DNS timeouts), so the call is safe on any worker thread.
    o.set(CURLOPT_NOSIGNAL, 1L);
    o.set(CURLOPT_CONNECTTIMEOUT_MS, ms);
    o.set(CURLOPT_TIMEOUT_MS, ms);
    o.set(CURLOPT_SSL_VERIFYPEER, 1L);
    o.set(CURLOPT_SSL_VERIFYHOST, 2L);
    o.set(CURLOPT_SSLVERSION, static_cast<long>(CURL_SSLVERSION_TLSv1_2));  // NOLINT
    // A proxy from the environment may carry a remote gateway's TLS tunnel, never a request
    // to this host (http:// is allowed only there, so it would travel in clear).
    o.set(CURLOPT_NOPROXY, "localhost,127.0.0.1,::1");
    o.set(CURLOPT_USERAGENT, "sealpost");
    o.set(CURLOPT_WRITEFUNCTION, &on_body);
    o.set(CURLOPT_WRITEDATA, static_cast<void*>(&sink));
    if (req.headers != nullptr && req.headers->get() != nullptr) {
        o.set(CURLOPT_HTTPHEADER, req.headers->get());
    }
    if (req.username != nullptr) {
        o.set(CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));  // NOLINT
        o.set(CURLOPT_USERNAME, req.username);
        o.set(CURLOPT_PASSWORD, req.password != nullptr ? req.password : "");
    }
    const char* body = req.body.empty() ? "" : req.body.data();
    const auto body_size = static_cast<curl_off_t>(req.body.size());
    switch (req.method) {
        case HttpMethod::get:
            o.set(CURLOPT_HTTPGET, 1L);
            break;
        case HttpMethod::post:
            o.set(CURLOPT_POST, 1L);
            o.set(CURLOPT_POSTFIELDSIZE_LARGE, body_size);
            o.set(CURLOPT_POSTFIELDS, body);  // borrowed, not copied
            break;
        case HttpMethod::put:
            // POSTFIELDS with a custom method sends the body without a read callback.
            o.set(CURLOPT_CUSTOMREQUEST, "PUT");
            o.set(CURLOPT_POSTFIELDSIZE_LARGE, body_size);
            o.set(CURLOPT_POSTFIELDS, body);
            break;
    }
    if (o.result() != CURLE_OK) {
        out.code = o.result();
        return out;
    }

    out.code = curl_easy_perform(easy.get());
    out.body_capped = sink.capped;
    if (out.code == CURLE_WRITE_ERROR && sink.capped) {
        out.code = CURLE_OK;  // we cut the body short; the status line had arrived
    }
    if (out.code == CURLE_OK) {
        long status = 0;  // NOLINT(google-runtime-int): libcurl's type
        if (curl_easy_getinfo(easy.get(), CURLINFO_RESPONSE_CODE, &status) != CURLE_OK) {
            out.code = CURLE_BAD_FUNCTION_ARGUMENT;
        }
        out.status = status;
    }
    return out;
}

std::string error_name(CURLcode c) {
    switch (c) {
        case CURLE_OK:
            return "ok";
        case CURLE_UNSUPPORTED_PROTOCOL:
            return "unsupported_protocol";
        case CURLE_FAILED_INIT:
            return "failed_init";
        case CURLE_URL_MALFORMAT:
            return "url_malformat";
        case CURLE_COULDNT_RESOLVE_PROXY:
            return "couldnt_resolve_proxy";
        case CURLE_COULDNT_RESOLVE_HOST:
            return "couldnt_resolve_host";
        case CURLE_COULDNT_CONNECT:
            return "couldnt_connect";
        case CURLE_HTTP2:
            return "http2";
        case CURLE_PARTIAL_FILE:
            return "partial_file";
        case CURLE_WRITE_ERROR:
            return "write_error";
        case CURLE_OUT_OF_MEMORY:
            return "out_of_memory";
        case CURLE_OPERATION_TIMEDOUT:
            return "operation_timedout";
        case CURLE_SSL_CONNECT_ERROR:
            return "ssl_connect_error";
        case CURLE_TOO_MANY_REDIRECTS:
            return "too_many_redirects";
        case CURLE_GOT_NOTHING:
            return "got_nothing";
        case CURLE_SEND_ERROR:
            return "send_error";
        case CURLE_RECV_ERROR:
            return "recv_error";
        case CURLE_SSL_CERTPROBLEM:
            return "ssl_certproblem";
        case CURLE_SSL_CIPHER:
            return "ssl_cipher";
        case CURLE_PEER_FAILED_VERIFICATION:
            return "peer_failed_verification";
        case CURLE_SSL_CACERT_BADFILE:
            return "ssl_cacert_badfile";
        case CURLE_HTTP2_STREAM:
            return "http2_stream";
        default:
            return "curl_" + std::to_string(static_cast<int>(c));
    }
}

bool is_transient(CURLcode c) noexcept {
    switch (c) {
        case CURLE_COULDNT_RESOLVE_PROXY:
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_CONNECT:
        case CURLE_HTTP2:
        case CURLE_PARTIAL_FILE:
        case CURLE_OPERATION_TIMEDOUT:
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_GOT_NOTHING:
        case CURLE_SEND_ERROR:
        case CURLE_RECV_ERROR:
        case CURLE_HTTP2_STREAM:
            return true;
        default:
            return false;
    }
}

}  // namespace sealpost::portal::curl
