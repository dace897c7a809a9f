// SPDX-License-Identifier: Apache-2.0
// Constant-time comparison on OpenSSL's CRYPTO_memcmp.
#include "crypto/crypto_compare.hpp"

#include <openssl/crypto.h>

namespace sealpost::crypto {

bool ct_equal(ByteView a, ByteView b) noexcept {
    if (a.size() != b.size()) {
        return false;
    }
    if (a.empty()) {
        return true;
    }
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace sealpost::crypto
