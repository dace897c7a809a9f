// SPDX-License-Identifier: Apache-2.0
// HKDF-SHA256 (RFC 5869) written on the cached HMAC-SHA256 of crypto_hmac.
#include "crypto/crypto_hkdf.hpp"

#include <algorithm>
#include <cstdint>
#include <span>

#include "crypto/crypto_hmac.hpp"
#include "crypto/crypto_ossl.hpp"

namespace sealpost::crypto {

Result<SecretBytes> hkdf_sha256(ByteView ikm, ByteView salt, ByteView info, std::size_t len) {
    // RFC 5869 section 2.3: L <= 255 * HashLen. An empty IKM is refused, as OpenSSL 3.0's HKDF
    // did before: every caller has a key to derive from, so an empty one is a bug.
    if (len == 0 || len > std::size_t{255} * 32 || ikm.empty()) {
        return make_error(Errc::invalid_argument, "hkdf: empty ikm or bad output length");
    }
    // RFC 5869 on the cached HMAC (crypto_hmac): OpenSSL 3.0's HKDF fetches HMAC and SHA256 by name
    // on every derive. Section 2.2: an absent salt is HashLen zero bytes, which HMAC's zero padding
    // makes the same as an empty one.
    SecretBytes prk(32);
    if (!hmac_sha256_parts(salt, {ikm}, std::span<std::uint8_t, 32>(prk.data(), 32))) {
        return detail::ossl_fail(Errc::internal, "hkdf extract");
    }
    // Section 2.3: T(i) = HMAC(PRK, T(i-1) || info || i), OKM = the first L octets of T(1)...
    SecretBytes out(len);
    SecretBytes t(32);
    std::size_t done = 0;
    for (std::uint8_t i = 1; done < len; ++i) {
        const std::uint8_t counter[1] = {i};
        const ByteView prev = i == 1 ? ByteView{} : ByteView(t);
        if (!hmac_sha256_parts(prk, {prev, info, ByteView(counter, 1)},
                               std::span<std::uint8_t, 32>(t.data(), 32))) {
            return detail::ossl_fail(Errc::internal, "hkdf expand");
        }
        const std::size_t n = std::min<std::size_t>(32, len - done);
        std::copy_n(t.begin(), n, out.begin() + static_cast<std::ptrdiff_t>(done));
        done += n;
    }
    return out;
}

}  // namespace sealpost::crypto
