// SPDX-License-Identifier: Apache-2.0
// Hex encoding and decoding, and the value of one hex digit.
#include "core/core_hex.hpp"

namespace sealpost::hex {

std::string encode(std::span<const std::uint8_t> data) {
    std::string out;
    out.reserve(data.size() * 2);
    for (const std::uint8_t b : data) {
        append(out, b);
    }
    return out;
}

Result<std::vector<std::uint8_t>> decode(std::string_view text) {
    if (text.size() % 2 != 0) {
        return make_error(Errc::invalid_argument, "hex: odd length");
    }
    std::vector<std::uint8_t> out(text.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int hi = digit_value(text[2 * i]);
        const int lo = digit_value(text[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return make_error(Errc::invalid_argument, "hex: invalid character");
        }
        out[i] = static_cast<std::uint8_t>((hi << 4) | lo);
    }
    return out;
}

int digit_value(char ch) noexcept {
    if (ch >= '0' && ch <= '9') {
        return ch - '0';
    }
    if (ch >= 'a' && ch <= 'f') {
        return ch - 'a' + 10;
    }
    if (ch >= 'A' && ch <= 'F') {
        return ch - 'A' + 10;
    }
    return -1;
}

}  // namespace sealpost::hex
