// The proxy's reload report (proxy_reload.hpp): which settings a SIGHUP put in force and
// which wait for a restart.
#include "proxy/proxy_reload.hpp"

namespace sealpost::proxy {

ReloadReport proxy_reload_report(const Config& live, const Config& started, const Config& next) {
    ReloadReport r;
    const ProxyConfig& in_force = live.proxy;
    const ProxyConfig& now = next.proxy;
    r.applied(next.practice != live.practice, "practice");
    r.applied(now.templates_dir != in_force.templates_dir, "proxy.templates_dir");
    r.applied(now.policy_file != in_force.policy_file, "proxy.policy_file");
    r.applied(now.users_file != in_force.users_file, "proxy.users_file");
    r.applied(now.tls_cert != in_force.tls_cert || now.tls_key != in_force.tls_key,
              "proxy.tls_files");
    r.applied(now.learn_contacts != in_force.learn_contacts, "proxy.learn_contacts");
    r.applied(now.allow_phone_override != in_force.allow_phone_override,
              "proxy.allow_phone_override");

    const ProxyConfig& was = started.proxy;
    r.needs_restart(now.listeners != was.listeners, "proxy.listeners");
    r.needs_restart(now.admin_listen != was.admin_listen, "proxy.admin_listen");
    r.needs_restart(now.hostname != was.hostname, "proxy.hostname");
    r.needs_restart(now.auth != was.auth, "proxy.auth");
    r.needs_restart(now.trusted_networks != was.trusted_networks, "proxy.trusted_networks");
    // Any other [proxy] key (limits, timeouts, ...): sessions read the settings of the start.
    ProxyConfig others = was;
    others.listeners = now.listeners;
    others.admin_listen = now.admin_listen;
    others.hostname = now.hostname;
    others.auth = now.auth;
    others.trusted_networks = now.trusted_networks;
    others.tls_cert = now.tls_cert;
    others.tls_key = now.tls_key;
    others.templates_dir = now.templates_dir;
    others.policy_file = now.policy_file;
    others.users_file = now.users_file;
    others.learn_contacts = now.learn_contacts;
    others.allow_phone_override = now.allow_phone_override;
    r.needs_restart(others != now, "proxy");
    r.needs_restart(next.vault != started.vault, "vault");
    r.needs_restart(next.upstream != started.upstream, "upstream");
    r.needs_restart(next.notify != started.notify, "notify");
    r.needs_restart(next.log != started.log, "log");
    return r;
}

}  // namespace sealpost::proxy
