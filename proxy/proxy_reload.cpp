// SPDX-License-Identifier: Apache-2.0
// The proxy's reload report (proxy_reload.hpp): which settings a SIGHUP put in force and
// which wait for a restart.
#include "proxy/proxy_reload.hpp"

namespace sealpost::proxy {

ReloadReport proxy_reload_report(const Config& live, const Config& started, const Config& next) {
    ReloadReport r;
    r.applied(next.practice != live.practice, "practice");
    // Any [proxy] key not named (limits, timeouts, ...): sessions read the values of the start.
    SectionReload<ProxyConfig>(r, started.proxy, live.proxy, next.proxy)
        .reloaded(&ProxyConfig::templates_dir, "proxy.templates_dir")
        .reloaded(&ProxyConfig::policy_file, "proxy.policy_file")
        .reloaded(&ProxyConfig::users_file, "proxy.users_file")
        .reloaded(&ProxyConfig::tls_cert, "proxy.tls_cert")
        .reloaded(&ProxyConfig::tls_key, "proxy.tls_key")
        .reloaded(&ProxyConfig::learn_contacts, "proxy.learn_contacts")
        .reloaded(&ProxyConfig::allow_phone_override, "proxy.allow_phone_override")
        .restart(&ProxyConfig::listeners, "proxy.listeners")
        .restart(&ProxyConfig::admin_listen, "proxy.admin_listen")
        .restart(&ProxyConfig::hostname, "proxy.hostname")
        .restart(&ProxyConfig::auth, "proxy.auth")
        .restart(&ProxyConfig::trusted_networks, "proxy.trusted_networks")
        .others("proxy");
    r.needs_restart(next.vault != started.vault, "vault");
    r.needs_restart(next.upstream != started.upstream, "upstream");
    r.needs_restart(next.notify != started.notify, "notify");
    r.needs_restart(next.log != started.log, "log");
    return r;
}

}  // namespace sealpost::proxy
