// SPDX-License-Identifier: Apache-2.0
// The vault's key files (pepper, escrow pair, contacts key): made once by `sealpost keys init`,
// loaded by each process with only the keys it needs and refused when their permissions are unsafe.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "core/core_result.hpp"
#include "vault/vault_crypto.hpp"

namespace sealpost::keys {

/** @defgroup keyfiles Key files
 *
 * A key directory holds four files, each one line of text:
 *
 *     sealpost-key v1 <kind> <id> <base64url key>\n
 *
 * | file           | kind             | key                      | modes accepted     |
 * |----------------|------------------|--------------------------|--------------------|
 * | `pepper`       | `pepper`         | 32 random bytes          | 0600, 0640, 0400   |
 * | `escrow.pub`   | `escrow-public`  | X25519 public, 32 bytes  | 0600, 0640, 0400   |
 * | `escrow.key`   | `escrow-private` | X25519 private, 32 bytes | 0600, 0400         |
 * | `contacts.key` | `contacts`       | 32 random bytes          | 0600, 0400         |
 *
 * The key id is 8 lower-case hex characters: the first 4 bytes of
 * HMAC-SHA256(key = K, data = "sealpost-key-id v1"), where K is the key itself for `pepper`
 * and `contacts.key`, and the escrow *public* key for both escrow files (so the pair shares one
 * id). Being derived, the id is checked on load and doubles as a checksum of the key; being a
 * truncated MAC, it reveals nothing about a secret key. Every stored record names the id of the
 * key that wrapped it, so a later rotation can keep old keys next to new ones.
 * @{
 */

/// File names inside the key directory.
inline constexpr std::string_view kPepperFile = "pepper";
inline constexpr std::string_view kEscrowPublicFile = "escrow.pub";
inline constexpr std::string_view kEscrowPrivateFile = "escrow.key";
inline constexpr std::string_view kContactsFile = "contacts.key";

/// Which keys a process needs (bit flags, combine with |). The portal asks for
/// `pepper | escrow_public`, the proxy adds `contacts`, the admin CLI adds `escrow_private`.
enum KeyNeed : unsigned {
    pepper = 1,
    escrow_public = 2,
    escrow_private = 4,  ///< implies escrow_public: the pair is checked against escrow.pub
    contacts = 8,
};
inline constexpr unsigned kAllKeys = pepper | escrow_public | escrow_private | contacts;

/// A symmetric key with the id written next to it in its file.
struct SymmetricKey {
    crypto::SecretBytes key;  ///< 32 bytes; wiped when freed
    std::string id;           ///< 8 lower-case hex characters
};

/// The keys one process loaded. Members that were not asked for are empty (pepper,
/// escrow_public) or std::nullopt (escrow_pair, contacts); `loaded` says which are present.
/// A KeyRing owns its secrets and wipes them when destroyed; keep it no longer than needed
/// and do not copy it around (copies are wiped too, but each is one more place in memory).
struct KeyRing {
    unsigned loaded = 0;                               ///< KeyNeed bits actually loaded
    SymmetricKey pepper;                               ///< link lookup ids: HMAC(pepper, token)
    crypto::Bytes escrow_public;                       ///< 32 bytes, or empty
    std::string escrow_id;                             ///< id of the escrow pair, or empty
    std::optional<crypto::X25519KeyPair> escrow_pair;  ///< admin CLI only (resend, show)
    std::optional<SymmetricKey> contacts;              ///< contacts store key
};

/** Create a new key directory: `pepper`, `escrow.pub`, `escrow.key` and `contacts.key` with
 * fresh random keys.
 *
 * Creates `dir` (one level; the parent must exist) with mode 0700 if it is missing; an
 * existing directory keeps its mode. Each file is written with mode 0600 to a temporary file
 * (O_EXCL), fsync'ed, linked into place with link(2) — which, unlike rename(2), fails instead of
 * replacing an existing file, so keys are never overwritten even by a concurrent init — and the
 * directory is fsync'ed at the end. Deploy-time group permissions (0640 for `pepper` and
 * `escrow.pub`) are the packager's job.
 *
 * @return Errc::exists if any of the four files (or a symlink of that name) already exists;
 *   nothing is written then. Errc::io for filesystem errors (detail names the path and errno
 *   text), Errc::internal if the RNG fails. On error, files this call created are removed, so
 *   a failed init can simply be retried.
 */
Status keys_init(const std::filesystem::path& dir);

/** Load the key files named by `needs` (KeyNeed bits) from `dir`; files not asked for are
 * not opened, so they may be absent or unreadable for this process.
 *
 * Each file is opened with O_NOFOLLOW and checked with fstat before it is read:
 * - refused if it is a symlink or not a regular file;
 * - refused if any permission bit for "other" is set (mode & 007);
 * - `escrow.key` and `contacts.key` are also refused if any group bit is set (mode & 077);
 *   `pepper` and `escrow.pub` may be group-readable (0640) for the packaged multi-user layout.
 * The content must be exactly one line in the format above, with the kind matching the file,
 * a 32-byte key and the id that the key derives to. For `escrow_private`, the public key
 * derived from `escrow.key` must equal `escrow.pub` and the two ids must match.
 *
 * @return the KeyRing, or Errc::key_error with a detail naming the file (and its mode for a
 *   permission problem) but never its contents; Errc::invalid_argument for unknown bits in
 *   `needs`. `needs == 0` returns an empty KeyRing.
 * Thread-safe (no shared state); the returned KeyRing is owned by the caller.
 */
Result<KeyRing> keys_load(const std::filesystem::path& dir, unsigned needs);

/// True when none of the four key files exists in `dir` (a host that has not run `sealpost
/// keys init`): only then is "run keys init" the right advice after keys_load failed. For a
/// damaged or too open key it is not: new keys would leave every sealed envelope unreadable.
bool keys_absent(const std::filesystem::path& dir);

/// The key id of `key_material` as described above (8 lower-case hex characters).
std::string key_id(crypto::ByteView key_material);

/** @} */

}  // namespace sealpost::keys
