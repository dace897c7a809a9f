// SPDX-License-Identifier: Apache-2.0
// Constant-time comparison of secrets (MACs, derived keys, codes), so the time a comparison
// takes says nothing about where two values first differ.
#pragma once

#include "crypto/crypto_bytes.hpp"

namespace sealpost::crypto {

/// Constant-time equality; false when the lengths differ (length is not secret).
bool ct_equal(ByteView a, ByteView b) noexcept;

}  // namespace sealpost::crypto
