// Link key material for new envelopes (see vault_linkkeys.hpp): made inline or ahead of time
// by the pool's background thread.
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

Result<FreshToken> fresh_token() {
    SP_TRY(bytes, crypto::random_bytes(kTokenBytes));
    std::string text = crypto::base64url_encode(bytes);
    FreshToken t{std::move(bytes), crypto::SecretString(text.begin(), text.end())};
    crypto::secure_wipe(text.data(), text.size());
    return t;
}

Result<LinkKeys> make_link_keys(const keys::SymmetricKey& pepper, crypto::ByteView escrow_public) {
    LinkKeys k;
    SP_CHECK(crypto::random_fill(k.id));
    SP_TRY(dek, crypto::random_bytes(crypto::kKeyLen));
    k.dek = std::move(dek);
    SP_TRY(token, fresh_token());
    k.token = std::move(token);
    k.lookup = link_lookup(pepper, k.token.bytes);
    SP_TRY(kek, link_kek(k.token.bytes, k.id));
    SP_TRY(wrapped, crypto::aead_seal(kek, labelled_aad(kWrapAad, k.id), k.dek));
    k.wrapped_dek = std::move(wrapped);
    SP_TRY(escrowed, crypto::seal_to(escrow_public, labelled_aad(kEscrowAad, k.id), k.dek));
    k.escrow_dek = std::move(escrowed);
    return k;
}

LinkKeyPool::LinkKeyPool(keys::SymmetricKey pepper, crypto::Bytes escrow_public, std::size_t depth)
    : pepper_(std::move(pepper)),
      escrow_public_(std::move(escrow_public)),
      depth_(depth),
      wanted_(depth),
      worker_([this] { run(); }) {}

LinkKeyPool::~LinkKeyPool() {
    {
        std::lock_guard lock(mu_);
        stop_ = true;
    }
    cv_.notify_all();
    worker_.join();
}

Result<LinkKeys> LinkKeyPool::take() {
    {
        std::lock_guard lock(mu_);
        if (!ready_.empty()) {
            LinkKeys k = std::move(ready_.front());
            ready_.pop_front();
            return k;
        }
    }
    return make_link_keys(pepper_, escrow_public_);
}

void LinkKeyPool::kick() {
    {
        std::lock_guard lock(mu_);
        wanted_ = std::min(wanted_ + 1, depth_);
    }
    cv_.notify_one();
}

void LinkKeyPool::run() {
    std::unique_lock lock(mu_);
    for (;;) {
        cv_.wait(lock, [this] { return stop_ || (wanted_ > 0 && ready_.size() < depth_); });
        if (stop_) {
            return;
        }
        --wanted_;
        lock.unlock();
        auto k = make_link_keys(pepper_, escrow_public_);  // crypto without the lock
        lock.lock();
        if (!k) {
            // RNG or key failure: take() computes inline and reports the error; retry later
            // rather than spin.
            cv_.wait_for(lock, std::chrono::seconds(1), [this] { return stop_; });
            if (stop_) {
                return;
            }
            ++wanted_;
            continue;
        }
        ready_.push_back(std::move(k).value());
    }
}

}  // namespace sealpost::vault
