// SPDX-License-Identifier: Apache-2.0
// Local authentication (auth = local): a users file of `user:$scrypt$ln=15,r=8,p=1$SALT$HASH`
// lines, checked with OpenSSL's EVP_KDF "SCRYPT" (RFC 7914) and a constant-time compare, each
// with the sender addresses the login may use (proxy_senders.hpp).
//
// File format, one account per line; `#` starts a comment line, blank lines are ignored:
//   name:$scrypt$ln=<log2 N>,r=<r>,p=<p>$<salt, base64>$<derived key, base64>[:SENDERS]
// ln 10..20, r 1..32, p 1..16, salt 16..64 bytes, key 32..64 bytes, base64 per RFC 4648 with
// padding. `sealpost-proxy --hash-password` reads a password on stdin and prints such a hash.
// SENDERS: comma-separated addresses and `@domain`s the login may send from (MAIL FROM and
// From:/Sender:), e.g. `:mpa@praxis.ch, info@praxis.ch` or `:@praxis.ch`. Without it, a login
// that is an address may send from that address only, and any other login from none.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "core/core_result.hpp"
#include "proxy/proxy_senders.hpp"

namespace sealpost::proxy {

struct ScryptHash {
    unsigned ln = 15;
    unsigned r = 8;
    unsigned p = 1;
    std::string salt;
    std::string key;
};

/// Parses `$scrypt$ln=..,r=..,p=..$salt$key`. Errc::invalid_argument when malformed or out of
/// range.
Result<ScryptHash> parse_scrypt_hash(std::string_view text);
/// The hash line for `password` with a fresh 16-byte random salt.
Result<std::string> make_scrypt_hash(std::string_view password, unsigned ln = 15, unsigned r = 8,
                                     unsigned p = 1);
/// scrypt(password, salt, N = 2^ln, r, p) with `len` output bytes.
Result<std::string> scrypt_derive(std::string_view password, std::string_view salt, unsigned ln,
                                  unsigned r, unsigned p, std::size_t len);

class UserDb {
  public:
    /// Reads and validates the users file. Throws std::runtime_error naming the file and line
    /// (startup, SIGHUP), and refuses a file readable by group or others.
    static UserDb load(const std::filesystem::path& file);
    /// Parses users-file text (tests).
    static Result<UserDb> parse(std::string_view text);

    /// True when the password matches. Takes about the same time for unknown users (a dummy
    /// hash is computed) so a client cannot probe for names.
    [[nodiscard]] bool verify(std::string_view user, std::string_view password) const;
    [[nodiscard]] std::size_t size() const noexcept { return users_.size(); }
    /// The sender addresses of `user`; nullptr for an unknown user.
    [[nodiscard]] const SenderRules* senders(std::string_view user) const;

  private:
    struct Account {
        ScryptHash hash;
        SenderRules senders;
    };
    std::map<std::string, Account, std::less<>> users_;
    ScryptHash dummy_;
};

}  // namespace sealpost::proxy
