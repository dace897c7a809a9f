// SPDX-License-Identifier: Apache-2.0
// The LMDB wrapper's write verbs: insert refuses a present key and leaves its value; a reserved
// value is what the caller wrote into it, and goes with an aborted transaction.
#include <algorithm>
#include <string>

#include "vault_test_fixture.hpp"

namespace sealpost::vault::test {
namespace {

TEST_CASE("insert writes a new key and refuses a present one", "[vault][lmdb]") {
    OneDb s;
    auto txn = lmdb::Txn::begin(*s.env, true);
    REQUIRE(txn);
    REQUIRE(txn->insert(s.dbi, crypto::as_bytes("k"), crypto::as_bytes("first")).ok());
    const Status again = txn->insert(s.dbi, crypto::as_bytes("k"), crypto::as_bytes("second"));
    REQUIRE_FALSE(again);
    CHECK(again.error().code == Errc::exists);
    REQUIRE(txn->commit().ok());
    CHECK(s.get("k") == "first");
}

TEST_CASE("a reserved value holds what was written into it", "[vault][lmdb]") {
    OneDb s;
    // 70000 bytes: overflow pages, like a sealed 64 KiB chunk; 10 bytes: inside a leaf page.
    for (const std::size_t size : {std::size_t{70000}, std::size_t{10}}) {
        const std::string key = "r" + std::to_string(size);
        {
            auto txn = lmdb::Txn::begin(*s.env, true);
            REQUIRE(txn);
            auto out = txn->reserve(s.dbi, crypto::as_bytes(key), size);
            REQUIRE(out);
            REQUIRE(out->size() == size);
            std::fill(out->begin(), out->end(), std::uint8_t{'x'});
            txn->abort();
        }
        CHECK_FALSE(s.get(key));
        {
            auto txn = lmdb::Txn::begin(*s.env, true);
            REQUIRE(txn);
            auto out = txn->reserve(s.dbi, crypto::as_bytes(key), size);
            REQUIRE(out);
            for (std::size_t i = 0; i < size; ++i) {
                (*out)[i] = static_cast<std::uint8_t>('a' + i % 26);
            }
            REQUIRE(txn->commit().ok());
        }
        std::string want(size, ' ');
        for (std::size_t i = 0; i < size; ++i) {
            want[i] = static_cast<char>('a' + i % 26);
        }
        CHECK(s.get(key) == want);
    }
}

}  // namespace
}  // namespace sealpost::vault::test
