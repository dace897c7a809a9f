// SPDX-License-Identifier: Apache-2.0
// X25519 (RFC 7748) on OpenSSL 3.0 EVP_PKEY with raw 32-byte keys.
#include "crypto/crypto_x25519.hpp"

#include "crypto/crypto_ossl.hpp"

namespace sealpost::crypto {

using detail::ossl_fail;

Result<ossl::Pkey> x25519_private_key(ByteView private_key) {
    if (private_key.size() != kKeyLen) {
        return make_error(Errc::key_error, "x25519 private key must be 32 bytes");
    }
    ossl::Pkey k(EVP_PKEY_new_raw_private_key_ex(nullptr, "X25519", nullptr, private_key.data(),
                                                 private_key.size()));
    if (!k) {
        return ossl_fail(Errc::key_error, "x25519 private key");
    }
    return k;
}

Result<ossl::Pkey> x25519_public_key(ByteView public_key) {
    if (public_key.size() != kKeyLen) {
        return make_error(Errc::key_error, "x25519 public key must be 32 bytes");
    }
    ossl::Pkey k(EVP_PKEY_new_raw_public_key_ex(nullptr, "X25519", nullptr, public_key.data(),
                                                public_key.size()));
    if (!k) {
        return ossl_fail(Errc::key_error, "x25519 public key");
    }
    return k;
}

/// X25519(priv, peer). OpenSSL refuses an all-zero result (RFC 7748 section 6.1: a low-order
/// peer point); that and any other failure come back as Errc::key_error. The peer is not
/// validated separately (EVP_PKEY_derive_set_peer_ex with validate 0): for X25519 that check
/// only asks whether a public key is present, and it costs a context of its own per call,
/// while the all-zero check above is the one that matters.
Result<SecretBytes> x25519_derive(EVP_PKEY* priv, EVP_PKEY* peer) {
    ossl::PkeyCtx ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, priv, nullptr));
    if (!ctx || EVP_PKEY_derive_init(ctx.get()) != 1 ||
        EVP_PKEY_derive_set_peer_ex(ctx.get(), peer, 0) != 1) {
        return ossl_fail(Errc::key_error, "x25519 derive init");
    }
    SecretBytes shared(kKeyLen);
    std::size_t len = shared.size();
    if (EVP_PKEY_derive(ctx.get(), shared.data(), &len) != 1 || len != kKeyLen) {
        return ossl_fail(Errc::key_error, "x25519 derive");
    }
    return shared;
}

Result<Bytes> x25519_raw_public(EVP_PKEY* key) {
    Bytes pub(kKeyLen);
    std::size_t len = kKeyLen;
    if (EVP_PKEY_get_raw_public_key(key, pub.data(), &len) != 1 || len != kKeyLen) {
        return ossl_fail(Errc::internal, "x25519 raw public key");
    }
    return pub;
}

Result<X25519KeyPair> x25519_generate() {
    ossl::Pkey k(EVP_PKEY_Q_keygen(nullptr, nullptr, "X25519"));
    if (!k) {
        return ossl_fail(Errc::internal, "x25519 keygen");
    }
    X25519KeyPair pair{SecretBytes(kKeyLen), Bytes(kKeyLen)};
    std::size_t priv_len = kKeyLen;
    std::size_t pub_len = kKeyLen;
    if (EVP_PKEY_get_raw_private_key(k.get(), pair.private_key.data(), &priv_len) != 1 ||
        EVP_PKEY_get_raw_public_key(k.get(), pair.public_key.data(), &pub_len) != 1 ||
        priv_len != kKeyLen || pub_len != kKeyLen) {
        return ossl_fail(Errc::internal, "x25519 raw keys");
    }
    return pair;
}

Result<Bytes> x25519_public_of(ByteView private_key) {
    SP_TRY(k, x25519_private_key(private_key));
    Bytes pub(kKeyLen);
    std::size_t len = pub.size();
    if (EVP_PKEY_get_raw_public_key(k.get(), pub.data(), &len) != 1 || len != kKeyLen) {
        return ossl_fail(Errc::key_error, "x25519 public of private");
    }
    return pub;
}

Result<SecretBytes> x25519_shared(ByteView private_key, ByteView peer_public) {
    SP_TRY(priv, x25519_private_key(private_key));
    SP_TRY(peer, x25519_public_key(peer_public));
    return x25519_derive(priv.get(), peer.get());
}

}  // namespace sealpost::crypto
