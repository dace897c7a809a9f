// Cryptographic primitives of the vault on OpenSSL 3.0 EVP: RNG, HMAC, HKDF, AES-256-GCM
// (single-shot and per-chunk), X25519 sealing to the escrow key, constant-time encodings.
#include "vault/vault_crypto.hpp"

#include <algorithm>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <span>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "core/core_log.hpp"
#include "core/core_openssl.hpp"

namespace sealpost::crypto {
namespace {

// EVP update calls take an int length; longer inputs are fed in pieces of this size.
constexpr std::size_t kMaxPiece = std::size_t{1} << 30;

constexpr std::string_view kDocAadLabel = "sealpost-doc-v1";
constexpr std::string_view kEscrowInfo = "sealpost-escrow-v1";
constexpr std::size_t kDocAadLen = kDocAadLabel.size() + 16 + 4 + 4 + 1;

Error ossl_fail(Errc code, std::string_view what) {
    return make_error(code, std::string(what) + ": " + ossl::take_error());
}

/// For the few calls whose signature has no error channel (hmac_sha256): a failure there is
/// an allocation failure or a broken OpenSSL install. Stop rather than go on with a wrong MAC.
[[noreturn]] void fatal(std::string_view what) {
    log::error("crypto.fatal").kv("what", what).kv("detail", ossl::take_error());
    std::abort();
}

// Algorithms are fetched once per process (thread-safe static init) rather than implicitly on
// every EVP_*Init call, which in OpenSSL 3.0 costs a locked method-store lookup each time.
const EVP_CIPHER* aes256gcm() {
    static const ossl::Cipher c(EVP_CIPHER_fetch(nullptr, "AES-256-GCM", nullptr));
    return c.get();
}
EVP_MAC* hmac_alg() {
    static const ossl::Mac m(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
    return m.get();
}

// OSSL_PARAM takes non-const pointers even for input; OpenSSL does not write through them.
OSSL_PARAM sha256_name(const char* name) {
    return OSSL_PARAM_construct_utf8_string(name, const_cast<char*>("SHA256"), 0);
}

/// An HMAC-SHA256 context with its digest set, copied for each MAC: setting the digest by name
/// on every call would fetch SHA256 from the method store each time (a lock and a string
/// search; measured at 5-10 us per MAC when the caches are cold after an fsync). It is keyed
/// with zeros so that it is a complete context to copy; each copy is keyed again.
const EVP_MAC_CTX* hmac_template() {
    static const ossl::MacCtx t = [] {
        ossl::MacCtx ctx(hmac_alg() == nullptr ? nullptr : EVP_MAC_CTX_new(hmac_alg()));
        const OSSL_PARAM params[] = {sha256_name(OSSL_MAC_PARAM_DIGEST),
                                     OSSL_PARAM_construct_end()};
        const std::uint8_t zeros[32] = {};
        if (!ctx || EVP_MAC_init(ctx.get(), zeros, sizeof zeros, params) != 1) {
            ctx.reset();
        }
        return ctx;
    }();
    return t.get();
}

void put_u32be(std::uint8_t* p, std::uint32_t v) noexcept {
    p[0] = static_cast<std::uint8_t>(v >> 24);
    p[1] = static_cast<std::uint8_t>(v >> 16);
    p[2] = static_cast<std::uint8_t>(v >> 8);
    p[3] = static_cast<std::uint8_t>(v);
}

/// Feed `in` through EVP_CipherUpdate in int-sized pieces, writing to `out` (same length:
/// GCM is a stream mode). AAD is passed with out == nullptr.
bool cipher_update(EVP_CIPHER_CTX* ctx, std::uint8_t* out, ByteView in) {
    std::size_t done = 0;
    while (done < in.size()) {
        const std::size_t piece = std::min(kMaxPiece, in.size() - done);
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

/// A context keyed for AES-256-GCM encryption. Its free cleanses the key schedule; with the
/// cipher fetched once, setting it up costs about a microsecond.
Result<ossl::CipherCtx> gcm_encrypt_context(ByteView key) {
    const EVP_CIPHER* cipher = aes256gcm();
    if (cipher == nullptr) {
        return ossl_fail(Errc::internal, "fetch AES-256-GCM");
    }
    ossl::CipherCtx ctx(EVP_CIPHER_CTX_new());
    if (!ctx || EVP_EncryptInit_ex2(ctx.get(), cipher, key.data(), nullptr, nullptr) != 1) {
        return ossl_fail(Errc::internal, "gcm encrypt init");
    }
    return ctx;
}

/// One AES-256-GCM encryption with a keyed context (any number of times, each with its own
/// IV: only the IV is set, the key schedule and GHASH key stay): `pt` into `ct` (same length)
/// and `tag` (16 bytes).
Status gcm_encrypt_with(EVP_CIPHER_CTX* ctx, const std::uint8_t* iv, ByteView aad, ByteView pt,
                        std::uint8_t* ct, std::uint8_t* tag) {
    if (EVP_EncryptInit_ex2(ctx, nullptr, nullptr, iv, nullptr) != 1) {
        return ossl_fail(Errc::internal, "gcm encrypt iv");
    }
    if (!cipher_update(ctx, nullptr, aad) || !cipher_update(ctx, ct, pt)) {
        return ossl_fail(Errc::internal, "gcm encrypt update");
    }
    int outl = 0;
    std::uint8_t dummy[16];
    if (EVP_EncryptFinal_ex(ctx, dummy, &outl) != 1 || outl != 0 ||
        EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagLen), tag) != 1) {
        return ossl_fail(Errc::internal, "gcm encrypt final");
    }
    return {};
}

Status gcm_encrypt(ByteView key, const std::uint8_t* iv, ByteView aad, ByteView pt,
                   std::uint8_t* ct, std::uint8_t* tag) {
    SP_TRY(ctx, gcm_encrypt_context(key));
    return gcm_encrypt_with(ctx.get(), iv, aad, pt, ct, tag);
}

/// Inverse of gcm_encrypt; Errc::auth_failed when the tag does not verify. `pt` may hold
/// unauthenticated plaintext on failure: the caller discards (and so wipes) it.
Status gcm_decrypt(ByteView key, const std::uint8_t* iv, ByteView aad, ByteView ct,
                   const std::uint8_t* tag, std::uint8_t* pt) {
    const EVP_CIPHER* cipher = aes256gcm();
    if (cipher == nullptr) {
        return ossl_fail(Errc::internal, "fetch AES-256-GCM");
    }
    ossl::CipherCtx ctx(EVP_CIPHER_CTX_new());
    if (!ctx || EVP_DecryptInit_ex2(ctx.get(), cipher, key.data(), iv, nullptr) != 1) {
        return ossl_fail(Errc::internal, "gcm decrypt init");
    }
    if (!cipher_update(ctx.get(), nullptr, aad) || !cipher_update(ctx.get(), pt, ct)) {
        return ossl_fail(Errc::internal, "gcm decrypt update");
    }
    if (EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagLen),
                            const_cast<std::uint8_t*>(tag)) != 1) {
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

Result<ossl::Pkey> x25519_private(ByteView private_key) {
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

Result<ossl::Pkey> x25519_public(ByteView public_key) {
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

/// HKDF key of seal_to: salt = eph_pub || recipient_pub binds the key to both public keys.
Result<SecretBytes> escrow_key(ByteView shared, ByteView eph_pub, ByteView recipient_pub) {
    std::array<std::uint8_t, 2 * kKeyLen> salt{};
    std::memcpy(salt.data(), eph_pub.data(), kKeyLen);
    std::memcpy(salt.data() + kKeyLen, recipient_pub.data(), kKeyLen);
    return hkdf_sha256(shared, salt, as_bytes(kEscrowInfo), kKeyLen);
}

// Constant-time base64url alphabet mapping (no table lookups, no branches on the value), so
// decoding a token or a key file leaks nothing through cache timing. C++20 defines >> on
// negative ints as arithmetic, which these masks rely on.
char b64_char(unsigned v6) noexcept {
    const int v = static_cast<int>(v6);
    int diff = 'A';
    diff += ((25 - v) >> 8) & 6;   // 26..51 -> 'a'..
    diff -= ((51 - v) >> 8) & 75;  // 52..61 -> '0'..
    diff -= ((61 - v) >> 8) & 13;  // 62     -> '-'
    diff += ((62 - v) >> 8) & 49;  // 63     -> '_'
    return static_cast<char>(v + diff);
}
/// 0..63, or -1 for a character outside the base64url alphabet.
int b64_value(char ch) noexcept {
    const int c = static_cast<unsigned char>(ch);
    int r = -1;
    r += (((64 - c) & (c - 91)) >> 8) & (c - 64);   // 'A'..'Z'
    r += (((96 - c) & (c - 123)) >> 8) & (c - 70);  // 'a'..'z'
    r += (((47 - c) & (c - 58)) >> 8) & (c + 5);    // '0'..'9'
    r += (((44 - c) & (c - 46)) >> 8) & 63;         // '-'
    r += (((94 - c) & (c - 96)) >> 8) & 64;         // '_'
    return r;
}

int hex_value(char ch) noexcept {
    if (ch >= '0' && ch <= '9') {
        return ch - '0';
    }
    if (ch >= 'a' && ch <= 'f') {
        return ch - 'a' + 10;
    }
    if (ch >= 'A' && ch <= 'F') {
        return ch - 'A' + 10;
    }
    return -1;
}

}  // namespace

void secure_wipe(void* p, std::size_t n) noexcept {
    if (p != nullptr && n != 0) {
        OPENSSL_cleanse(p, n);
    }
}

Status random_fill(std::span<std::uint8_t> out) {
    std::size_t done = 0;
    while (done < out.size()) {
        const std::size_t piece = std::min(kMaxPiece, out.size() - done);
        if (RAND_bytes(out.data() + done, static_cast<int>(piece)) != 1) {
            return ossl_fail(Errc::internal, "RAND_bytes");
        }
        done += piece;
    }
    return {};
}

Result<SecretBytes> random_bytes(std::size_t n) {
    SecretBytes out(n);
    SP_CHECK(random_fill(out));
    return out;
}

namespace {

/// HMAC-SHA256 (RFC 2104) of the concatenation of `parts` under `key`, into `out`.
/// False on an OpenSSL failure (allocation, broken install).
bool hmac_parts(ByteView key, std::initializer_list<ByteView> parts,
                std::span<std::uint8_t, 32> out) {
    const EVP_MAC_CTX* tmpl = hmac_template();
    ossl::MacCtx ctx(tmpl == nullptr ? nullptr : EVP_MAC_CTX_dup(tmpl));
    // An empty key is legal for HMAC (RFC 2104 pads it with zeros); pass a valid pointer since
    // a null key tells OpenSSL to reuse the previous one (here the template's).
    static const std::uint8_t kEmpty = 0;
    if (!ctx ||
        EVP_MAC_init(ctx.get(), key.empty() ? &kEmpty : key.data(), key.size(), nullptr) != 1) {
        return false;
    }
    for (ByteView part : parts) {
        std::size_t done = 0;
        while (done < part.size()) {
            const std::size_t piece = std::min(kMaxPiece, part.size() - done);
            if (EVP_MAC_update(ctx.get(), part.data() + done, piece) != 1) {
                return false;
            }
            done += piece;
        }
    }
    std::size_t outl = 0;
    return EVP_MAC_final(ctx.get(), out.data(), &outl, out.size()) == 1 && outl == out.size();
}

}  // namespace

std::array<std::uint8_t, 32> hmac_sha256(ByteView key, ByteView data) {
    std::array<std::uint8_t, 32> out{};
    if (!hmac_parts(key, {data}, out)) {
        fatal("hmac-sha256");
    }
    return out;
}

Result<SecretBytes> hkdf_sha256(ByteView ikm, ByteView salt, ByteView info, std::size_t len) {
    // RFC 5869 section 2.3: L <= 255 * HashLen. An empty IKM is refused, as OpenSSL 3.0's HKDF
    // did before: every caller has a key to derive from, so an empty one is a bug.
    if (len == 0 || len > std::size_t{255} * 32 || ikm.empty()) {
        return make_error(Errc::invalid_argument, "hkdf: empty ikm or bad output length");
    }
    // RFC 5869 on the cached HMAC above: OpenSSL 3.0's HKDF fetches HMAC and SHA256 by name on
    // every derive. Section 2.2: an absent salt is HashLen zero bytes, which HMAC's zero padding
    // makes the same as an empty one.
    SecretBytes prk(32);
    if (!hmac_parts(salt, {ikm}, std::span<std::uint8_t, 32>(prk.data(), 32))) {
        return ossl_fail(Errc::internal, "hkdf extract");
    }
    // Section 2.3: T(i) = HMAC(PRK, T(i-1) || info || i), OKM = the first L octets of T(1)...
    SecretBytes out(len);
    SecretBytes t(32);
    std::size_t done = 0;
    for (std::uint8_t i = 1; done < len; ++i) {
        const std::uint8_t counter[1] = {i};
        const ByteView prev = i == 1 ? ByteView{} : ByteView(t);
        if (!hmac_parts(prk, {prev, info, ByteView(counter, 1)},
                        std::span<std::uint8_t, 32>(t.data(), 32))) {
            return ossl_fail(Errc::internal, "hkdf expand");
        }
        const std::size_t n = std::min<std::size_t>(32, len - done);
        std::copy_n(t.begin(), n, out.begin() + static_cast<std::ptrdiff_t>(done));
        done += n;
    }
    return out;
}

bool ct_equal(ByteView a, ByteView b) noexcept {
    if (a.size() != b.size()) {
        return false;
    }
    if (a.empty()) {
        return true;
    }
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string base64url_encode(ByteView data) {
    std::string out;
    out.reserve((data.size() * 4 + 2) / 3);
    std::size_t i = 0;
    for (; i + 3 <= data.size(); i += 3) {
        const unsigned v = (unsigned{data[i]} << 16) | (unsigned{data[i + 1]} << 8) | data[i + 2];
        out += b64_char((v >> 18) & 63U);
        out += b64_char((v >> 12) & 63U);
        out += b64_char((v >> 6) & 63U);
        out += b64_char(v & 63U);
    }
    const std::size_t rest = data.size() - i;
    if (rest == 1) {
        const unsigned v = unsigned{data[i]} << 16;
        out += b64_char((v >> 18) & 63U);
        out += b64_char((v >> 12) & 63U);
    } else if (rest == 2) {
        const unsigned v = (unsigned{data[i]} << 16) | (unsigned{data[i + 1]} << 8);
        out += b64_char((v >> 18) & 63U);
        out += b64_char((v >> 12) & 63U);
        out += b64_char((v >> 6) & 63U);
    }
    return out;
}

Result<SecretBytes> base64url_decode(std::string_view text) {
    // A length of 4k+1 cannot come from any byte string. The length is not secret, the
    // characters are: errors are accumulated and checked once at the end.
    if (text.size() % 4 == 1) {
        return make_error(Errc::invalid_argument, "base64url: bad length");
    }
    SecretBytes out;
    out.reserve(text.size() / 4 * 3 + 2);
    int bad = 0;
    unsigned acc = 0;
    int bits = 0;
    for (const char ch : text) {
        const int v = b64_value(ch);
        bad |= v;  // -1 sets the sign bit
        acc = ((acc << 6) | (static_cast<unsigned>(v) & 63U)) & 0xFFFFFFU;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>(acc >> bits));
        }
    }
    // RFC 4648 section 3.5: the unused low bits of the last character must be zero, so each
    // byte string has exactly one encoding.
    const unsigned leftover = acc & ((1U << bits) - 1U);
    if (bad < 0 || leftover != 0) {
        return make_error(Errc::invalid_argument, "base64url: invalid character or encoding");
    }
    return out;
}

std::string hex_encode(ByteView data) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    out.reserve(data.size() * 2);
    for (const std::uint8_t b : data) {
        out += kDigits[b >> 4];
        out += kDigits[b & 15];
    }
    return out;
}

Result<Bytes> hex_decode(std::string_view text) {
    if (text.size() % 2 != 0) {
        return make_error(Errc::invalid_argument, "hex: odd length");
    }
    Bytes out(text.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int hi = hex_value(text[2 * i]);
        const int lo = hex_value(text[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return make_error(Errc::invalid_argument, "hex: invalid character");
        }
        out[i] = static_cast<std::uint8_t>((hi << 4) | lo);
    }
    return out;
}

Result<Bytes> aead_seal(ByteView key, ByteView aad, ByteView plaintext) {
    if (key.size() != kKeyLen) {
        return make_error(Errc::invalid_argument, "aead: key must be 32 bytes");
    }
    Bytes out(kNonceLen + plaintext.size() + kTagLen);
    SP_CHECK(random_fill(std::span(out.data(), kNonceLen)));
    std::uint8_t* ct = out.data() + kNonceLen;
    SP_CHECK(gcm_encrypt(key, out.data(), aad, plaintext, ct, ct + plaintext.size()));
    return out;
}

Result<SecretBytes> aead_open(ByteView key, ByteView aad, ByteView sealed) {
    if (key.size() != kKeyLen) {
        return make_error(Errc::invalid_argument, "aead: key must be 32 bytes");
    }
    if (sealed.size() < kNonceLen + kTagLen) {
        return make_error(Errc::auth_failed, "aead: input too short");
    }
    const ByteView ct = sealed.subspan(kNonceLen, sealed.size() - kNonceLen - kTagLen);
    SecretBytes out(ct.size());
    SP_CHECK(gcm_decrypt(key, sealed.data(), aad, ct, ct.data() + ct.size(), out.data()));
    return out;
}

namespace {

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
    SP_TRY(evp, gcm_encrypt_context(ctx.dek));
    return ChunkSealer(ctx, std::move(evp));
}

Status ChunkSealer::seal_into(std::uint32_t chunk_index, bool last, ByteView plaintext,
                              std::span<std::uint8_t> out) {
    SP_TRY(p, chunk_params(ctx_, chunk_index, last));
    if (out.size() != plaintext.size() + kTagLen) {
        return make_error(Errc::invalid_argument, "chunk: output must be plaintext + 16 bytes");
    }
    return gcm_encrypt_with(evp_.get(), p.nonce.data(), p.aad, plaintext, out.data(),
                            out.data() + plaintext.size());
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
    auto st = gcm_decrypt(ctx.dek, p.nonce.data(), p.aad, ct, ct.data() + ct.size(), out.data());
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
    SP_TRY(k, x25519_private(private_key));
    Bytes pub(kKeyLen);
    std::size_t len = pub.size();
    if (EVP_PKEY_get_raw_public_key(k.get(), pub.data(), &len) != 1 || len != kKeyLen) {
        return ossl_fail(Errc::key_error, "x25519 public of private");
    }
    return pub;
}

Result<SecretBytes> x25519_shared(ByteView private_key, ByteView peer_public) {
    SP_TRY(priv, x25519_private(private_key));
    SP_TRY(peer, x25519_public(peer_public));
    return x25519_derive(priv.get(), peer.get());
}

Result<EscrowSession> escrow_session(ByteView recipient_public) {
    SP_TRY(peer, x25519_public(recipient_public));
    // The ephemeral key from 32 random bytes (any 32 bytes are a valid X25519 private key, RFC
    // 7748 section 5): importing it computes its public half, the derive is the second and
    // last scalar multiplication. (Generating a pair and importing its private half again
    // would cost a third.)
    SecretBytes eph_private(kKeyLen);
    SP_CHECK(random_fill(eph_private));
    SP_TRY(eph, x25519_private(eph_private));
    EscrowSession s;
    s.eph_public.resize(kKeyLen);
    std::size_t pub_len = kKeyLen;
    if (EVP_PKEY_get_raw_public_key(eph.get(), s.eph_public.data(), &pub_len) != 1 ||
        pub_len != kKeyLen) {
        return ossl_fail(Errc::internal, "x25519 ephemeral public key");
    }
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
    std::uint8_t* nonce = out.data() + kKeyLen;
    SP_CHECK(random_fill(std::span(nonce, kNonceLen)));
    std::uint8_t* ct = nonce + kNonceLen;
    SP_CHECK(gcm_encrypt(session.key, nonce, aad, plaintext, ct, ct + plaintext.size()));
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
    SP_TRY(priv, x25519_private(recipient.private_key));
    if (sealed.size() < kKeyLen + kNonceLen + kTagLen) {
        return make_error(Errc::auth_failed, "sealed: input too short");
    }
    const ByteView eph_pub = sealed.first(kKeyLen);
    // A malformed or low-order ephemeral key is tampering with the sealed data, not a problem
    // with our key: report it as an authentication failure.
    auto peer = x25519_public(eph_pub);
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
