// SPDX-License-Identifier: Apache-2.0
// Group commit for the vault's write verbs: concurrent writers in one process share one LMDB
// write transaction and one fsync, each caller's changes in a nested transaction of its own.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <vector>

#include "core/core_result.hpp"
#include "vault/vault_lmdb.hpp"

namespace sealpost::vault {

/** Leader/follower group commit on one environment (no thread of its own).
 *
 * A caller queues its body. If no commit is in progress it becomes the leader: it takes what
 * is queued (at most kMaxGroup bodies), begins one write transaction, runs each body in a
 * nested transaction (mdb_txn_begin with a parent) and commits once: one fsync for the group.
 * A body that fails is aborted alone, so its caller gets its error and nothing of its puts,
 * while the others commit. Callers that queue during that fsync form the next group; so the
 * group grows with the load, with no timer: alone, a caller pays one commit as before.
 *
 * Every caller of run() returns only after the commit that holds its changes returned (LMDB
 * syncs on commit: the environment never has MDB_NOSYNC or MDB_NOMETASYNC).
 *
 * MDB_MAP_FULL (in a body or in the commit): the bodies that fit are committed, the map grows
 * (doubling, up to `max_size`) and the others run again in a new transaction. At max_size,
 * `release` (if given) commits a small change of its own first and the others run once more:
 * LMDB hands out a page freed by transaction N only from transaction N+2 on, so the space a
 * revoke or purge just freed is out of reach until one more write commits. If they still do
 * not fit, they get Errc::vault_full and nothing of theirs is written. MDB_TXN_FULL (the group has
 * as many dirty pages as LMDB allows): the group commits without that body, which runs again in a
 * group of its own. A body may therefore run more than once, and must write the same bytes
 * each time: it may compute (envelope_create encrypts its chunks into reserved space), but
 * anything random (keys, nonces) is drawn before the call, so a re-run never seals other
 * bytes under a nonce an earlier run used.
 *
 * Bodies run on the leader's thread (LMDB binds a write transaction to the thread that began
 * it): they must not depend on the calling thread, and must not call into the vault. A leader
 * (a run() or defer() caller) thus does the others' work too, sealing included: call neither
 * from an event-loop thread. The writer lock is held while the group's bodies run, so their
 * computing adds to the commit (little beside writing and syncing the same bytes;
 * bench/vault_ingest measures it).
 */
class GroupCommit {
  public:
    using Body = std::function<Status(lmdb::Txn&)>;
    using Done = std::function<void(const Status&)>;

    /// Bodies per write transaction at most: bounds how long the writer lock is held.
    static constexpr std::size_t kMaxGroup = 64;

    /// `env` must outlive this object. `release`: a body that changes something harmless (a key
    /// put and deleted again), used when the map is full (see above).
    GroupCommit(lmdb::Env& env, std::uint64_t max_size, Body release = {})
        : env_(env), max_size_(max_size), release_(std::move(release)) {}
    /// Commits what defer() left queued (see drain()).
    ~GroupCommit();
    GroupCommit(const GroupCommit&) = delete;
    GroupCommit& operator=(const GroupCommit&) = delete;

    /** Run `body` in the group in progress's successor (or lead it) and return once that group
     * is durable: success, or the body's own error, or the commit's (Errc::vault_full,
     * Errc::io) with nothing of the body written. */
    Status run(const Body& body);

    /** Queue `body` without waiting for its commit: while a commit is in progress, its leader
     * takes the body along afterwards (or the next group does); when none is, the caller
     * commits it at once. `done` gets the outcome on the committing thread (it must not throw
     * nor call into the vault). Use only for changes whose loss in a crash is harmless. */
    void defer(Body body, Done done);

    /// Commit whatever defer() queued and nobody took yet; returns when it is durable. Called
    /// by the destructor; call it earlier while everything the bodies use is still alive.
    void drain();

    /// Requests queued and not yet taken by a leader (for tests and diagnostics).
    [[nodiscard]] std::size_t queued() const;

  private:
    struct Request {
        const Body* body = nullptr;
        Body owned;  ///< deferred: the body lives here
        Done done;   ///< deferred: gets the outcome
        Status result;
        bool deferred = false;
        bool finished = false;
    };
    using Batch = std::vector<std::shared_ptr<Request>>;

    /// Commit groups while there is work that no waiting caller will lead. `lock` is held on
    /// entry and exit, released during the commits.
    void lead(std::unique_lock<std::mutex>& lock);
    /// One group: the write transaction(s), nested bodies, growth and retries.
    void commit_batch(const Batch& batch);
    /// Commit `release_` alone; false if it failed (then the vault is full indeed).
    bool release_freed_pages();

    lmdb::Env& env_;
    const std::uint64_t max_size_;
    const Body release_;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::deque<std::shared_ptr<Request>> queue_;
    bool leading_ = false;
};

}  // namespace sealpost::vault
