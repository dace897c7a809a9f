// SPDX-License-Identifier: Apache-2.0
// base64url (RFC 4648 section 5) without padding, with a branch-free, table-free alphabet.
#include "crypto/crypto_base64url.hpp"

namespace sealpost::crypto {
namespace {

// Constant-time base64url alphabet mapping (no table lookups, no branches on the value), so
// decoding a token or a key file leaks nothing through cache timing. C++20 defines >> on
// negative ints as arithmetic, which these masks rely on.
char b64_char(unsigned v6) noexcept {
    const int v = static_cast<int>(v6);
    int diff = 'A';
    diff += ((25 - v) >> 8) & 6;   // 26..51 -> 'a'..
    diff -= ((51 - v) >> 8) & 75;  // 52..61 -> '0'..
    diff -= ((61 - v) >> 8) & 13;  // 62     -> '-'
    diff += ((62 - v) >> 8) & 49;  // 63     -> '_'
    return static_cast<char>(v + diff);
}
/// 0..63, or -1 for a character outside the base64url alphabet.
int b64_value(char ch) noexcept {
    const int c = static_cast<unsigned char>(ch);
    int r = -1;
    r += (((64 - c) & (c - 91)) >> 8) & (c - 64);   // 'A'..'Z'
    r += (((96 - c) & (c - 123)) >> 8) & (c - 70);  // 'a'..'z'
    r += (((47 - c) & (c - 58)) >> 8) & (c + 5);    // '0'..'9'
    r += (((44 - c) & (c - 46)) >> 8) & 63;         // '-'
    r += (((94 - c) & (c - 96)) >> 8) & 64;         // '_'
    return r;
}

}  // namespace

std::string base64url_encode(ByteView data) {
    std::string out;
    out.reserve((data.size() * 4 + 2) / 3);
    std::size_t i = 0;
    for (; i + 3 <= data.size(); i += 3) {
        const unsigned v = (unsigned{data[i]} << 16) | (unsigned{data[i + 1]} << 8) | data[i + 2];
        out += b64_char((v >> 18) & 63U);
        out += b64_char((v >> 12) & 63U);
        out += b64_char((v >> 6) & 63U);
        out += b64_char(v & 63U);
    }
    const std::size_t rest = data.size() - i;
    if (rest == 1) {
        const unsigned v = unsigned{data[i]} << 16;
        out += b64_char((v >> 18) & 63U);
        out += b64_char((v >> 12) & 63U);
    } else if (rest == 2) {
        const unsigned v = (unsigned{data[i]} << 16) | (unsigned{data[i + 1]} << 8);
        out += b64_char((v >> 18) & 63U);
        out += b64_char((v >> 12) & 63U);
        out += b64_char((v >> 6) & 63U);
    }
    return out;
}

Result<SecretBytes> base64url_decode(std::string_view text) {
    // A length of 4k+1 cannot come from any byte string. The length is not secret, the
    // characters are: errors are accumulated and checked once at the end.
    if (text.size() % 4 == 1) {
        return make_error(Errc::invalid_argument, "base64url: bad length");
    }
    SecretBytes out;
    out.reserve(text.size() / 4 * 3 + 2);
    int bad = 0;
    unsigned acc = 0;
    int bits = 0;
    for (const char ch : text) {
        const int v = b64_value(ch);
        bad |= v;  // -1 sets the sign bit
        acc = ((acc << 6) | (static_cast<unsigned>(v) & 63U)) & 0xFFFFFFU;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<std::uint8_t>(acc >> bits));
        }
    }
    // RFC 4648 section 3.5: the unused low bits of the last character must be zero, so each
    // byte string has exactly one encoding.
    const unsigned leftover = acc & ((1U << bits) - 1U);
    if (bad < 0 || leftover != 0) {
        return make_error(Errc::invalid_argument, "base64url: invalid character or encoding");
    }
    return out;
}

}  // namespace sealpost::crypto
