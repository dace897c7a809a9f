// SPDX-License-Identifier: Apache-2.0
// The vault's encryption formats on crypto/'s AES-256-GCM, HKDF and X25519: documents sealed
// per 64 KiB chunk, and data keys sealed to the escrow key.
#include "vault/vault_crypto.hpp"

#include <cstring>

#include "crypto/crypto_hkdf.hpp"
#include "crypto/crypto_random.hpp"

namespace sealpost::crypto {
namespace {

constexpr std::string_view kDocAadLabel = "sealpost-doc-v1";
constexpr std::string_view kEscrowInfo = "sealpost-escrow-v1";
constexpr std::size_t kDocAadLen = kDocAadLabel.size() + 16 + 4 + 4 + 1;

void put_u32be(std::uint8_t* p, std::uint32_t v) noexcept {
    p[0] = static_cast<std::uint8_t>(v >> 24);
    p[1] = static_cast<std::uint8_t>(v >> 16);
    p[2] = static_cast<std::uint8_t>(v >> 8);
    p[3] = static_cast<std::uint8_t>(v);
}

/// HKDF key of seal_to: salt = eph_pub || recipient_pub binds the key to both public keys.
Result<SecretBytes> escrow_key(ByteView shared, ByteView eph_pub, ByteView recipient_pub) {
    std::array<std::uint8_t, 2 * kKeyLen> salt{};
    std::memcpy(salt.data(), eph_pub.data(), kKeyLen);
    std::memcpy(salt.data() + kKeyLen, recipient_pub.data(), kKeyLen);
    return hkdf_sha256(shared, salt, as_bytes(kEscrowInfo), kKeyLen);
}

struct ChunkParams {
    std::array<std::uint8_t, kNonceLen> nonce;
    std::array<std::uint8_t, kDocAadLen> aad;
};

Result<ChunkParams> chunk_params(const ChunkContext& ctx, std::uint32_t chunk_index, bool last) {
    if (ctx.dek.size() != kKeyLen || ctx.envelope_id.size() != 16) {
        return make_error(Errc::invalid_argument, "chunk: dek must be 32 and envelope id 16 bytes");
    }
    ChunkParams p{};
    std::memcpy(p.nonce.data(), ctx.nonce_prefix.data(), ctx.nonce_prefix.size());
    put_u32be(p.nonce.data() + 8, chunk_index);
    std::uint8_t* a = p.aad.data();
    std::memcpy(a, kDocAadLabel.data(), kDocAadLabel.size());
    a += kDocAadLabel.size();
    std::memcpy(a, ctx.envelope_id.data(), 16);
    a += 16;
    put_u32be(a, ctx.doc_index);
    put_u32be(a + 4, chunk_index);
    a[8] = last ? 1 : 0;
    return p;
}

}  // namespace

Result<ChunkSealer> ChunkSealer::make(const ChunkContext& ctx) {
    if (ctx.dek.size() != kKeyLen || ctx.envelope_id.size() != 16) {
        return make_error(Errc::invalid_argument, "chunk: dek must be 32 and envelope id 16 bytes");
    }
    SP_TRY(gcm, GcmSealer::make(ctx.dek));
    return ChunkSealer(ctx, std::move(gcm));
}

Status ChunkSealer::seal_into(std::uint32_t chunk_index, bool last, ByteView plaintext,
                              std::span<std::uint8_t> out) {
    SP_TRY(p, chunk_params(ctx_, chunk_index, last));
    if (out.size() != plaintext.size() + kTagLen) {
        return make_error(Errc::invalid_argument, "chunk: output must be plaintext + 16 bytes");
    }
    return gcm_.seal(p.nonce, p.aad, plaintext, out);
}

Status chunk_seal_into(const ChunkContext& ctx, std::uint32_t chunk_index, bool last,
                       ByteView plaintext, std::span<std::uint8_t> out) {
    SP_TRY(sealer, ChunkSealer::make(ctx));
    return sealer.seal_into(chunk_index, last, plaintext, out);
}

Result<Bytes> chunk_seal(const ChunkContext& ctx, std::uint32_t chunk_index, bool last,
                         ByteView plaintext) {
    Bytes out(plaintext.size() + kTagLen);
    SP_CHECK(chunk_seal_into(ctx, chunk_index, last, plaintext, out));
    return out;
}

Status chunk_open_into(const ChunkContext& ctx, std::uint32_t chunk_index, bool last,
                       ByteView sealed, std::span<std::uint8_t> out) {
    SP_TRY(p, chunk_params(ctx, chunk_index, last));
    if (sealed.size() < kTagLen) {
        return make_error(Errc::auth_failed, "chunk: input too short");
    }
    const ByteView ct = sealed.first(sealed.size() - kTagLen);
    if (out.size() != ct.size()) {
        return make_error(Errc::invalid_argument, "chunk: output must be sealed - 16 bytes");
    }
    auto st = gcm_open(ctx.dek, p.nonce, p.aad, sealed, out);
    if (!st) {
        secure_wipe(out.data(), out.size());
    }
    return st;
}

Result<SecretBytes> chunk_open(const ChunkContext& ctx, std::uint32_t chunk_index, bool last,
                               ByteView sealed) {
    SecretBytes out(sealed.size() < kTagLen ? 0 : sealed.size() - kTagLen);
    SP_CHECK(chunk_open_into(ctx, chunk_index, last, sealed, out));
    return out;
}

Result<EscrowSession> escrow_session(ByteView recipient_public) {
    SP_TRY(peer, x25519_public_key(recipient_public));
    // The ephemeral key from 32 random bytes (any 32 bytes are a valid X25519 private key, RFC
    // 7748 section 5): importing it computes its public half, the derive is the second and
    // last scalar multiplication. (Generating a pair and importing its private half again
    // would cost a third.)
    SecretBytes eph_private(kKeyLen);
    SP_CHECK(random_fill(eph_private));
    SP_TRY(eph, x25519_private_key(eph_private));
    EscrowSession s;
    SP_TRY(eph_public, x25519_raw_public(eph.get()));
    s.eph_public = std::move(eph_public);
    SP_TRY(shared, x25519_derive(eph.get(), peer.get()));
    SP_TRY(key, escrow_key(shared, s.eph_public, recipient_public));
    s.key = std::move(key);
    return s;
}

Result<Bytes> escrow_seal(const EscrowSession& session, ByteView aad, ByteView plaintext) {
    if (session.eph_public.size() != kKeyLen || session.key.size() != kKeyLen) {
        return make_error(Errc::key_error, "escrow session not set up");
    }
    // One allocation for the whole output: eph.pub || nonce || ct || tag. A fresh random nonce
    // per seal: a session's key seals many DEKs (see EscrowSession).
    Bytes out(kKeyLen + kNonceLen + plaintext.size() + kTagLen);
    std::memcpy(out.data(), session.eph_public.data(), kKeyLen);
    const std::span<std::uint8_t> nonce(out.data() + kKeyLen, kNonceLen);
    SP_CHECK(random_fill(nonce));
    SP_CHECK(
        gcm_seal(session.key, nonce, aad, plaintext, std::span(out).subspan(kKeyLen + kNonceLen)));
    return out;
}

Result<Bytes> seal_to(ByteView recipient_public, ByteView aad, ByteView plaintext) {
    SP_TRY(session, escrow_session(recipient_public));
    return escrow_seal(session, aad, plaintext);
}

Result<SecretBytes> open_sealed(const X25519KeyPair& recipient, ByteView aad, ByteView sealed) {
    if (recipient.public_key.size() != kKeyLen) {
        return make_error(Errc::key_error, "x25519 public key must be 32 bytes");
    }
    SP_TRY(priv, x25519_private_key(recipient.private_key));
    if (sealed.size() < kKeyLen + kNonceLen + kTagLen) {
        return make_error(Errc::auth_failed, "sealed: input too short");
    }
    const ByteView eph_pub = sealed.first(kKeyLen);
    // A malformed or low-order ephemeral key is tampering with the sealed data, not a problem
    // with our key: report it as an authentication failure.
    auto peer = x25519_public_key(eph_pub);
    if (!peer) {
        return make_error(Errc::auth_failed, "sealed: bad ephemeral key");
    }
    auto shared = x25519_derive(priv.get(), peer->get());
    if (!shared) {
        return make_error(Errc::auth_failed, "sealed: bad ephemeral key");
    }
    SP_TRY(key, escrow_key(*shared, eph_pub, recipient.public_key));
    return aead_open(key, aad, sealed.subspan(kKeyLen));
}

}  // namespace sealpost::crypto
