// SPDX-License-Identifier: Apache-2.0
// Sha256: EVP digest in pieces (see crypto_sha256.hpp).
#include "crypto/crypto_sha256.hpp"

namespace sealpost::crypto {

Result<Sha256> Sha256::make() {
    ossl::MdCtx md(EVP_MD_CTX_new());
    if (!md || EVP_DigestInit_ex(md.get(), EVP_sha256(), nullptr) != 1) {
        return make_error(Errc::internal, "sha-256 unavailable");
    }
    return Sha256(std::move(md));
}

Status Sha256::update(std::string_view piece) {
    if (EVP_DigestUpdate(md_.get(), piece.data(), piece.size()) != 1) {
        return make_error(Errc::internal, "sha-256 failed");
    }
    return {};
}

Result<Sha256::Digest> Sha256::finish() {
    Digest d{};
    unsigned len = 0;
    if (EVP_DigestFinal_ex(md_.get(), d.data(), &len) != 1 || len != d.size()) {
        return make_error(Errc::internal, "sha-256 failed");
    }
    return d;
}

}  // namespace sealpost::crypto
