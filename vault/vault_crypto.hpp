// SPDX-License-Identifier: Apache-2.0
// The vault's encryption formats: documents sealed per 64 KiB chunk (AES-256-GCM with derived
// nonces) and data keys sealed to the escrow key (X25519 + HKDF + AES-256-GCM). The primitives
// are crypto/'s; this header brings them along, so vault code includes only this one.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <utility>

#include "core/core_result.hpp"
#include "crypto/crypto_aead.hpp"
#include "crypto/crypto_base64url.hpp"
#include "crypto/crypto_bytes.hpp"
#include "crypto/crypto_compare.hpp"
#include "crypto/crypto_hkdf.hpp"
#include "crypto/crypto_hmac.hpp"
#include "crypto/crypto_random.hpp"
#include "crypto/crypto_secret.hpp"
#include "crypto/crypto_x25519.hpp"

namespace sealpost::crypto {

inline constexpr std::size_t kChunkSize = std::size_t{64} * 1024;  ///< document plaintext per chunk

/// Documents: AES-256-GCM per 64 KiB chunk with an explicit nonce.
///   nonce = nonce_prefix(8, random per document) || chunk_index (u32 big-endian)
///   aad   = "sealpost-doc-v1" || envelope_id(16) || doc_index(u32 BE) || chunk_index(u32 BE)
///           || last(u8: 1 on the final chunk, else 0)
/// so a flipped byte, a swapped or dropped chunk, a truncated document, or a document moved to
/// another envelope or index fails authentication. Output of seal: ciphertext || tag(16).
struct ChunkContext {
    ByteView dek;                 ///< the envelope's data key (32 bytes)
    ByteView envelope_id;         ///< 16 bytes
    std::uint32_t doc_index = 0;  ///< position of the document in the envelope
    std::array<std::uint8_t, 8> nonce_prefix{};
};
Result<Bytes> chunk_seal(const ChunkContext& ctx, std::uint32_t chunk_index, bool last,
                         ByteView plaintext);
/// Errors: Errc::auth_failed on any mismatch (including a wrong `last` flag), Errc::internal.
Result<SecretBytes> chunk_open(const ChunkContext& ctx, std::uint32_t chunk_index, bool last,
                               ByteView sealed);
/// chunk_seal writing into a caller's buffer of exactly plaintext.size() + kTagLen bytes, e.g.
/// an LMDB MDB_RESERVE value, so ingest encrypts straight into the map without a copy.
/// Errors: Errc::invalid_argument (sizes), Errc::internal.
Status chunk_seal_into(const ChunkContext& ctx, std::uint32_t chunk_index, bool last,
                       ByteView plaintext, std::span<std::uint8_t> out);
/** Seals the chunks of one document with one cipher context, so the AES key schedule and the
 * GHASH key are set up once per document, not once per chunk. The context's views (DEK,
 * envelope id) must outlive the sealer; its key schedule is cleansed when it is destroyed.
 * seal_into is chunk_seal_into. As there, a chunk index is sealed once per context (DEK,
 * envelope, document, nonce prefix): sealing other bytes under the same index reuses a GCM
 * nonce. Errors: as chunk_seal_into. */
class ChunkSealer {
  public:
    static Result<ChunkSealer> make(const ChunkContext& ctx);
    Status seal_into(std::uint32_t chunk_index, bool last, ByteView plaintext,
                     std::span<std::uint8_t> out);

  private:
    ChunkSealer(const ChunkContext& ctx, GcmSealer gcm) : ctx_(ctx), gcm_(std::move(gcm)) {}
    ChunkContext ctx_;
    GcmSealer gcm_;
};
/// chunk_open writing into a caller's buffer of exactly sealed.size() - kTagLen bytes (a
/// download buffer reused per chunk). On any error `out` is wiped, so unauthenticated
/// plaintext never stays behind. Errors: as chunk_open; Errc::invalid_argument (sizes).
Status chunk_open_into(const ChunkContext& ctx, std::uint32_t chunk_index, bool last,
                       ByteView sealed, std::span<std::uint8_t> out);

/// ECIES-style sealing to a public key (the escrow key):
///   eph = fresh X25519 pair; shared = X25519(eph.priv, recipient_pub)
///   key = HKDF-SHA256(ikm=shared, salt=eph.pub || recipient_pub, info="sealpost-escrow-v1")
///   out = eph.pub(32) || aead_seal(key, aad, plaintext)
/// Errors: Errc::key_error (bad public key), Errc::internal.
Result<Bytes> seal_to(ByteView recipient_public, ByteView aad, ByteView plaintext);

/** The sender's half of seal_to, kept for several seals: the ephemeral public key and the HKDF
 * key (the ephemeral private key is wiped once the key is derived). Every escrow_seal() with
 * one session writes the same eph.pub and uses the same key with a fresh random 96-bit nonce,
 * so its output opens with open_sealed exactly like seal_to's. Keep a session for a bounded
 * number of seals (random nonces stay far below the 2^32 of NIST SP 800-38D section 8.3). */
struct EscrowSession {
    Bytes eph_public;  ///< 32 bytes
    SecretBytes key;   ///< 32 bytes, wiped when freed
};
/// Two X25519 scalar multiplications. Errors: Errc::key_error (bad public key), Errc::internal.
Result<EscrowSession> escrow_session(ByteView recipient_public);
/// eph.pub || aead_seal(session.key, aad, plaintext). Errors: Errc::key_error (empty session),
/// Errc::internal.
Result<Bytes> escrow_seal(const EscrowSession& session, ByteView aad, ByteView plaintext);
/// Inverse of seal_to with the recipient's key pair. Errors: Errc::auth_failed, Errc::key_error.
Result<SecretBytes> open_sealed(const X25519KeyPair& recipient, ByteView aad, ByteView sealed);

}  // namespace sealpost::crypto
