// SPDX-License-Identifier: Apache-2.0
// base64url without padding (RFC 4648 section 5): link tokens and key files. Constant-time in
// the characters, so decoding a secret leaks nothing through cache timing.
#pragma once

#include <string>
#include <string_view>

#include "core/core_result.hpp"
#include "crypto/crypto_bytes.hpp"
#include "crypto/crypto_secret.hpp"

namespace sealpost::crypto {

/// RFC 4648 section 5 base64url without padding.
std::string base64url_encode(ByteView data);
/// Decode base64url without padding; Errc::invalid_argument on any other character or length.
Result<SecretBytes> base64url_decode(std::string_view text);

}  // namespace sealpost::crypto
