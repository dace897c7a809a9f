// SPDX-License-Identifier: Apache-2.0
// Network values in the config: IP literals, CIDR networks, listen endpoints, URLs and host
// names. Strict on purpose: a typo in trusted_networks must not silently widen trust.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include "core/core_config.hpp"
#include "core/core_config_reader.hpp"

namespace sealpost {
namespace {

struct IpBytes {
    bool v6 = false;
    std::array<std::uint8_t, 16> bytes{};
};

// inet_pton accepts exactly dotted-quad IPv4 (no octal, no short forms) and RFC 4291 IPv6.
std::optional<IpBytes> parse_ip(std::string_view s) {
    if (s.empty() || s.size() > 45) {  // INET6_ADDRSTRLEN - 1
        return std::nullopt;
    }
    char buf[64] = {};
    std::memcpy(buf, s.data(), s.size());
    IpBytes ip;
    in_addr a4{};
    if (inet_pton(AF_INET, buf, &a4) == 1) {
        std::memcpy(ip.bytes.data(), &a4, 4);
        return ip;
    }
    in6_addr a6{};
    if (inet_pton(AF_INET6, buf, &a6) == 1) {
        ip.v6 = true;
        std::memcpy(ip.bytes.data(), &a6, 16);
        return ip;
    }
    return std::nullopt;
}

// ::ffff:a.b.c.d (RFC 4291 2.5.5.2) -> a.b.c.d, so IPv4 rules apply to dual-stack sockets.
IpBytes unmap(IpBytes ip) {
    static constexpr std::array<std::uint8_t, 12> kMapped{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (ip.v6 && std::equal(kMapped.begin(), kMapped.end(), ip.bytes.begin())) {
        IpBytes v4;
        std::copy(ip.bytes.begin() + 12, ip.bytes.end(), v4.bytes.begin());
        return v4;
    }
    return ip;
}

bool prefix_equal(const std::array<std::uint8_t, 16>& a, const std::array<std::uint8_t, 16>& b,
                  unsigned prefix) {
    const unsigned full = prefix / 8;
    for (unsigned i = 0; i < full; ++i) {
        if (a[i] != b[i]) {
            return false;
        }
    }
    const unsigned rest = prefix % 8;
    if (rest == 0) {
        return true;
    }
    const auto mask = static_cast<std::uint8_t>(0xffU << (8 - rest));
    return (a[full] & mask) == (b[full] & mask);
}

bool all_digits(std::string_view s) {
    return !s.empty() &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::optional<std::uint16_t> parse_port(std::string_view s) {
    if (!all_digits(s) || s.size() > 5) {
        return std::nullopt;
    }
    unsigned v = 0;
    for (char c : s) {
        v = v * 10 + static_cast<unsigned>(c - '0');
    }
    if (v > 65535) {
        return std::nullopt;
    }
    return static_cast<std::uint16_t>(v);
}

}  // namespace

bool Cidr::contains(std::string_view ip) const noexcept {
    auto parsed = parse_ip(ip);
    if (!parsed) {
        return false;
    }
    const IpBytes a = v6 ? *parsed : unmap(*parsed);
    if (a.v6 != v6) {
        return false;
    }
    return prefix_equal(a.bytes, bytes, prefix);
}

std::string Cidr::to_string() const {
    char buf[INET6_ADDRSTRLEN] = {};
    inet_ntop(v6 ? AF_INET6 : AF_INET, bytes.data(), buf, sizeof buf);
    return std::string(buf) + "/" + std::to_string(prefix);
}

std::optional<Cidr> parse_cidr(std::string_view text) noexcept {
    const auto slash = text.find('/');
    if (slash == std::string_view::npos) {
        return std::nullopt;
    }
    auto ip = parse_ip(text.substr(0, slash));
    const std::string_view len = text.substr(slash + 1);
    if (!ip || !all_digits(len) || len.size() > 3) {
        return std::nullopt;
    }
    unsigned prefix = 0;
    for (char c : len) {
        prefix = prefix * 10 + static_cast<unsigned>(c - '0');
    }
    if (prefix > (ip->v6 ? 128U : 32U)) {
        return std::nullopt;
    }
    Cidr c;
    c.v6 = ip->v6;
    c.bytes = ip->bytes;
    c.prefix = prefix;
    // Host bits must be zero: `10.0.0.1/8` is more likely a typo than a wish to trust 10/8.
    std::array<std::uint8_t, 16> masked{};
    for (unsigned bit = 0; bit < prefix; ++bit) {
        masked[bit / 8] = static_cast<std::uint8_t>(masked[bit / 8] | (0x80U >> (bit % 8)));
    }
    for (std::size_t i = 0; i < 16; ++i) {
        if ((c.bytes[i] & ~masked[i] & 0xffU) != 0) {
            return std::nullopt;
        }
    }
    return c;
}

bool is_ip_literal(std::string_view s) noexcept {
    return parse_ip(s).has_value();
}

bool is_loopback_ip(std::string_view s) noexcept {
    auto ip = parse_ip(s);
    if (!ip) {
        return false;
    }
    const IpBytes a = unmap(*ip);
    if (!a.v6) {
        return a.bytes[0] == 127;
    }
    static constexpr std::array<std::uint8_t, 16> kLoop6{0, 0, 0, 0, 0, 0, 0, 0,
                                                         0, 0, 0, 0, 0, 0, 0, 1};
    return a.bytes == kLoop6;
}

std::string Endpoint::to_string() const {
    if (address.find(':') != std::string::npos) {
        return "[" + address + "]:" + std::to_string(port);
    }
    return address + ":" + std::to_string(port);
}

namespace config_detail {

bool is_hostname(std::string_view s) {
    if (s.empty() || s.size() > 253) {
        return false;
    }
    std::size_t start = 0;
    while (start <= s.size()) {
        auto dot = s.find('.', start);
        if (dot == std::string_view::npos) {
            dot = s.size();
        }
        const std::string_view label = s.substr(start, dot - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
            return false;
        }
        for (char c : label) {
            if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-') {
                return false;
            }
        }
        start = dot + 1;
        if (dot == s.size()) {
            break;
        }
    }
    return true;
}

std::optional<Url> parse_url(std::string_view s) {
    const auto sep = s.find("://");
    if (sep == std::string_view::npos || sep == 0) {
        return std::nullopt;
    }
    Url u;
    for (char c : s.substr(0, sep)) {
        if (std::isalpha(static_cast<unsigned char>(c)) == 0) {
            return std::nullopt;
        }
        u.scheme += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    std::string_view rest = s.substr(sep + 3);
    if (rest.find_first_of("?#@") != std::string_view::npos) {
        return std::nullopt;  // no query, fragment, userinfo (credentials belong in files)
    }
    if (std::any_of(rest.begin(), rest.end(), [](char c) {
            const auto b = static_cast<unsigned char>(c);
            return b <= 0x20 || b == 0x7f;  // spaces and controls (RFC 3986 excludes both)
        })) {
        return std::nullopt;
    }
    const auto slash = rest.find('/');
    std::string_view authority = rest.substr(0, slash);
    if (slash != std::string_view::npos) {
        u.path = std::string(rest.substr(slash));
    }
    std::string_view port_text;
    bool has_port = false;
    if (!authority.empty() && authority.front() == '[') {
        const auto close = authority.find(']');
        if (close == std::string_view::npos) {
            return std::nullopt;
        }
        u.host = std::string(authority.substr(1, close - 1));
        auto ip = parse_ip(u.host);
        if (!ip || !ip->v6) {
            return std::nullopt;
        }
        const std::string_view after = authority.substr(close + 1);
        if (!after.empty()) {
            if (after.front() != ':') {
                return std::nullopt;
            }
            has_port = true;
            port_text = after.substr(1);
        }
    } else {
        const auto colon = authority.find(':');
        u.host = std::string(authority.substr(0, colon));
        if (colon != std::string_view::npos) {
            has_port = true;
            port_text = authority.substr(colon + 1);
        }
        if (!is_hostname(u.host) && !is_ip_literal(u.host)) {
            return std::nullopt;
        }
        if (u.host.find(':') != std::string::npos) {
            return std::nullopt;  // bare IPv6 needs brackets
        }
    }
    if (has_port) {
        auto p = parse_port(port_text);
        if (!p || *p == 0) {
            return std::nullopt;
        }
        u.port = *p;
    }
    return u;
}

std::optional<Endpoint> parse_endpoint(std::string_view s) {
    std::string_view host;
    std::string_view port;
    if (!s.empty() && s.front() == '[') {
        const auto close = s.find("]:");
        if (close == std::string_view::npos) {
            return std::nullopt;
        }
        host = s.substr(1, close - 1);
        port = s.substr(close + 2);
        if (host.find(':') == std::string_view::npos) {
            return std::nullopt;  // brackets only for IPv6
        }
    } else {
        const auto colon = s.rfind(':');
        if (colon == std::string_view::npos) {
            return std::nullopt;
        }
        host = s.substr(0, colon);
        port = s.substr(colon + 1);
        if (host.find(':') != std::string_view::npos) {
            return std::nullopt;  // IPv6 must be written [addr]:port
        }
    }
    auto p = parse_port(port);
    if (!p || !is_ip_literal(host)) {
        return std::nullopt;
    }
    return Endpoint{std::string(host), *p};
}

bool is_loopback_host(std::string_view host) {
    std::string lower;
    for (char c : host) {
        lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return lower == "localhost" || is_loopback_ip(host);
}

std::string system_hostname() {
    char buf[256] = {};
    if (gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') {
        return "localhost";
    }
    return std::string(buf);
}

}  // namespace config_detail
}  // namespace sealpost
