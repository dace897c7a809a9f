// SPDX-License-Identifier: Apache-2.0
// Purge (retention ended -> tombstone, orphans and old tombstones -> deleted) in bounded
// batches so the writer lock is never held long, and vault_stats.
#include <cstdint>
#include <utility>
#include <vector>

#include "core/core_log.hpp"
#include "vault/vault_impl.hpp"

namespace sealpost::vault {
namespace {

constexpr std::size_t kPurgeBatch = 100;  ///< envelopes per write transaction
constexpr std::size_t kScanBatch = 2000;  ///< records examined per read transaction

enum class Action { none, tombstone, delete_orphan, delete_tombstone };

Action decide(const records::EnvelopeRecord& rec, std::int64_t now, const VaultOptions& o) {
    if (rec.is_tombstone()) {
        return now - rec.purged_at >= o.tombstone_ttl.count() ? Action::delete_tombstone
                                                              : Action::none;
    }
    // A pending envelope is a crash between vault commit and upstream delivery, an upstream
    // outcome the proxy never learnt, or a deferred mark_sent lost in a crash: the mail with
    // its link may be in the patient's inbox, so the link keeps working until it expires.
    // After that (and the grace) nothing needs a 410 from it: it goes entirely.
    if (rec.state == EnvelopeState::pending && now >= rec.expires_at &&
        now - rec.created_at >= o.orphan_grace.count()) {
        return Action::delete_orphan;
    }
    if (now >= rec.retain_until) {
        return Action::tombstone;
    }
    return Action::none;
}

/// The advisory lock purge takes in each of its write transactions ("sealpurg").
constexpr std::int64_t kPurgeLock = 0x7365616c70757267;

}  // namespace

Result<std::uint64_t> Vault::Impl::purge_staged() {
    // Envelopes whose chunks a crash left half-staged (envelope_create): their staging record
    // is older than any sealing takes. Few by nature: one read, one write.
    std::vector<EnvelopeId> stale;
    {
        SP_TRY(txn, read());
        SP_TRY(cur, kv::Cursor::open(txn, db.staging));
        SP_TRY(e, cur.first());
        const std::int64_t cutoff = now() - kStagingGrace;
        while (e && stale.size() < kPurgeBatch) {
            SP_TRY(id, records::id_of_key(e->key));
            if (e->value.size() == 8 &&
                static_cast<std::int64_t>(records::get_u64(e->value.data())) <= cutoff) {
                stale.push_back(id);
            }
            SP_TRY(n, cur.next());
            e = n;
        }
    }
    if (stale.empty()) {
        return std::uint64_t{0};
    }
    SP_CHECK(write([&](kv::Txn& txn) -> Status {
        SP_TRY(mine, txn.try_lock(kPurgeLock));
        if (!mine) {
            return {};  // another node is purging: its pass clears these
        }
        for (const EnvelopeId& id : stale) {
            SP_TRY(rec, load(txn, id));
            if (!rec) {  // never completed: its chunks belong to no envelope
                SP_TRY(removed, chunks->chunks_delete(txn, id));
                (void)removed;
            }
            SP_TRY(gone, txn.del(db.staging, id));
            (void)gone;
        }
        return {};
    }));
    log::warn("vault.staged_removed").kv("envelopes", static_cast<std::uint64_t>(stale.size()));
    return static_cast<std::uint64_t>(stale.size());
}

Result<PurgeCounts> Vault::vault_purge() {
    Impl& im = *impl_;
    PurgeCounts counts;
    crypto::Bytes resume;  // scan position: the first key not yet examined
    for (;;) {
        // 1. A short read transaction finds the next batch of candidates.
        std::vector<EnvelopeId> batch;
        bool more = false;
        {
            SP_TRY(txn, im.read());
            SP_TRY(cur, kv::Cursor::open(txn, im.db.envelopes));
            const std::int64_t now = im.now();
            SP_TRY(e, resume.empty() ? cur.first() : cur.seek(resume));
            std::size_t scanned = 0;
            while (e) {
                if (batch.size() == kPurgeBatch || scanned == kScanBatch) {
                    resume.assign(e->key.begin(), e->key.end());
                    more = true;
                    break;
                }
                SP_TRY(id, records::id_of_key(e->key));
                SP_TRY(rec, records::decode_envelope(e->value));
                if (decide(rec, now, im.opts) != Action::none) {
                    batch.push_back(id);
                }
                ++scanned;
                SP_TRY(n, cur.next());
                e = n;
            }
        }
        if (batch.empty()) {
            if (!more) {
                break;
            }
            continue;  // nothing due in this stretch; scan on from `resume`
        }
        // 2. One write transaction acts on them, re-checking each (it may have changed).
        PurgeCounts step;
        bool yielded = false;
        const Status written = im.write([&](kv::Txn& txn) -> Status {
            step = {};
            // One node purges at a time (PostgreSQL: an advisory lock for the transaction;
            // always ours on LMDB). Another node purging now does this batch too: leave.
            SP_TRY(mine, txn.try_lock(kPurgeLock));
            yielded = !mine;
            if (yielded) {
                return {};
            }
            const std::int64_t now = im.now();
            for (const EnvelopeId& id : batch) {
                SP_TRY(rec, im.load(txn, id));
                if (!rec) {
                    continue;
                }
                switch (decide(*rec, now, im.opts)) {
                    case Action::none:
                        break;
                    case Action::tombstone:
                        SP_CHECK(im.make_tombstone(txn, id, *rec, EnvelopeState::purged));
                        ++step.retention_ended;
                        break;
                    case Action::delete_orphan:
                        SP_CHECK(im.delete_all(txn, id, *rec));
                        ++step.orphans;
                        break;
                    case Action::delete_tombstone:
                        SP_CHECK(im.delete_all(txn, id, *rec));
                        ++step.tombstones_removed;
                        break;
                }
            }
            return {};
        });
        SP_CHECK(written);
        if (yielded) {
            counts.other_node = true;
            log::info("vault.purge_yielded").kv("reason", "another node is purging");
            return counts;
        }
        counts.retention_ended += step.retention_ended;
        counts.orphans += step.orphans;
        counts.tombstones_removed += step.tombstones_removed;
        if (!more) {
            break;
        }
    }
    SP_TRY(staged, im.purge_staged());
    counts.staged_removed = staged;
    log::info("vault.purge")
        .kv("retention_ended", counts.retention_ended)
        .kv("orphans", counts.orphans)
        .kv("tombstones_removed", counts.tombstones_removed)
        .kv("staged_removed", counts.staged_removed);
    return counts;
}

Result<VaultStats> Vault::vault_stats() {
    Impl& im = *impl_;
    VaultStats s;
    {
        SP_TRY(txn, im.read());
        SP_TRY(cur, kv::Cursor::open(txn, im.db.envelopes));
        SP_TRY(e, cur.first());
        while (e) {
            SP_TRY(rec, records::decode_envelope(e->value));
            switch (rec.state) {
                case EnvelopeState::pending:
                    ++s.pending;
                    break;
                case EnvelopeState::sent:
                    ++s.sent;
                    break;
                case EnvelopeState::revoked:
                    ++s.revoked;
                    break;
                case EnvelopeState::purged:
                    ++s.purged;
                    break;
            }
            s.documents += rec.docs.size();
            s.bytes += rec.total_size;
            SP_TRY(n, cur.next());
            e = n;
        }
    }
    SP_TRY(info, im.engine->info());
    s.map_size = info.allocated_bytes;
    s.used_bytes = info.used_bytes;
    s.max_size = im.opts.max_size;
    return s;
}

}  // namespace sealpost::vault
