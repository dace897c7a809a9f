// SPDX-License-Identifier: Apache-2.0
// OpenSSL glue internal to crypto/: the error value of a failed call (the caller's words plus
// OpenSSL's error queue: library and reason, never key material) and the piece size for EVP
// calls that take an int length.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/core_openssl.hpp"
#include "core/core_result.hpp"

namespace sealpost::crypto::detail {

/// EVP and RAND calls take an int length; longer inputs are fed in pieces of this size.
inline constexpr std::size_t kMaxPiece = std::size_t{1} << 30;

inline Error ossl_fail(Errc code, std::string_view what) {
    return make_error(code, std::string(what) + ": " + ossl::take_error());
}

}  // namespace sealpost::crypto::detail
