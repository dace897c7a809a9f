// SPDX-License-Identifier: Apache-2.0
// Helpers shared by the test_mime sources: fixture files, a message reader that finds parts
// of a rewritten message, and substring checks.
#pragma once

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "mime/mime_message.hpp"

namespace sealpost::mime::test {

inline std::filesystem::path fixture_dir() {
    return std::filesystem::path(SEALPOST_SOURCE_DIR) / "tests" / "data" / "mime";
}

inline std::string read_bytes(const std::filesystem::path& p) {
    std::ifstream f(p, std::ios::binary);
    REQUIRE(f);
    return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

inline std::string fixture(std::string_view name) {
    return read_bytes(fixture_dir() / name);
}

inline MimeMessage parse_ok(std::string data) {
    auto m = MimeMessage::parse(std::move(data));
    INFO((m ? std::string() : m.error().detail));
    REQUIRE(m);
    return std::move(m).value();
}

inline bool has(std::string_view hay, std::string_view needle) {
    return hay.find(needle) != std::string_view::npos;
}

/// The text between the first occurrence of `begin` and the next `end` (exclusive), "" if absent.
inline std::string between(std::string_view hay, std::string_view begin, std::string_view end) {
    const auto a = hay.find(begin);
    if (a == std::string_view::npos) {
        return {};
    }
    const auto b = hay.find(end, a + begin.size());
    return std::string(hay.substr(a + begin.size(), b == std::string_view::npos
                                                        ? std::string_view::npos
                                                        : b - a - begin.size()));
}

}  // namespace sealpost::mime::test
