// Tests for the vault's primitives: RFC 4231 / 5869 / 7748 vectors, AEAD and chunk tampering,
// sealing to the escrow key, encodings.
#include <catch2/catch.hpp>

#include <string>

#include "vault/vault_crypto.hpp"

using namespace sealpost;
using namespace sealpost::crypto;

namespace {

Bytes hex(std::string_view h) {
    auto r = hex_decode(h);
    REQUIRE(r.ok());
    return std::move(r).value();
}

Bytes fill(std::size_t n, std::uint8_t v) {
    return Bytes(n, v);
}

Bytes range(std::uint8_t from, std::uint8_t to) {  // inclusive
    Bytes b;
    for (unsigned i = from; i <= to; ++i) {
        b.push_back(static_cast<std::uint8_t>(i));
    }
    return b;
}

std::string hex_of(ByteView v) {
    return hex_encode(v);
}

Bytes to_bytes(const SecretBytes& s) {
    return Bytes(s.begin(), s.end());
}

}  // namespace

TEST_CASE("HMAC-SHA256 matches RFC 4231 test vectors") {
    CHECK(hex_of(hmac_sha256(fill(20, 0x0b), as_bytes("Hi There"))) ==
          "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
    CHECK(hex_of(hmac_sha256(as_bytes("Jefe"), as_bytes("what do ya want for nothing?"))) ==
          "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    CHECK(hex_of(hmac_sha256(fill(20, 0xaa), fill(50, 0xdd))) ==
          "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe");
    CHECK(hex_of(hmac_sha256(range(0x01, 0x19), fill(50, 0xcd))) ==
          "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b");
    CHECK(hex_of(hmac_sha256(fill(131, 0xaa),
                             as_bytes("Test Using Larger Than Block-Size Key - Hash Key First"))) ==
          "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
    CHECK(hex_of(hmac_sha256(
              fill(131, 0xaa),
              as_bytes("This is a test using a larger than block-size key and a larger than "
                       "block-size data. The key needs to be hashed before being used by the "
                       "HMAC algorithm."))) ==
          "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2");
}

TEST_CASE("HMAC-SHA256 accepts an empty key and empty data") {
    // HMAC_SHA256("", "") — a well-known value.
    CHECK(hex_of(hmac_sha256({}, {})) ==
          "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad");
}

TEST_CASE("HKDF-SHA256 matches RFC 5869 test vectors") {
    SECTION("test case 1") {
        auto okm = hkdf_sha256(fill(22, 0x0b), range(0x00, 0x0c), range(0xf0, 0xf9), 42);
        REQUIRE(okm.ok());
        CHECK(
            hex_of(*okm) ==
            "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865");
    }
    SECTION("test case 2: long inputs") {
        auto okm = hkdf_sha256(range(0x00, 0x4f), range(0x60, 0xaf), range(0xb0, 0xff), 82);
        REQUIRE(okm.ok());
        CHECK(hex_of(*okm) ==
              "b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c"
              "59045a99cac7827271cb41c65e590e09da3275600c2f09b8367793a9aca3db71"
              "cc30c58179ec3e87c14c01d5c1f3434f1d87");
    }
    SECTION("test case 3: empty salt and info") {
        auto okm = hkdf_sha256(fill(22, 0x0b), {}, {}, 42);
        REQUIRE(okm.ok());
        CHECK(
            hex_of(*okm) ==
            "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8");
    }
    SECTION("bad lengths are refused") {
        CHECK(hkdf_sha256(fill(22, 0x0b), {}, {}, 0).error().code == Errc::invalid_argument);
        CHECK(hkdf_sha256(fill(22, 0x0b), {}, {}, 255 * 32 + 1).error().code ==
              Errc::invalid_argument);
        CHECK(hkdf_sha256({}, {}, {}, 32).error().code == Errc::invalid_argument);
    }
}

TEST_CASE("X25519 matches RFC 7748 section 6.1") {
    const Bytes alice_priv =
        hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
    const Bytes bob_priv = hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
    const std::string alice_pub =
        "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a";
    const std::string bob_pub = "de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f";
    const std::string shared = "4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742";

    auto a = x25519_public_of(alice_priv);
    auto b = x25519_public_of(bob_priv);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(hex_of(*a) == alice_pub);
    CHECK(hex_of(*b) == bob_pub);

    auto s1 = x25519_shared(alice_priv, hex(bob_pub));
    auto s2 = x25519_shared(bob_priv, hex(alice_pub));
    REQUIRE(s1.ok());
    REQUIRE(s2.ok());
    CHECK(hex_of(*s1) == shared);
    CHECK(hex_of(*s2) == shared);

    CHECK(x25519_public_of(fill(31, 1)).error().code == Errc::key_error);
    // A low-order point gives an all-zero secret, which must be refused (RFC 7748 section 6.1).
    CHECK(x25519_shared(alice_priv, fill(32, 0)).error().code == Errc::key_error);
}

TEST_CASE("x25519_generate makes a consistent pair") {
    auto p = x25519_generate();
    REQUIRE(p.ok());
    CHECK(p->private_key.size() == 32);
    auto pub = x25519_public_of(p->private_key);
    REQUIRE(pub.ok());
    CHECK(*pub == p->public_key);
    auto q = x25519_generate();
    REQUIRE(q.ok());
    CHECK(q->public_key != p->public_key);
}

TEST_CASE("random bytes are fresh") {
    auto a = random_bytes(32);
    auto b = random_bytes(32);
    REQUIRE(a.ok());
    REQUIRE(b.ok());
    CHECK(a->size() == 32);
    CHECK(*a != *b);
    CHECK(random_bytes(0)->empty());
}

TEST_CASE("ct_equal compares contents and lengths") {
    const Bytes x = {1, 2, 3};
    const Bytes y = {1, 2, 3};
    const Bytes z = {1, 2, 4};
    const Bytes shorter = {1, 2};
    CHECK(ct_equal(x, y));
    CHECK_FALSE(ct_equal(x, z));
    CHECK_FALSE(ct_equal(x, shorter));
    CHECK(ct_equal({}, {}));
    CHECK_FALSE(ct_equal(x, {}));
}

TEST_CASE("base64url round trips and refuses bad input") {
    // RFC 4648 section 10 vectors, in the URL alphabet without padding.
    CHECK(base64url_encode(as_bytes("")) == "");
    CHECK(base64url_encode(as_bytes("f")) == "Zg");
    CHECK(base64url_encode(as_bytes("fo")) == "Zm8");
    CHECK(base64url_encode(as_bytes("foo")) == "Zm9v");
    CHECK(base64url_encode(as_bytes("foob")) == "Zm9vYg");
    CHECK(base64url_encode(as_bytes("fooba")) == "Zm9vYmE");
    CHECK(base64url_encode(as_bytes("foobar")) == "Zm9vYmFy");
    // The two characters that differ from standard base64: '-' (62) and '_' (63).
    const Bytes urlish = {0xfb, 0xff, 0xbf};
    CHECK(base64url_encode(urlish) == "-_-_");

    Bytes all;
    for (unsigned i = 0; i < 256; ++i) {
        all.push_back(static_cast<std::uint8_t>(i));
    }
    for (std::size_t n = 0; n <= all.size(); n += 37) {
        const ByteView v(all.data(), n);
        auto d = base64url_decode(base64url_encode(v));
        REQUIRE(d.ok());
        CHECK(to_bytes(*d) == Bytes(v.begin(), v.end()));
    }
    // A 32-byte token is 43 characters.
    CHECK(base64url_encode(fill(32, 7)).size() == 43);

    auto foob = base64url_decode("Zm9vYg");
    REQUIRE(foob.ok());
    CHECK(to_bytes(*foob) == Bytes{'f', 'o', 'o', 'b'});

    CHECK(base64url_decode("Zm9vYg==").error().code == Errc::invalid_argument);  // padding
    CHECK(base64url_decode("Zm9v+g").error().code == Errc::invalid_argument);    // std alphabet
    CHECK(base64url_decode("Zm9v/g").error().code == Errc::invalid_argument);
    CHECK(base64url_decode("Zm9vY").error().code == Errc::invalid_argument);  // 4k+1 length
    CHECK(base64url_decode("Zm 9v").error().code == Errc::invalid_argument);
    CHECK(base64url_decode(std::string("Zm\0v", 4)).error().code == Errc::invalid_argument);
    CHECK(base64url_decode("Zh").error().code == Errc::invalid_argument);  // non-zero pad bits
    CHECK(base64url_decode("Zm9").error().code == Errc::invalid_argument);
}

TEST_CASE("hex round trips and refuses bad input") {
    const Bytes b = {0x00, 0x01, 0xab, 0xff};
    CHECK(hex_encode(b) == "0001abff");
    CHECK(hex("0001ABff") == b);
    CHECK(hex_decode("").value().empty());
    CHECK(hex_decode("abc").error().code == Errc::invalid_argument);
    CHECK(hex_decode("zz").error().code == Errc::invalid_argument);
    CHECK(hex_decode("0g").error().code == Errc::invalid_argument);
}

TEST_CASE("aead_seal / aead_open round trip and tampering") {
    const Bytes key = fill(32, 0x42);
    const auto aad = as_bytes("envelope-meta");
    const auto pt = as_bytes("Rechnung Tarif 590, Patientin M.");
    auto sealed = aead_seal(key, aad, pt);
    REQUIRE(sealed.ok());
    REQUIRE(sealed->size() == kNonceLen + pt.size() + kTagLen);
    // The plaintext does not appear in the output.
    CHECK(std::string(sealed->begin(), sealed->end()).find("Rechnung") == std::string::npos);

    auto opened = aead_open(key, aad, *sealed);
    REQUIRE(opened.ok());
    CHECK(to_bytes(*opened) == Bytes(pt.begin(), pt.end()));

    // Two seals of the same plaintext differ (fresh nonce).
    auto again = aead_seal(key, aad, pt);
    REQUIRE(again.ok());
    CHECK(*again != *sealed);

    SECTION("every flipped byte fails") {
        for (std::size_t i = 0; i < sealed->size(); ++i) {
            Bytes t = *sealed;
            t[i] ^= 0x01;
            auto r = aead_open(key, aad, t);
            REQUIRE_FALSE(r.ok());
            CHECK(r.error().code == Errc::auth_failed);
        }
    }
    SECTION("wrong AAD fails") {
        CHECK(aead_open(key, as_bytes("envelope-metb"), *sealed).error().code == Errc::auth_failed);
        CHECK(aead_open(key, {}, *sealed).error().code == Errc::auth_failed);
    }
    SECTION("wrong key fails") {
        CHECK(aead_open(fill(32, 0x43), aad, *sealed).error().code == Errc::auth_failed);
    }
    SECTION("short input fails") {
        CHECK(aead_open(key, aad, ByteView(sealed->data(), kNonceLen + kTagLen - 1)).error().code ==
              Errc::auth_failed);
        CHECK(aead_open(key, aad, {}).error().code == Errc::auth_failed);
        CHECK(aead_open(key, aad, ByteView(sealed->data(), sealed->size() - 1)).error().code ==
              Errc::auth_failed);
    }
    SECTION("wrong key size is invalid_argument") {
        CHECK(aead_seal(fill(16, 1), aad, pt).error().code == Errc::invalid_argument);
        CHECK(aead_open(fill(31, 1), aad, *sealed).error().code == Errc::invalid_argument);
    }
    SECTION("empty plaintext") {
        auto e = aead_seal(key, aad, {});
        REQUIRE(e.ok());
        CHECK(e->size() == kNonceLen + kTagLen);
        auto d = aead_open(key, aad, *e);
        REQUIRE(d.ok());
        CHECK(d->empty());
    }
}

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

TEST_CASE("secure_wipe zeroes memory") {
    Bytes b = fill(64, 0xee);
    secure_wipe(b.data(), b.size());
    CHECK(b == Bytes(64, 0));
    secure_wipe(nullptr, 0);
}
