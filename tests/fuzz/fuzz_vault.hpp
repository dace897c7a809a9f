// SPDX-License-Identifier: Apache-2.0
// A throwaway vault for fuzz targets: a temp directory with fresh keys (keys_init) and a vault
// that can be wiped and reopened, so a long run never grows it without bound.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>

#include "vault/vault.hpp"
#include "vault/vault_keys.hpp"

namespace sealpost::fuzz {

class ThrowawayVault {
  public:
    /// Makes the temp directory and its keys; `what` names the target in a startup failure.
    explicit ThrowawayVault(std::string_view what) : what_(what) {
        // tmpfs when there is one: every seal and discard is an fsync, which on a disk would
        // cost more than the code under test.
        std::string tmpl = std::filesystem::is_directory("/dev/shm")
                               ? "/dev/shm/sealpost-fuzz-XXXXXX"
                               : "/tmp/sealpost-fuzz-XXXXXX";
        if (::mkdtemp(tmpl.data()) == nullptr) {
            die("cannot make a temp directory");
        }
        dir_ = tmpl;
        if (auto st = keys::keys_init(dir_ / "keys"); !st) {
            die("keys_init: " + st.error().detail);
        }
        auto keys = keys::keys_load(dir_ / "keys", keys::kAllKeys);
        if (!keys) {
            die("keys_load: " + keys.error().detail);
        }
        keys_ = std::move(keys).value();
        reopen();
    }
    ~ThrowawayVault() {
        vault_.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir_, ec);
    }
    ThrowawayVault(const ThrowawayVault&) = delete;
    ThrowawayVault& operator=(const ThrowawayVault&) = delete;
    ThrowawayVault(ThrowawayVault&&) = delete;
    ThrowawayVault& operator=(ThrowawayVault&&) = delete;

    /// Closes the vault, deletes its files and opens an empty one (keys stay). No keys-ahead
    /// thread: everything runs inline, so an input's work ends when it returns.
    void reopen() {
        vault_.reset();
        std::error_code ec;
        std::filesystem::remove_all(dir_ / "vault", ec);
        vault::VaultOptions opts;
        opts.dir = dir_ / "vault";
        opts.map_size = 4ULL << 20;
        opts.max_size = 256ULL << 20;
        auto v = vault::Vault::open(std::move(opts), keys_);
        if (!v) {
            die("vault open: " + v.error().detail);
        }
        vault_.emplace(std::move(v).value());
    }

    [[nodiscard]] vault::Vault& vault() { return *vault_; }
    [[nodiscard]] const keys::KeyRing& keys() const { return keys_; }
    [[nodiscard]] const std::filesystem::path& dir() const { return dir_; }

  private:
    [[noreturn]] void die(const std::string& why) const {
        std::cerr << what_ << ": " << why << "\n";
        std::abort();
    }

    std::string what_;
    std::filesystem::path dir_;
    keys::KeyRing keys_;
    std::optional<vault::Vault> vault_;
};

}  // namespace sealpost::fuzz
