// SPDX-License-Identifier: Apache-2.0
// A unique directory under /tmp for one test, removed with everything in it; shared by the
// unit tests so that each suite does not grow its own copy.
#pragma once

#include <catch2/catch.hpp>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

namespace sealpost::test {

class TempDir {
  public:
    TempDir() {
        std::string tmpl = "/tmp/sealpost-test-XXXXXX";
        REQUIRE(::mkdtemp(tmpl.data()) != nullptr);
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
};

}  // namespace sealpost::test
