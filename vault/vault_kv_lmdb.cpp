// SPDX-License-Identifier: Apache-2.0
// The LMDB engine (vault_kv.hpp): the embedded default. One environment in [vault] dir with a
// named database per table; writes share transactions and fsyncs through GroupCommit.
#include <array>
#include <memory>
#include <utility>

#include "vault/vault.hpp"
#include "vault/vault_commit.hpp"
#include "vault/vault_kv.hpp"
#include "vault/vault_lmdb.hpp"

namespace sealpost::vault::kv {

namespace {

using Dbis = std::array<lmdb::Dbi, kTableCount>;

class LmdbCursor final : public CursorBackend {
  public:
    explicit LmdbCursor(lmdb::Cursor c) : c_(std::move(c)) {}
    Result<std::optional<Entry>> seek(ByteView key) override { return conv(c_.seek(key)); }
    Result<std::optional<Entry>> first() override { return conv(c_.first()); }
    Result<std::optional<Entry>> last() override { return conv(c_.last()); }
    Result<std::optional<Entry>> next() override { return conv(c_.next()); }
    Result<std::optional<Entry>> prev() override { return conv(c_.prev()); }

  private:
    static Result<std::optional<Entry>> conv(Result<std::optional<lmdb::Entry>> r) {
        SP_TRY(e, std::move(r));
        if (!e) {
            return std::optional<Entry>{};
        }
        return std::optional<Entry>{Entry{e->key, e->value}};
    }
    lmdb::Cursor c_;
};

/// A kv transaction on an lmdb::Txn, owned (reads) or borrowed (GroupCommit's nested writes).
class LmdbTxn final : public TxnBackend {
  public:
    LmdbTxn(lmdb::Txn& t, const Dbis& dbis) : t_(&t), dbis_(dbis) {}
    LmdbTxn(lmdb::Txn&& t, const Dbis& dbis)
        : owned_(std::make_unique<lmdb::Txn>(std::move(t))), t_(owned_.get()), dbis_(dbis) {}

    Result<std::optional<ByteView>> get(Table t, ByteView key) override {
        return t_->get(dbi(t), key);
    }
    Status put(Table t, ByteView key, ByteView value) override {
        return t_->put(dbi(t), key, value);
    }
    Status insert(Table t, ByteView key, ByteView value) override {
        return t_->insert(dbi(t), key, value);
    }
    Result<std::span<std::uint8_t>> reserve(Table t, ByteView key, std::size_t size) override {
        return t_->reserve(dbi(t), key, size);
    }
    Result<bool> del(Table t, ByteView key) override { return t_->del(dbi(t), key); }
    Result<std::unique_ptr<CursorBackend>> cursor(Table t, Scan /*scan*/) override {
        SP_TRY(c, lmdb::Cursor::open(*t_, dbi(t)));
        return std::unique_ptr<CursorBackend>(std::make_unique<LmdbCursor>(std::move(c)));
    }
    Result<bool> try_lock(std::int64_t /*lock_id*/) override { return true; }

  private:
    [[nodiscard]] lmdb::Dbi dbi(Table t) const { return dbis_[static_cast<std::size_t>(t)]; }
    std::unique_ptr<lmdb::Txn> owned_;
    lmdb::Txn* t_;
    const Dbis& dbis_;
};

class LmdbEngine final : public Engine {
  public:
    LmdbEngine(lmdb::Env env, std::uint64_t max_size, Dbis dbis)
        : env_(std::move(env)),
          dbis_(dbis),
          commits_(env_, max_size, [this](lmdb::Txn& txn) { return touch(txn); }) {}
    ~LmdbEngine() override = default;
    LmdbEngine(const LmdbEngine&) = delete;
    LmdbEngine& operator=(const LmdbEngine&) = delete;

    Result<Txn> read() override {
        SP_TRY(t, lmdb::Txn::begin(env_, false));
        return Txn(std::make_unique<LmdbTxn>(std::move(t), dbis_));
    }
    Status write(const Body& body) override {
        return commits_.run([&](lmdb::Txn& t) {
            LmdbTxn b(t, dbis_);
            Txn txn(b);
            return body(txn);
        });
    }
    void write_deferred(Body body, Done done) override {
        commits_.defer(
            [this, body = std::move(body)](lmdb::Txn& t) {
                LmdbTxn b(t, dbis_);
                Txn txn(b);
                return body(txn);
            },
            std::move(done));
    }
    void drain() override { commits_.drain(); }
    Result<EngineInfo> info() override {
        SP_TRY(i, env_.info());
        return EngineInfo{i.map_size, i.used_bytes};
    }
    [[nodiscard]] std::string_view name() const noexcept override { return "lmdb"; }

  private:
    /// A change that leaves the content as it was (GroupCommit's `release` on a full map):
    /// a 1-byte key put and deleted again in `portal`, where every key is 16 bytes or more.
    Status touch(lmdb::Txn& txn) const {
        static constexpr std::array<std::uint8_t, 1> kKey{0};
        const lmdb::Dbi portal = dbis_[static_cast<std::size_t>(Table::portal)];
        SP_CHECK(txn.put(portal, kKey, kKey));
        SP_TRY(gone, txn.del(portal, kKey));
        (void)gone;
        return {};
    }

    lmdb::Env env_;
    Dbis dbis_;
    /// Last member, so it is destroyed first: its final drain runs while env_ is alive.
    GroupCommit commits_;
};

}  // namespace

Result<std::unique_ptr<Engine>> engine_open_lmdb(const VaultOptions& opts) {
    SP_TRY(env, lmdb::Env::open(opts));
    Dbis dbis{};
    for (std::size_t i = 0; i < kTableCount; ++i) {
        const std::string name(kTableNames[i]);
        SP_TRY(d, env.open_dbi(name.c_str()));
        dbis[i] = d;
    }
    return std::unique_ptr<Engine>(
        std::make_unique<LmdbEngine>(std::move(env), opts.max_size, dbis));
}

}  // namespace sealpost::vault::kv
