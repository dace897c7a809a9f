// SPDX-License-Identifier: Apache-2.0
// AES-256-GCM on OpenSSL 3.0 EVP with the cipher fetched once per process.
#include "crypto/crypto_aead.hpp"

#include <algorithm>

#include <openssl/err.h>

#include "crypto/crypto_ossl.hpp"
#include "crypto/crypto_random.hpp"

namespace sealpost::crypto {
namespace {

using detail::ossl_fail;

// Fetched once per process (thread-safe static init) rather than implicitly on every
// EVP_*Init call, which in OpenSSL 3.0 costs a locked method-store lookup each time.
const EVP_CIPHER* aes256gcm() {
    static const ossl::Cipher c(EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr));
    return c.get();
}

/// Feed `in` through EVP_CipherUpdate in int-sized pieces, writing to `out` (same length:
/// GCM is a stream mode). AAD is passed with out == nullptr.
bool cipher_update(EVP_CIPHER_CTX* ctx, std::uint8_t* out, ByteView in) {
    std::size_t done = 0;
    while (done < in.size()) {
        const std::size_t piece = std::min(detail::kMaxPiece, in.size() - done);
        int outl = 0;
        if (EVP_CipherUpdate(ctx, out == nullptr ? nullptr : out + done, &outl, in.data() + done,
                             static_cast<int>(piece)) != 1) {
            return false;
        }
        if (out != nullptr && static_cast<std::size_t>(outl) != piece) {
            return false;  // GCM never buffers; anything else would misplace output
        }
        done += piece;
    }
    return true;
}

}  // namespace

// A context keyed for AES-256-GCM encryption. Its free cleanses the key schedule; with the
// cipher fetched once, setting it up costs about a microsecond.
Result<GcmSealer> GcmSealer::make(ByteView key) {
    if (key.size() != kKeyLen) {
        return make_error(Errc::invalid_argument, "aead: key must be 32 bytes");
    }
    const EVP_CIPHER* cipher = aes256gcm();
    if (cipher == nullptr) {
        return ossl_fail(Errc::internal, "fetch AES-256-GCM");
    }
    ossl::CipherCtx ctx(EVP_CIPHER_CTX_new());
    if (!ctx || EVP_EncryptInit_ex2(ctx.get(), cipher, key.data(), nullptr, nullptr) != 1) {
        return ossl_fail(Errc::internal, "gcm encrypt init");
    }
    return GcmSealer(std::move(ctx));
}

// Only the IV is set per seal; the key schedule and GHASH key stay.
Status GcmSealer::seal(ByteView nonce, ByteView aad, ByteView plaintext,
                       std::span<std::uint8_t> out) {
    if (nonce.size() != kNonceLen || out.size() != plaintext.size() + kTagLen) {
        return make_error(Errc::invalid_argument, "gcm: nonce or output size");
    }
    EVP_CIPHER_CTX* ctx = evp_.get();
    if (EVP_EncryptInit_ex2(ctx, nullptr, nullptr, nonce.data(), nullptr) != 1) {
        return ossl_fail(Errc::internal, "gcm encrypt iv");
    }
    if (!cipher_update(ctx, nullptr, aad) || !cipher_update(ctx, out.data(), plaintext)) {
        return ossl_fail(Errc::internal, "gcm encrypt update");
    }
    int outl = 0;
    std::uint8_t dummy[16];
    if (EVP_EncryptFinal_ex(ctx, dummy, &outl) != 1 || outl != 0 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagLen),
                            out.data() + plaintext.size()) != 1) {
        return ossl_fail(Errc::internal, "gcm encrypt final");
    }
    return {};
}

Status gcm_seal(ByteView key, ByteView nonce, ByteView aad, ByteView plaintext,
                std::span<std::uint8_t> out) {
    SP_TRY(sealer, GcmSealer::make(key));
    return sealer.seal(nonce, aad, plaintext, out);
}

Status gcm_open(ByteView key, ByteView nonce, ByteView aad, ByteView sealed,
                std::span<std::uint8_t> out) {
    if (key.size() != kKeyLen || nonce.size() != kNonceLen) {
        return make_error(Errc::invalid_argument, "gcm: key or nonce size");
    }
    if (sealed.size() < kTagLen) {
        return make_error(Errc::auth_failed, "gcm: input too short");
    }
    const ByteView ct = sealed.first(sealed.size() - kTagLen);
    if (out.size() != ct.size()) {
        return make_error(Errc::invalid_argument, "gcm: output size");
    }
    const EVP_CIPHER* cipher = aes256gcm();
    if (cipher == nullptr) {
        return ossl_fail(Errc::internal, "fetch AES-256-GCM");
    }
    ossl::CipherCtx ctx(EVP_CIPHER_CTX_new());
    if (!ctx || EVP_DecryptInit_ex2(ctx.get(), cipher, key.data(), nonce.data(), nullptr) != 1) {
        return ossl_fail(Errc::internal, "gcm decrypt init");
    }
    if (!cipher_update(ctx.get(), nullptr, aad) || !cipher_update(ctx.get(), out.data(), ct)) {
        return ossl_fail(Errc::internal, "gcm decrypt update");
    }
    // OpenSSL's SET_TAG takes a non-const pointer; it only reads the tag.
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagLen),
                            const_cast<std::uint8_t*>(ct.data() + ct.size())) != 1) {
        return ossl_fail(Errc::internal, "gcm set tag");
    }
    int outl = 0;
    std::uint8_t dummy[16];
    if (EVP_DecryptFinal_ex(ctx.get(), dummy, &outl) != 1) {
        ERR_clear_error();
        return make_error(Errc::auth_failed, "gcm tag mismatch");
    }
    return {};
}

Result<Bytes> aead_seal(ByteView key, ByteView aad, ByteView plaintext) {
    if (key.size() != kKeyLen) {
        return make_error(Errc::invalid_argument, "aead: key must be 32 bytes");
    }
    Bytes out(kNonceLen + plaintext.size() + kTagLen);
    const std::span<std::uint8_t> nonce(out.data(), kNonceLen);
    SP_CHECK(random_fill(nonce));
    SP_CHECK(gcm_seal(key, nonce, aad, plaintext, std::span(out).subspan(kNonceLen)));
    return out;
}

Result<SecretBytes> aead_open(ByteView key, ByteView aad, ByteView sealed) {
    if (key.size() != kKeyLen) {
        return make_error(Errc::invalid_argument, "aead: key must be 32 bytes");
    }
    if (sealed.size() < kNonceLen + kTagLen) {
        return make_error(Errc::auth_failed, "aead: input too short");
    }
    SecretBytes out(sealed.size() - kNonceLen - kTagLen);
    SP_CHECK(gcm_open(key, sealed.first(kNonceLen), aad, sealed.subspan(kNonceLen), out));
    return out;
}

}  // namespace sealpost::crypto
