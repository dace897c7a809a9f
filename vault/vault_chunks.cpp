// SPDX-License-Identifier: Apache-2.0
// The documents' chunks in the engine's `documents` table (vault_chunks.hpp): key envelope id ||
// document index || chunk index (vault_records), value the sealed chunk.
#include "vault/vault_chunks.hpp"

#include <vector>

#include "vault/vault_records.hpp"

namespace sealpost::vault {

namespace {

class TableChunks final : public ChunkStore {
  public:
    Result<std::span<std::uint8_t>> chunk_reserve(kv::Txn& txn, const EnvelopeId& id,
                                                  std::uint32_t di, std::uint32_t ci,
                                                  std::size_t size) override {
        return txn.reserve(kv::Table::documents, records::chunk_key(id, di, ci), size);
    }
    Result<std::optional<crypto::ByteView>> chunk_get(kv::Txn& txn, const EnvelopeId& id,
                                                      std::uint32_t di, std::uint32_t ci) override {
        return txn.get(kv::Table::documents, records::chunk_key(id, di, ci));
    }
    Result<std::uint64_t> chunks_delete(kv::Txn& txn, const EnvelopeId& id) override {
        // Collect first, delete after: deleting by key sidesteps cursor repositioning rules.
        std::vector<crypto::Bytes> keys;
        {
            SP_TRY(cur, kv::Cursor::open(txn, kv::Table::documents));
            SP_TRY(e, cur.seek(id));
            while (e && kv::has_prefix(e->key, id)) {
                keys.emplace_back(e->key.begin(), e->key.end());
                SP_TRY(n, cur.next());
                e = n;
            }
        }
        for (const auto& k : keys) {
            SP_TRY(gone, txn.del(kv::Table::documents, k));
            (void)gone;
        }
        return static_cast<std::uint64_t>(keys.size());
    }
};

}  // namespace

std::unique_ptr<ChunkStore> chunk_store_table() {
    return std::make_unique<TableChunks>();
}

}  // namespace sealpost::vault
