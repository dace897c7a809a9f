// SPDX-License-Identifier: Apache-2.0
// The blob side of the vault: where the documents' encrypted 64 KiB chunks live, behind three
// calls, so that another blob store (an S3-compatible one) can take them over without touching
// the envelopes, links, audit or code guards. Today they are rows of the engine's `documents`
// table, written and read in the caller's transaction (vault_chunks.cpp).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>

#include "core/core_result.hpp"
#include "vault/vault.hpp"
#include "vault/vault_kv.hpp"

namespace sealpost::vault {

class ChunkStore {
  public:
    virtual ~ChunkStore() = default;
    /** Space for chunk `ci` of document `di` of envelope `id`: `size` bytes that the caller
     * fills before its next call on `txn` (kv::Txn::reserve). Errors: as kv::Txn::put. */
    virtual Result<std::span<std::uint8_t>> chunk_reserve(kv::Txn& txn, const EnvelopeId& id,
                                                          std::uint32_t di, std::uint32_t ci,
                                                          std::size_t size) = 0;
    /** The ciphertext of a chunk, or std::nullopt; valid as kv::Txn::get's views.
     * Errors: Errc::io, Errc::unavailable. */
    virtual Result<std::optional<crypto::ByteView>> chunk_get(kv::Txn& txn, const EnvelopeId& id,
                                                              std::uint32_t di,
                                                              std::uint32_t ci) = 0;
    /// Delete every chunk of envelope `id`; returns how many. Errors: Errc::io.
    virtual Result<std::uint64_t> chunks_delete(kv::Txn& txn, const EnvelopeId& id) = 0;
};

/// The chunks as rows of the engine's `documents` table.
std::unique_ptr<ChunkStore> chunk_store_table();

}  // namespace sealpost::vault
