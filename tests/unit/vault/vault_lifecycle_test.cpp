// SPDX-License-Identifier: Apache-2.0
// Envelope lifetimes with an injected clock: expiry, renewal, retention, revoke, purge of
// every record, orphans, batching, and map growth up to a clean Errc::vault_full.
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "vault_test_fixture.hpp"

namespace sealpost::vault::test {
namespace {

constexpr std::int64_t kDay = 86400;

struct Footprint {
    std::size_t envelopes = 0, links = 0, documents = 0, audit = 0;
};

/// Where the id still appears in the raw databases (the Vault must be closed).
Footprint footprint(Fixture& fx, const EnvelopeId& id) {
    Footprint f;
    with_raw(fx.opts, [&](kv::Txn& txn, const RawDbs& d) {
        f.envelopes = count_prefixed(txn, d.envelopes, id);
        f.links = count_links_to(txn, d.links, id);
        f.documents = count_prefixed(txn, d.documents, id);
        f.audit = count_prefixed(txn, d.audit, id);
        CHECK(count_prefixed(txn, d.contacts, id) == 0);
        CHECK(count_prefixed(txn, d.portal, id) == 0);
    });
    return f;
}

TEST_CASE("expiry, renewal and retention follow the clock", "[vault][lifecycle]") {
    Fixture fx;
    const Bytes content = pattern(70000, 1);
    EnvelopeId id{};
    std::string token;
    {
        auto v = fx.open();
        auto link = v.envelope_create(sample_input({{"r.pdf", "application/pdf", content}}));
        REQUIRE(link);
        id = link->id;
        token.assign(link->token.begin(), link->token.end());
        CHECK(link->expires_at == kT0 + 30 * kDay);
        CHECK(link->retain_until == kT0 + 90 * kDay);
        REQUIRE(v.envelope_mark_sent(id));

        fx.clock = kT0 + 30 * kDay - 1;
        auto active = v.envelope_open(token);
        REQUIRE(active);
        CHECK_FALSE(active->link_expired);
        CHECK(v.envelope_list(ListFilter::active).value().size() == 1);
        CHECK(v.envelope_list(ListFilter::expired).value().empty());
        CHECK(read_document(v, *active, 0).value() == content);

        fx.clock = kT0 + 30 * kDay;
        auto expired = v.envelope_open(token);
        REQUIRE(expired);
        CHECK(expired->link_expired);
        CHECK(expired->summary.expires_at == kT0 + 30 * kDay);
        CHECK(expired->meta.documents.at(0).file_name == "r.pdf");
        CHECK(v.envelope_list(ListFilter::active).value().empty());
        CHECK(v.envelope_list(ListFilter::expired).value().size() == 1);
        auto no_reader = v.document_reader(*expired, 0);
        REQUIRE_FALSE(no_reader);
        CHECK(no_reader.error().code == Errc::expired);

        fx.clock = kT0 + 50 * kDay;
        auto renewed = v.envelope_renew(*expired);
        REQUIRE(renewed);
        CHECK(*renewed == kT0 + 80 * kDay);
        auto again = v.envelope_open(token);
        REQUIRE(again);
        CHECK_FALSE(again->link_expired);
        CHECK(read_document(v, *again, 0).value() == content);
        auto events = v.audit_list(id).value();
        REQUIRE(events.size() == 2);
        CHECK(events[1].kind == AuditKind::renewed);
        CHECK(events[1].at == kT0 + 50 * kDay);

        // Past retention: gone for the portal even before purge runs; no renewal.
        fx.clock = kT0 + 90 * kDay;
        auto past = v.envelope_open(token);
        REQUIRE_FALSE(past);
        CHECK(past.error().code == Errc::revoked);
        CHECK(past.error().detail == "state=purged");
        auto late = v.envelope_renew(*again);
        REQUIRE_FALSE(late);
        CHECK(late.error().code == Errc::revoked);

        auto counts = v.vault_purge();
        REQUIRE(counts);
        CHECK(counts->retention_ended == 1);
        CHECK(counts->orphans == 0);
        CHECK(counts->tombstones_removed == 0);
        auto tomb = v.envelope_open(token);
        REQUIRE_FALSE(tomb);
        CHECK(tomb.error().code == Errc::revoked);
        CHECK(tomb.error().detail == "state=purged");
        CHECK(v.envelope_list(ListFilter::all).value().at(0).state == EnvelopeState::purged);
    }
    // Only the tombstone (record + link) is left.
    Footprint f = footprint(fx, id);
    CHECK(f.envelopes == 1);
    CHECK(f.links == 1);
    CHECK(f.documents == 0);
    CHECK(f.audit == 0);
    {
        auto v = fx.open();
        fx.clock = kT0 + 90 * kDay + 365 * kDay - 1;
        CHECK(v.vault_purge().value().tombstones_removed == 0);
        fx.clock += 1;
        CHECK(v.vault_purge().value().tombstones_removed == 1);
        auto unknown = v.envelope_open(token);
        REQUIRE_FALSE(unknown);
        CHECK(unknown.error().code == Errc::bad_token);
    }
    f = footprint(fx, id);
    CHECK(f.envelopes == 0);
    CHECK(f.links == 0);
}

TEST_CASE("renewals never keep the data past max_retention", "[vault][lifecycle]") {
    Fixture fx;
    fx.opts.max_retention = std::chrono::seconds(100 * kDay);
    auto v = fx.open();
    auto link = v.envelope_create(sample_input({{"r.pdf", "application/pdf", pattern(100, 1)}}));
    REQUIRE(link);
    const std::string token(link->token.begin(), link->token.end());
    // Renewed at day 40 (link to day 70, data to day 90 as retention said), at day 75 (link and
    // data to day 100, the maximum, not day 105), and at day 99: only to day 100 again.
    const std::vector<std::pair<std::int64_t, std::int64_t>> steps = {
        {40, 70}, {75, 100}, {99, 100}};
    for (const auto& [day, until] : steps) {
        fx.clock = kT0 + day * kDay;
        auto opened = v.envelope_open(token);
        REQUIRE(opened);
        auto renewed = v.envelope_renew(*opened);
        REQUIRE(renewed);
        CHECK(*renewed == kT0 + until * kDay);
        auto after = v.envelope_open(token);
        REQUIRE(after);
        CHECK(after->summary.expires_at == kT0 + until * kDay);
        CHECK(after->summary.retain_until == kT0 + std::max<std::int64_t>(90, until) * kDay);
    }
    fx.clock = kT0 + 100 * kDay;
    auto past = v.envelope_open(token);
    REQUIRE_FALSE(past);
    CHECK(past.error().code == Errc::revoked);
}

TEST_CASE("revoke leaves only a tombstone at once", "[vault][lifecycle]") {
    Fixture fx;
    EnvelopeId id{};
    EnvelopeId other{};
    std::string token;
    {
        auto v = fx.open();
        auto link =
            v.envelope_create(sample_input({{"r.pdf", "application/pdf", pattern(200000, 2)}}));
        auto keep = v.envelope_create(sample_input({{"k.pdf", "application/pdf", pattern(10, 3)}}));
        REQUIRE(link);
        REQUIRE(keep);
        id = link->id;
        other = keep->id;
        token.assign(link->token.begin(), link->token.end());
        REQUIRE(
            v.audit_append(id, AuditKind::code_sent, std::nullopt, IpHash{1, 2, 3, 4, 5, 6, 7, 8}));
        auto opened = v.envelope_open(token);
        REQUIRE(opened);
        auto reader = v.document_reader(*opened, 0);
        REQUIRE(reader);
        REQUIRE(reader->next());  // first chunk read, then the practice revokes

        REQUIRE(v.envelope_revoke(id));
        auto mid = reader->next();
        REQUIRE_FALSE(mid);
        CHECK(mid.error().code == Errc::revoked);

        auto r = v.envelope_open(token);
        REQUIRE_FALSE(r);
        CHECK(r.error().code == Errc::revoked);
        CHECK(r.error().detail == "state=revoked");
        CHECK(v.envelope_revoke(id).error().code == Errc::revoked);
        CHECK(v.audit_append(id, AuditKind::verified).error().code == Errc::revoked);
        CHECK(v.envelope_reissue(id, fx.escrow()).error().code == Errc::revoked);
        CHECK(v.envelope_mark_sent(id).error().code == Errc::revoked);
        auto shown = v.envelope_show(id, fx.escrow());
        REQUIRE(shown);
        CHECK_FALSE(shown->meta);
        CHECK(shown->audit.empty());
        CHECK(shown->summary.state == EnvelopeState::revoked);
        CHECK(shown->summary.purged_at == kT0);
        auto stats = v.vault_stats().value();
        CHECK(stats.revoked == 1);
        CHECK(stats.pending == 1);
        CHECK(stats.documents == 1);
    }
    Footprint f = footprint(fx, id);
    CHECK(f.envelopes == 1);
    CHECK(f.links == 1);
    CHECK(f.documents == 0);
    CHECK(f.audit == 0);
    Footprint kept = footprint(fx, other);
    CHECK(kept.documents == 1);
    CHECK(kept.audit == 1);
}

TEST_CASE("purge deletes a pending envelope only once its link expired and the grace passed",
          "[vault][lifecycle]") {
    Fixture fx;
    EnvelopeId orphan{};
    EnvelopeId sent{};
    std::string orphan_token;
    {
        auto v = fx.open();
        auto a =
            v.envelope_create(sample_input({{"a.pdf", "application/pdf", pattern(100000, 4)}}));
        auto b = v.envelope_create(sample_input({{"b.pdf", "application/pdf", pattern(100, 5)}}));
        REQUIRE(a);
        REQUIRE(b);
        orphan = a->id;
        orphan_token.assign(a->token.begin(), a->token.end());
        sent = b->id;
        REQUIRE(v.envelope_mark_sent(sent));
        // Past orphan_grace but the link is live: the mail may have been delivered (the
        // upstream's answer was lost, or a deferred mark_sent died in a crash), so it stays
        // and keeps opening.
        fx.clock = kT0 + 3600;
        CHECK(v.vault_purge().value().orphans == 0);
        fx.clock = kT0 + 30 * kDay - 1;
        CHECK(v.vault_purge().value().orphans == 0);
        auto opened = v.envelope_open(orphan_token);
        REQUIRE(opened);
        CHECK(opened->summary.state == EnvelopeState::pending);
        CHECK(read_document(v, *opened, 0).value() == pattern(100000, 4));
        // The link expired: now it is an orphan and goes entirely; the sent one is retained.
        fx.clock = kT0 + 30 * kDay;
        auto c = v.vault_purge();
        REQUIRE(c);
        CHECK(c->orphans == 1);
        CHECK(c->retention_ended == 0);
        CHECK(v.envelope_show(orphan, fx.escrow()).error().code == Errc::not_found);
        CHECK(v.envelope_open(orphan_token).error().code == Errc::bad_token);
        CHECK(v.envelope_show(sent, fx.escrow()));
    }
    Footprint f = footprint(fx, orphan);
    CHECK(f.envelopes == 0);
    CHECK(f.links == 0);
    CHECK(f.documents == 0);
    CHECK(f.audit == 0);
    CHECK(footprint(fx, sent).documents == 1);
}

TEST_CASE("an expired pending envelope waits for orphan_grace too", "[vault][lifecycle]") {
    Fixture fx;
    fx.opts.link_ttl = std::chrono::seconds(1800);  // expires before the 1 h grace is over
    auto v = fx.open();
    auto a = v.envelope_create(sample_input({{"a.pdf", "application/pdf", pattern(10, 6)}}));
    REQUIRE(a);
    fx.clock = kT0 + 1800;
    CHECK(v.envelope_list(ListFilter::expired).value().size() == 1);
    CHECK(v.vault_purge().value().orphans == 0);
    fx.clock = kT0 + 3599;
    CHECK(v.vault_purge().value().orphans == 0);
    fx.clock = kT0 + 3600;
    CHECK(v.vault_purge().value().orphans == 1);
    CHECK(v.envelope_list(ListFilter::all).value().empty());
}

TEST_CASE("a deferred mark_sent on an idle vault is committed when it returns",
          "[vault][lifecycle]") {
    Fixture fx;
    EnvelopeId id{};
    {
        auto v = fx.open();
        auto a = v.envelope_create(sample_input({{"a.pdf", "application/pdf", pattern(10, 7)}}));
        REQUIRE(a);
        id = a->id;
        fx.clock = kT0 + 5;
        v.envelope_mark_sent_deferred(id);
        auto listed = v.envelope_list(ListFilter::all).value();
        REQUIRE(listed.size() == 1);
        CHECK(listed[0].state == EnvelopeState::sent);
        CHECK(listed[0].sent_at == kT0 + 5);
        fx.clock = kT0 + 6;
        v.envelope_mark_sent_deferred(id);  // idempotent: sent_at stays
        // A deferred mark of a deleted envelope changes nothing and reports nothing back.
        EnvelopeId unknown{};
        unknown[0] = 0x5a;
        v.envelope_mark_sent_deferred(unknown);
        CHECK(v.envelope_list(ListFilter::all).value().size() == 1);
    }
    auto v = fx.open();  // on disk, not only in this handle's memory
    auto listed = v.envelope_list(ListFilter::all).value();
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].state == EnvelopeState::sent);
    CHECK(listed[0].sent_at == kT0 + 5);
}

TEST_CASE("purge works through more envelopes than one batch", "[vault][lifecycle]") {
    Fixture fx;
    auto v = fx.open();
    const Bytes small = pattern(16, 6);
    for (int i = 0; i < 230; ++i) {
        auto link = v.envelope_create(sample_input({{"x.pdf", "application/pdf", small}}));
        REQUIRE(link);
        REQUIRE(v.envelope_mark_sent(link->id));
    }
    fx.clock = kT0 + 90 * kDay;
    auto c = v.vault_purge();
    REQUIRE(c);
    CHECK(c->retention_ended == 230);
    CHECK(v.vault_stats().value().purged == 230);
    fx.clock += 365 * kDay;
    CHECK(v.vault_purge().value().tombstones_removed == 230);
    CHECK(v.envelope_list(ListFilter::all).value().empty());
}

TEST_CASE("the map grows from 1 MiB for a 5 MiB envelope", "[vault][map][lmdb]") {
    Fixture fx;
    fx.opts.map_size = 1ULL << 20;
    fx.opts.max_size = 64ULL << 20;
    auto v = fx.open();
    const Bytes big = pattern(std::size_t{5} * 1024 * 1024, 8);
    auto link = v.envelope_create(sample_input({{"big.pdf", "application/pdf", big}}));
    REQUIRE(link);
    auto opened = v.envelope_open({link->token.data(), link->token.size()});
    REQUIRE(opened);
    CHECK(read_document(v, *opened, 0).value() == big);
    auto stats = v.vault_stats().value();
    CHECK(stats.map_size >= (8ULL << 20));
    CHECK(stats.map_size <= fx.opts.max_size);
}

TEST_CASE("envelopes sealed from several threads while the map grows all open",
          "[vault][map][lmdb]") {
    // Concurrent creates share groups, run in nested transactions on whichever thread leads,
    // and are run again after the map grows: each must still hold exactly its own bytes.
    Fixture fx;
    fx.opts.map_size = 1ULL << 20;
    fx.opts.max_size = 64ULL << 20;
    auto v = fx.open();
    constexpr int kThreads = 4;
    constexpr int kEach = 5;
    std::vector<std::vector<std::string>> tokens(kThreads);
    std::vector<int> failures(kThreads, 0);
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < kEach; ++i) {
                const Bytes doc = pattern(300 * 1024 + static_cast<std::size_t>(i),
                                          static_cast<std::uint8_t>(t * kEach + i));
                auto link = v.envelope_create(sample_input({{"r.pdf", "application/pdf", doc}}));
                if (!link) {
                    ++failures[static_cast<std::size_t>(t)];
                    continue;
                }
                tokens[static_cast<std::size_t>(t)].emplace_back(link->token.begin(),
                                                                 link->token.end());
            }
        });
    }
    for (auto& th : threads) {
        th.join();
    }
    for (int t = 0; t < kThreads; ++t) {
        CHECK(failures[static_cast<std::size_t>(t)] == 0);
        REQUIRE(tokens[static_cast<std::size_t>(t)].size() == std::size_t{kEach});
        for (int i = 0; i < kEach; ++i) {
            auto opened =
                v.envelope_open(tokens[static_cast<std::size_t>(t)][static_cast<std::size_t>(i)]);
            REQUIRE(opened);
            CHECK(read_document(v, *opened, 0).value() ==
                  pattern(300 * 1024 + static_cast<std::size_t>(i),
                          static_cast<std::uint8_t>(t * kEach + i)));
        }
    }
    CHECK(v.vault_stats().value().map_size >= (8ULL << 20));
}

TEST_CASE("at max_size create fails cleanly with vault_full", "[vault][map][lmdb]") {
    Fixture fx;
    fx.opts.map_size = 1ULL << 20;
    fx.opts.max_size = 2ULL << 20;
    std::set<Bytes> ids;
    {
        auto v = fx.open();
        for (int i = 0; i < 3; ++i) {
            auto link =
                v.envelope_create(sample_input({{"s.pdf", "application/pdf", pattern(50000, 9)}}));
            REQUIRE(link);
            ids.insert(Bytes(link->id.begin(), link->id.end()));
        }
        const Bytes big = pattern(std::size_t{5} * 1024 * 1024, 10);
        auto full = v.envelope_create(sample_input({{"big.pdf", "application/pdf", big}}));
        REQUIRE_FALSE(full);
        CHECK(full.error().code == Errc::vault_full);
        CHECK(v.envelope_list(ListFilter::all).value().size() == 3);
        auto stats = v.vault_stats().value();
        CHECK(stats.map_size == fx.opts.max_size);
        // Still usable: small writes fit.
        auto small =
            v.envelope_create(sample_input({{"t.pdf", "application/pdf", pattern(100, 11)}}));
        REQUIRE(small);
        ids.insert(Bytes(small->id.begin(), small->id.end()));
    }
    // No chunk belongs to an envelope that does not exist (nothing half-written).
    with_raw(fx.opts, [&](kv::Txn& txn, const RawDbs& d) {
        std::set<Bytes> chunk_owners;
        for (const auto& k : raw_keys(txn, d.documents)) {
            REQUIRE(k.size() == 24);
            chunk_owners.insert(Bytes(k.begin(), k.begin() + 16));
        }
        CHECK(chunk_owners == ids);
        CHECK(raw_keys(txn, d.envelopes).size() == 4);
        CHECK(raw_keys(txn, d.links).size() == 4);
        CHECK(raw_keys(txn, d.documents).size() == 3 * 1 + 1);
    });
}

/// A vault whose map starts at its cap, 1 MiB, so it fills after a few envelopes.
Vault open_capped(Fixture& fx) {
    fx.opts.map_size = 1ULL << 20;
    fx.opts.max_size = 1ULL << 20;
    return fx.open();
}

/// Creates envelopes of `doc` until the vault answers vault_full; returns those made.
std::vector<EnvelopeId> fill_until_full(Vault& v, const Bytes& doc) {
    std::vector<EnvelopeId> made;
    for (;;) {
        auto link = v.envelope_create(sample_input({{"r.pdf", "application/pdf", doc}}));
        if (!link) {
            REQUIRE(link.error().code == Errc::vault_full);
            return made;
        }
        made.push_back(link->id);
        REQUIRE(made.size() < 10);
    }
}

TEST_CASE("a purge on a full vault makes room for the very next envelope", "[vault][map][lmdb]") {
    Fixture fx;
    auto v = open_capped(fx);
    const Bytes doc = pattern(std::size_t{200} * 1024, 12);
    const std::vector<EnvelopeId> made = fill_until_full(v, doc);
    REQUIRE_FALSE(made.empty());
    REQUIRE(v.envelope_revoke(made.front()));
    REQUIRE(v.vault_purge());
    // No other write in between (LMDB reuses a freed page two transactions later only).
    CHECK(v.envelope_create(sample_input({{"r.pdf", "application/pdf", doc}})));
}

TEST_CASE("a revoke on a full vault makes room for the very next envelope", "[vault][map][lmdb]") {
    // The group commit, not the purge, brings freed pages within reach: any verb that frees
    // space (here revoke) lets the next create fit.
    Fixture fx;
    auto v = open_capped(fx);
    const Bytes doc = pattern(std::size_t{200} * 1024, 13);
    const std::vector<EnvelopeId> made = fill_until_full(v, doc);
    REQUIRE(made.size() >= 2);
    REQUIRE(v.envelope_revoke(made.front()));
    CHECK(v.envelope_create(sample_input({{"r.pdf", "application/pdf", doc}})));
    // Full is still full: with nothing freed, the next one is refused.
    auto refused = v.envelope_create(sample_input({{"r.pdf", "application/pdf", doc}}));
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == Errc::vault_full);
}

}  // namespace
}  // namespace sealpost::vault::test
