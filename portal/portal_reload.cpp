// The portal's reload report (portal_reload.hpp): which settings a SIGHUP put in force and
// which wait for a restart.
#include "portal/portal_reload.hpp"

namespace sealpost::portal {

ReloadReport portal_reload_report(const Config& live, const Config& started, const Config& next) {
    ReloadReport r;
    r.applied(next.practice != live.practice, "practice");
    r.applied(next.portal.templates_dir != live.portal.templates_dir, "portal.templates_dir");
    r.applied(
        next.portal.tls_cert != live.portal.tls_cert || next.portal.tls_key != live.portal.tls_key,
        "portal.tls_files");

    const PortalConfig& was = started.portal;
    const PortalConfig& now = next.portal;
    r.needs_restart(now.listen != was.listen, "portal.listen");
    r.needs_restart(now.tls != was.tls, "portal.tls");
    r.needs_restart(now.admin_listen != was.admin_listen, "portal.admin_listen");
    // Any other [portal] key (limits, timeouts, trusted_proxy, ...): the server and the
    // application took their values at start.
    PortalConfig others = was;
    others.listen = now.listen;
    others.tls = now.tls;
    others.admin_listen = now.admin_listen;
    others.tls_cert = now.tls_cert;
    others.tls_key = now.tls_key;
    others.templates_dir = now.templates_dir;
    r.needs_restart(others != now, "portal");
    r.needs_restart(next.vault != started.vault, "vault");
    r.needs_restart(next.sms != started.sms, "sms");
    r.needs_restart(next.log != started.log, "log");
    return r;
}

}  // namespace sealpost::portal
