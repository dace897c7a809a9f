// SPDX-License-Identifier: Apache-2.0
// PolicyStore: the policy in force and its SIGHUP reload (see policy_store.hpp).
#include "policy/policy_store.hpp"

#include <cstdint>
#include <string>
#include <utility>

#include "core/core_log.hpp"
#include "policy/policy.hpp"

namespace sealpost::policy {

PolicyStore::PolicyStore(std::filesystem::path path)
    : path_(std::move(path)), policy_(std::make_shared<const Policy>(policy_load_or_throw(path_))) {
    log::info("policy.load")
        .kv("file", path_.string())
        .kv("rules", static_cast<std::uint64_t>(policy_->rules.size()));
}

PolicyStore::PolicyStore(std::filesystem::path path, Policy initial)
    : path_(std::move(path)), policy_(std::make_shared<const Policy>(std::move(initial))) {}

std::shared_ptr<const Policy> PolicyStore::current() const {
    const std::lock_guard lock(mu_);
    return policy_;
}

Status PolicyStore::reload() {
    // Parse outside the lock: sessions keep reading the old policy meanwhile.
    auto loaded = policy_load(path_);
    if (!loaded) {
        log::error("policy.reload_failed")
            .kv("file", path_.string())
            .kv("err", errc_name(loaded.error().code))
            .kv("detail", loaded.error().detail);
        return std::move(loaded).error();
    }
    auto next = std::make_shared<const Policy>(std::move(loaded).value());
    const auto rules = static_cast<std::uint64_t>(next->rules.size());
    {
        const std::lock_guard lock(mu_);
        policy_ = std::move(next);
    }
    log::info("policy.reload").kv("file", path_.string()).kv("rules", rules);
    return {};
}

}  // namespace sealpost::policy
