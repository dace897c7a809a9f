// SPDX-License-Identifier: Apache-2.0
// The store verbs (admin_store.hpp).
#include "admin/admin_store.hpp"

#include <string>

#include "admin/admin_args.hpp"
#include "admin/admin_commands.hpp"
#include "admin/admin_format.hpp"
#include "vault/vault.hpp"

namespace sealpost::admin {

int run_vault_init(const Config& cfg, std::ostream& out, std::ostream& err) {
    const vault::VaultOptions opts = vault_options(cfg);
    auto made = vault::vault_init(opts);
    if (!made) {
        print_error(err, "vault init", made.error().detail);
        return kExitError;
    }
    if (opts.backend == VaultBackend::postgresql) {
        out << (*made ? "created the sealpost schema (version "
                      : "the sealpost schema is ready (version ")
            << vault::kSchemaVersion << ")\n";
    } else {
        out << (*made ? "created the LMDB vault in " : "the LMDB vault is ready in ")
            << opts.dir.string() << "\n";
    }
    return kExitOk;
}

int run_vault_upgrade(const Config& cfg, std::ostream& out, std::ostream& err) {
    const vault::VaultOptions opts = vault_options(cfg);
    if (opts.backend != VaultBackend::postgresql) {
        out << "the LMDB vault has no schema to upgrade\n";
        return kExitOk;
    }
    auto found = vault::vault_upgrade(opts);
    if (!found) {
        print_error(err, "vault upgrade", found.error().detail);
        return kExitError;
    }
    if (*found == vault::kSchemaVersion) {
        out << "the sealpost schema is at version " << *found << " already\n";
    } else {
        out << "upgraded the sealpost schema from version " << *found << " to "
            << vault::kSchemaVersion << "\n";
    }
    return kExitOk;
}

int run_vault_copy(const Config& cfg, std::ostream& out, std::ostream& err) {
    vault::VaultOptions from = vault_options(cfg);
    from.backend = VaultBackend::lmdb;
    vault::VaultOptions to = vault_options(cfg);
    to.backend = VaultBackend::postgresql;
    if (to.dsn_file.empty()) {
        print_error(err, "vault copy", "set vault.dsn_file to the PostgreSQL database first");
        return kExitError;
    }
    auto copied = vault::vault_copy(from, to);
    if (!copied) {
        print_error(err, "vault copy", copied.error().detail);
        return kExitError;
    }
    out << "copied " << copied->envelopes << " envelopes (" << copied->rows << " records, "
        << format_size(copied->bytes) << ") from " << from.dir.string()
        << " to PostgreSQL; now set vault.backend = \"postgresql\" on every node\n";
    return kExitOk;
}

}  // namespace sealpost::admin
