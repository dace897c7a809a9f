// SPDX-License-Identifier: Apache-2.0
// AES-256-GCM (NIST SP 800-38D) on OpenSSL 3.0 EVP: single-shot sealing with a random nonce,
// and, for formats that derive their nonces (the vault's document chunks, escrow sealing),
// sealing and opening with a nonce the caller gives.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

#include "core/core_openssl.hpp"
#include "core/core_result.hpp"
#include "crypto/crypto_bytes.hpp"
#include "crypto/crypto_secret.hpp"

namespace sealpost::crypto {

inline constexpr std::size_t kNonceLen = 12;  ///< AES-GCM nonce
inline constexpr std::size_t kTagLen = 16;    ///< AES-GCM tag

/// AES-256-GCM with a fresh random nonce. Output: nonce(12) || ciphertext || tag(16).
/// Errors: Errc::invalid_argument (key size), Errc::internal.
Result<Bytes> aead_seal(ByteView key, ByteView aad, ByteView plaintext);
/// Inverse of aead_seal. Errors: Errc::auth_failed if the tag, the AAD or the key do not match
/// or the input is too short; Errc::invalid_argument for a wrong key size.
Result<SecretBytes> aead_open(ByteView key, ByteView aad, ByteView sealed);

/** An AES-256-GCM key set up once (key schedule and GHASH key) and used for many seals, each
 * with its own nonce. A nonce must never repeat under one key: the caller's format guarantees
 * that. The key schedule is cleansed when the sealer is destroyed. */
class GcmSealer {
  public:
    /// Errors: Errc::invalid_argument (key size), Errc::internal.
    static Result<GcmSealer> make(ByteView key);
    /// `plaintext` under `nonce` (12 bytes) into `out` = ciphertext || tag, of exactly
    /// plaintext.size() + kTagLen bytes. Errors: Errc::invalid_argument (sizes), Errc::internal.
    Status seal(ByteView nonce, ByteView aad, ByteView plaintext, std::span<std::uint8_t> out);

  private:
    explicit GcmSealer(ossl::CipherCtx evp) : evp_(std::move(evp)) {}
    ossl::CipherCtx evp_;
};

/// GcmSealer::make(key) then one seal.
Status gcm_seal(ByteView key, ByteView nonce, ByteView aad, ByteView plaintext,
                std::span<std::uint8_t> out);
/// Inverse of gcm_seal: `sealed` = ciphertext || tag into `out` of exactly
/// sealed.size() - kTagLen bytes. Errors: Errc::auth_failed when the tag does not verify or
/// `sealed` is shorter than a tag, Errc::invalid_argument (key, nonce or output size),
/// Errc::internal. `out` may hold unauthenticated plaintext on failure: the caller wipes it.
Status gcm_open(ByteView key, ByteView nonce, ByteView aad, ByteView sealed,
                std::span<std::uint8_t> out);

}  // namespace sealpost::crypto
