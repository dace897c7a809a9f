// SPDX-License-Identifier: Apache-2.0
// Tests for a reload's report (core/core_reload.hpp): which keys a SIGHUP put in force and
// which wait for a restart, compared with the right baseline.
#include <catch2/catch.hpp>

#include "core/core_config.hpp"
#include "core/core_reload.hpp"

using namespace sealpost;

TEST_CASE("ReloadReport lists what changed and what needs a restart, or none") {
    ReloadReport r;
    CHECK(r.changed() == "none");
    CHECK(r.restart() == "none");
    r.applied(true, "practice");
    r.applied(false, "proxy.templates_dir");
    r.certificate("aa", "bb");
    r.needs_restart(true, "vault");
    CHECK(r.changed() == "practice,tls_cert");
    CHECK(r.restart() == "vault");

    ReloadReport same;
    same.certificate("aa", "aa");
    CHECK(same.changed() == "none");
}

TEST_CASE("SectionReload compares reloaded keys with the live value, the others with the start") {
    const PortalConfig started;
    PortalConfig live = started;
    live.templates_dir = "/srv/pages";  // put in force by an earlier reload
    PortalConfig next = live;
    next.listen.port = 443;    // still waits for a restart
    next.max_connections = 5;  // a key not named
    ReloadReport r;
    SectionReload<PortalConfig>(r, started, live, next)
        .reloaded(&PortalConfig::templates_dir, "portal.templates_dir")
        .restart(&PortalConfig::listen, "portal.listen")
        .others("portal");
    CHECK(r.changed() == "none");  // templates_dir is as in force
    CHECK(r.restart() == "portal.listen,portal");

    ReloadReport quiet;
    SectionReload<PortalConfig>(quiet, started, live, live)
        .reloaded(&PortalConfig::templates_dir, "portal.templates_dir")
        .others("portal");
    CHECK(quiet.restart() == "none");
}
