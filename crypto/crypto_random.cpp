// SPDX-License-Identifier: Apache-2.0
// Random bytes from OpenSSL's RAND_bytes, fed in int-sized pieces.
#include "crypto/crypto_random.hpp"

#include <algorithm>

#include <openssl/rand.h>

#include "crypto/crypto_ossl.hpp"

namespace sealpost::crypto {
Status random_fill(std::span<std::uint8_t> out) {
    std::size_t done = 0;
    while (done < out.size()) {
        const std::size_t piece = std::min(detail::kMaxPiece, out.size() - done);
        if (RAND_bytes(out.data() + done, static_cast<int>(piece)) != 1) {
            return detail::ossl_fail(Errc::internal, "RAND_bytes");
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

}  // namespace sealpost::crypto
