// SPDX-License-Identifier: Apache-2.0
// Tests for the vault's crypto formats: document chunks bound to their place, sealing to the
// escrow key.
#include <catch2/catch.hpp>

#include <string>

#include "crypto/crypto_test_util.hpp"
#include "vault/vault_crypto.hpp"

using namespace sealpost;
using namespace sealpost::crypto;
using namespace sealpost::crypto::test;

TEST_CASE("chunk_seal / chunk_open bind each chunk to its place") {
    const Bytes dek = fill(32, 0x11);
    const Bytes env = range(0x20, 0x2f);
    const Bytes env2 = range(0x21, 0x30);
    ChunkContext ctx{dek, env, 3, {1, 2, 3, 4, 5, 6, 7, 8}};

    Bytes big(kChunkSize);
    for (std::size_t i = 0; i < big.size(); ++i) {
        big[i] = static_cast<std::uint8_t>(i * 7);
    }
    const Bytes tail = {'e', 'n', 'd'};
    auto c0 = chunk_seal(ctx, 0, false, big);
    auto c1 = chunk_seal(ctx, 1, true, tail);
    REQUIRE(c0.ok());
    REQUIRE(c1.ok());
    CHECK(c0->size() == kChunkSize + kTagLen);
    CHECK(c1->size() == tail.size() + kTagLen);

    auto p0 = chunk_open(ctx, 0, false, *c0);
    auto p1 = chunk_open(ctx, 1, true, *c1);
    REQUIRE(p0.ok());
    REQUIRE(p1.ok());
    CHECK(to_bytes(*p0) == big);
    CHECK(to_bytes(*p1) == tail);

    // Deterministic given the context: same nonce and AAD give the same bytes.
    auto c1b = chunk_seal(ctx, 1, true, tail);
    REQUIRE(c1b.ok());
    CHECK(*c1b == *c1);

    SECTION("flipped byte") {
        Bytes t = *c0;
        t[1000] ^= 0x80;
        CHECK(chunk_open(ctx, 0, false, t).error().code == Errc::auth_failed);
        Bytes u = *c1;
        u.back() ^= 0x01;  // in the tag
        CHECK(chunk_open(ctx, 1, true, u).error().code == Errc::auth_failed);
    }
    SECTION("swapped chunk index") {
        CHECK(chunk_open(ctx, 1, false, *c0).error().code == Errc::auth_failed);
        CHECK(chunk_open(ctx, 0, true, *c1).error().code == Errc::auth_failed);
    }
    SECTION("last flag mismatch (truncation or extension)") {
        // Dropping chunk 1 makes chunk 0 the apparent last one.
        CHECK(chunk_open(ctx, 0, true, *c0).error().code == Errc::auth_failed);
        CHECK(chunk_open(ctx, 1, false, *c1).error().code == Errc::auth_failed);
    }
    SECTION("other envelope id") {
        ChunkContext other = ctx;
        other.envelope_id = env2;
        CHECK(chunk_open(other, 0, false, *c0).error().code == Errc::auth_failed);
    }
    SECTION("other doc index") {
        ChunkContext other = ctx;
        other.doc_index = 4;
        CHECK(chunk_open(other, 1, true, *c1).error().code == Errc::auth_failed);
    }
    SECTION("other nonce prefix or key") {
        ChunkContext other = ctx;
        other.nonce_prefix[7] ^= 1;
        CHECK(chunk_open(other, 1, true, *c1).error().code == Errc::auth_failed);
        const Bytes dek2 = fill(32, 0x12);
        other = ctx;
        other.dek = dek2;
        CHECK(chunk_open(other, 1, true, *c1).error().code == Errc::auth_failed);
    }
    SECTION("short input") {
        CHECK(chunk_open(ctx, 1, true, ByteView(c1->data(), kTagLen - 1)).error().code ==
              Errc::auth_failed);
    }
    SECTION("bad context sizes") {
        ChunkContext bad = ctx;
        bad.envelope_id = ByteView(env.data(), 15);
        CHECK(chunk_seal(bad, 0, true, tail).error().code == Errc::invalid_argument);
        bad = ctx;
        bad.dek = ByteView(dek.data(), 16);
        CHECK(chunk_open(bad, 1, true, *c1).error().code == Errc::invalid_argument);
    }
    SECTION("_into variants write the same bytes into caller buffers") {
        Bytes out(tail.size() + kTagLen);
        REQUIRE(chunk_seal_into(ctx, 1, true, tail, out).ok());
        CHECK(out == *c1);
        Bytes pt(tail.size());
        REQUIRE(chunk_open_into(ctx, 1, true, out, pt).ok());
        CHECK(pt == tail);
        Bytes wrong(tail.size() + kTagLen - 1);
        CHECK(chunk_seal_into(ctx, 1, true, tail, wrong).error().code == Errc::invalid_argument);
        CHECK(chunk_open_into(ctx, 1, true, out, wrong).error().code == Errc::invalid_argument);
        // On a tag failure the output holds no unauthenticated plaintext.
        Bytes bad = *c1;
        bad[0] ^= 1;
        Bytes got(tail.size(), 0xcc);
        CHECK(chunk_open_into(ctx, 1, true, bad, got).error().code == Errc::auth_failed);
        CHECK(got == Bytes(tail.size(), 0));
    }
    SECTION("one ChunkSealer for every chunk writes what a fresh context per chunk writes") {
        // The sealer keys its cipher context once and sets only the IV per chunk: a state left
        // over from one chunk would show as different bytes or a tag that fails.
        auto sealer = ChunkSealer::make(ctx);
        REQUIRE(sealer.ok());
        Bytes out0(kChunkSize + kTagLen);
        Bytes out1(tail.size() + kTagLen);
        Bytes out2(kTagLen);
        REQUIRE(sealer->seal_into(0, false, big, out0).ok());
        REQUIRE(sealer->seal_into(1, true, tail, out1).ok());
        REQUIRE(sealer->seal_into(2, true, {}, out2).ok());
        CHECK(out0 == *c0);
        CHECK(out1 == *c1);
        CHECK(out2 == chunk_seal(ctx, 2, true, {}).value());
        REQUIRE(chunk_open(ctx, 1, true, out1).ok());
        Bytes wrong(tail.size() + kTagLen + 1);
        CHECK(sealer->seal_into(1, true, tail, wrong).error().code == Errc::invalid_argument);
        ChunkContext bad = ctx;
        bad.dek = ByteView(dek.data(), 31);
        CHECK(ChunkSealer::make(bad).error().code == Errc::invalid_argument);
    }
    SECTION("empty final chunk") {
        auto e = chunk_seal(ctx, 2, true, {});
        REQUIRE(e.ok());
        CHECK(e->size() == kTagLen);
        auto d = chunk_open(ctx, 2, true, *e);
        REQUIRE(d.ok());
        CHECK(d->empty());
    }
}

TEST_CASE("seal_to / open_sealed round trip and wrong key") {
    auto escrow = x25519_generate();
    auto other = x25519_generate();
    REQUIRE(escrow.ok());
    REQUIRE(other.ok());
    const auto aad = as_bytes("env-0001");
    const Bytes dek = fill(32, 0x5a);

    auto sealed = seal_to(escrow->public_key, aad, dek);
    REQUIRE(sealed.ok());
    CHECK(sealed->size() == 32 + kNonceLen + dek.size() + kTagLen);
    auto opened = open_sealed(*escrow, aad, *sealed);
    REQUIRE(opened.ok());
    CHECK(to_bytes(*opened) == dek);

    CHECK(open_sealed(*other, aad, *sealed).error().code == Errc::auth_failed);
    CHECK(open_sealed(*escrow, as_bytes("env-0002"), *sealed).error().code == Errc::auth_failed);

    Bytes t = *sealed;
    t[5] ^= 1;  // ephemeral public key
    CHECK(open_sealed(*escrow, aad, t).error().code == Errc::auth_failed);
    t = *sealed;
    t.back() ^= 1;
    CHECK(open_sealed(*escrow, aad, t).error().code == Errc::auth_failed);
    // An all-zero (low-order) ephemeral key.
    t = *sealed;
    std::fill(t.begin(), t.begin() + 32, std::uint8_t{0});
    CHECK(open_sealed(*escrow, aad, t).error().code == Errc::auth_failed);
    CHECK(open_sealed(*escrow, aad, ByteView(sealed->data(), 59)).error().code ==
          Errc::auth_failed);

    CHECK(seal_to(fill(31, 9), aad, dek).error().code == Errc::key_error);
    CHECK(seal_to(fill(32, 0), aad, dek).error().code == Errc::key_error);  // low order
}
