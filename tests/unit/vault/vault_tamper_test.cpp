// SPDX-License-Identifier: Apache-2.0
// Tampering at rest: records edited directly in LMDB (flipped bytes, swapped, dropped or
// transplanted chunks, damaged records) must fail authentication, never return wrong bytes.
#include <string>

#include "vault/vault_records.hpp"
#include "vault_test_fixture.hpp"

namespace sealpost::vault::test {
namespace {

struct Created {
    EnvelopeId id{};
    std::string token;
    Bytes content;
};

Created create_one(Fixture& fx, std::size_t size, std::uint32_t seed) {
    auto v = fx.open();
    Created c;
    c.content = pattern(size, seed);
    auto link = v.envelope_create(sample_input({{"doc.pdf", "application/pdf", c.content}}));
    REQUIRE(link);
    c.id = link->id;
    c.token.assign(link->token.begin(), link->token.end());
    return c;
}

Bytes get_raw(kv::Txn& txn, kv::Table dbi, crypto::ByteView key) {
    auto v = txn.get(dbi, key);
    REQUIRE(v);
    REQUIRE(v->has_value());
    return Bytes((*v)->begin(), (*v)->end());
}

/// Open with the token and read document 0; returns the error code of the read.
Errc read_error(Fixture& fx, const Created& c) {
    auto v = fx.open();
    auto opened = v.envelope_open(c.token);
    REQUIRE(opened);
    auto r = read_document(v, *opened, 0);
    REQUIRE_FALSE(r);
    return r.error().code;
}

TEST_CASE("a flipped ciphertext byte fails authentication", "[vault][tamper]") {
    Fixture fx;
    const Created c = create_one(fx, 3 * 65536 + 10, 1);
    with_raw(fx.opts, [&](kv::Txn& txn, const RawDbs& d) {
        const auto key = records::chunk_key(c.id, 0, 1);
        Bytes val = get_raw(txn, d.documents, key);
        val[100] ^= 0x01;
        REQUIRE(txn.put(d.documents, key, val));
    });
    CHECK(read_error(fx, c) == Errc::auth_failed);
}

TEST_CASE("swapped chunks fail authentication", "[vault][tamper]") {
    Fixture fx;
    const Created c = create_one(fx, 3 * 65536, 2);
    with_raw(fx.opts, [&](kv::Txn& txn, const RawDbs& d) {
        const auto k0 = records::chunk_key(c.id, 0, 0);
        const auto k1 = records::chunk_key(c.id, 0, 1);
        const Bytes v0 = get_raw(txn, d.documents, k0);
        const Bytes v1 = get_raw(txn, d.documents, k1);
        REQUIRE(txn.put(d.documents, k0, v1));
        REQUIRE(txn.put(d.documents, k1, v0));
    });
    CHECK(read_error(fx, c) == Errc::auth_failed);
}

TEST_CASE("a deleted last chunk is detected", "[vault][tamper]") {
    Fixture fx;
    const Created c = create_one(fx, 2 * 65536 + 5, 3);
    with_raw(fx.opts, [&](kv::Txn& txn, const RawDbs& d) {
        auto gone = txn.del(d.documents, records::chunk_key(c.id, 0, 2));
        REQUIRE(gone);
        REQUIRE(*gone);
    });
    CHECK(read_error(fx, c) == Errc::corrupt);
}

TEST_CASE("a truncated document with an edited size record fails authentication",
          "[vault][tamper]") {
    // The attacker drops the last chunk and rewrites the clear size and chunk count so the
    // record looks consistent: the new "last" chunk was sealed as not-last.
    Fixture fx;
    const Created c = create_one(fx, 2 * 65536 + 5, 4);
    with_raw(fx.opts, [&](kv::Txn& txn, const RawDbs& d) {
        REQUIRE(txn.del(d.documents, records::chunk_key(c.id, 0, 2)));
        auto rec = records::decode_envelope(get_raw(txn, d.envelopes, c.id));
        REQUIRE(rec);
        rec->docs[0].size = 2 * 65536;
        rec->docs[0].chunks = 2;
        rec->total_size = 2 * 65536;
        REQUIRE(txn.put(d.envelopes, c.id, records::encode_envelope(*rec)));
    });
    CHECK(read_error(fx, c) == Errc::auth_failed);
}

TEST_CASE("chunks copied into another envelope fail authentication", "[vault][tamper]") {
    Fixture fx;
    const Created a = create_one(fx, 65536 + 100, 5);
    const Created b = create_one(fx, 65536 + 100, 6);
    with_raw(fx.opts, [&](kv::Txn& txn, const RawDbs& d) {
        for (std::uint32_t i = 0; i < 2; ++i) {
            const Bytes from_a = get_raw(txn, d.documents, records::chunk_key(a.id, 0, i));
            REQUIRE(txn.put(d.documents, records::chunk_key(b.id, 0, i), from_a));
        }
        // Even with A's nonce prefix copied too, B's id in the AAD (and B's DEK) differ.
        auto ra = records::decode_envelope(get_raw(txn, d.envelopes, a.id));
        auto rb = records::decode_envelope(get_raw(txn, d.envelopes, b.id));
        REQUIRE(ra);
        REQUIRE(rb);
        rb->docs[0].nonce_prefix = ra->docs[0].nonce_prefix;
        REQUIRE(txn.put(d.envelopes, b.id, records::encode_envelope(*rb)));
    });
    CHECK(read_error(fx, b) == Errc::auth_failed);
    // A itself is untouched and still reads.
    auto v = fx.open();
    auto opened = v.envelope_open(a.token);
    REQUIRE(opened);
    CHECK(read_document(v, *opened, 0).value() == a.content);
}

TEST_CASE("damaged metadata, wrapped key or record never opens", "[vault][tamper]") {
    Fixture fx;
    const Created c = create_one(fx, 1000, 7);
    Bytes original;
    with_raw(fx.opts, [&](kv::Txn& txn, const RawDbs& d) {
        original = get_raw(txn, d.envelopes, c.id);
        auto rec = records::decode_envelope(original);
        REQUIRE(rec);
        rec->sealed_meta[20] ^= 0x80;
        REQUIRE(txn.put(d.envelopes, c.id, records::encode_envelope(*rec)));
    });
    {
        auto v = fx.open();
        auto r = v.envelope_open(c.token);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == Errc::auth_failed);
    }
    with_raw(fx.opts, [&](kv::Txn& txn, const RawDbs& d) {
        auto rec = records::decode_envelope(original);
        REQUIRE(rec);
        rec->wrapped_dek[13] ^= 0x01;
        REQUIRE(txn.put(d.envelopes, c.id, records::encode_envelope(*rec)));
    });
    {
        auto v = fx.open();
        auto r = v.envelope_open(c.token);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == Errc::bad_token);
    }
    with_raw(fx.opts, [&](kv::Txn& txn, const RawDbs& d) {
        const Bytes cut(original.begin(), original.end() - 3);
        REQUIRE(txn.put(d.envelopes, c.id, cut));
    });
    {
        auto v = fx.open();
        auto r = v.envelope_open(c.token);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == Errc::corrupt);
        auto listed = v.envelope_list(ListFilter::all);
        REQUIRE_FALSE(listed);
        CHECK(listed.error().code == Errc::corrupt);
    }
}

TEST_CASE("record decoding is bounds-checked", "[vault][records]") {
    records::EnvelopeRecord rec;
    rec.created_at = 5;
    rec.docs.push_back({70000, 2, {}});
    rec.total_size = 70000;
    rec.wrapped_dek = Bytes(60, 1);
    const Bytes good = records::encode_envelope(rec);
    REQUIRE(records::decode_envelope(good));
    for (std::size_t cut = 0; cut < good.size(); ++cut) {
        CAPTURE(cut);
        auto r = records::decode_envelope(crypto::ByteView(good.data(), cut));
        REQUIRE_FALSE(r);
        CHECK(r.error().code == Errc::corrupt);
    }
    Bytes bad_version = good;
    bad_version[0] = 2;
    CHECK(records::decode_envelope(bad_version).error().code == Errc::corrupt);
    Bytes trailing = good;
    trailing.push_back(0);
    CHECK(records::decode_envelope(trailing).error().code == Errc::corrupt);
    rec.docs[0].chunks = 3;  // disagrees with the size
    CHECK(records::decode_envelope(records::encode_envelope(rec)).error().code == Errc::corrupt);
}

TEST_CASE("a truncated data.mdb is refused at open, not read past its end",
          "[vault][tamper][lmdb]") {
    Fixture fx;
    create_one(fx, 300000, 31);
    const fs::path data = fx.opts.dir / "data.mdb";
    const auto size = fs::file_size(data);
    // Cut inside the pages the last commit names: LMDB would SIGBUS reading them via the map.
    fs::resize_file(data, size / 2);
    auto v = Vault::open(fx.opts, fx.keys);
    REQUIRE_FALSE(v);
    CHECK(v.error().code == Errc::corrupt);
    CHECK(v.error().detail == data.string() + ": truncated (" + std::to_string(size / 2) +
                                  " bytes; its pages need " + std::to_string(size) + ")");
}

}  // namespace
}  // namespace sealpost::vault::test
