// SPDX-License-Identifier: Apache-2.0
// Secrets kept in files (`*_file` keys of sealpost.toml: the SMS gateway's key, the Twilio
// token): the one reader that checks the file before it trusts it and keeps the value in wiped
// memory. Used by the portal's SMS providers and by `sealpost config check`.
#pragma once

#include <filesystem>
#include <string_view>

#include "core/core_result.hpp"
#include "crypto/crypto_secret.hpp"

namespace sealpost::crypto {

/// A secret file is at most this large (a token, an API key, base64 of user:password).
inline constexpr std::size_t kMaxSecretFile = 4096;

/** The secret in `path`: the file's first line without its line end and trailing blanks.
 * The file must be a regular file, not a symlink, and no one but its owner may have any access
 * to it (mode & 077 == 0: 0600 or 0400), as documented for every `*_file` key.
 * Errors (detail `KEY PATH: why`, never the content): Errc::key_error for missing, symlink,
 * not a regular file, too open (with the mode, "chmod 600 it"), empty, too large or holding
 * control characters; Errc::io when it cannot be opened, stat'ed or read. */
Result<Secret> read_secret_file(const std::filesystem::path& path, std::string_view key);

}  // namespace sealpost::crypto
