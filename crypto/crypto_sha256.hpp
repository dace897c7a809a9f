// SPDX-License-Identifier: Apache-2.0
// SHA-256 over data that arrives in pieces (FIPS 180-4): for comparing contents that are
// never held whole, such as a MIME part decoded a piece at a time (mime/mime_scan.hpp).
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "core/core_openssl.hpp"
#include "core/core_result.hpp"

namespace sealpost::crypto {

class Sha256 {
  public:
    using Digest = std::array<std::uint8_t, 32>;
    /// Errors: Errc::internal (OpenSSL has no SHA-256).
    static Result<Sha256> make();
    /// Errors: Errc::internal.
    Status update(std::string_view piece);
    /// The digest of everything updated so far; the object is spent after it.
    Result<Digest> finish();

  private:
    explicit Sha256(ossl::MdCtx md) : md_(std::move(md)) {}
    ossl::MdCtx md_;
};

}  // namespace sealpost::crypto
