// SPDX-License-Identifier: Apache-2.0
// `sealpost vault init`, `vault upgrade` and `vault copy --to postgresql`: the store's own
// administration, below the records, so none of them needs a key.
#pragma once

#include <ostream>

#include "core/core_config.hpp"

namespace sealpost::admin {

/// Exit status kExitOk or kExitError; one line on `out` saying what was done, or on `err` why not.
int run_vault_init(const Config& cfg, std::ostream& out, std::ostream& err);
int run_vault_upgrade(const Config& cfg, std::ostream& out, std::ostream& err);
int run_vault_copy(const Config& cfg, std::ostream& out, std::ostream& err);

}  // namespace sealpost::admin
