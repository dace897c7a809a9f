// SPDX-License-Identifier: Apache-2.0
// Random bytes from the OpenSSL CSPRNG: the one source of randomness for keys, nonces, tokens,
// salts and ids.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "core/core_result.hpp"
#include "crypto/crypto_secret.hpp"

namespace sealpost::crypto {

/// Fill `out` from the OpenSSL CSPRNG. Errors: Errc::internal if the RNG fails.
Status random_fill(std::span<std::uint8_t> out);
/// `n` fresh random bytes. Errors: Errc::internal.
Result<SecretBytes> random_bytes(std::size_t n);

}  // namespace sealpost::crypto
