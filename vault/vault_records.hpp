// SPDX-License-Identifier: Apache-2.0
// Binary encoding of the vault's LMDB records and keys. Every value starts with a version byte;
// decoding is bounds-checked and returns Errc::corrupt for anything malformed or left over.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/core_result.hpp"
#include "vault/vault.hpp"
#include "vault/vault_crypto.hpp"

namespace sealpost::vault::records {

using crypto::Bytes;
using crypto::ByteView;
using crypto::SecretBytes;

inline constexpr std::uint8_t kVersion = 1;
inline constexpr std::size_t kLookupLen = 32;  ///< HMAC-SHA256(pepper, token)
using LookupId = std::array<std::uint8_t, kLookupLen>;

/// Public facts about one stored document (clear text in the envelope record).
struct DocRecord {
    std::uint64_t size = 0;
    std::uint32_t chunks = 0;
    std::array<std::uint8_t, 8> nonce_prefix{};
};

/** `envelopes` value, keyed by the 16-byte envelope id. A tombstone keeps state, times and
 * `lookup` (to answer 410 and to delete the link later); its docs and blobs are empty.
 *
 *   u8 version | u8 state | i64 created, sent, expires, retain_until, purged_at
 *   | lookup[32] | u64 total_size | u32 n | n x (u64 size, u32 chunks, nonce_prefix[8])
 *   | str link_key_id | blob wrapped_dek | str escrow_key_id | blob escrow_dek | blob meta
 * (integers big-endian; str and blob are u32 length + bytes)
 */
struct EnvelopeRecord {
    EnvelopeState state = EnvelopeState::pending;
    std::int64_t created_at = 0;
    std::int64_t sent_at = 0;
    std::int64_t expires_at = 0;
    std::int64_t retain_until = 0;
    std::int64_t purged_at = 0;
    LookupId lookup{};
    std::uint64_t total_size = 0;
    std::vector<DocRecord> docs;
    std::string link_key_id;    ///< pepper id used for `lookup`
    Bytes wrapped_dek;          ///< aead_seal(HKDF(token), aad, DEK)
    std::string escrow_key_id;  ///< escrow pair id the DEK is sealed to
    Bytes escrow_dek;           ///< seal_to(escrow.pub, aad, DEK)
    Bytes sealed_meta;          ///< aead_seal(DEK, aad, encode_meta(...))

    [[nodiscard]] bool is_tombstone() const noexcept {
        return state == EnvelopeState::revoked || state == EnvelopeState::purged;
    }
};

Bytes encode_envelope(const EnvelopeRecord& r);
Result<EnvelopeRecord> decode_envelope(ByteView v);

/// Personal metadata plaintext (encrypted under the DEK before storage):
///   u8 version | str recipient, phone, sender, subject, language | u32 n | n x (str name, str
///   type)
SecretBytes encode_meta(const EnvelopeMeta& m);
/// Fills names and types; DocumentInfo comes from the envelope record. Errors: Errc::corrupt.
Result<EnvelopeMeta> decode_meta(ByteView plain);

/// `links` value: u8 version | envelope id[16].
Bytes encode_link(const EnvelopeId& id);
Result<EnvelopeId> decode_link(ByteView v);

/// `audit` value: u8 version | i64 at | u8 kind | u8 has_doc | u32 doc | u8 has_ip | ip[8].
Bytes encode_audit(const AuditEvent& e);
/// `seq` is taken from the key. Errors: Errc::corrupt (also for an unknown kind).
Result<AuditEvent> decode_audit(ByteView key, ByteView v);

/// Contact plaintext: u8 version | str email | str phone | str language.
SecretBytes encode_contact(const Contact& c);
Result<Contact> decode_contact(ByteView plain);

/// `contacts` value: u8 version | str key_id | blob sealed.
struct ContactRecord {
    std::string key_id;
    Bytes sealed;
};
Bytes encode_contact_record(const ContactRecord& r);
Result<ContactRecord> decode_contact_record(ByteView v);

// ---- keys ------------------------------------------------------------------------------

/// `documents` key: envelope id || doc index (u32 BE) || chunk index (u32 BE).
using ChunkKey = std::array<std::uint8_t, 24>;
ChunkKey chunk_key(const EnvelopeId& id, std::uint32_t doc, std::uint32_t chunk);
/// `audit` key: envelope id || seq (u64 BE).
using AuditKey = std::array<std::uint8_t, 24>;
AuditKey audit_key(const EnvelopeId& id, std::uint64_t seq);
/// The envelope id at the start of a chunk or audit key. Errors: Errc::corrupt if too short.
Result<EnvelopeId> id_of_key(ByteView key);

/// Big-endian helpers shared with the AAD builders.
void put_u32(std::uint8_t* out, std::uint32_t v) noexcept;
void put_u64(std::uint8_t* out, std::uint64_t v) noexcept;
std::uint64_t get_u64(const std::uint8_t* in) noexcept;

}  // namespace sealpost::vault::records
