// SPDX-License-Identifier: Apache-2.0
// Group commit (see vault_commit.hpp): a leader runs the queued write bodies in nested
// transactions of one write transaction and commits them with one fsync.
#include "vault/vault_commit.hpp"

#include <algorithm>
#include <exception>
#include <string>
#include <utility>

#include "core/core_log.hpp"

namespace sealpost::vault {
namespace {

/// A body that throws (bad_alloc) must not unwind through the leader: the other callers of
/// the group would wait forever. It fails alone, like a body that returns an error.
Status run_body(const GroupCommit::Body& body, lmdb::Txn& txn) {
    try {
        return body(txn);
    } catch (const std::exception& e) {
        return make_error(Errc::internal, std::string("vault write body threw: ") + e.what());
    }
}

}  // namespace

GroupCommit::~GroupCommit() {
    drain();
}

Status GroupCommit::run(const Body& body) {
    auto req = std::make_shared<Request>();
    req->body = &body;
    std::unique_lock lock(mu_);
    queue_.push_back(req);
    // While nobody leads, an unfinished request is still queued (a leader marks its whole batch
    // finished before it lets go), so leading here always makes progress on it.
    while (!req->finished) {
        if (leading_) {
            cv_.wait(lock);
        } else {
            lead(lock);
        }
    }
    return req->result;
}

void GroupCommit::defer(Body body, Done done) {
    auto req = std::make_shared<Request>();
    req->owned = std::move(body);
    req->body = &req->owned;
    req->done = std::move(done);
    req->deferred = true;
    std::unique_lock lock(mu_);
    queue_.push_back(std::move(req));
    if (!leading_) {
        lead(lock);  // no commit to ride along with: this caller pays for one
    }
}

void GroupCommit::drain() {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [this] { return !leading_; });
    if (!queue_.empty()) {
        lead(lock);
    }
}

std::size_t GroupCommit::queued() const {
    std::lock_guard lock(mu_);
    return queue_.size();
}

void GroupCommit::lead(std::unique_lock<std::mutex>& lock) {
    leading_ = true;
    for (;;) {
        Batch batch;
        while (!queue_.empty() && batch.size() < kMaxGroup) {
            batch.push_back(std::move(queue_.front()));
            queue_.pop_front();
        }
        lock.unlock();
        commit_batch(batch);
        for (const auto& r : batch) {
            if (r->deferred && r->done) {
                try {
                    r->done(r->result);
                } catch (...) {  // NOLINT(bugprone-empty-catch): a failed log line changes nothing
                }
            }
        }
        lock.lock();
        for (const auto& r : batch) {
            r->finished = true;
        }
        // A caller waiting in run() leads the next group itself; deferred requests have nobody
        // waiting for them, so this leader takes them on rather than leave them stranded.
        const bool waiter =
            std::any_of(queue_.begin(), queue_.end(), [](const auto& r) { return !r->deferred; });
        if (queue_.empty() || waiter) {
            break;
        }
        cv_.notify_all();  // the finished callers may return meanwhile
    }
    leading_ = false;
    cv_.notify_all();
}

void GroupCommit::commit_batch(const Batch& batch) {
    std::vector<Request*> todo;
    todo.reserve(batch.size());
    for (const auto& r : batch) {
        todo.push_back(r.get());
    }
    // One body per transaction after a commit ran out of dirty pages, so every round makes
    // progress (a body that is too big alone fails alone).
    std::size_t per_txn = kMaxGroup;
    bool released = false;  // at most once per group: then full means full
    while (!todo.empty()) {
        std::vector<Request*> round(
            todo.begin(),
            todo.begin() + static_cast<std::ptrdiff_t>(std::min(per_txn, todo.size())));
        std::vector<Request*> next(todo.begin() + static_cast<std::ptrdiff_t>(round.size()),
                                   todo.end());
        std::vector<Request*> merged;
        std::vector<Request*> grow_then_retry;
        {
            auto parent = lmdb::Txn::begin(env_, true);
            if (!parent) {
                for (Request* r : todo) {
                    r->result = parent.error();
                }
                return;
            }
            if (round.size() == 1) {
                // Alone in the transaction: the body runs in it directly, which is the same
                // all-or-nothing (a failure aborts the whole transaction, holding nothing else)
                // without the nested transaction's bookkeeping.
                Request* r = round.front();
                Status st = run_body(*r->body, *parent);
                if (st) {
                    merged.push_back(r);
                } else if (st.error().code == Errc::vault_full) {
                    grow_then_retry.push_back(r);
                } else {
                    r->result = std::move(st);
                }
                round.clear();
            }
            for (Request* r : round) {
                auto child = lmdb::Txn::begin_nested(*parent);
                if (!child) {
                    r->result = child.error();
                    continue;
                }
                Status st = run_body(*r->body, *child);
                if (st) {
                    st = child->commit();
                }
                if (st) {
                    merged.push_back(r);
                    continue;
                }
                const bool txn_full = child->dirty_limit_hit();
                child->abort();  // this caller's puts are gone; the parent is as before
                if (st.error().code == Errc::vault_full) {
                    grow_then_retry.push_back(r);
                } else if (txn_full && !merged.empty()) {
                    next.push_back(r);  // fits, maybe, in a transaction of its own
                } else {
                    r->result = std::move(st);
                }
            }
            if (!merged.empty()) {
                const Status committed = parent->commit();  // the one fsync of the group
                if (committed) {
                    for (Request* r : merged) {
                        r->result = {};
                    }
                } else if (committed.error().code == Errc::vault_full) {
                    // MDB_MAP_FULL while saving the free list: nothing was written.
                    grow_then_retry.insert(grow_then_retry.end(), merged.begin(), merged.end());
                } else if (parent->dirty_limit_hit() && merged.size() > 1) {
                    next.insert(next.end(), merged.begin(), merged.end());
                    per_txn = 1;
                } else {
                    for (Request* r : merged) {
                        r->result = committed;
                    }
                }
            }
        }  // an unused parent aborts here, and with it the resize lock goes
        if (!grow_then_retry.empty()) {
            // No transaction of this thread is open now, as resizing requires.
            const Status grown = env_.grow(max_size_);
            if (grown) {
                if (auto info = env_.info()) {
                    log::info("vault.map_grown").kv("map_size", info->map_size);
                }
                next.insert(next.end(), grow_then_retry.begin(), grow_then_retry.end());
            } else if (release_ && !released && release_freed_pages()) {
                released = true;
                next.insert(next.end(), grow_then_retry.begin(), grow_then_retry.end());
            } else {
                log::warn("vault.full").kv("max_size", max_size_);
                for (Request* r : grow_then_retry) {
                    r->result = grown;
                }
            }
        }
        todo = std::move(next);
    }
}

bool GroupCommit::release_freed_pages() {
    auto txn = lmdb::Txn::begin(env_, true);
    if (!txn) {
        return false;
    }
    if (Status st = run_body(release_, *txn); !st) {
        return false;  // an unused transaction aborts
    }
    const Status committed = txn->commit();
    if (committed) {
        log::info("vault.freed_pages_released");
    }
    return committed.ok();
}

}  // namespace sealpost::vault
