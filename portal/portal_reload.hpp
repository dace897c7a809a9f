// SPDX-License-Identifier: Apache-2.0
// What a SIGHUP reload of sealpost-portal may change while it runs (architecture §4,
// "Reload"): the TLS certificate and key, the page templates and the [practice] settings.
// Everything else the portal reads at start (listen addresses, [vault] and its key, [sms],
// limits, the log level) keeps its value until a restart.
#pragma once

#include "core/core_config.hpp"
#include "core/core_reload.hpp"

namespace sealpost::portal {

/** Compares `next` (the file as read now) with `live` (what the last reload, or the start, put
 * in force) for what a reload changes, and with `started` (the config at start) for what only
 * a restart would. The TLS certificate's own change is noted by the caller, which compares the
 * fingerprints. */
ReloadReport portal_reload_report(const Config& live, const Config& started, const Config& next);

}  // namespace sealpost::portal
