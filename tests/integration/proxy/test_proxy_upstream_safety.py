# SPDX-License-Identifier: Apache-2.0
"""Toward the upstream: response injection (extra bytes after a greeting or a reply, or after
STARTTLS's 220) aborts the upstream session; SIGHUP reloads the proxy's TLS certificate."""
import shutil
import signal
import socket
import ssl
import subprocess
import threading
import time

import pytest
from conftest import SOURCE_DIR, RawSmtp


class ScriptedUpstream:
    """A fake upstream that answers each command from a script and records what it got."""

    def __init__(self, greeting: bytes, answers: dict):
        self.srv = socket.socket()
        self.srv.bind(("127.0.0.1", 0))
        self.srv.listen(5)
        self.port = self.srv.getsockname()[1]
        self.greeting, self.answers = greeting, answers
        self.received = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                conn, _ = self.srv.accept()
            except OSError:
                return
            with conn:
                conn.sendall(self.greeting)
                f = conn.makefile("rb")
                for line in f:
                    self.received.append(line)
                    verb = line.split()[0].upper() if line.split() else b""
                    conn.sendall(self.answers.get(verb, b"250 2.0.0 OK\r\n"))
                    if verb == b"QUIT":
                        break

    def close(self):
        self.srv.close()


def ehlo_reply(proxy):
    c = RawSmtp(proxy.ports["plain"])
    assert c.read_reply()[0] == 220
    return c, c.cmd("EHLO client.example")


@pytest.mark.parametrize("greeting, answers", [
    (b"220 up ESMTP\r\n250 injected\r\n", {}),
    (b"220 up ESMTP\r\n", {b"EHLO": b"250-up\r\n250 STARTTLS\r\n421 injected\r\n"}),
    (b"220 up ESMTP\r\n", {b"EHLO": b"250-up\r\n250 STARTTLS\r\n",
                           b"STARTTLS": b"220 go ahead\r\nMAIL FROM:<x@y>\r\n"}),
], ids=["after-greeting", "after-ehlo", "after-starttls"])
def test_response_injection_aborts_upstream(start_proxy, greeting, answers):
    up = ScriptedUpstream(greeting, answers)
    try:
        proxy = start_proxy(f"smtp://127.0.0.1:{up.port}", proxy={"auth": "none"},
                            upstream={"tls": "starttls"})
        c, (code, lines) = ehlo_reply(proxy)
        assert (code, lines[0][:5]) == (451, "4.4.2")
        assert c.cmd("MAIL FROM:<a@example.ch>")[0] == 503  # no session to send through
        # nothing after the injection was acted upon: no MAIL ever reached the fake upstream
        assert not any(r.upper().startswith(b"MAIL") for r in up.received)
    finally:
        up.close()


def test_upstream_without_starttls_is_refused_454(start_proxy):
    up = ScriptedUpstream(b"220 up ESMTP\r\n", {b"EHLO": b"250-up\r\n250 8BITMIME\r\n"})
    try:
        proxy = start_proxy(f"smtp://127.0.0.1:{up.port}", proxy={"auth": "none"},
                            upstream={"tls": "starttls"})
        c, (code, lines) = ehlo_reply(proxy)
        assert (code, lines[0][:5]) == (454, "4.7.0")
    finally:
        up.close()


def peer_cert_der(port, certs):
    ctx = ssl.create_default_context(cafile=str(certs / "ca.crt"))
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        with ctx.wrap_socket(s, server_hostname="localhost") as t:
            return t.getpeercert(binary_form=True)


def test_sighup_reloads_tls_certificate(start_proxy, tmp_path):
    make = str(SOURCE_DIR / "certs" / "make-dev-certs")
    a, b, live = tmp_path / "a", tmp_path / "b", tmp_path / "live"
    subprocess.run([make, str(a)], check=True)
    subprocess.run([make, str(b)], check=True)
    live.mkdir()
    for name in ("server-chain.crt", "server.key"):
        shutil.copy(a / name, live / name)
    proxy = start_proxy(f"maildir:{tmp_path}/md", listeners=[("submissions", "127.0.0.1")],
                        proxy={"tls_cert": str(live / "server-chain.crt"),
                               "tls_key": str(live / "server.key")})
    port = proxy.ports["submissions"]
    first = peer_cert_der(port, a)
    for name in ("server-chain.crt", "server.key"):
        shutil.copy(b / name, live / name)
    proxy.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 20
    while "event=proxy.reload" not in proxy.log() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "event=proxy.reload result=ok" in proxy.log()
    second = peer_cert_der(port, b)  # verifies against the second CA only
    assert first != second
