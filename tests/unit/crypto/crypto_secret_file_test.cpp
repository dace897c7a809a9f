// SPDX-License-Identifier: Apache-2.0
// Tests for read_secret_file: the first line without its line end, and every refusal (missing,
// symlink, FIFO, too open, empty, too large, control characters) without the content.
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "crypto/crypto_secret_file.hpp"

using namespace sealpost;
namespace fs = std::filesystem;

namespace {

class Dir {
  public:
    Dir() {
        static int counter = 0;
        path_ =
            fs::temp_directory_path() / ("sealpost-secret-file-test-" + std::to_string(::getpid()) +
                                         "-" + std::to_string(counter++));
        fs::remove_all(path_);
        fs::create_directories(path_);
    }
    ~Dir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    Dir(const Dir&) = delete;
    Dir& operator=(const Dir&) = delete;
    [[nodiscard]] const fs::path& path() const { return path_; }

  private:
    fs::path path_;
};

void write_file(const fs::path& p, const std::string& text, mode_t mode) {
    fs::remove(p);
    std::ofstream(p, std::ios::binary) << text;
    REQUIRE(::chmod(p.c_str(), mode) == 0);
}

}  // namespace

TEST_CASE("a secret file gives its first line without the line end") {
    const Dir d;
    const auto p = d.path() / "key";
    write_file(p, "s3cr3t-key\n", 0600);
    auto r = crypto::read_secret_file(p, "sms.secret_file");
    REQUIRE(r.ok());
    CHECK(r->view() == "s3cr3t-key");
    write_file(p, "dXNlcjpwYXNz\r\n", 0400);
    CHECK(crypto::read_secret_file(p, "k")->view() == "dXNlcjpwYXNz");
    write_file(p, "no-newline", 0600);
    CHECK(crypto::read_secret_file(p, "k")->view() == "no-newline");
}

TEST_CASE("a secret file is refused unless only its owner can read it") {
    const Dir d;
    const auto p = d.path() / "key";
    auto detail = [&p](const std::string& why) {
        return "sms.secret_file " + p.string() + ": " + why;
    };
    auto fails = [&p](Errc code) {
        auto r = crypto::read_secret_file(p, "sms.secret_file");
        REQUIRE_FALSE(r.ok());
        CHECK(r.error().code == code);
        CHECK(r.error().detail.find("s3cr3t") == std::string::npos);
        return r.error().detail;
    };
    CHECK(fails(Errc::key_error) == detail("missing"));
    write_file(p, "s3cr3t\n", 0644);
    CHECK(fails(Errc::key_error) ==
          detail("mode 0644 gives access to others; refused (chmod 600 it)"));
    write_file(p, "s3cr3t\n", 0640);
    CHECK(fails(Errc::key_error) ==
          detail("mode 0640 gives access to others; refused (chmod 600 it)"));
    write_file(p, "\n", 0600);
    CHECK(fails(Errc::key_error) == detail("empty"));
    write_file(p, "s3cr3t\x01x\n", 0600);
    CHECK(fails(Errc::key_error) == detail("holds control characters"));
    write_file(p, std::string(crypto::kMaxSecretFile + 1, 'a'), 0600);
    CHECK(fails(Errc::key_error) == detail("too large for a secret file"));
    write_file(d.path() / "real", "s3cr3t\n", 0600);
    fs::remove(p);
    fs::create_symlink(d.path() / "real", p);
    CHECK(fails(Errc::key_error) == detail("is a symlink; refused"));
    fs::remove(p);
    REQUIRE(::mkfifo(p.c_str(), 0600) == 0);
    CHECK(fails(Errc::key_error) == detail("not a regular file; refused"));
}
