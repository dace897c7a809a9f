// SPDX-License-Identifier: Apache-2.0
// HMAC-SHA256 (RFC 2104, FIPS 198-1) on one cached OpenSSL context: link lookup ids, key ids,
// and the building block of HKDF.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <span>

#include "crypto/crypto_bytes.hpp"

namespace sealpost::crypto {

/// HMAC-SHA256(key, data). Has no error channel: if OpenSSL fails (out of memory, broken
/// install) it logs `crypto.fatal` and aborts rather than return a wrong MAC.
std::array<std::uint8_t, 32> hmac_sha256(ByteView key, ByteView data);

/// HMAC-SHA256 of the concatenation of `parts` under `key`, into `out`. False on an OpenSSL
/// failure (allocation, broken install); `out` is then unspecified.
bool hmac_sha256_parts(ByteView key, std::initializer_list<ByteView> parts,
                       std::span<std::uint8_t, 32> out);

}  // namespace sealpost::crypto
