// VaultOptions from the [vault] section of sealpost.toml: the one mapping that the proxy, the
// portal and the admin CLI share (the vault itself stays independent of the config format).
#pragma once

#include "core/core_config.hpp"
#include "vault/vault.hpp"

namespace sealpost::vault {

/// The vault's options as configured; the clock and tuning knobs keep their defaults.
inline VaultOptions vault_options_from(const VaultConfig& c) {
    VaultOptions o;
    o.dir = c.dir;
    o.map_size = c.map_size;
    o.max_size = c.max_size;
    o.link_ttl = c.link_ttl;
    o.retention = c.retention;
    o.max_retention = c.max_retention;
    o.orphan_grace = c.orphan_grace;
    o.tombstone_ttl = c.tombstone_ttl;
    o.group_access = c.group_access;
    return o;
}

}  // namespace sealpost::vault
