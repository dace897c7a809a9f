// SPDX-License-Identifier: Apache-2.0
// envelope_create's staged path: documents streamed from a producer, chunks written in
// batches under a staging record, nothing visible or left behind when the producer fails,
// and purge removing what a crash (a real one: a child process that dies mid-seal) left.
#include <sys/wait.h>
#include <unistd.h>

#include "vault_test_fixture.hpp"

namespace sealpost::vault::test {
namespace {

/// A producer that streams `bytes` in pieces of `piece` octets and, when `fail_after` is
/// set, fails (or calls `at_fail`) once that many bytes have gone out.
DocumentInput streamed(std::string name, const Bytes& bytes, std::size_t piece = 50'000,
                       std::optional<std::size_t> fail_after = std::nullopt,
                       std::function<void()> at_fail = {}) {
    DocumentInput d;
    d.file_name = std::move(name);
    d.content_type = "application/pdf";
    d.size = bytes.size();
    d.write = [&bytes, piece, fail_after, at_fail](const DocumentSink& sink) -> Status {
        for (std::size_t off = 0; off < bytes.size(); off += piece) {
            if (fail_after && off >= *fail_after) {
                if (at_fail) {
                    at_fail();
                }
                return make_error(Errc::io, "producer failed");
            }
            const std::size_t n = std::min(piece, bytes.size() - off);
            SP_CHECK(sink(crypto::ByteView(bytes.data() + off, n)));
        }
        return {};
    };
    return d;
}

std::size_t count_all(const VaultOptions& opts, kv::Table RawDbs::*which) {
    std::size_t n = 0;
    with_raw(opts, [&](kv::Txn& txn, const RawDbs& d) { n = raw_keys(txn, d.*which).size(); });
    return n;
}

}  // namespace

TEST_CASE("a large envelope is staged in batches and reads back whole", "[vault][staging]") {
    Fixture fx;
    const Bytes big = pattern(kStageBatch * 2 + 3, 11);  // three batches, a short last chunk
    const Bytes even = pattern(kStageBatch, 12);         // exactly one batch
    const Bytes empty;                                   // one empty last chunk
    const Bytes small = pattern(1000, 13);               // given as bytes, not streamed
    {
        auto v = fx.open();
        auto link = v.envelope_create(sample_input({streamed("big.pdf", big),
                                                    streamed("even.pdf", even, kStageBatch),
                                                    streamed("empty.pdf", empty),
                                                    {"small.pdf", "application/pdf", small}}));
        REQUIRE(link);
        auto opened = v.envelope_open({link->token.data(), link->token.size()});
        REQUIRE(opened);
        CHECK(read_document(v, *opened, 0).value() == big);
        CHECK(read_document(v, *opened, 1).value() == even);
        CHECK(read_document(v, *opened, 2).value().empty());
        CHECK(read_document(v, *opened, 3).value() == small);
    }
    CHECK(count_all(fx.opts, &RawDbs::staging) == 0);
    CHECK(count_all(fx.opts, &RawDbs::documents) ==
          (kStageBatch * 2 / crypto::kChunkSize + 1) + kStageBatch / crypto::kChunkSize + 1 + 1);
}

TEST_CASE("a producer that fails leaves no envelope and no chunk", "[vault][staging]") {
    Fixture fx;
    const Bytes big = pattern(kStageBatch * 3, 21);
    {
        auto v = fx.open();
        auto link = v.envelope_create(
            sample_input({streamed("big.pdf", big, 65536, kStageBatch * 2 + 100)}));
        REQUIRE_FALSE(link);
        CHECK(link.error().code == Errc::io);
        CHECK(link.error().detail == "producer failed");
    }
    CHECK(count_all(fx.opts, &RawDbs::documents) == 0);
    CHECK(count_all(fx.opts, &RawDbs::staging) == 0);
    CHECK(count_all(fx.opts, &RawDbs::envelopes) == 0);
    CHECK(count_all(fx.opts, &RawDbs::links) == 0);
}

TEST_CASE("a producer that writes other than its size is refused", "[vault][staging]") {
    Fixture fx;
    const Bytes big = pattern(kStageBatch + 10, 31);
    auto v = fx.open();
    DocumentInput shorter = streamed("a.pdf", big);
    shorter.size = big.size() + 1;
    auto a = v.envelope_create(sample_input({std::move(shorter)}));
    REQUIRE_FALSE(a);
    CHECK(a.error().code == Errc::invalid_argument);
    DocumentInput longer = streamed("b.pdf", big);
    longer.size = big.size() - 1;
    auto b = v.envelope_create(sample_input({std::move(longer)}));
    REQUIRE_FALSE(b);
    CHECK(b.error().code == Errc::invalid_argument);
    DocumentInput small = streamed("c.pdf", big);  // the one-transaction path checks too
    small.size = 10;
    auto c = v.envelope_create(sample_input({std::move(small)}));
    REQUIRE_FALSE(c);
    CHECK(c.error().code == Errc::invalid_argument);
}

TEST_CASE("purge removes the chunks a crash left staged, after the grace",
          "[vault][staging][lmdb]") {
    Fixture fx;
    const Bytes big = pattern(kStageBatch * 3, 41);
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        // The child seals and dies mid-way, after two batches are durable: a crash.
        auto v = Vault::open(fx.opts, fx.keys);
        if (!v) {
            _exit(2);
        }
        (void)v->envelope_create(sample_input(
            {streamed("big.pdf", big, 65536, kStageBatch * 2 + 100, [] { _exit(0); })}));
        _exit(3);
    }
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    REQUIRE(WEXITSTATUS(status) == 0);
    CHECK(count_all(fx.opts, &RawDbs::staging) == 1);
    CHECK(count_all(fx.opts, &RawDbs::documents) == kStageBatch * 2 / crypto::kChunkSize);
    CHECK(count_all(fx.opts, &RawDbs::envelopes) == 0);
    {
        auto v = fx.open();
        fx.clock += kStagingGrace - 1;  // a seal may still be running: left alone
        CHECK(v.vault_purge().value().staged_removed == 0);
        fx.clock += 2;
        CHECK(v.vault_purge().value().staged_removed == 1);
        CHECK(v.vault_purge().value().staged_removed == 0);
    }
    CHECK(count_all(fx.opts, &RawDbs::staging) == 0);
    CHECK(count_all(fx.opts, &RawDbs::documents) == 0);
}

}  // namespace sealpost::vault::test
