// SPDX-License-Identifier: Apache-2.0
// Byte buffer types shared by every crypto function: owned bytes, read-only views, and the view
// of a string's bytes. Header-only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace sealpost::crypto {

/// AES-256, HMAC-SHA256 and X25519 key length.
inline constexpr std::size_t kKeyLen = 32;

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

inline ByteView as_bytes(std::string_view s) noexcept {
    return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};  // NOLINT
}

}  // namespace sealpost::crypto
