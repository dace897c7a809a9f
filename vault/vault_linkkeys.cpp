// SPDX-License-Identifier: Apache-2.0
// Link key material for new envelopes (see vault_linkkeys.hpp) and the batched escrow seal.
#include "vault/vault_linkkeys.hpp"

#include <algorithm>
#include <chrono>
#include <string>
#include <utility>

#include "vault/vault_impl.hpp"

namespace sealpost::vault {

Result<crypto::SecretBytes> link_kek(crypto::ByteView token, const EnvelopeId& id) {
    return crypto::hkdf_sha256(token, id, crypto::as_bytes(kLinkInfo), crypto::kKeyLen);
}

records::LookupId link_lookup(const keys::SymmetricKey& pepper, crypto::ByteView token) {
    return crypto::hmac_sha256(pepper.key, token);
}

namespace {

FreshToken token_of(crypto::SecretBytes bytes) {
    std::string text = crypto::base64url_encode(bytes);
    FreshToken t{std::move(bytes), crypto::SecretString(text.begin(), text.end())};
    crypto::secure_wipe(text.data(), text.size());
    return t;
}

}  // namespace

Result<FreshToken> fresh_token() {
    SP_TRY(bytes, crypto::random_bytes(kTokenBytes));
    return token_of(std::move(bytes));
}

Result<crypto::Bytes> EscrowSealer::seal(crypto::ByteView aad, crypto::ByteView plaintext) {
    std::lock_guard lock(mu_);
    const auto now = std::chrono::steady_clock::now();
    drop_if_old(now);  // the old key is wiped before the new one is made
    if (!session_) {
        SP_TRY(fresh, crypto::escrow_session(escrow_public_));
        session_ = std::move(fresh);
        seals_ = 0;
        started_ = now;
    }
    auto sealed = crypto::escrow_seal(*session_, aad, plaintext);
    if (++seals_ >= kBatchSeals) {
        session_.reset();  // the batch is full: its key goes now, not at the next seal
    }
    return sealed;
}

void EscrowSealer::expire() noexcept {
    std::lock_guard lock(mu_);
    drop_if_old(std::chrono::steady_clock::now());
}

void EscrowSealer::drop_if_old(std::chrono::steady_clock::time_point now) noexcept {
    if (session_ && now - started_ >= max_age_) {
        session_.reset();
    }
}

Result<LinkKeys> make_link_keys(const keys::SymmetricKey& pepper, EscrowSealer& escrow) {
    constexpr std::size_t kIdBytes = std::tuple_size_v<EnvelopeId>;
    // Id, DEK and token from one draw of the RNG: each call costs a lock, a fork check (a
    // getpid syscall) and a DRBG update, a few microseconds with the caches cold after an fsync.
    SP_TRY(fresh, crypto::random_bytes(kIdBytes + crypto::kKeyLen + kTokenBytes));
    const auto part = [&](std::size_t off, std::size_t len) {
        return crypto::SecretBytes(fresh.begin() + static_cast<std::ptrdiff_t>(off),
                                   fresh.begin() + static_cast<std::ptrdiff_t>(off + len));
    };
    LinkKeys k;
    std::copy_n(fresh.begin(), kIdBytes, k.id.begin());
    k.dek = part(kIdBytes, crypto::kKeyLen);
    k.token = token_of(part(kIdBytes + crypto::kKeyLen, kTokenBytes));
    k.lookup = link_lookup(pepper, k.token.bytes);
    SP_TRY(kek, link_kek(k.token.bytes, k.id));
    SP_TRY(wrapped, crypto::aead_seal(kek, labelled_aad(kWrapAad, k.id), k.dek));
    k.wrapped_dek = std::move(wrapped);
    SP_TRY(escrowed, escrow.seal(labelled_aad(kEscrowAad, k.id), k.dek));
    k.escrow_dek = std::move(escrowed);
    return k;
}

}  // namespace sealpost::vault
