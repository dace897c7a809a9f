# SPDX-License-Identifier: Apache-2.0
"""Process-level behaviour: SIGKILL in the middle of DATA loses nothing and sends nothing
half-done; SIGTERM lets a transaction in flight finish; 50 concurrent sessions deliver 500
messages exactly once; local auth with scrypt users and the proxy's own upstream login."""
import base64
import hashlib
import os
import signal
import smtplib
import threading
import time

from conftest import (UPSTREAM_PASSWORD, UPSTREAM_USER, RawSmtp, Upstream, client_tls_context,
                      record)


def test_sigkill_mid_data_sends_nothing(dev_certs, start_proxy):
    up = Upstream(dev_certs, require_auth=False)
    try:
        proxy = start_proxy(f"smtp://127.0.0.1:{up.port}", proxy={"auth": "none"})
        c = RawSmtp(proxy.ports["plain"])
        assert c.read_reply()[0] == 220
        assert c.cmd("EHLO client.example")[0] == 250
        assert c.cmd("MAIL FROM:<praxis@example.ch>")[0] == 250
        assert c.cmd("RCPT TO:<patient@example.org>")[0] == 250
        assert c.cmd("DATA")[0] == 354
        c.send(b"Subject: half\r\n\r\n" + b"first half\r\n" * 1000)
        time.sleep(0.5)  # let the proxy read it (no assertion depends on the timing)
        proxy.proc.kill()
        proxy.proc.wait()
        assert c.read_reply() == (None, [])  # never a 250
        time.sleep(0.5)
        assert up.handler.count() == 0
    finally:
        up.stop()


def test_sigterm_lets_a_transaction_in_flight_finish(start_proxy, tmp_path):
    proxy = start_proxy(f"maildir:{tmp_path}/md", proxy={"auth": "none", "shutdown_grace": "20s"})
    busy = RawSmtp(proxy.ports["plain"])
    idle = RawSmtp(proxy.ports["plain"])
    assert busy.read_reply()[0] == 220 and idle.read_reply()[0] == 220
    assert busy.cmd("EHLO client.example")[0] == 250
    assert busy.cmd("MAIL FROM:<praxis@example.ch>")[0] == 250
    assert busy.cmd("RCPT TO:<patient@example.org>")[0] == 250
    assert busy.cmd("DATA")[0] == 354
    busy.send(b"Subject: in flight\r\n\r\npart one\r\n")
    proxy.proc.send_signal(signal.SIGTERM)
    code, lines = idle.read_reply()  # the idle session is told to go away
    assert (code, lines[0][:5]) == (421, "4.3.2")
    busy.send(b"part two\r\n.\r\n")
    assert busy.read_reply()[0] == 250
    code, _ = busy.read_reply()  # then the proxy says goodbye to it too
    assert code == 421
    assert proxy.proc.wait(timeout=20) == 0
    files = list((tmp_path / "md" / "new").iterdir())
    assert len(files) == 1 and files[0].read_bytes().endswith(b"part one\npart two\n")


def test_50_sessions_times_10_messages_arrive_exactly_once(dev_certs, start_proxy):
    up = Upstream(dev_certs, require_auth=False)
    try:
        proxy = start_proxy(f"smtp://127.0.0.1:{up.port}", proxy={"auth": "none"})
        errors = []

        def worker(n):
            try:
                s = smtplib.SMTP("127.0.0.1", proxy.ports["plain"], timeout=120)
                for m in range(10):
                    msg = (f"Message-ID: <{n}.{m}@load.test>\r\nSubject: load {n}.{m}\r\n\r\n"
                           f"body {n}.{m}\r\n").encode()
                    s.sendmail("praxis@example.ch", [f"p{n}@example.org"], msg)
                s.quit()
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(repr(e))

        threads = [threading.Thread(target=worker, args=(n,)) for n in range(50)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        ids = sorted(m.content.split(b"Message-ID: <", 1)[1].split(b">", 1)[0] for m in up.messages)
        expected = sorted(f"{n}.{m}@load.test".encode() for n in range(50) for m in range(10))
        assert ids == expected  # all 500, none twice
    finally:
        up.stop()


def scrypt_line(user, password, ln=10):
    salt = os.urandom(16)
    key = hashlib.scrypt(password.encode(), salt=salt, n=2 ** ln, r=8, p=1, dklen=32)
    return (f"{user}:$scrypt$ln={ln},r=8,p=1$" + base64.b64encode(salt).decode() + "$" +
            base64.b64encode(key).decode())


def test_local_auth_uses_proxy_credentials_upstream(dev_certs, start_proxy, tmp_path):
    users = tmp_path / "users"
    record("secrets", "s3cret local")
    users.write_text("# sealpost users\n" + scrypt_line("mpa@praxis.ch", "s3cret local") + "\n")
    users.chmod(0o600)
    pw = tmp_path / "upstream.pw"
    pw.write_text(UPSTREAM_PASSWORD + "\n")
    pw.chmod(0o600)
    up = Upstream(dev_certs, require_auth=True)
    try:
        proxy = start_proxy(f"smtp://127.0.0.1:{up.port}", listeners=[("submission", "127.0.0.1")],
                            proxy={"auth": "local", "users_file": str(users),
                                   "trusted_networks": ["192.0.2.0/24"]},
                            upstream={"username": UPSTREAM_USER, "password_file": str(pw)})
        s = smtplib.SMTP("127.0.0.1", proxy.ports["submission"], timeout=30)
        s.starttls(context=client_tls_context(dev_certs))
        s.ehlo("client.example")
        try:
            s.login("mpa@praxis.ch", "wrong")
            raise AssertionError("wrong local password accepted")
        except smtplib.SMTPAuthenticationError as e:
            assert e.smtp_code == 535
        s.close()
        for mech in ("PLAIN", "LOGIN"):
            s = smtplib.SMTP("127.0.0.1", proxy.ports["submission"], timeout=30)
            s.starttls(context=client_tls_context(dev_certs))
            s.ehlo("client.example")
            s.user, s.password = "mpa@praxis.ch", "s3cret local"
            method = s.auth_plain if mech == "PLAIN" else s.auth_login
            assert s.auth(mech, method, initial_response_ok=(mech == "PLAIN"))[0] == 235
            s.sendmail("mpa@praxis.ch", ["patient@example.org"],
                       b"From: mpa@praxis.ch\r\nSubject: local\r\n\r\nhi\r\n")
            s.quit()
        assert len(up.messages) == 2
        assert all(m.auth_login == UPSTREAM_USER.encode() for m in up.messages)
        log = proxy.log()
        assert "s3cret" not in log and UPSTREAM_PASSWORD not in log
    finally:
        up.stop()
