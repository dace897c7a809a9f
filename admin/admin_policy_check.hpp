// SPDX-License-Identifier: Apache-2.0
// `sealpost policy check`: what the proxy would do with one message (DESIGN.md section 5),
// sealed against a throwaway vault so that nothing is stored or sent.
#pragma once

#include <ostream>

#include "admin/admin_args.hpp"
#include "core/core_config.hpp"

namespace sealpost::admin {

/// Runs `policy check` (args.operands[0] is the message file). Prints one decision line per
/// recipient and the messages they would receive on `out` (or into args.out_dir), notes and
/// one-line errors on `err`. Returns kExitOk when it ran, kExitError otherwise.
int run_policy_check(const Args& args, const Config& cfg, std::ostream& out, std::ostream& err);

}  // namespace sealpost::admin
