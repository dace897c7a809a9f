// SPDX-License-Identifier: Apache-2.0
// Vault store basics: document round trips, tokens, escrow (show, reissue), id prefixes,
// file modes, stats, and that nothing personal or secret is stored in clear.
#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <set>
#include <string>

#include "vault/vault_impl.hpp"
#include "vault/vault_linkkeys.hpp"
#include "vault_test_fixture.hpp"

namespace sealpost::vault::test {
namespace {

TEST_CASE("documents round trip byte for byte", "[vault]") {
    Fixture fx;
    auto v = fx.open();
    const std::size_t sizes[] = {0, 1, 64 * 1024, 64 * 1024 + 1, 5 * 1024 * 1024};
    for (std::size_t size : sizes) {
        CAPTURE(size);
        const Bytes content = pattern(size, static_cast<std::uint32_t>(size));
        auto link = v.envelope_create(sample_input({{"rechnung.pdf", "application/pdf", content}}));
        REQUIRE(link);
        CHECK(link->token.size() == 43);
        auto opened = v.envelope_open({link->token.data(), link->token.size()});
        REQUIRE(opened);
        CHECK_FALSE(opened->link_expired);
        REQUIRE(opened->meta.documents.size() == 1);
        CHECK(opened->meta.documents[0].file_name == "rechnung.pdf");
        CHECK(opened->meta.documents[0].content_type == "application/pdf");
        CHECK(opened->meta.documents[0].info.size == size);
        const std::uint32_t chunks =
            size == 0 ? 1U : static_cast<std::uint32_t>((size + 65535) / 65536);
        CHECK(opened->meta.documents[0].info.chunks == chunks);
        auto back = read_document(v, *opened, 0);
        REQUIRE(back);
        CHECK(*back == content);
    }
}

TEST_CASE("several documents in one envelope keep their order and metadata", "[vault]") {
    Fixture fx;
    auto v = fx.open();
    const Bytes a = pattern(70000, 1), b = pattern(10, 2), c = pattern(0, 3);
    auto link = v.envelope_create(sample_input({{"a.pdf", "application/pdf", a},
                                                {"b.xml", "application/xml", b},
                                                {"leer.txt", "text/plain", c}}));
    REQUIRE(link);
    auto opened = v.envelope_open({link->token.data(), link->token.size()});
    REQUIRE(opened);
    CHECK(opened->meta.recipient == "patient@example.ch");
    CHECK(opened->meta.phone_e164 == "+41791234567");
    CHECK(opened->meta.sender == "praxis@therapie-muster.ch");
    CHECK(opened->meta.subject == "Rechnung Juli");
    CHECK(opened->meta.language == "de");
    REQUIRE(opened->meta.documents.size() == 3);
    CHECK(opened->meta.documents[1].file_name == "b.xml");
    CHECK(opened->meta.documents[2].content_type == "text/plain");
    CHECK(opened->summary.doc_count == 3);
    CHECK(opened->summary.total_size == 70010);
    CHECK(read_document(v, *opened, 0).value() == a);
    CHECK(read_document(v, *opened, 1).value() == b);
    CHECK(read_document(v, *opened, 2).value() == c);
    auto none = v.document_reader(*opened, 3);
    REQUIRE_FALSE(none);
    CHECK(none.error().code == Errc::not_found);
}

TEST_CASE("an envelope needs documents", "[vault]") {
    Fixture fx;
    auto v = fx.open();
    auto r = v.envelope_create(sample_input({}));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::invalid_argument);
}

TEST_CASE("only the right token opens an envelope", "[vault]") {
    Fixture fx;
    auto v = fx.open();
    const Bytes content = pattern(1000, 7);
    auto link = v.envelope_create(sample_input({{"r.pdf", "application/pdf", content}}));
    REQUIRE(link);
    const std::string token(link->token.begin(), link->token.end());
    REQUIRE(v.envelope_open(token));

    std::string wrong = token;
    wrong[10] = wrong[10] == 'A' ? 'B' : 'A';
    // A token that is valid base64url of 32 bytes but belongs to nothing.
    const std::string other = crypto::base64url_encode(pattern(32, 99));
    const std::string bads[] = {wrong,
                                other,
                                "",
                                "abc",
                                token.substr(0, 42),
                                token + "A",
                                token.substr(0, 42) + "!",
                                token.substr(0, 42) + "=",
                                std::string(43, '\0')};
    for (const auto& bad : bads) {
        CAPTURE(bad.size());
        auto r = v.envelope_open(bad);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == Errc::bad_token);
        CHECK(r.error().detail.find(token) == std::string::npos);
    }
}

TEST_CASE("the escrow key opens the metadata and reissue replaces the token", "[vault]") {
    Fixture fx;
    auto v = fx.open();
    const Bytes content = pattern(5000, 11);
    auto link = v.envelope_create(sample_input({{"r.pdf", "application/pdf", content}}));
    REQUIRE(link);
    const std::string old_token(link->token.begin(), link->token.end());

    auto shown = v.envelope_show(link->id, fx.escrow());
    REQUIRE(shown);
    REQUIRE(shown->meta);
    CHECK(shown->meta->recipient == "patient@example.ch");
    CHECK(shown->meta->documents.at(0).file_name == "r.pdf");
    CHECK(shown->summary.escrow_key_id == fx.keys.escrow_id);
    REQUIRE(shown->audit.size() == 1);
    CHECK(shown->audit[0].kind == AuditKind::created);
    CHECK(shown->audit[0].at == kT0);

    fx.clock += 40 * 86400;  // link expired, data retained
    auto re = v.envelope_reissue(link->id, fx.escrow());
    REQUIRE(re);
    const std::string new_token(re->token.begin(), re->token.end());
    CHECK(new_token != old_token);
    CHECK(re->expires_at == fx.clock + 30 * 86400);
    CHECK(re->retain_until == kT0 + 90 * 86400);

    auto old_open = v.envelope_open(old_token);
    REQUIRE_FALSE(old_open);
    CHECK(old_open.error().code == Errc::bad_token);
    auto new_open = v.envelope_open(new_token);
    REQUIRE(new_open);
    CHECK_FALSE(new_open->link_expired);
    CHECK(read_document(v, *new_open, 0).value() == content);

    auto events = v.audit_list(link->id);
    REQUIRE(events);
    REQUIRE(events->size() == 2);
    CHECK((*events)[1].kind == AuditKind::reissued);
    CHECK((*events)[1].seq == 1);

    // Another key directory's escrow pair is refused by key id, not tried.
    TempDir other;
    REQUIRE(keys::keys_init(other.path() / "k"));
    auto other_keys = keys::keys_load(other.path() / "k", keys::kAllKeys);
    REQUIRE(other_keys);
    auto wrong = v.envelope_show(link->id, *other_keys->escrow_pair);
    REQUIRE_FALSE(wrong);
    CHECK(wrong.error().code == Errc::key_error);
    auto wrong_re = v.envelope_reissue(link->id, *other_keys->escrow_pair);
    REQUIRE_FALSE(wrong_re);
    CHECK(wrong_re.error().code == Errc::key_error);
}

TEST_CASE("envelope ids resolve from a unique prefix", "[vault]") {
    Fixture fx;
    EnvelopeId id{};
    {
        auto v = fx.open();
        auto link = v.envelope_create(sample_input({{"r.pdf", "application/pdf", pattern(10, 1)}}));
        REQUIRE(link);
        id = link->id;
        const std::string hex = envelope_id_hex(id);
        REQUIRE(hex.size() == 32);
        CHECK(v.envelope_resolve(hex.substr(0, 8)).value() == id);
        std::string upper = hex.substr(0, 12);
        std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
        CHECK(v.envelope_resolve(upper).value() == id);
        CHECK(v.envelope_resolve(hex).value() == id);
        CHECK(v.envelope_resolve(hex.substr(0, 7)).error().code == Errc::invalid_argument);
        CHECK(v.envelope_resolve("zzzzzzzz").error().code == Errc::invalid_argument);
        std::string absent = hex.substr(0, 8);
        absent[0] = absent[0] == '0' ? '1' : '0';
        CHECK(v.envelope_resolve(absent).error().code == Errc::not_found);
        CHECK(envelope_id_parse(hex).value() == id);
        CHECK(envelope_id_parse(hex.substr(1)).error().code == Errc::invalid_argument);
    }
    // A second record whose id shares the first 9 bytes makes the 8-digit prefix ambiguous.
    with_raw(fx.opts, [&](kv::Txn& txn, const RawDbs& d) {
        auto rec = txn.get(d.envelopes, id);
        REQUIRE(rec);
        REQUIRE(rec->has_value());
        const Bytes copy((*rec)->begin(), (*rec)->end());
        EnvelopeId twin = id;
        twin[15] ^= 0xFF;
        REQUIRE(txn.put(d.envelopes, twin, copy));
    });
    auto v = fx.open();
    const std::string hex = envelope_id_hex(id);
    auto amb = v.envelope_resolve(hex.substr(0, 8));
    REQUIRE_FALSE(amb);
    CHECK(amb.error().code == Errc::invalid_argument);
    CHECK(v.envelope_resolve(hex).value() == id);
}

TEST_CASE("vault directory is 0700 and its files 0600", "[vault][lmdb]") {
    Fixture fx;
    auto v = fx.open();
    struct stat st {};
    REQUIRE(::stat(fx.opts.dir.c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0700);
    for (const char* name : {"data.mdb", "lock.mdb"}) {
        CAPTURE(name);
        REQUIRE(::stat((fx.opts.dir / name).c_str(), &st) == 0);
        CHECK((st.st_mode & 07777) == 0600);
    }
}

TEST_CASE("open refuses a key ring without pepper", "[vault]") {
    Fixture fx;
    keys::KeyRing empty;
    auto v = Vault::open(fx.opts, empty);
    REQUIRE_FALSE(v);
    CHECK(v.error().code == Errc::key_error);
}

TEST_CASE("create needs the escrow public key", "[vault]") {
    Fixture fx;
    auto portal_keys = keys::keys_load(fx.tmp.path() / "keys", keys::pepper);
    REQUIRE(portal_keys);
    auto v = Vault::open(fx.opts, *portal_keys);
    REQUIRE(v);
    auto r = v->envelope_create(sample_input({{"r.pdf", "application/pdf", pattern(10, 1)}}));
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::key_error);
}

TEST_CASE("nothing personal or secret is stored in clear", "[vault][lmdb]") {
    Fixture fx;
    const std::string marker_doc = "TARIF590-PLAINTEXT-INVOICE-BODY";
    Bytes content;
    for (int i = 0; i < 200; ++i) {
        content.insert(content.end(), marker_doc.begin(), marker_doc.end());
    }
    std::string token;
    {
        auto v = fx.open();
        EnvelopeInput in;
        in.recipient = "anna.beispiel@patient-mail.ch";
        in.phone_e164 = "+41797654321";
        in.sender = "dr.muster@praxis-zeta.ch";
        in.subject = "Physiotherapie Rechnung Juni";
        in.language = "fr";
        in.documents = {{"Rechnung_Beispiel_Anna.pdf", "application/x-tarif590", content}};
        auto link = v.envelope_create(in);
        REQUIRE(link);
        token.assign(link->token.begin(), link->token.end());
        REQUIRE(v.envelope_mark_sent(link->id));
    }
    const Bytes token_bytes = [&] {
        auto b = crypto::base64url_decode(token);
        REQUIRE(b);
        return Bytes(b->begin(), b->end());
    }();
    // The lookup id stored in `links` is HMAC(pepper, token), not the token.
    with_raw(fx.opts, [&](kv::Txn& txn, const RawDbs& d) {
        auto keys = raw_keys(txn, d.links);
        REQUIRE(keys.size() == 1);
        CHECK(keys[0].size() == 32);
        CHECK(keys[0] != token_bytes);
        const auto mac = crypto::hmac_sha256(fx.keys.pepper.key, token_bytes);
        CHECK(keys[0] == Bytes(mac.begin(), mac.end()));
    });
    const Bytes data = file_bytes(fx.opts.dir / "data.mdb");
    CHECK_FALSE(contains(data, "anna.beispiel"));
    CHECK_FALSE(contains(data, "patient-mail.ch"));
    CHECK_FALSE(contains(data, "41797654321"));
    CHECK_FALSE(contains(data, "dr.muster"));
    CHECK_FALSE(contains(data, "Physiotherapie"));
    CHECK_FALSE(contains(data, "Rechnung_Beispiel"));
    CHECK_FALSE(contains(data, "x-tarif590"));
    CHECK_FALSE(contains(data, marker_doc));
    CHECK_FALSE(contains(data, token));
    CHECK_FALSE(contains(data, token_bytes));
    CHECK_FALSE(contains(data, fx.keys.pepper.key));
    // Sanity check of the scan itself: the clear key id of the escrow key is there.
    CHECK(contains(data, fx.keys.escrow_id));
}

TEST_CASE("mark_sent, discard and stats", "[vault][lmdb]") {
    Fixture fx;
    auto v = fx.open();
    auto a = v.envelope_create(sample_input({{"a.pdf", "application/pdf", pattern(100, 1)}}));
    auto b = v.envelope_create(sample_input({{"b.pdf", "application/pdf", pattern(200, 2)},
                                             {"c.pdf", "application/pdf", pattern(300, 3)}}));
    REQUIRE(a);
    REQUIRE(b);
    REQUIRE(v.envelope_mark_sent(a->id));
    REQUIRE(v.envelope_mark_sent(a->id));  // idempotent
    auto not_pending = v.envelope_discard(a->id);
    REQUIRE_FALSE(not_pending);
    CHECK(not_pending.error().code == Errc::invalid_argument);

    auto stats = v.vault_stats();
    REQUIRE(stats);
    CHECK(stats->pending == 1);
    CHECK(stats->sent == 1);
    CHECK(stats->documents == 3);
    CHECK(stats->bytes == 600);
    CHECK(stats->map_size == fx.opts.map_size);
    CHECK(stats->used_bytes > 0);
    CHECK(stats->used_bytes <= stats->map_size);
    CHECK(stats->max_size == fx.opts.max_size);

    auto listed = v.envelope_list(ListFilter::all);
    REQUIRE(listed);
    REQUIRE(listed->size() == 2);

    REQUIRE(v.envelope_discard(b->id));
    auto gone = v.envelope_open({b->token.data(), b->token.size()});
    REQUIRE_FALSE(gone);
    CHECK(gone.error().code == Errc::bad_token);
    CHECK(v.envelope_mark_sent(b->id).error().code == Errc::not_found);
    CHECK(v.envelope_discard(b->id).error().code == Errc::not_found);
}

}  // namespace
}  // namespace sealpost::vault::test

namespace sealpost::vault::test {
namespace {

Bytes opened(const Result<crypto::SecretBytes>& r) {
    REQUIRE(r);
    return {r->begin(), r->end()};
}

TEST_CASE("escrow seals share one ephemeral key per batch and open like seal_to's", "[vault]") {
    auto escrow = crypto::x25519_generate();
    REQUIRE(escrow);
    EscrowSealer sealer(escrow->public_key);
    const Bytes dek = pattern(32, 7);
    const Bytes aad_a(crypto::as_bytes("a").begin(), crypto::as_bytes("a").end());
    const Bytes aad_b(crypto::as_bytes("b").begin(), crypto::as_bytes("b").end());
    auto first = sealer.seal(aad_a, dek);
    auto second = sealer.seal(aad_b, dek);
    REQUIRE(first);
    REQUIRE(second);
    // Same ephemeral public key, fresh nonce: the wraps differ and each opens only with its AAD.
    CHECK(Bytes(first->begin(), first->begin() + 32) ==
          Bytes(second->begin(), second->begin() + 32));
    CHECK(Bytes(first->begin() + 32, first->begin() + 44) !=
          Bytes(second->begin() + 32, second->begin() + 44));
    CHECK(opened(crypto::open_sealed(*escrow, aad_a, *first)) == dek);
    CHECK(opened(crypto::open_sealed(*escrow, aad_b, *second)) == dek);
    CHECK(crypto::open_sealed(*escrow, aad_b, *first).error().code == Errc::auth_failed);

    // The batch ends after kBatchSeals seals: the next one brings a new ephemeral key.
    for (std::size_t i = 2; i < EscrowSealer::kBatchSeals; ++i) {
        auto last = sealer.seal(aad_a, dek);
        REQUIRE(last);
        CHECK(Bytes(last->begin(), last->begin() + 32) ==
              Bytes(first->begin(), first->begin() + 32));
    }
    auto next = sealer.seal(aad_a, dek);
    REQUIRE(next);
    CHECK(Bytes(next->begin(), next->begin() + 32) != Bytes(first->begin(), first->begin() + 32));
    CHECK(opened(crypto::open_sealed(*escrow, aad_a, *next)) == dek);

    // expire() keeps a young batch and wipes one past its age, so the next seal has a new key.
    const auto key_survives_expire = [&](std::chrono::steady_clock::duration max_age) {
        EscrowSealer s(escrow->public_key, max_age);
        auto before = s.seal(aad_a, dek);
        s.expire();
        auto after = s.seal(aad_a, dek);
        REQUIRE(before);
        REQUIRE(after);
        CHECK(opened(crypto::open_sealed(*escrow, aad_a, *after)) == dek);
        return Bytes(before->begin(), before->begin() + 32) ==
               Bytes(after->begin(), after->begin() + 32);
    };
    CHECK(key_survives_expire(std::chrono::hours(1)));
    CHECK_FALSE(key_survives_expire(std::chrono::seconds(0)));

    EscrowSealer low_order(Bytes(32, 0));
    CHECK(low_order.seal(aad_a, dek).error().code == Errc::key_error);
}

TEST_CASE("id, DEK and token of new link keys are separate parts of fresh randomness", "[vault]") {
    // They come from one RNG draw split in three: an overlap or a repeat would show here.
    auto escrow = crypto::x25519_generate();
    REQUIRE(escrow);
    EscrowSealer sealer(escrow->public_key);
    keys::SymmetricKey pepper;
    pepper.key = crypto::SecretBytes(32, 9);
    auto a = make_link_keys(pepper, sealer);
    auto b = make_link_keys(pepper, sealer);
    REQUIRE(a);
    REQUIRE(b);
    REQUIRE(a->dek.size() == 32);
    REQUIRE(a->token.bytes.size() == kTokenBytes);
    const Bytes id(a->id.begin(), a->id.end());
    const Bytes dek(a->dek.begin(), a->dek.end());
    const Bytes token(a->token.bytes.begin(), a->token.bytes.end());
    CHECK(Bytes(dek.begin(), dek.begin() + 16) != id);
    CHECK(Bytes(token.begin(), token.begin() + 16) != id);
    CHECK(Bytes(token.begin(), token.begin() + 32) != dek);
    CHECK(a->id != b->id);
    CHECK(Bytes(b->dek.begin(), b->dek.end()) != dek);
    CHECK(Bytes(b->token.bytes.begin(), b->token.bytes.end()) != token);
    // The DEK is the one wrapped under the token and sealed to escrow.
    CHECK(opened(crypto::open_sealed(*escrow, labelled_aad(kEscrowAad, a->id), a->escrow_dek)) ==
          dek);
}

TEST_CASE("envelopes of one escrow batch stay apart and each opens with the escrow key",
          "[vault]") {
    Fixture fx;
    auto v = fx.open();
    std::set<std::string> tokens;
    std::set<std::string> ids;
    for (int i = 0; i < 40; ++i) {
        auto link = v.envelope_create(sample_input({{"r.pdf", "application/pdf", pattern(10, 1)}}));
        REQUIRE(link);
        tokens.emplace(link->token.begin(), link->token.end());
        ids.insert(envelope_id_hex(link->id));
        auto shown = v.envelope_show(link->id, fx.escrow());
        REQUIRE(shown);
        CHECK(shown->meta->subject == "Rechnung Juli");
    }
    CHECK(tokens.size() == 40);
    CHECK(ids.size() == 40);
}

}  // namespace
}  // namespace sealpost::vault::test

namespace sealpost::vault::test {
namespace {

TEST_CASE("group_access gives 0770 and 0660 whatever the umask", "[vault][lmdb]") {
    Fixture fx;
    fx.opts.group_access = true;
    const mode_t old_mask = ::umask(022);
    {
        auto v = fx.open();
        struct stat st {};
        REQUIRE(::stat(fx.opts.dir.c_str(), &st) == 0);
        CHECK((st.st_mode & 07777) == 0770);
        for (const char* name : {"data.mdb", "lock.mdb"}) {
            CAPTURE(name);
            REQUIRE(::stat((fx.opts.dir / name).c_str(), &st) == 0);
            CHECK((st.st_mode & 07777) == 0660);
        }
    }
    ::umask(old_mask);
    // Reopened without group access, the files are tightened back to 0600.
    fx.opts.group_access = false;
    auto v = fx.open();
    struct stat st {};
    REQUIRE(::stat((fx.opts.dir / "data.mdb").c_str(), &st) == 0);
    CHECK((st.st_mode & 07777) == 0600);
}

}  // namespace
}  // namespace sealpost::vault::test
