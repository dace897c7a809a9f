// SPDX-License-Identifier: Apache-2.0
// Group commit: writers that queue while another commits share one transaction; a failing
// body undoes only its own puts; MDB_MAP_FULL in a group grows the map for that body alone;
// deferred writes ride along without waiting. Groups are made deterministic by a leader body
// that waits until the other callers have queued.
#include <algorithm>
#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "vault/vault_commit.hpp"
#include "vault_test_fixture.hpp"

namespace sealpost::vault::test {
namespace {

/// A one-database environment with a put body for the group.
struct Store : OneDb {
    using OneDb::OneDb;

    /// A body that puts key -> value (sized `bytes` when value is empty).
    GroupCommit::Body put(std::string key, std::string value) {
        return [this, key = std::move(key), value = std::move(value)](lmdb::Txn& txn) {
            return txn.put(dbi, crypto::as_bytes(key), crypto::as_bytes(value));
        };
    }
};

/// Blocks the calling thread until `gc` has `n` requests queued behind the running leader.
void wait_queued(const GroupCommit& gc, std::size_t n) {
    while (gc.queued() < n) {
        std::this_thread::yield();
    }
}

/// Starts writer A (it puts a=1), which leads a group and holds it open until `n` requests
/// have queued behind it; returns once A leads. A's outcome goes to `result` (Catch2
/// assertions are not thread-safe: threads only record, the test thread checks).
std::thread lead_until_queued(GroupCommit& gc, Store& s, std::size_t n, Status& result) {
    auto leading = std::make_shared<std::atomic<bool>>(false);
    std::thread a([&gc, &s, n, &result, leading] {
        result = gc.run([&](lmdb::Txn& txn) {
            *leading = true;
            wait_queued(gc, n);
            return txn.put(s.dbi, crypto::as_bytes("a"), crypto::as_bytes("1"));
        });
    });
    while (!*leading) {
        std::this_thread::yield();
    }
    return a;
}

TEST_CASE("writers that queue during a commit share the next one", "[vault][commit]") {
    Store s;
    GroupCommit gc(*s.env, 8ULL << 20);
    const std::uint64_t before = s.txn_id();
    // A leads the first group and holds it open until B and C have queued behind it.
    Status a_result;
    std::thread a = lead_until_queued(gc, s, 2, a_result);
    Status b_result;
    Status c_result;
    std::optional<std::string> b_seen;
    std::thread b([&] {
        b_result = gc.run(s.put("b", "2"));
        b_seen = s.get("b");  // committed by the time run() returns
    });
    std::thread c([&] { c_result = gc.run(s.put("c", "3")); });
    a.join();
    b.join();
    c.join();
    CHECK(a_result.ok());
    CHECK(b_result.ok());
    CHECK(c_result.ok());
    CHECK(b_seen == "2");
    CHECK(s.get("a") == "1");
    CHECK(s.get("c") == "3");
    CHECK(s.txn_id() == before + 2);  // three writers, two commits: B and C shared one
    CHECK(gc.queued() == 0);
}

/// Runs `bodies` as one group: writer A (a=1) leads and holds the group open until all of them
/// have queued behind it, in the order given. Returns A's status, then each body's.
std::vector<Status> run_group(GroupCommit& gc, Store& s, std::vector<GroupCommit::Body> bodies) {
    std::vector<Status> results(bodies.size() + 1);
    std::thread a = lead_until_queued(gc, s, bodies.size(), results[0]);
    std::vector<std::thread> rest;
    for (std::size_t i = 0; i < bodies.size(); ++i) {
        rest.emplace_back([&, i] { results[i + 1] = gc.run(bodies[i]); });
        wait_queued(gc, i + 1);
    }
    a.join();
    for (auto& t : rest) {
        t.join();
    }
    return results;
}

TEST_CASE("a failing body in a group undoes only its own puts", "[vault][commit]") {
    Store s;
    GroupCommit gc(*s.env, 8ULL << 20);
    const std::uint64_t before = s.txn_id();
    // Queued in this order, so the failing body runs between two that succeed in one parent.
    const std::vector<Status> r =
        run_group(gc, s,
                  {s.put("c", "3"),
                   [&](lmdb::Txn& txn) -> Status {
                       SP_CHECK(txn.put(s.dbi, crypto::as_bytes("b1"), crypto::as_bytes("x")));
                       SP_CHECK(txn.put(s.dbi, crypto::as_bytes("b2"), crypto::as_bytes("y")));
                       return make_error(Errc::exists, "body refuses after two puts");
                   },
                   s.put("d", "4")});
    CHECK(r[0].ok());
    CHECK(r[1].ok());
    CHECK(r[3].ok());
    REQUIRE_FALSE(r[2]);
    CHECK(r[2].error().code == Errc::exists);
    CHECK(r[2].error().detail == "body refuses after two puts");
    CHECK_FALSE(s.get("b1"));
    CHECK_FALSE(s.get("b2"));
    CHECK(s.get("a") == "1");
    CHECK(s.get("c") == "3");
    CHECK(s.get("d") == "4");
    CHECK(s.txn_id() == before + 2);
}

TEST_CASE("values reserved in a group's nested transactions commit as written", "[vault][commit]") {
    // Ingest encrypts chunks straight into MDB_RESERVE space, inside whatever nested transaction
    // the group gives the body: values of overflow-page size must survive the merge into the
    // parent, and a failing body's reserved pages must go with it.
    Store s(8ULL << 20);
    GroupCommit gc(*s.env, 8ULL << 20);
    const auto reserve_body = [&](std::string key, char fill, bool fail) {
        return [&s, key = std::move(key), fill, fail](lmdb::Txn& txn) -> Status {
            SP_TRY(out, txn.reserve(s.dbi, crypto::as_bytes(key), 70000));
            std::fill(out.begin(), out.end(), static_cast<std::uint8_t>(fill));
            if (fail) {
                return make_error(Errc::exists, "refused after reserving");
            }
            return {};
        };
    };
    const std::vector<Status> r =
        run_group(gc, s,
                  {reserve_body("big1", 'b', false), reserve_body("big2", 'c', true),
                   reserve_body("big3", 'd', false)});
    CHECK(r[0].ok());
    CHECK(r[1].ok());
    REQUIRE_FALSE(r[2]);
    CHECK(r[2].error().code == Errc::exists);
    CHECK(r[3].ok());
    CHECK(s.get("big1") == std::string(70000, 'b'));
    CHECK_FALSE(s.get("big2"));
    CHECK(s.get("big3") == std::string(70000, 'd'));

    SECTION("alone in its transaction too") {
        CHECK(gc.run(reserve_body("big4", 'e', false)).ok());
        CHECK(s.get("big4") == std::string(70000, 'e'));
        CHECK_FALSE(gc.run(reserve_body("big5", 'f', true)));
        CHECK_FALSE(s.get("big5"));
    }
}

TEST_CASE("MDB_MAP_FULL in a group grows the map for that body; the others commit",
          "[vault][commit]") {
    const std::string big(3U << 20, 'B');  // does not fit the 1 MiB map
    for (const bool room : {true, false}) {
        // room: max 8 MiB, the big body follows after growth; else max 2 MiB: vault_full.
        Store s;
        GroupCommit gc(*s.env, room ? 8ULL << 20 : 2ULL << 20);
        Status a_result;
        std::thread a = lead_until_queued(gc, s, 2, a_result);
        Status big_result;
        Status small_result;
        // The big body first: the small one then runs in the parent its failure left behind.
        std::thread b([&] { big_result = gc.run(s.put("big", big)); });
        wait_queued(gc, 1);
        std::thread c([&] { small_result = gc.run(s.put("small", "3")); });
        a.join();
        b.join();
        c.join();
        CHECK(a_result.ok());
        CHECK(small_result.ok());
        CHECK(s.get("small") == "3");
        if (room) {
            CHECK(big_result.ok());
            CHECK(s.get("big") == big);
            CHECK(s.map_size() == (4ULL << 20));
        } else {
            REQUIRE_FALSE(big_result);
            CHECK(big_result.error().code == Errc::vault_full);
            CHECK_FALSE(s.get("big"));
            CHECK(s.map_size() == (2ULL << 20));
        }
    }
}

TEST_CASE("a deferred write commits at once when nothing else does", "[vault][commit]") {
    Store s;
    GroupCommit gc(*s.env, 8ULL << 20);
    std::vector<Status> outcomes;
    gc.defer(s.put("x", "1"), [&](const Status& st) { outcomes.push_back(st); });
    CHECK(s.get("x") == "1");
    REQUIRE(outcomes.size() == 1);
    CHECK(outcomes[0].ok());

    gc.defer([](lmdb::Txn&) -> Status { return make_error(Errc::not_found, "gone"); },
             [&](const Status& st) { outcomes.push_back(st); });
    REQUIRE(outcomes.size() == 2);
    REQUIRE_FALSE(outcomes[1]);
    CHECK(outcomes[1].error().code == Errc::not_found);
}

TEST_CASE("a deferred write joins the commit in progress without waiting for it",
          "[vault][commit]") {
    Store s;
    GroupCommit gc(*s.env, 8ULL << 20);
    const std::uint64_t before = s.txn_id();
    std::atomic<bool> leading{false};
    std::atomic<bool> release{false};
    Status a_result;
    std::thread a([&] {
        a_result = gc.run([&](lmdb::Txn& txn) {
            leading = true;
            while (!release) {
                std::this_thread::yield();
            }
            return txn.put(s.dbi, crypto::as_bytes("a"), crypto::as_bytes("1"));
        });
    });
    while (!leading) {
        std::this_thread::yield();
    }
    std::atomic<int> done{0};
    // Returns while A's commit is still held open: it cannot have waited for any commit.
    gc.defer(s.put("y", "2"), [&](const Status& st) { done = st.ok() ? 1 : -1; });
    CHECK(gc.queued() == 1);
    CHECK_FALSE(s.get("y"));
    release = true;
    a.join();  // A's leader takes the deferred write along before it returns
    CHECK(a_result.ok());
    CHECK(done == 1);
    CHECK(s.get("y") == "2");
    CHECK(s.get("a") == "1");
    CHECK(s.txn_id() == before + 2);
    CHECK(gc.queued() == 0);
}

}  // namespace
}  // namespace sealpost::vault::test
