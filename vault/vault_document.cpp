// SPDX-License-Identifier: Apache-2.0
// Document download: a reader that decrypts one chunk per short read transaction, so a slow
// download never pins LMDB pages, and that detects modified, reordered or missing chunks.
#include <algorithm>
#include <string>
#include <utility>

#include "vault/vault_impl.hpp"

namespace sealpost::vault {

struct DocumentReader::State {
    std::shared_ptr<Vault::Impl> impl;
    EnvelopeId id{};
    DocumentInfo info;
    std::array<std::uint8_t, 8> nonce_prefix{};
    crypto::SecretBytes dek;
    std::uint32_t next_chunk = 0;
    std::uint64_t delivered = 0;
    bool done = false;
    std::optional<Error> failed;

    Result<std::optional<crypto::SecretBytes>> fail(Error e) {
        failed = e;
        return e;
    }
};

DocumentReader::DocumentReader(std::unique_ptr<State> s) : s_(std::move(s)) {}
DocumentReader::DocumentReader(DocumentReader&&) noexcept = default;
DocumentReader& DocumentReader::operator=(DocumentReader&&) noexcept = default;
DocumentReader::~DocumentReader() = default;

const DocumentInfo& DocumentReader::info() const noexcept {
    return s_->info;
}

Result<std::optional<crypto::SecretBytes>> DocumentReader::next() {
    State& st = *s_;
    if (st.failed) {
        return *st.failed;
    }
    if (st.done) {
        return std::optional<crypto::SecretBytes>{};
    }
    Vault::Impl& im = *st.impl;
    const std::uint32_t index = st.next_chunk;
    const bool last = index + 1 == st.info.chunks;
    crypto::ChunkContext ctx;
    ctx.dek = st.dek;
    ctx.envelope_id = st.id;
    ctx.doc_index = st.info.index;
    ctx.nonce_prefix = st.nonce_prefix;
    crypto::SecretBytes plain;
    {
        // One short reader per chunk: decrypt straight from the map (no ciphertext copy; the
        // AEAD takes microseconds) and end the transaction before the chunk goes to a
        // (possibly slow) client.
        SP_TRY(txn, im.read());
        SP_TRY(raw, im.chunks->chunk_get(txn, st.id, st.info.index, index));
        if (!raw) {
            SP_TRY(rec, im.load(txn, st.id));
            if (!rec || rec->is_tombstone()) {
                return st.fail(make_error(Errc::revoked, "envelope gone during download"));
            }
            return st.fail(make_error(Errc::corrupt, "document chunk missing"));
        }
        if (raw->size() < crypto::kTagLen) {
            return st.fail(make_error(Errc::corrupt, "document chunk too short"));
        }
        plain.resize(raw->size() - crypto::kTagLen);
        if (Status opened = crypto::chunk_open_into(ctx, index, last, *raw, plain); !opened) {
            return st.fail(make_error(opened.error().code, "document chunk fails authentication"));
        }
    }
    // Sizes are in clear in the record; the AEAD already binds order and the last flag, this
    // catches a record whose size was edited.
    if ((!last && plain.size() != crypto::kChunkSize) ||
        (last && st.delivered + plain.size() != st.info.size)) {
        return st.fail(make_error(Errc::corrupt, "document chunk size does not match"));
    }
    st.delivered += plain.size();
    ++st.next_chunk;
    if (last) {
        st.done = true;
        if (plain.empty()) {
            return std::optional<crypto::SecretBytes>{};
        }
    }
    return std::optional<crypto::SecretBytes>{std::move(plain)};
}

Result<DocumentReader> Vault::document_reader(const OpenedEnvelope& opened,
                                              std::uint32_t doc_index) {
    Impl& im = *impl_;
    const EnvelopeId& id = opened.summary.id;
    std::optional<records::EnvelopeRecord> rec;
    {
        SP_TRY(txn, im.read());
        SP_TRY(loaded, im.load(txn, id));
        rec = std::move(loaded);
    }
    if (!rec || rec->is_tombstone()) {
        return make_error(Errc::revoked, "envelope gone");
    }
    if (doc_index >= rec->docs.size()) {
        return make_error(Errc::not_found, "no such document");
    }
    if (im.now() >= rec->expires_at) {
        return make_error(Errc::expired, "link expired");
    }
    if (opened.dek.size() != crypto::kKeyLen) {
        return make_error(Errc::invalid_argument, "opened envelope without a data key");
    }
    auto st = std::make_unique<DocumentReader::State>();
    st->impl = impl_;
    st->id = id;
    st->info = {doc_index, rec->docs[doc_index].size, rec->docs[doc_index].chunks};
    st->nonce_prefix = rec->docs[doc_index].nonce_prefix;
    st->dek = opened.dek;
    return DocumentReader(std::move(st));
}

}  // namespace sealpost::vault
