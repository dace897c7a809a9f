// SPDX-License-Identifier: Apache-2.0
// The portal's reload report (portal_reload.hpp): which settings a SIGHUP put in force and
// which wait for a restart.
#include "portal/portal_reload.hpp"

namespace sealpost::portal {

ReloadReport portal_reload_report(const Config& live, const Config& started, const Config& next) {
    ReloadReport r;
    r.applied(next.practice != live.practice, "practice");
    // Any [portal] key not named (limits, timeouts, trusted_proxy, ...): the server and the
    // application took their values at start.
    SectionReload<PortalConfig>(r, started.portal, live.portal, next.portal)
        .reloaded(&PortalConfig::templates_dir, "portal.templates_dir")
        .reloaded(&PortalConfig::tls_cert, "portal.tls_cert")
        .reloaded(&PortalConfig::tls_key, "portal.tls_key")
        .restart(&PortalConfig::listen, "portal.listen")
        .restart(&PortalConfig::tls, "portal.tls")
        .restart(&PortalConfig::admin_listen, "portal.admin_listen")
        .others("portal");
    r.needs_restart(next.vault != started.vault, "vault");
    r.needs_restart(next.sms != started.sms, "sms");
    r.needs_restart(next.log != started.log, "log");
    return r;
}

}  // namespace sealpost::portal
