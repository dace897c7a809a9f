// SPDX-License-Identifier: Apache-2.0
// Wiping secrets from memory with OPENSSL_cleanse, and the move of a self-wiping Secret.
#include "crypto/crypto_secret.hpp"

#include <openssl/crypto.h>

namespace sealpost::crypto {

void secure_wipe(void* p, std::size_t n) noexcept {
    if (p != nullptr && n != 0) {
        OPENSSL_cleanse(p, n);
    }
}

void wipe(std::string& s) noexcept {
    secure_wipe(s.data(), s.size());
    s.clear();
}

Secret& Secret::operator=(Secret&& o) noexcept {
    if (this != &o) {
        clear();
        s_ = std::move(o.s_);
        o.clear();
    }
    return *this;
}

}  // namespace sealpost::crypto
