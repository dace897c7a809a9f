# SPDX-License-Identifier: Apache-2.0
"""SIGHUP reloads the portal without dropping a connection (issue 18, item 3): a renewed
certificate and a changed [practice] reach new connections, a connection kept alive across the
reload keeps what it started with and still works, and a broken config or certificate keeps the
running portal as it was."""
import hashlib
import http.client
import shutil
import ssl
from pathlib import Path

from conftest import SOURCE_DIR, renew_certs, sighup_and_wait
from portal_env import (make_envelope, portal_config_text, seal_setup, sms,  # noqa: F401
                        start_portal)


class KeptConnection:
    """One TLS connection with HTTP/1.1 keep-alive, verified against `ca`."""

    def __init__(self, port: int, ca: Path):
        ctx = ssl.create_default_context(cafile=str(ca))
        self.conn = http.client.HTTPSConnection("localhost", port, context=ctx, timeout=30)
        self.conn.connect()
        self.sock = self.conn.sock

    def fingerprint(self) -> str:
        return hashlib.sha256(self.sock.getpeercert(binary_form=True)).hexdigest()

    def get(self, path: str) -> tuple[int, str]:
        self.conn.request("GET", path)
        r = self.conn.getresponse()
        body = r.read().decode("utf-8", errors="replace")
        # http.client would open a new connection by itself if the old one were gone.
        assert self.conn.sock is self.sock, "the kept-alive connection was dropped"
        return r.status, body

    def close(self):
        self.conn.close()


def sighup(portal, n: int) -> str:
    return sighup_and_wait(portal, "portal.reload", n)


def start_with_live_certs(tmp_path, start_portal, practice=None):
    seal = seal_setup()
    _, token = make_envelope(seal)
    a, live = tmp_path / "a", tmp_path / "live"
    renew_certs(a, live)
    # A kept-alive connection waits for its next request at most header_timeout.
    portal = start_portal(seal, practice=practice,
                          portal={"tls_cert": str(live / "server-chain.crt"),
                                  "tls_key": str(live / "server.key"), "header_timeout": "2m"})
    return seal, token, a, live, portal


def rewrite_config(portal, seal, sms_url, live: Path, practice=None):
    portal.config_path.write_text(portal_config_text(
        live, seal, sms_url, practice=practice,
        portal={"tls_cert": str(live / "server-chain.crt"), "tls_key": str(live / "server.key"),
                "header_timeout": "2m"}))


def test_sighup_new_certificate_for_new_connections_kept_connection_still_works(
        tmp_path, start_portal, sms):
    _, token, a, live, portal = start_with_live_certs(tmp_path, start_portal)
    old = KeptConnection(portal.port, a / "ca.crt")
    assert old.get(f"/d/{token}")[0] == 200
    first = old.fingerprint()

    b = tmp_path / "b"
    renew_certs(b, live)
    line = sighup(portal, 1)
    assert "result=ok" in line and "changed=tls_cert" in line, line

    new = KeptConnection(portal.port, b / "ca.crt")  # verifies against the new CA only
    second = new.fingerprint()
    assert second != first
    assert f"tls_sha256={second}" in line  # the log names the certificate now in force
    assert new.get(f"/d/{token}")[0] == 200
    # The connection from before the reload is still the same TLS session, old certificate.
    status, body = old.get(f"/d/{token}")
    assert status == 200 and "Praxis Muster" in body
    assert old.fingerprint() == first
    assert old.get("/help")[0] == 200
    old.close()
    new.close()


def test_sighup_changes_the_practice_name_for_new_connections(tmp_path, start_portal, sms):
    seal, token, a, live, portal = start_with_live_certs(tmp_path, start_portal,
                                                         practice={"name": "Praxis Altstadt"})
    old = KeptConnection(portal.port, a / "ca.crt")
    assert "Praxis Altstadt" in old.get(f"/d/{token}")[1]

    rewrite_config(portal, seal, sms.url + "/sms", live, practice={"name": "Praxis Neustadt"})
    line = sighup(portal, 1)
    assert "result=ok" in line and "changed=practice" in line, line
    assert "needs_restart=none" in line, line

    new = KeptConnection(portal.port, a / "ca.crt")
    body = new.get(f"/d/{token}")[1]
    assert "Praxis Neustadt" in body and "Praxis Altstadt" not in body
    # A visit that began before the reload ends with the pages it began with.
    assert "Praxis Altstadt" in old.get(f"/d/{token}")[1]
    old.close()
    new.close()


def test_sighup_with_a_broken_config_or_certificate_keeps_the_running_portal(
        tmp_path, start_portal, sms):
    seal, token, a, live, portal = start_with_live_certs(tmp_path, start_portal,
                                                         practice={"name": "Praxis Altstadt"})
    conf = portal.config_path.read_text()

    # An unknown key: the whole file is refused, the new name with it.
    portal.config_path.write_text(conf.replace("Praxis Altstadt", "Praxis Neustadt")
                                  .replace("[portal]\n", "[portal]\nno_such_key = 1\n"))
    line = sighup(portal, 1)
    assert "result=failed" in line and "no_such_key" in line, line
    # A listen address changed alongside: kept, and said so; the name is put in force.
    portal.config_path.write_text(conf.replace("Praxis Altstadt", "Praxis Neustadt")
                                  .replace('\nlisten = "127.0.0.1:0"', '\nlisten = "127.0.0.1:1"'))
    line = sighup(portal, 2)
    assert "result=ok" in line and line.endswith("needs_restart=portal.listen"), line
    portal.config_path.write_text(conf)
    assert "result=ok" in sighup(portal, 3)

    # A certificate that does not match its key (a half-finished renewal).
    b = tmp_path / "b"
    renew_certs(b, tmp_path / "b-live")  # made, not installed: only its certificate is
    shutil.copy(b / "server-chain.crt", live / "server-chain.crt")
    line = sighup(portal, 4)
    assert "result=failed" in line and "TLS key" in line, line

    # A template with an error.
    templates = tmp_path / "templates"
    shutil.copytree(SOURCE_DIR / "portal" / "templates", templates)
    (templates / "landing.html").write_text("{{no_such_name}}\n")
    renew_certs(a, live)
    portal.config_path.write_text(conf.replace(
        f'templates_dir = "{SOURCE_DIR / "portal" / "templates"}"',
        f'templates_dir = "{templates}"'))
    line = sighup(portal, 5)
    assert "result=failed" in line and "templates" in line, line

    # Still serving, with the old name and the old certificate.
    c = KeptConnection(portal.port, a / "ca.crt")
    status, body = c.get(f"/d/{token}")
    assert status == 200 and "Praxis Altstadt" in body
    c.close()
    assert portal.proc.poll() is None
