// SPDX-License-Identifier: Apache-2.0
// The policy in force, shared by all sessions: loaded at start, replaced on SIGHUP only when
// the new file is good (a broken file keeps the old policy and is logged; DESIGN.md 5).
#pragma once

#include <filesystem>
#include <memory>
#include <mutex>

#include "core/core_result.hpp"
#include "policy/policy_types.hpp"

namespace sealpost::policy {

class PolicyStore {
  public:
    /// Startup: loads `path` or throws ConfigError (`FILE:LINE: KEY: what`).
    explicit PolicyStore(std::filesystem::path path);
    /// Starts with an already loaded policy (tests, `policy check`).
    PolicyStore(std::filesystem::path path, Policy initial);

    /// The policy in force. A session keeps the pointer for one message, so a reload never
    /// changes the rules in the middle of a transaction.
    [[nodiscard]] std::shared_ptr<const Policy> current() const;

    /// Re-reads the file. On success the new policy is in force (`event=policy.reload`);
    /// on error the old one stays, the error is logged (`event=policy.reload_failed`) and
    /// returned.
    Status reload();

    [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  private:
    std::filesystem::path path_;
    mutable std::mutex mu_;
    std::shared_ptr<const Policy> policy_;
};

}  // namespace sealpost::policy
