// Per-envelope key material that does not depend on the message (id, DEK, link token, wrapped
// and escrow-sealed DEK), and a small pool that prepares it ahead on a background thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <thread>

#include "vault/vault.hpp"
#include "vault/vault_crypto.hpp"
#include "vault/vault_keys.hpp"
#include "vault/vault_records.hpp"

namespace sealpost::vault {

/// kek = HKDF-SHA256(ikm = token bytes, salt = envelope id, info = "sealpost-link-v1").
Result<crypto::SecretBytes> link_kek(crypto::ByteView token, const EnvelopeId& id);
/// lookup id = HMAC-SHA256(pepper, token bytes).
records::LookupId link_lookup(const keys::SymmetricKey& pepper, crypto::ByteView token);

/// A fresh token: its text (returned to the caller once) and its bytes.
struct FreshToken {
    crypto::SecretBytes bytes;
    crypto::SecretString text;
};
/// Errors: Errc::internal (RNG).
Result<FreshToken> fresh_token();

/// Everything envelope_create needs before it sees the message. Secrets are wiped when freed.
struct LinkKeys {
    EnvelopeId id{};
    crypto::SecretBytes dek;
    FreshToken token;
    records::LookupId lookup{};
    crypto::Bytes wrapped_dek;  ///< aead_seal(kek, "sealpost-dek-v1" || id, dek)
    crypto::Bytes escrow_dek;   ///< seal_to(escrow.pub, "sealpost-escrow-dek-v1" || id, dek)
};
/// Errors: Errc::key_error (bad escrow key), Errc::internal.
Result<LinkKeys> make_link_keys(const keys::SymmetricKey& pepper, crypto::ByteView escrow_public);

/** Prepares up to `depth` LinkKeys on one background thread, so the X25519 work of the escrow
 * seal (the bulk of an envelope's crypto) overlaps with an envelope's fsync instead of adding
 * to it: it fills up once, then makes one set per kick(), which envelope_create calls just
 * before its write transaction (the caller then mostly waits on the disk, so the two do not
 * compete for a CPU). take() falls back to computing inline when the pool is empty. Prepared keys
 * live only in this process's memory (wiped when freed) and are used at most once.
 * Not fork-safe: the thread does not exist in a child (see vault.hpp, Caveats).
 */
class LinkKeyPool {
  public:
    LinkKeyPool(keys::SymmetricKey pepper, crypto::Bytes escrow_public, std::size_t depth);
    ~LinkKeyPool();
    LinkKeyPool(const LinkKeyPool&) = delete;
    LinkKeyPool& operator=(const LinkKeyPool&) = delete;

    /// A prepared set, or a freshly computed one. Errors as make_link_keys.
    Result<LinkKeys> take();
    /// Ask for one more set (up to `depth` ready); call when about to wait on the disk.
    void kick();

  private:
    void run();

    const keys::SymmetricKey pepper_;
    const crypto::Bytes escrow_public_;
    const std::size_t depth_;
    std::mutex mu_;
    std::condition_variable cv_;
    std::deque<LinkKeys> ready_;
    std::size_t wanted_;  ///< sets asked for and not yet made
    bool stop_ = false;
    std::thread worker_;  // last: started after everything it uses exists
};

}  // namespace sealpost::vault
