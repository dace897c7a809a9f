// SPDX-License-Identifier: Apache-2.0
// The practice's logo (practice.logo), read at startup and on SIGHUP: the bytes the portal
// serves at /static/logo and their Content-Type.
#pragma once

#include <filesystem>
#include <string>

#include "core/core_result.hpp"

namespace sealpost::portal {

struct Logo {
    std::string bytes;  ///< "" = no logo configured
    std::string type;   ///< Content-Type, from the file name's extension
};

/** Reads `path` (at most 1 MiB); an empty path gives an empty Logo. Errors: Errc::io with a
 * one-line detail for the start-up message (`cannot read PATH`, `PATH is larger than 1 MiB`). */
Result<Logo> load_logo(const std::filesystem::path& path);

}  // namespace sealpost::portal
