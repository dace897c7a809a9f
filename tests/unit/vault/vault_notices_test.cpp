// SPDX-License-Identifier: Apache-2.0
// The download-notice queue with an injected clock: one notice per envelope, what the proxy
// reads back, retries, removal with the envelope, sealing at rest and damaged records.
#include <string>

#include "vault_test_fixture.hpp"

namespace sealpost::vault::test {
namespace {

struct Queue {
    Fixture fx;
    Vault v = fx.open();
    EnvelopeId id{};
    std::optional<OpenedEnvelope> opened;

    Queue() {
        auto link = v.envelope_create(
            sample_input({{"Rechnung-Juli.pdf", "application/pdf", pattern(10, 1)},
                          {"Beleg-Juli.pdf", "application/pdf", pattern(20, 2)}}));
        REQUIRE(link);
        id = link->id;
        auto o = v.envelope_open(std::string_view(link->token.data(), link->token.size()));
        REQUIRE(o);
        opened = std::move(o).value();
    }
    std::vector<QueuedNotice> list() {
        auto l = v.notice_list(100);
        REQUIRE(l);
        return std::move(l).value();
    }
};

/// Keys of the `portal` database that contain `id` after an 8-byte prefix (notice records).
std::size_t notice_keys(const VaultOptions& opts, const EnvelopeId& id) {
    std::size_t n = 0;
    with_raw(opts, [&](kv::Txn& txn, const RawDbs& d) {
        for (const auto& k : raw_keys(txn, d.portal)) {
            if (k.size() == 24 && std::equal(id.begin(), id.end(), k.begin() + 8)) {
                ++n;
            }
        }
    });
    return n;
}

TEST_CASE("the first download queues one notice with what the mail needs", "[vault][notice]") {
    Queue q;
    q.fx.clock = kT0 + 120;
    auto first = q.v.notice_queue(*q.opened, 1);
    REQUIRE(first);
    CHECK(*first);
    q.fx.clock = kT0 + 180;
    auto second = q.v.notice_queue(*q.opened, 0);  // another document, later: nothing new
    REQUIRE(second);
    CHECK_FALSE(*second);

    const auto due = q.list();
    REQUIRE(due.size() == 1);
    const QueuedNotice& n = due[0];
    CHECK(n.id == q.id);
    CHECK(n.doc_index == 1);
    CHECK(n.file_name == "Beleg-Juli.pdf");
    CHECK(n.sender == "praxis@therapie-muster.ch");
    CHECK(n.recipient_masked == "p***@example.ch");
    CHECK(n.downloaded_at == kT0 + 120);
    CHECK(n.next_attempt_at == kT0 + 120);
    CHECK(n.attempts == 0);
    CHECK_FALSE(n.unreadable);
}

TEST_CASE("a sent notice is never queued again", "[vault][notice]") {
    Queue q;
    REQUIRE(q.v.notice_queue(*q.opened, 0).value());
    REQUIRE(q.v.notice_done(q.id));
    CHECK(q.list().empty());
    auto again = q.v.notice_queue(*q.opened, 0);
    REQUIRE(again);
    CHECK_FALSE(*again);
    CHECK(q.list().empty());
    auto twice = q.v.notice_done(q.id);
    REQUIRE_FALSE(twice);
    CHECK(twice.error().code == Errc::not_found);
}

TEST_CASE("a failed send waits for its next attempt", "[vault][notice]") {
    Queue q;
    REQUIRE(q.v.notice_queue(*q.opened, 0).value());
    REQUIRE(q.v.notice_retry_later(q.id, kT0 + 60));
    CHECK(q.list().empty());
    q.fx.clock = kT0 + 59;
    CHECK(q.list().empty());
    q.fx.clock = kT0 + 60;
    auto due = q.list();
    REQUIRE(due.size() == 1);
    CHECK(due[0].attempts == 1);
    CHECK(due[0].next_attempt_at == kT0 + 60);
    CHECK(due[0].file_name == "Rechnung-Juli.pdf");  // still opens: the AAD did not change
    REQUIRE(q.v.notice_retry_later(q.id, kT0 + 360));
    q.fx.clock = kT0 + 400;
    due = q.list();
    REQUIRE(due.size() == 1);
    CHECK(due[0].attempts == 2);

    REQUIRE(q.v.notice_done(q.id));
    auto gone = q.v.notice_retry_later(q.id, kT0 + 4000);
    REQUIRE_FALSE(gone);
    CHECK(gone.error().code == Errc::not_found);
}

TEST_CASE("notices come earliest first, at most the limit", "[vault][notice]") {
    Queue a;
    auto link = a.v.envelope_create(sample_input({{"b.pdf", "application/pdf", pattern(5, 3)}}));
    REQUIRE(link);
    auto other = a.v.envelope_open(std::string_view(link->token.data(), link->token.size()));
    REQUIRE(other);
    a.fx.clock = kT0 + 10;
    REQUIRE(a.v.notice_queue(*other, 0).value());
    a.fx.clock = kT0 + 20;
    REQUIRE(a.v.notice_queue(*a.opened, 0).value());
    auto all = a.list();
    REQUIRE(all.size() == 2);
    CHECK(all[0].id == link->id);
    CHECK(all[1].id == a.id);
    auto one = a.v.notice_list(1);
    REQUIRE(one);
    REQUIRE(one->size() == 1);
    CHECK((*one)[0].id == link->id);
}

TEST_CASE("revoke and purge take the notice and its marker with them", "[vault][notice]") {
    SECTION("revoke") {
        Queue q;
        REQUIRE(q.v.notice_queue(*q.opened, 0).value());
        REQUIRE(q.v.envelope_revoke(q.id));
        CHECK(q.list().empty());
        auto late = q.v.notice_queue(*q.opened, 0);  // a download that raced the revoke
        REQUIRE_FALSE(late);
        CHECK(late.error().code == Errc::revoked);
        auto done = q.v.notice_done(q.id);
        REQUIRE_FALSE(done);
        CHECK(done.error().code == Errc::not_found);
        { Vault closed = std::move(q.v); }
        CHECK(notice_keys(q.fx.opts, q.id) == 0);
    }
    SECTION("purge after retention") {
        Queue q;
        REQUIRE(q.v.envelope_mark_sent(q.id));
        REQUIRE(q.v.notice_queue(*q.opened, 0).value());
        q.fx.clock = kT0 + (91LL * 86400);
        auto counts = q.v.vault_purge();
        REQUIRE(counts);
        CHECK(counts->retention_ended == 1);
        CHECK(q.list().empty());
        { Vault closed = std::move(q.v); }
        CHECK(notice_keys(q.fx.opts, q.id) == 0);
    }
}

TEST_CASE("the portal's pepper writes what the proxy's key ring reads", "[vault][notice]") {
    Fixture fx;
    const fs::path key_dir = fx.tmp.path() / "keys";
    EnvelopeId id{};
    crypto::SecretString token;
    {
        Vault proxy = fx.open();
        auto link =
            proxy.envelope_create(sample_input({{"r.pdf", "application/pdf", pattern(10, 1)}}));
        REQUIRE(link);
        id = link->id;
        token = link->token;
    }
    {
        auto portal_keys = keys::keys_load(key_dir, keys::pepper);
        REQUIRE(portal_keys);
        auto portal = Vault::open(fx.opts, *portal_keys);
        REQUIRE(portal);
        auto opened = portal->envelope_open(std::string_view(token.data(), token.size()));
        REQUIRE(opened);
        REQUIRE(portal->notice_queue(*opened, 0).value());
    }
    auto proxy_keys = keys::keys_load(key_dir, keys::pepper | keys::escrow_public | keys::contacts);
    REQUIRE(proxy_keys);
    auto proxy = Vault::open(fx.opts, *proxy_keys);
    REQUIRE(proxy);
    auto due = proxy->notice_list(10);
    REQUIRE(due);
    REQUIRE(due->size() == 1);
    CHECK((*due)[0].id == id);
    CHECK((*due)[0].file_name == "r.pdf");
    CHECK((*due)[0].recipient_masked == "p***@example.ch");
    CHECK_FALSE((*due)[0].unreadable);
}

TEST_CASE("queued notices are sealed at rest", "[vault][notice][lmdb]") {
    Queue q;
    REQUIRE(q.v.notice_queue(*q.opened, 0).value());
    const fs::path dir = q.fx.opts.dir;
    { Vault closed = std::move(q.v); }
    const Bytes data = file_bytes(dir / "data.mdb");
    CHECK_FALSE(contains(data, "Rechnung-Juli"));
    CHECK_FALSE(contains(data, "therapie-muster"));
    CHECK_FALSE(contains(data, "p***@example.ch"));
    CHECK(contains(data, "notice-q"));  // the record is there, only its content is not
}

TEST_CASE("a damaged notice is listed as unreadable and can be dropped", "[vault][notice]") {
    Queue q;
    REQUIRE(q.v.notice_queue(*q.opened, 0).value());
    { Vault closed = std::move(q.v); }
    with_raw(q.fx.opts, [&](kv::Txn& txn, const RawDbs& d) {
        for (const auto& k : raw_keys(txn, d.portal)) {
            if (k.size() == 24 && std::equal(k.begin(), k.begin() + 8, "notice-q")) {
                auto v = txn.get(d.portal, k);
                REQUIRE(v);
                Bytes value((*v)->begin(), (*v)->end());
                value.back() ^= 0x01;  // inside the GCM tag
                REQUIRE(txn.put(d.portal, k, value));
            }
        }
        // A guard key that happens to begin with the prefix bytes is not a notice.
        const std::string fake = "notice-q\x01\x02\x03\x04\x05\x06\x07\x08";
        REQUIRE(txn.put(d.portal, crypto::as_bytes(fake), crypto::as_bytes("guard")));
    });
    Vault v = q.fx.open();
    auto due = v.notice_list(10);
    REQUIRE(due);
    REQUIRE(due->size() == 1);
    REQUIRE((*due)[0].unreadable);
    CHECK((*due)[0].unreadable->code == Errc::auth_failed);
    CHECK((*due)[0].file_name.empty());
    REQUIRE(v.notice_done(q.id));
    auto after = v.notice_list(10);
    REQUIRE(after);
    CHECK(after->empty());
}

TEST_CASE("queueing checks the document index", "[vault][notice]") {
    Queue q;
    auto r = q.v.notice_queue(*q.opened, 2);
    REQUIRE_FALSE(r);
    CHECK(r.error().code == Errc::not_found);
    CHECK(q.list().empty());
}

}  // namespace
}  // namespace sealpost::vault::test
