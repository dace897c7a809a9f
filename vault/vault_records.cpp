// SPDX-License-Identifier: Apache-2.0
// Binary record encoding for the vault (see vault_records.hpp), on the big-endian writer and
// bounds-checked reader of vault_codec.hpp.
#include "vault/vault_records.hpp"

#include <algorithm>
#include <cstring>
#include <limits>
#include <string_view>

#include "vault/vault_codec.hpp"

namespace sealpost::vault::records {
namespace {

// A record never holds more than this many documents or a string longer than this; anything
// bigger is corruption (and keeps a damaged length from allocating gigabytes).
constexpr std::uint32_t kMaxDocs = 100000;

Status check_version(Reader& r, std::string_view what) {
    if (r.u8() != kVersion || r.failed()) {
        return make_error(Errc::corrupt, std::string("unknown version of ") + std::string(what));
    }
    return {};
}

bool valid_state(std::uint8_t s) noexcept {
    return s >= 1 && s <= 4;
}
bool valid_kind(std::uint8_t k) noexcept {
    return k >= 1 && k <= static_cast<std::uint8_t>(AuditKind::code_called);
}

}  // namespace

void put_u32(std::uint8_t* out, std::uint32_t v) noexcept {
    for (int i = 3; i >= 0; --i) {
        out[i] = static_cast<std::uint8_t>(v & 0xFFU);
        v >>= 8;
    }
}

void put_u64(std::uint8_t* out, std::uint64_t v) noexcept {
    for (int i = 7; i >= 0; --i) {
        out[i] = static_cast<std::uint8_t>(v & 0xFFU);
        v >>= 8;
    }
}

std::uint64_t get_u64(const std::uint8_t* in) noexcept {
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) {
        v = (v << 8) | in[i];
    }
    return v;
}

Bytes encode_envelope(const EnvelopeRecord& r) {
    Writer<Bytes> w;
    w.u8(kVersion);
    w.u8(static_cast<std::uint8_t>(r.state));
    w.i64(r.created_at);
    w.i64(r.sent_at);
    w.i64(r.expires_at);
    w.i64(r.retain_until);
    w.i64(r.purged_at);
    w.raw(r.lookup);
    w.u64(r.total_size);
    w.u32(static_cast<std::uint32_t>(r.docs.size()));
    for (const DocRecord& d : r.docs) {
        w.u64(d.size);
        w.u32(d.chunks);
        w.raw(d.nonce_prefix);
    }
    w.str(r.link_key_id);
    w.blob(r.wrapped_dek);
    w.str(r.escrow_key_id);
    w.blob(r.escrow_dek);
    w.blob(r.sealed_meta);
    return w.take();
}

Result<EnvelopeRecord> decode_envelope(ByteView v) {
    Reader rd(v);
    SP_CHECK(check_version(rd, "envelope record"));
    EnvelopeRecord r;
    const std::uint8_t state = rd.u8();
    if (!valid_state(state)) {
        return make_error(Errc::corrupt, "envelope record: bad state");
    }
    r.state = static_cast<EnvelopeState>(state);
    r.created_at = rd.i64();
    r.sent_at = rd.i64();
    r.expires_at = rd.i64();
    r.retain_until = rd.i64();
    r.purged_at = rd.i64();
    rd.fixed(r.lookup);
    r.total_size = rd.u64();
    const std::uint32_t n = rd.u32();
    if (n > kMaxDocs) {
        return make_error(Errc::corrupt, "envelope record: document count");
    }
    std::uint64_t sum = 0;
    for (std::uint32_t i = 0; i < n && !rd.failed(); ++i) {
        DocRecord d;
        d.size = rd.u64();
        d.chunks = rd.u32();
        rd.fixed(d.nonce_prefix);
        // Chunk count must match the size: ceil(size / 64 KiB), and 1 for an empty document.
        const std::uint64_t want =
            d.size == 0 ? 1 : (d.size + crypto::kChunkSize - 1) / crypto::kChunkSize;
        if (d.chunks != want) {
            rd.fail();
        }
        sum += d.size;
        r.docs.push_back(d);
    }
    r.link_key_id = rd.str();
    ByteView wrapped = rd.blob();
    r.wrapped_dek.assign(wrapped.begin(), wrapped.end());
    r.escrow_key_id = rd.str();
    ByteView escrow = rd.blob();
    r.escrow_dek.assign(escrow.begin(), escrow.end());
    ByteView meta = rd.blob();
    r.sealed_meta.assign(meta.begin(), meta.end());
    SP_CHECK(rd.finish("envelope record"));
    if (sum != r.total_size) {
        return make_error(Errc::corrupt, "envelope record: sizes disagree");
    }
    return r;
}

SecretBytes encode_meta(const EnvelopeMeta& m) {
    Writer<SecretBytes> w;
    w.u8(kVersion);
    w.str(m.recipient);
    w.str(m.phone_e164);
    w.str(m.sender);
    w.str(m.subject);
    w.str(m.language);
    w.u32(static_cast<std::uint32_t>(m.documents.size()));
    for (const auto& d : m.documents) {
        w.str(d.file_name);
        w.str(d.content_type);
    }
    return w.take();
}

Result<EnvelopeMeta> decode_meta(ByteView plain) {
    Reader rd(plain);
    SP_CHECK(check_version(rd, "metadata"));
    EnvelopeMeta m;
    m.recipient = rd.str();
    m.phone_e164 = rd.str();
    m.sender = rd.str();
    m.subject = rd.str();
    m.language = rd.str();
    const std::uint32_t n = rd.u32();
    if (n > kMaxDocs) {
        return make_error(Errc::corrupt, "metadata: document count");
    }
    for (std::uint32_t i = 0; i < n && !rd.failed(); ++i) {
        EnvelopeMeta::Document d;
        d.file_name = rd.str();
        d.content_type = rd.str();
        d.info.index = i;
        m.documents.push_back(std::move(d));
    }
    SP_CHECK(rd.finish("metadata"));
    return m;
}

Bytes encode_link(const EnvelopeId& id) {
    Writer<Bytes> w;
    w.u8(kVersion);
    w.raw(id);
    return w.take();
}

Result<EnvelopeId> decode_link(ByteView v) {
    Reader rd(v);
    SP_CHECK(check_version(rd, "link record"));
    EnvelopeId id{};
    rd.fixed(id);
    SP_CHECK(rd.finish("link record"));
    return id;
}

Bytes encode_audit(const AuditEvent& e) {
    Writer<Bytes> w;
    w.u8(kVersion);
    w.i64(e.at);
    w.u8(static_cast<std::uint8_t>(e.kind));
    w.u8(e.doc_index ? 1 : 0);
    w.u32(e.doc_index.value_or(0));
    w.u8(e.ip_hash ? 1 : 0);
    w.raw(e.ip_hash.value_or(IpHash{}));
    return w.take();
}

Result<AuditEvent> decode_audit(ByteView key, ByteView v) {
    if (key.size() != 24) {
        return make_error(Errc::corrupt, "audit key length");
    }
    Reader rd(v);
    SP_CHECK(check_version(rd, "audit record"));
    AuditEvent e;
    e.seq = get_u64(key.data() + 16);
    e.at = rd.i64();
    const std::uint8_t kind = rd.u8();
    const std::uint8_t has_doc = rd.u8();
    const std::uint32_t doc = rd.u32();
    const std::uint8_t has_ip = rd.u8();
    IpHash ip{};
    rd.fixed(ip);
    SP_CHECK(rd.finish("audit record"));
    if (!valid_kind(kind) || has_doc > 1 || has_ip > 1) {
        return make_error(Errc::corrupt, "audit record: bad field");
    }
    e.kind = static_cast<AuditKind>(kind);
    if (has_doc == 1) {
        e.doc_index = doc;
    }
    if (has_ip == 1) {
        e.ip_hash = ip;
    }
    return e;
}

SecretBytes encode_contact(const Contact& c) {
    Writer<SecretBytes> w;
    w.u8(kVersion);
    w.str(c.email);
    w.str(c.phone_e164);
    w.str(c.language);
    return w.take();
}

Result<Contact> decode_contact(ByteView plain) {
    Reader rd(plain);
    SP_CHECK(check_version(rd, "contact"));
    Contact c;
    c.email = rd.str();
    c.phone_e164 = rd.str();
    c.language = rd.str();
    SP_CHECK(rd.finish("contact"));
    return c;
}

Bytes encode_contact_record(const ContactRecord& r) {
    Writer<Bytes> w;
    w.u8(kVersion);
    w.str(r.key_id);
    w.blob(r.sealed);
    return w.take();
}

Result<ContactRecord> decode_contact_record(ByteView v) {
    Reader rd(v);
    SP_CHECK(check_version(rd, "contact record"));
    ContactRecord r;
    r.key_id = rd.str();
    ByteView sealed = rd.blob();
    r.sealed.assign(sealed.begin(), sealed.end());
    SP_CHECK(rd.finish("contact record"));
    return r;
}

ChunkKey chunk_key(const EnvelopeId& id, std::uint32_t doc, std::uint32_t chunk) {
    ChunkKey k{};
    std::copy(id.begin(), id.end(), k.begin());
    put_u32(k.data() + 16, doc);
    put_u32(k.data() + 20, chunk);
    return k;
}

AuditKey audit_key(const EnvelopeId& id, std::uint64_t seq) {
    AuditKey k{};
    std::copy(id.begin(), id.end(), k.begin());
    put_u64(k.data() + 16, seq);
    return k;
}

Result<EnvelopeId> id_of_key(ByteView key) {
    if (key.size() < 16) {
        return make_error(Errc::corrupt, "key shorter than an envelope id");
    }
    EnvelopeId id{};
    std::copy(key.begin(), key.begin() + 16, id.begin());
    return id;
}

}  // namespace sealpost::vault::records
