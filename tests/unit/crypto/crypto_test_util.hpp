// SPDX-License-Identifier: Apache-2.0
// Helpers for the crypto/ and vault/ crypto tests: byte vectors from hex and ranges.
#pragma once

#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <string_view>

#include "core/core_hex.hpp"
#include "crypto/crypto_bytes.hpp"
#include "crypto/crypto_secret.hpp"

namespace sealpost::crypto::test {

inline Bytes unhex(std::string_view h) {
    auto r = hex::decode(h);
    REQUIRE(r.ok());
    return std::move(r).value();
}

inline Bytes fill(std::size_t n, std::uint8_t v) {
    return Bytes(n, v);
}

inline Bytes range(std::uint8_t from, std::uint8_t to) {  // inclusive
    Bytes b;
    for (unsigned i = from; i <= to; ++i) {
        b.push_back(static_cast<std::uint8_t>(i));
    }
    return b;
}

inline std::string hex_of(ByteView v) {
    return hex::encode(v);
}

inline Bytes to_bytes(const SecretBytes& s) {
    return Bytes(s.begin(), s.end());
}

}  // namespace sealpost::crypto::test
