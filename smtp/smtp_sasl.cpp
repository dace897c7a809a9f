// SPDX-License-Identifier: Apache-2.0
// Strict base64 and SASL PLAIN parsing for AUTH (RFC 4954, 4616, 4648).
#include "smtp/smtp_sasl.hpp"

namespace sealpost::smtp {

namespace {
constexpr std::string_view alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int value_of(char c) {
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}
}  // namespace

std::string base64_encode(std::string_view in) {
    std::string out;
    out.reserve((in.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 2 < in.size(); i += 3) {
        const unsigned v = (static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16U) |
                           (static_cast<unsigned>(static_cast<unsigned char>(in[i + 1])) << 8U) |
                           static_cast<unsigned>(static_cast<unsigned char>(in[i + 2]));
        out += alphabet[(v >> 18U) & 63U];
        out += alphabet[(v >> 12U) & 63U];
        out += alphabet[(v >> 6U) & 63U];
        out += alphabet[v & 63U];
    }
    if (i + 1 == in.size()) {
        const unsigned v = static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16U;
        out += alphabet[(v >> 18U) & 63U];
        out += alphabet[(v >> 12U) & 63U];
        out += "==";
    } else if (i + 2 == in.size()) {
        const unsigned v = (static_cast<unsigned>(static_cast<unsigned char>(in[i])) << 16U) |
                           (static_cast<unsigned>(static_cast<unsigned char>(in[i + 1])) << 8U);
        out += alphabet[(v >> 18U) & 63U];
        out += alphabet[(v >> 12U) & 63U];
        out += alphabet[(v >> 6U) & 63U];
        out += '=';
    }
    return out;
}

Result<crypto::Secret> base64_decode(std::string_view in) {
    if (in.size() % 4 != 0) {
        return make_error(Errc::invalid_argument, "base64 length");
    }
    crypto::Secret out;
    out.str().reserve(in.size() / 4 * 3);
    for (std::size_t i = 0; i < in.size(); i += 4) {
        const bool last = i + 4 == in.size();
        int v[4];
        int pad = 0;
        for (std::size_t j = 0; j < 4; ++j) {
            const char c = in[i + j];
            if (c == '=' && last && j >= 2) {
                v[j] = 0;
                ++pad;
                continue;
            }
            if (pad > 0) {
                return make_error(Errc::invalid_argument, "base64 padding");
            }
            v[j] = value_of(c);
            if (v[j] < 0) {
                return make_error(Errc::invalid_argument, "base64 character");
            }
        }
        const unsigned n = (static_cast<unsigned>(v[0]) << 18U) |
                           (static_cast<unsigned>(v[1]) << 12U) |
                           (static_cast<unsigned>(v[2]) << 6U) | static_cast<unsigned>(v[3]);
        // Non-zero bits under the padding mean a non-canonical encoding (RFC 4648 3.5).
        if ((pad == 1 && (n & 0xffU) != 0) || (pad == 2 && (n & 0xffffU) != 0)) {
            return make_error(Errc::invalid_argument, "base64 trailing bits");
        }
        out.str() += static_cast<char>((n >> 16U) & 0xffU);
        if (pad < 2) {
            out.str() += static_cast<char>((n >> 8U) & 0xffU);
        }
        if (pad < 1) {
            out.str() += static_cast<char>(n & 0xffU);
        }
    }
    return out;
}

Result<PlainCredentials> parse_plain(std::string_view decoded) {
    const auto a = decoded.find('\0');
    if (a == std::string_view::npos) {
        return make_error(Errc::invalid_argument, "PLAIN without NUL");
    }
    const auto b = decoded.find('\0', a + 1);
    if (b == std::string_view::npos || decoded.find('\0', b + 1) != std::string_view::npos) {
        return make_error(Errc::invalid_argument, "PLAIN field count");
    }
    PlainCredentials c;
    c.authzid = std::string(decoded.substr(0, a));
    c.authcid = std::string(decoded.substr(a + 1, b - a - 1));
    c.password = crypto::Secret(std::string(decoded.substr(b + 1)));
    if (c.authcid.empty() || c.password.empty()) {
        return make_error(Errc::invalid_argument, "PLAIN empty field");
    }
    return c;
}

}  // namespace sealpost::smtp
