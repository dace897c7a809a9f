// Cryptographic primitives of the vault, on OpenSSL 3: random bytes, HMAC, HKDF, AES-256-GCM
// (single-shot and per-chunk for documents), X25519 sealing to the escrow key, encodings.
// Nothing outside vault/ touches key material; this header is vault-internal.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/core_openssl.hpp"
#include "core/core_result.hpp"

namespace sealpost::crypto {

/// Allocator that wipes memory (OPENSSL_cleanse) before freeing it. Used for every buffer that
/// holds a key, a token or plaintext personal data.
template <class T>
struct WipingAllocator {
    using value_type = T;
    WipingAllocator() noexcept = default;
    template <class U>
    WipingAllocator(const WipingAllocator<U>& /*other*/) noexcept {
    }  // NOLINT(google-explicit-constructor)
    T* allocate(std::size_t n) { return std::allocator<T>{}.allocate(n); }
    void deallocate(T* p, std::size_t n) noexcept;
    template <class U>
    bool operator==(const WipingAllocator<U>& /*other*/) const noexcept {
        return true;
    }
};

void secure_wipe(void* p, std::size_t n) noexcept;

template <class T>
void WipingAllocator<T>::deallocate(T* p, std::size_t n) noexcept {
    secure_wipe(p, n * sizeof(T));
    std::allocator<T>{}.deallocate(p, n);
}

using Bytes = std::vector<std::uint8_t>;
/// Bytes that are wiped when freed: keys, tokens, decrypted data.
using SecretBytes = std::vector<std::uint8_t, WipingAllocator<std::uint8_t>>;
/// A string that is wiped when freed: link tokens, codes.
using SecretString = std::basic_string<char, std::char_traits<char>, WipingAllocator<char>>;
using ByteView = std::span<const std::uint8_t>;

inline constexpr std::size_t kKeyLen = 32;    ///< AES-256, HMAC-SHA256 and X25519 key length
inline constexpr std::size_t kNonceLen = 12;  ///< AES-GCM nonce
inline constexpr std::size_t kTagLen = 16;    ///< AES-GCM tag
inline constexpr std::size_t kChunkSize = std::size_t{64} * 1024;  ///< document plaintext per chunk

inline ByteView as_bytes(std::string_view s) noexcept {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};  // NOLINT
}

/// Fill `out` from the OpenSSL CSPRNG. Errors: Errc::internal if the RNG fails.
Status random_fill(std::span<std::uint8_t> out);
/// `n` fresh random bytes. Errors: Errc::internal.
Result<SecretBytes> random_bytes(std::size_t n);

/// HMAC-SHA256(key, data). Has no error channel: if OpenSSL fails (out of memory, broken
/// install) it logs `crypto.fatal` and aborts rather than return a wrong MAC.
std::array<std::uint8_t, 32> hmac_sha256(ByteView key, ByteView data);

/// HKDF-SHA256 (RFC 5869) extract-and-expand to `len` bytes. Errors: Errc::internal.
Result<SecretBytes> hkdf_sha256(ByteView ikm, ByteView salt, ByteView info, std::size_t len);

/// Constant-time equality; false when the lengths differ (length is not secret).
bool ct_equal(ByteView a, ByteView b) noexcept;

/// RFC 4648 section 5 base64url without padding.
std::string base64url_encode(ByteView data);
/// Decode base64url without padding; Errc::invalid_argument on any other character or length.
Result<SecretBytes> base64url_decode(std::string_view text);
/// Lower-case hex.
std::string hex_encode(ByteView data);
/// Errc::invalid_argument unless `text` is an even-length hex string.
Result<Bytes> hex_decode(std::string_view text);

/// AES-256-GCM with a fresh random nonce. Output: nonce(12) || ciphertext || tag(16).
/// Errors: Errc::invalid_argument (key size), Errc::internal.
Result<Bytes> aead_seal(ByteView key, ByteView aad, ByteView plaintext);
/// Inverse of aead_seal. Errors: Errc::auth_failed if the tag, the AAD or the key do not match
/// or the input is too short; Errc::invalid_argument for a wrong key size.
Result<SecretBytes> aead_open(ByteView key, ByteView aad, ByteView sealed);

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
    ChunkSealer(const ChunkContext& ctx, ossl::CipherCtx evp) : ctx_(ctx), evp_(std::move(evp)) {}
    ChunkContext ctx_;
    ossl::CipherCtx evp_;
};
/// chunk_open writing into a caller's buffer of exactly sealed.size() - kTagLen bytes (a
/// download buffer reused per chunk). On any error `out` is wiped, so unauthenticated
/// plaintext never stays behind. Errors: as chunk_open; Errc::invalid_argument (sizes).
Status chunk_open_into(const ChunkContext& ctx, std::uint32_t chunk_index, bool last,
                       ByteView sealed, std::span<std::uint8_t> out);

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
