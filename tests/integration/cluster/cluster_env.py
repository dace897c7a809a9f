# SPDX-License-Identifier: Apache-2.0
"""Several nodes on one PostgreSQL vault: a private PostgreSQL 15 server for this suite (it is
stopped and started by the fault tests, so it is not the one the other suites share), and
"nodes": sealpost-proxy and sealpost-portal processes that share one key directory and one
database, as the admin guide's "Several nodes" chapter sets them up.
"""
import os
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "portal"))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conftest import (Proxy, Upstream, admin_run, proxy_config_text,  # noqa: E402
                      seal_setup)
from pg_server import PgServer  # noqa: E402


@pytest.fixture(scope="module")
def pg():
    """A PostgreSQL server of this module's own, removed afterwards."""
    server = PgServer(tempfile.mkdtemp(prefix="sealpost-pgc-", dir="/tmp")).start()
    yield server
    server.remove()


class Cluster:
    """One key directory and database (`seal_dir`), an upstream, and the nodes started on it."""

    def __init__(self, tmp_path: Path, certs: Path, pg: PgServer, start_portal):
        self.tmp = tmp_path
        self.certs = certs
        self.pg = pg
        self.seal_dir = seal_setup(tmp_path / "shared", backend="postgresql",
                                   pg_admin_dsn=pg.admin_dsn())
        self.upstream = Upstream(certs, require_auth=False)
        self._start_portal = start_portal
        self.proxies = []

    def proxy(self, proxy=None) -> Proxy:
        """A proxy node: auth none on a plain loopback listener, the shared vault."""
        n = len(self.proxies)
        cfg = self.tmp / f"node-proxy{n}.toml"
        settings = {"auth": "none"}
        settings.update(proxy or {})
        cfg.write_text(proxy_config_text(self.certs, f"smtp://127.0.0.1:{self.upstream.port}",
                                         proxy=settings, seal_dir=self.seal_dir))
        p = Proxy(cfg, self.tmp / f"node-proxy{n}.log", expect=1)
        p.seal_dir = self.seal_dir
        p.config = cfg
        self.proxies.append(p)
        return p

    def portal(self, **kw):
        return self._start_portal(self.seal_dir, **kw)

    def admin(self, *args, check=True):
        return admin_run(self.seal_dir, *args, check=check)

    def stop(self):
        for p in self.proxies:
            p.stop()
        self.upstream.stop()


@pytest.fixture
def cluster(tmp_path, dev_certs, pg, start_portal):
    c = Cluster(tmp_path, dev_certs, pg, start_portal)
    yield c
    c.stop()
    for p in c.proxies:
        log = p.log_path.read_text(errors="replace")
        for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            assert marker not in log, f"{marker} in {p.log_path}"
