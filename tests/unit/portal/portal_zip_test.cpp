// SPDX-License-Identifier: Apache-2.0
// Streamed ZIP archives, read back with libzip (an independent reader): every byte, the names,
// the announced length, ZIP64 form, sources that lie about their size; and the ZIP caps.
#include <zip.h>

#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "portal/portal_zip.hpp"

namespace sealpost::portal {
namespace {

/// A source that yields `data` in pieces of `piece` bytes.
BodySource pieces(const crypto::SecretBytes& data, std::size_t piece) {
    auto pos = std::make_shared<std::size_t>(0);
    return [data, piece, pos]() -> Result<std::optional<crypto::SecretBytes>> {
        if (*pos >= data.size()) {
            return std::optional<crypto::SecretBytes>{};
        }
        const std::size_t n = std::min(piece, data.size() - *pos);
        crypto::SecretBytes out(data.begin() + static_cast<std::ptrdiff_t>(*pos),
                                data.begin() + static_cast<std::ptrdiff_t>(*pos + n));
        *pos += n;
        return std::optional{std::move(out)};
    };
}

/// Everything the stream yields, or the first error.
Result<crypto::SecretBytes> drain(ZipStream& z) {
    crypto::SecretBytes all;
    for (;;) {
        SP_TRY(piece, z.next());
        if (!piece) {
            return all;
        }
        all.insert(all.end(), piece->begin(), piece->end());
    }
}

/// libzip's view of `archive`: names and contents, checked for consistency.
std::vector<std::pair<std::string, std::string>> read_back(const crypto::SecretBytes& archive) {
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t* src = zip_source_buffer_create(archive.data(), archive.size(), 0, &err);
    REQUIRE(src != nullptr);
    zip_t* z = zip_open_from_source(src, ZIP_RDONLY | ZIP_CHECKCONS, &err);
    INFO(zip_error_strerror(&err));
    REQUIRE(z != nullptr);
    std::vector<std::pair<std::string, std::string>> out;
    const auto n = zip_get_num_entries(z, 0);
    for (zip_int64_t i = 0; i < n; ++i) {
        const auto idx = static_cast<zip_uint64_t>(i);
        zip_stat_t st;
        REQUIRE(zip_stat_index(z, idx, 0, &st) == 0);
        std::string got(st.size + 1, '\0');
        zip_file_t* f = zip_fopen_index(z, idx, 0);  // checks the CRC at the end
        REQUIRE(f != nullptr);
        const auto read = zip_fread(f, got.data(), got.size());
        REQUIRE(read >= 0);
        CHECK(zip_fclose(f) == 0);
        got.resize(static_cast<std::size_t>(read));
        out.emplace_back(zip_get_name(z, idx, ZIP_FL_ENC_GUESS), got);
    }
    zip_close(z);
    zip_error_fini(&err);
    return out;
}

std::vector<ZipEntry> sample(const std::vector<crypto::SecretBytes>& data) {
    const std::vector<std::string> names = {"Rechnung.pdf", "Rechnung.pdf",
                                            "Rückforderungsbeleg.pdf"};
    std::vector<ZipEntry> entries;
    for (std::size_t i = 0; i < data.size(); ++i) {
        entries.push_back({names[i % names.size()], data[i].size(), pieces(data[i], 65536)});
    }
    return entries;
}

TEST_CASE("a streamed ZIP holds the documents byte for byte under unique names", "[portal][zip]") {
    const bool zip64 = GENERATE(false, true);
    INFO("zip64 " << zip64);
    crypto::SecretBytes big(200000);
    for (std::size_t i = 0; i < big.size(); ++i) {
        big[i] = static_cast<std::uint8_t>(i * 7);
    }
    const std::vector<crypto::SecretBytes> data = {big, crypto::SecretBytes{1, 2, 3},
                                                   crypto::SecretBytes{}};
    auto z = ZipStream::make(sample(data), 1785537000, zip64);
    REQUIRE(z);
    const std::uint64_t announced = z->length();
    auto archive = drain(*z);
    REQUIRE(archive);
    CHECK(archive->size() == announced);
    const auto got = read_back(*archive);
    REQUIRE(got.size() == 3);
    const std::vector<std::string> names = {"Rechnung.pdf", "Rechnung (2).pdf",
                                            "Rückforderungsbeleg.pdf"};
    for (std::size_t i = 0; i < 3; ++i) {
        CHECK(got[i].first == names[i]);
        CHECK(got[i].second == std::string(data[i].begin(), data[i].end()));
    }
    CHECK_FALSE(z->next().value());  // finished stays finished
    CHECK_FALSE(ZipStream::make({}, 0));
}

TEST_CASE("a source that lies about its size fails the stream", "[portal][zip]") {
    const crypto::SecretBytes ten(10, 0x41);
    for (const std::uint64_t claimed : {9ULL, 11ULL}) {
        std::vector<ZipEntry> entries;
        entries.push_back({"a.pdf", claimed, pieces(ten, 4)});
        auto z = ZipStream::make(std::move(entries), 0);
        REQUIRE(z);
        auto all = drain(*z);
        REQUIRE_FALSE(all);
        CHECK(all.error().code == Errc::corrupt);
        CHECK_FALSE(z->next().value());
    }
}

TEST_CASE("ZIP downloads are capped per session and in all", "[portal][zip]") {
    ZipGate gate(2, 3);
    auto a1 = gate.try_enter("a");
    auto a2 = gate.try_enter("a");
    REQUIRE(a1);
    REQUIRE(a2);
    CHECK_FALSE(gate.try_enter("a"));
    auto b1 = gate.try_enter("b");
    REQUIRE(b1);
    CHECK_FALSE(gate.try_enter("c"));  // 3 in all
    {
        const ZipGate::Ticket gone = std::move(a1);
        CHECK_FALSE(a1);  // NOLINT(bugprone-use-after-move): moved-from is empty by contract
    }
    auto c1 = gate.try_enter("c");
    CHECK(c1);
    CHECK_FALSE(gate.try_enter("a"));
}

}  // namespace
}  // namespace sealpost::portal
