// SPDX-License-Identifier: Apache-2.0
// Benchmark: sealed envelopes per second (envelope_create, one 200 kB document, durable commit
// each) against a baseline of plain LMDB puts of the same number and sizes, in one run.
//   usage: vault_ingest [N=500] [DIR=/tmp]   prints envelopes/s and ratio=E/B
// With SEALPOST_BENCH_PG_DSN set (the DSN of an empty database, e.g. one bench/pg-run made),
// the same envelopes are then sealed into a PostgreSQL vault too, and a second line gives
// postgresql envelopes/s and its ratio to the LMDB vault's (target >= 0.50).
// DIR must be on a real disk for the numbers to mean anything; the line names its filesystem.
// cpu_us is each side's thread CPU time per envelope (user + kernel), which tells the cost of
// the crypto from the noise of the disk.
#include <stdlib.h>   // mkdtemp
#include <sys/vfs.h>  // statfs
#include <time.h>     // clock_gettime

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "core/core_log.hpp"
#include "vault/vault.hpp"
#include "vault/vault_keys.hpp"
#include "vault/vault_lmdb.hpp"

namespace {

namespace fs = std::filesystem;
using namespace sealpost;  // NOLINT(google-build-using-namespace): a small bench main

constexpr std::size_t kDocBytes = 200000;      // "200 kB" invoice PDF
constexpr std::size_t kMetaRecordBytes = 420;  // about the size of a sealed envelope record
constexpr int kBlock = 25;  // alternate blocks so disk noise hits both sides alike
constexpr int kWarmup = 20;

using Clock = std::chrono::steady_clock;

[[noreturn]] void die(const std::string& what, const Error& e) {
    (void)std::fprintf(stderr, "vault_ingest: %s: %s %s\n", what.c_str(),
                       std::string(errc_name(e.code)).c_str(), e.detail.c_str());
    std::exit(1);  // NOLINT(concurrency-mt-unsafe): the bench's only other thread is the vault's
}

/// The baseline: the same named databases and the same puts, no crypto at all.
class PlainStore {
  public:
    PlainStore(const fs::path& dir, std::uint64_t map_size) {
        vault::lmdb::Env::Options o;
        o.dir = dir;
        o.map_size = map_size;
        auto env = vault::lmdb::Env::open(o);
        if (!env) {
            die("plain env", env.error());
        }
        env_.emplace(std::move(env).value());
        for (const char* name :
             {"envelopes", "links", "documents", "contacts", "audit", "portal"}) {
            auto d = env_->open_dbi(name);
            if (!d) {
                die("plain dbi", d.error());
            }
            dbis_.push_back(*d);
        }
    }

    /// One envelope: metadata record, link record, the document's 64 KiB chunks (+16 tag bytes
    /// each, like the sealed ones), an audit record; one durable commit. `id` is random like
    /// the vault's envelope ids (the same puts: sequential keys would spare the baseline the
    /// B-tree work of inserting at random places, which has nothing to do with encryption).
    void put_envelope(const vault::EnvelopeId& id, const crypto::Bytes& doc) {
        auto txn = vault::lmdb::Txn::begin(*env_, true);
        if (!txn) {
            die("plain txn", txn.error());
        }
        const crypto::Bytes meta(kMetaRecordBytes, 0x42);
        check(txn->put(dbis_[0], id, meta));
        std::uint8_t lookup[32] = {};
        std::copy(id.begin(), id.end(), lookup);
        lookup[31] = 1;
        check(txn->put(dbis_[1], crypto::ByteView(lookup, 32), id));
        for (std::size_t off = 0, c = 0; off < doc.size(); off += crypto::kChunkSize, ++c) {
            std::uint8_t key[24] = {};
            std::copy(id.begin(), id.end(), key);
            key[23] = static_cast<std::uint8_t>(c);
            const std::size_t len = std::min(crypto::kChunkSize, doc.size() - off);
            chunk_.assign(doc.begin() + static_cast<std::ptrdiff_t>(off),
                          doc.begin() + static_cast<std::ptrdiff_t>(off + len));
            chunk_.resize(len + crypto::kTagLen, 0);
            check(txn->put(dbis_[2], crypto::ByteView(key, 24), chunk_));
        }
        std::uint8_t akey[24] = {};
        std::copy(id.begin(), id.end(), akey);
        const crypto::Bytes audit(23, 0x01);
        check(txn->put(dbis_[4], crypto::ByteView(akey, 24), audit));
        check(txn->commit());
    }

  private:
    static void check(const Status& s) {
        if (!s) {
            die("plain put", s.error());
        }
    }
    std::optional<vault::lmdb::Env> env_;
    std::vector<vault::lmdb::Dbi> dbis_;
    crypto::Bytes chunk_;
};

/// CPU time of this thread, in seconds.
double thread_cpu_seconds() {
    timespec ts{};
    (void)::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

/// Name of the filesystem `dir` is on (the common ones; else its magic number).
std::string fs_name(const fs::path& dir) {
    struct statfs st {};
    if (::statfs(dir.c_str(), &st) != 0) {
        return "unknown";
    }
    switch (static_cast<std::uint64_t>(st.f_type)) {
        case 0xEF53U:
            return "ext4";
        case 0x01021994U:
            return "tmpfs";
        case 0x58465342U:
            return "xfs";
        case 0x9123683EU:
            return "btrfs";
        case 0x794C7630U:
            return "overlayfs";
        default:
            return "magic-" + std::to_string(static_cast<std::uint64_t>(st.f_type));
    }
}

}  // namespace

int main(int argc, char** argv) {
    int n = 500;
    if (argc > 1) {
        n = std::atoi(argv[1]);
        if (n <= 0) {
            (void)std::fprintf(stderr, "usage: vault_ingest [N>0] [DIR]\n");
            return 2;
        }
    }
    const std::string parent = argc > 2 ? argv[2] : "/tmp";
    std::string tmpl = parent + "/sealpost-bench-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) {
        std::perror("mkdtemp");
        return 1;
    }
    const fs::path root = tmpl;
    sealpost::log::init("vault_ingest", "warn");  // per-envelope info lines would skew the numbers

    int rc = 0;
    {
        if (auto s = keys::keys_init(root / "keys"); !s) {
            die("keys_init", s.error());
        }
        auto ring = keys::keys_load(root / "keys", keys::pepper | keys::escrow_public);
        if (!ring) {
            die("keys_load", ring.error());
        }
        vault::VaultOptions opts;
        opts.dir = root / "vault";
        // Both stores start big enough for the whole run (two thirds of a page of slack per
        // 64 KiB chunk, B-tree pages, free pages): the bench measures puts, not map growth.
        const std::uint64_t map_size = std::max<std::uint64_t>(
            1ULL << 30, static_cast<std::uint64_t>(n + kWarmup) * 384 * 1024);
        opts.map_size = map_size;
        opts.max_size = 2 * map_size;
        auto v = vault::Vault::open(opts, *ring);
        if (!v) {
            die("vault open", v.error());
        }
        PlainStore plain(root / "plain", map_size);

        // Random content: invoice PDFs are compressed streams, and both sides must write data
        // of the same entropy (storage below the VM may compress or deduplicate).
        crypto::Bytes doc(kDocBytes);
        if (auto s = crypto::random_fill(doc); !s) {
            die("random", s.error());
        }
        vault::EnvelopeInput in;
        in.recipient = "patient@example.ch";
        in.phone_e164 = "+41791234567";
        in.sender = "praxis@example.ch";
        in.subject = "Rechnung";
        in.language = "de";
        in.documents = {{"rechnung.pdf", "application/pdf", doc}};

        // The baseline's ids, drawn before the clock starts (the vault draws its own inside).
        std::vector<vault::EnvelopeId> plain_ids(static_cast<std::size_t>(n + kWarmup));
        for (auto& id : plain_ids) {
            if (auto s = crypto::random_fill(id); !s) {
                die("random", s.error());
            }
        }
        // Untimed warm-up on both sides: first pages of each file, the ciphers' first fetch.
        for (int i = 0; i < kWarmup; ++i) {
            plain.put_envelope(plain_ids[static_cast<std::size_t>(n + i)], doc);
            if (auto link = v->envelope_create(in); !link) {
                die("envelope_create", link.error());
            }
        }
        Clock::duration sealed_time{};
        Clock::duration plain_time{};
        double sealed_cpu = 0;
        double plain_cpu = 0;
        for (int done = 0; done < n; done += kBlock) {
            const int count = std::min(kBlock, n - done);
            const double c0 = thread_cpu_seconds();
            auto t0 = Clock::now();
            for (int i = 0; i < count; ++i) {
                plain.put_envelope(plain_ids[static_cast<std::size_t>(done + i)], doc);
            }
            auto t1 = Clock::now();
            const double c1 = thread_cpu_seconds();
            for (int i = 0; i < count; ++i) {
                auto link = v->envelope_create(in);
                if (!link) {
                    die("envelope_create", link.error());
                }
            }
            auto t2 = Clock::now();
            const double c2 = thread_cpu_seconds();
            plain_time += t1 - t0;
            sealed_time += t2 - t1;
            plain_cpu += c1 - c0;
            sealed_cpu += c2 - c1;
        }
        const double sealed_s = std::chrono::duration<double>(sealed_time).count();
        const double plain_s = std::chrono::duration<double>(plain_time).count();
        const double sealed_eps = n / sealed_s;
        const double plain_eps = n / plain_s;
        const double ratio = sealed_eps / plain_eps;
        std::printf(
            "vault_ingest n=%d doc_bytes=%zu fs=%s encrypted_eps=%.1f "
            "baseline_eps=%.1f ratio=%.3f target=0.90 %s cpu_us_encrypted=%.0f "
            "cpu_us_baseline=%.0f\n",
            n, kDocBytes, fs_name(root).c_str(), sealed_eps, plain_eps, ratio,
            ratio >= 0.90 ? "ok" : "below_target", sealed_cpu * 1e6 / n, plain_cpu * 1e6 / n);
        rc = 0;

        // The same envelopes into a PostgreSQL vault, one after another like the LMDB side.
        // Read once at start, before any thread of the bench's own.
        const char* pg_dsn = std::getenv("SEALPOST_BENCH_PG_DSN");  // NOLINT(concurrency-mt-unsafe)
        if (pg_dsn != nullptr && *pg_dsn != '\0') {
            vault::VaultOptions po = opts;
            po.backend = VaultBackend::postgresql;
            po.dsn = pg_dsn;
            if (auto made = vault::vault_init(po); !made) {
                die("pg init", made.error());
            }
            auto pv = vault::Vault::open(po, *ring);
            if (!pv) {
                die("pg vault open", pv.error());
            }
            for (int i = 0; i < kWarmup; ++i) {
                if (auto link = pv->envelope_create(in); !link) {
                    die("pg envelope_create", link.error());
                }
            }
            const double c0 = thread_cpu_seconds();
            const auto t0 = Clock::now();
            for (int i = 0; i < n; ++i) {
                if (auto link = pv->envelope_create(in); !link) {
                    die("pg envelope_create", link.error());
                }
            }
            const double pg_s = std::chrono::duration<double>(Clock::now() - t0).count();
            const double pg_cpu = thread_cpu_seconds() - c0;
            const double pg_eps = n / pg_s;
            const double pg_ratio = pg_eps / sealed_eps;
            std::printf(
                "vault_ingest backend=postgresql n=%d postgresql_eps=%.1f lmdb_eps=%.1f "
                "ratio=%.3f target=0.50 %s cpu_us_client=%.0f\n",
                n, pg_eps, sealed_eps, pg_ratio, pg_ratio >= 0.50 ? "ok" : "below_target",
                pg_cpu * 1e6 / n);
        }
    }
    std::error_code ec;
    fs::remove_all(root, ec);
    return rc;
}
