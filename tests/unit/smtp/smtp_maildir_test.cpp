// SPDX-License-Identifier: Apache-2.0
// Unit tests for Maildir delivery: whole files in new/, nothing left in tmp/, unique names.
#include <catch2/catch.hpp>

#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "smtp/smtp_maildir.hpp"

using namespace sealpost::smtp;
namespace fs = std::filesystem;

namespace {
fs::path fresh_dir() {
    auto d = fs::temp_directory_path() / ("sealpost-maildir-test-" + std::to_string(::getpid()));
    fs::remove_all(d);
    return d;
}
std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}
}  // namespace

TEST_CASE("maildir delivery writes the message with LF line ends into new/") {
    const auto dir = fresh_dir();
    maildir_prepare(dir);
    std::set<std::string> names;
    for (int i = 0; i < 3; ++i) {
        auto r = maildir_deliver(dir, "praxis@example.ch", "Subject: t\r\n\r\nbody\r\n");
        REQUIRE(r.ok());
        names.insert(*r);
    }
    CHECK(names.size() == 3);
    CHECK(fs::is_empty(dir / "tmp"));
    for (const auto& n : names) {
        const auto p = dir / "new" / n;
        CHECK(slurp(p) == "Return-Path: <praxis@example.ch>\nSubject: t\n\nbody\n");
        const auto perms = fs::status(p).permissions() & fs::perms::all;
        CHECK(perms == (fs::perms::owner_read | fs::perms::owner_write));
    }
    fs::remove_all(dir);
}

TEST_CASE("delivery into a missing maildir fails as an error value") {
    const auto dir = fresh_dir();
    auto r = maildir_deliver(dir, "a@b.ch", "x\r\n");
    CHECK_FALSE(r.ok());
    CHECK(r.error().code == sealpost::Errc::io);
}
