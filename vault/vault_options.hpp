// SPDX-License-Identifier: Apache-2.0
// VaultOptions from the [vault] section of sealpost.toml: the one mapping that the proxy, the
// portal and the admin CLI share (the vault itself stays independent of the config format).
#pragma once

#include "core/core_config.hpp"
#include "vault/vault.hpp"

namespace sealpost::vault {

/// The vault's options as configured; the clock keeps its default (the system's).
inline VaultOptions vault_options_from(const VaultConfig& c) {
    VaultOptions o;
    static_cast<VaultConfig&>(o) = c;
    return o;
}

}  // namespace sealpost::vault
