// SPDX-License-Identifier: Apache-2.0
// X25519 (RFC 7748): key pairs, public keys of private keys, and the shared secret, on
// OpenSSL 3.0 EVP_PKEY. The imported-key functions serve protocols that reuse an imported key
// (escrow sealing), so each scalar multiplication is done once.
#pragma once

#include <openssl/evp.h>

#include "core/core_openssl.hpp"
#include "core/core_result.hpp"
#include "crypto/crypto_bytes.hpp"
#include "crypto/crypto_secret.hpp"

namespace sealpost::crypto {

/// X25519 key pair; the private half is wiped when freed.
struct X25519KeyPair {
    SecretBytes private_key;  ///< 32 bytes
    Bytes public_key;         ///< 32 bytes
};
/// Errors: Errc::internal.
Result<X25519KeyPair> x25519_generate();
/// Derive the public key of a 32-byte private key. Errors: Errc::key_error.
Result<Bytes> x25519_public_of(ByteView private_key);
/// X25519(private_key, peer_public) (RFC 7748 section 5): the raw 32-byte shared secret.
/// Errors: Errc::key_error for a wrong size or a low-order peer point (all-zero result).
Result<SecretBytes> x25519_shared(ByteView private_key, ByteView peer_public);

/// A 32-byte private key imported (computing its public half). Errors: Errc::key_error.
Result<ossl::Pkey> x25519_private_key(ByteView private_key);
/// A 32-byte public key imported. Errors: Errc::key_error.
Result<ossl::Pkey> x25519_public_key(ByteView public_key);
/// The raw 32-byte public key of an imported key. Errors: Errc::internal.
Result<Bytes> x25519_raw_public(EVP_PKEY* key);
/// X25519(priv, peer) of imported keys. Errors: Errc::key_error (including a low-order peer).
Result<SecretBytes> x25519_derive(EVP_PKEY* priv, EVP_PKEY* peer);

}  // namespace sealpost::crypto
