// SPDX-License-Identifier: Apache-2.0
// SASL pieces for AUTH (RFC 4954): strict base64 (RFC 4648) and PLAIN (RFC 4616) decoding.
// Decoded payloads and passwords are crypto::Secret.
#pragma once

#include <string>
#include <string_view>

#include "core/core_result.hpp"
#include "crypto/crypto_secret.hpp"

namespace sealpost::smtp {

std::string base64_encode(std::string_view in);
/// Strict RFC 4648 base64 with padding; Errc::invalid_argument on anything else.
Result<crypto::Secret> base64_decode(std::string_view in);

/// The three fields of a PLAIN response: authzid NUL authcid NUL passwd (RFC 4616 2).
struct PlainCredentials {
    std::string authzid;
    std::string authcid;
    crypto::Secret password;
};
Result<PlainCredentials> parse_plain(std::string_view decoded);

}  // namespace sealpost::smtp
