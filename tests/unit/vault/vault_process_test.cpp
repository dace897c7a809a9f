// SPDX-License-Identifier: Apache-2.0
// Two processes share one vault: each opens it after fork() and writes 50 envelopes at the
// same time, from a small map so both grow it (MDB_MAP_FULL here, MDB_MAP_RESIZED there).
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "vault_test_fixture.hpp"

namespace sealpost::vault::test {
namespace {

constexpr int kPerProcess = 50;

/// Child body: returns the exit status (0 = all written). No Catch2 macros here.
int child_writes(Fixture& fx, int which, const fs::path& out_file) {
    auto v = Vault::open(fx.opts, fx.keys);
    if (!v) {
        return 10;
    }
    std::ofstream out(out_file);
    for (int i = 0; i < kPerProcess; ++i) {
        const auto seed = static_cast<std::uint32_t>(which * 1000 + i);
        const Bytes content = pattern(20000, seed);
        auto link = v->envelope_create(sample_input({{"p.pdf", "application/pdf", content}}));
        if (!link) {
            return 11;
        }
        if (!v->envelope_mark_sent(link->id)) {
            return 12;
        }
        out << envelope_id_hex(link->id) << ' '
            << std::string(link->token.begin(), link->token.end()) << ' ' << seed << '\n';
    }
    out.close();
    return out ? 0 : 13;
}

TEST_CASE("two processes write 50 envelopes each at once", "[vault][process][lmdb]") {
    Fixture fx;
    fx.opts.map_size = 1ULL << 20;  // 100 x 20 kB does not fit: both processes must grow
    fx.opts.max_size = 64ULL << 20;
    fx.clock = kT0;

    pid_t pids[2] = {-1, -1};
    for (int which = 0; which < 2; ++which) {
        const pid_t pid = ::fork();
        REQUIRE(pid >= 0);
        if (pid == 0) {
            // Child: open the vault here (never use a pre-fork handle), write, leave without
            // running Catch2's or the fixture's destructors.
            const int rc = child_writes(fx, which, fx.tmp.path() / ("out" + std::to_string(which)));
            ::_exit(rc);
        }
        pids[which] = pid;
    }
    for (pid_t pid : pids) {
        int status = 0;
        REQUIRE(::waitpid(pid, &status, 0) == pid);
        REQUIRE(WIFEXITED(status));
        CHECK(WEXITSTATUS(status) == 0);
    }

    auto v = fx.open();
    auto all = v.envelope_list(ListFilter::all);
    REQUIRE(all);
    CHECK(all->size() == 2 * kPerProcess);
    int opened_count = 0;
    for (int which = 0; which < 2; ++which) {
        std::ifstream in(fx.tmp.path() / ("out" + std::to_string(which)));
        std::string hex, token;
        std::uint32_t seed = 0;
        while (in >> hex >> token >> seed) {
            auto opened = v.envelope_open(token);
            REQUIRE(opened);
            CHECK(envelope_id_hex(opened->summary.id) == hex);
            CHECK(opened->summary.state == EnvelopeState::sent);
            CHECK(read_document(v, *opened, 0).value() == pattern(20000, seed));
            ++opened_count;
        }
    }
    CHECK(opened_count == 2 * kPerProcess);
    CHECK(v.vault_stats().value().map_size > fx.opts.map_size);
}

TEST_CASE("a process adopts the map another process grew", "[vault][process][lmdb]") {
    // The parent opens at 1 MiB; then the child grows the map to hold 5 MiB. The parent's next
    // transaction sees MDB_MAP_RESIZED and must adopt the new size, not fail.
    Fixture fx;
    fx.opts.map_size = 1ULL << 20;
    fx.opts.max_size = 64ULL << 20;
    int go[2] = {-1, -1};
    REQUIRE(::pipe(go) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(go[1]);
        char c = 0;
        int rc = ::read(go[0], &c, 1) == 1 ? 0 : 20;
        if (rc == 0) {
            auto v = Vault::open(fx.opts, fx.keys);
            auto link = v ? v->envelope_create(sample_input(
                                {{"big.pdf", "application/pdf", pattern(5 << 20, 77)}}))
                          : Result<IssuedLink>(make_error(Errc::internal));
            if (!link) {
                rc = 21;
            } else {
                std::ofstream(fx.tmp.path() / "token")
                    << std::string(link->token.begin(), link->token.end());
            }
        }
        ::_exit(rc);
    }
    ::close(go[0]);
    auto v = fx.open();
    REQUIRE(v.envelope_create(sample_input({{"s.pdf", "application/pdf", pattern(100, 1)}})));
    REQUIRE(v.vault_stats().value().map_size == (1ULL << 20));
    REQUIRE(::write(go[1], "g", 1) == 1);
    ::close(go[1]);
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);

    std::string token;
    std::ifstream(fx.tmp.path() / "token") >> token;
    auto opened = v.envelope_open(token);
    REQUIRE(opened);
    CHECK(read_document(v, *opened, 0).value() == pattern(5 << 20, 77));
    CHECK(v.vault_stats().value().map_size >= (8ULL << 20));
    // And this process can write again at the adopted size.
    CHECK(v.envelope_create(sample_input({{"t.pdf", "application/pdf", pattern(100, 2)}})));
}

TEST_CASE("threads create and read while the map grows", "[vault][threads][lmdb]") {
    // Writers hit MDB_MAP_FULL and resize while readers stream documents: the process-wide
    // resize lock must keep every transaction consistent, with no deadlock.
    Fixture fx;
    fx.opts.map_size = 1ULL << 20;
    fx.opts.max_size = 64ULL << 20;
    auto v = fx.open();
    const Bytes content = pattern(150000, 5);
    auto first = v.envelope_create(sample_input({{"r.pdf", "application/pdf", content}}));
    REQUIRE(first);
    const std::string token(first->token.begin(), first->token.end());

    std::atomic<int> failures{0};
    std::atomic<bool> writing{true};
    std::vector<std::thread> threads;
    for (int w = 0; w < 2; ++w) {
        threads.emplace_back([&, w] {
            for (int i = 0; i < 15; ++i) {
                const Bytes doc = pattern(100000, static_cast<std::uint32_t>(w * 100 + i));
                auto link = v.envelope_create(sample_input({{"w.pdf", "application/pdf", doc}}));
                if (!link) {
                    ++failures;
                }
            }
        });
    }
    for (int r = 0; r < 2; ++r) {
        threads.emplace_back([&] {
            do {
                auto opened = v.envelope_open(token);
                if (!opened) {
                    ++failures;
                    return;
                }
                auto back = read_document(v, *opened, 0);
                if (!back || *back != content) {
                    ++failures;
                }
            } while (writing.load());
        });
    }
    threads[0].join();
    threads[1].join();
    writing = false;
    threads[2].join();
    threads[3].join();
    CHECK(failures.load() == 0);
    CHECK(v.envelope_list(ListFilter::all).value().size() == 31);
    CHECK(v.vault_stats().value().map_size > fx.opts.map_size);
}

}  // namespace
}  // namespace sealpost::vault::test
