// SASL pieces for AUTH (RFC 4954): strict base64 (RFC 4648), PLAIN (RFC 4616) decoding, and a
// string type for secrets that is wiped when it goes away.
#pragma once

#include <string>
#include <string_view>

#include "core/core_result.hpp"

namespace sealpost::smtp {

/// A std::string for passwords and AUTH payloads: wiped with OPENSSL_cleanse on destruction
/// and on clear(). Never log one.
class Secret {
  public:
    Secret() = default;
    explicit Secret(std::string s) : s_(std::move(s)) {}
    Secret(const Secret&) = delete;
    Secret& operator=(const Secret&) = delete;
    Secret(Secret&& o) noexcept : s_(std::move(o.s_)) { o.clear(); }
    Secret& operator=(Secret&& o) noexcept;
    ~Secret() { clear(); }

    void clear() noexcept;
    [[nodiscard]] std::string_view view() const noexcept { return s_; }
    [[nodiscard]] bool empty() const noexcept { return s_.empty(); }
    std::string& str() noexcept { return s_; }

  private:
    std::string s_;
};

/// Wipes the bytes of an ordinary string (for buffers that briefly held a secret).
void wipe(std::string& s) noexcept;

std::string base64_encode(std::string_view in);
/// Strict RFC 4648 base64 with padding; Errc::invalid_argument on anything else.
Result<Secret> base64_decode(std::string_view in);

/// The three fields of a PLAIN response: authzid NUL authcid NUL passwd (RFC 4616 2).
struct PlainCredentials {
    std::string authzid;
    std::string authcid;
    Secret password;
};
Result<PlainCredentials> parse_plain(std::string_view decoded);

}  // namespace sealpost::smtp
