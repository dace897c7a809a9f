// SPDX-License-Identifier: Apache-2.0
// Per-envelope key material that does not depend on the message (id, DEK, link token, wrapped
// and escrow-sealed DEK), and the escrow sealer that shares one ephemeral key over a batch.
#pragma once

#include <chrono>
#include <cstddef>
#include <mutex>
#include <optional>

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
/** Seals DEKs to the escrow public key (crypto::seal_to's format, so open_sealed and the admin
 * CLI are unchanged), with one ephemeral X25519 key for a batch of seals instead of one each:
 * two scalar multiplications (70 us, more than AES-GCM over a 200 kB document). A batch ends after
 * kBatchSeals seals (the key is wiped at the last one) or at kBatchAge: a seal after that age
 * makes a new key, and expire() wipes an old one meanwhile (Vault::escrow_batch_expire). What
 * sharing changes: the envelopes of a batch show the same ephemeral public key in the vault file
 * (their creation times already tell as much), and whoever reads this process's memory during
 * a batch could open that batch's escrow wraps, whose DEKs passed through the same memory
 * moments before. Thread-safe; the batch's first seal pays for the key under the lock.
 */
class EscrowSealer {
  public:
    static constexpr std::size_t kBatchSeals = 256;
    static constexpr std::chrono::seconds kBatchAge{60};

    /// `max_age`: kBatchAge but in tests.
    explicit EscrowSealer(crypto::Bytes escrow_public,
                          std::chrono::steady_clock::duration max_age = kBatchAge)
        : escrow_public_(std::move(escrow_public)), max_age_(max_age) {}
    /// Errors: Errc::key_error (bad escrow key), Errc::internal.
    Result<crypto::Bytes> seal(crypto::ByteView aad, crypto::ByteView plaintext);
    /// Wipe the batch key if the batch is at least `max_age` old.
    void expire() noexcept;

  private:
    /// Wipe the batch key if the batch is max_age_ old at `now`. Called with mu_ held.
    void drop_if_old(std::chrono::steady_clock::time_point now) noexcept;
    const crypto::Bytes escrow_public_;
    const std::chrono::steady_clock::duration max_age_;
    std::mutex mu_;
    std::optional<crypto::EscrowSession> session_;
    std::size_t seals_ = 0;
    std::chrono::steady_clock::time_point started_;
};

/// Errors: Errc::key_error (bad escrow key), Errc::internal.
Result<LinkKeys> make_link_keys(const keys::SymmetricKey& pepper, EscrowSealer& escrow);

}  // namespace sealpost::vault
