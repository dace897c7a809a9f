// SPDX-License-Identifier: Apache-2.0
// HKDF-SHA256 (RFC 5869): keys derived from a link token and from an X25519 shared secret.
#pragma once

#include <cstddef>

#include "core/core_result.hpp"
#include "crypto/crypto_bytes.hpp"
#include "crypto/crypto_secret.hpp"

namespace sealpost::crypto {

/// HKDF-SHA256 (RFC 5869) extract-and-expand to `len` bytes. Errors: Errc::invalid_argument
/// (empty ikm, len 0 or above 255 * 32), Errc::internal.
Result<SecretBytes> hkdf_sha256(ByteView ikm, ByteView salt, ByteView info, std::size_t len);

}  // namespace sealpost::crypto
