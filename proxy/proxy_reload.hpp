// SPDX-License-Identifier: Apache-2.0
// What a SIGHUP reload of sealpost-proxy may change while it runs: the TLS certificate and
// key, the notice templates, the [practice] settings, the policy file, the users file and the
// contact switches (learn_contacts, allow_phone_override). Listeners, the EHLO name, the
// authentication mode, trusted networks, limits, [vault] and its keys, [upstream] and
// [notify] keep their values until a restart.
#pragma once

#include "core/core_config.hpp"
#include "core/core_reload.hpp"

namespace sealpost::proxy {

/** Compares `next` (the file as read now) with `live` (what the last reload, or the start, put
 * in force) for what a reload changes, and with `started` (the config at start) for what only
 * a restart would. The TLS certificate's own change is noted by the caller (fingerprints). */
ReloadReport proxy_reload_report(const Config& live, const Config& started, const Config& next);

}  // namespace sealpost::proxy
