# SPDX-License-Identifier: Apache-2.0
"""sealpost-proxy relays in lockstep to a real SMTP upstream (aiosmtpd with STARTTLS + AUTH):
messages arrive byte for byte, upstream replies come back, and nothing is an open relay."""
import smtplib
import subprocess

import pytest
from conftest import (UPSTREAM_PASSWORD, UPSTREAM_USER, RawSmtp, Upstream, client_tls_context,
                      free_port)

MESSAGE = (
    b"From: Praxis Muster <praxis@example.ch>\r\n"
    b"To: Patient <patient@example.org>\r\n"
    b"Subject: Rechnung 2026-1127\r\n"
    b"Message-ID: <relay-1@example.ch>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: 8bit\r\n"
    b"\r\n"
    b"Gr\xc3\xbcezi\r\n"
    b".\r\n"
    b"..two dots\r\n"
    b". a dot line\r\n"
    b"\r\n"
    b"last line\r\n"
)


def strip_received(content: bytes) -> tuple[bytes, bytes]:
    """Splits off the first header field (with its folded lines): (that field, the rest)."""
    assert content.startswith(b"Received: ")
    end = 0
    while True:
        end = content.index(b"\r\n", end) + 2
        if content[end:end + 1] not in (b"\t", b" "):
            return content[:end], content[end:]


def submission_login(port, certs):
    s = smtplib.SMTP("127.0.0.1", port, timeout=30)
    s.ehlo("client.example")
    s.starttls(context=client_tls_context(certs))
    s.ehlo("client.example")
    return s


def test_starttls_auth_passthrough_relays_byte_for_byte(upstream, start_proxy, dev_certs):
    proxy = start_proxy(f"smtp://127.0.0.1:{upstream.port}", listeners=[("submission", "127.0.0.1")],
                        upstream={"tls": "starttls"})
    s = submission_login(proxy.ports["submission"], dev_certs)
    assert "PLAIN" in s.esmtp_features["auth"] and "LOGIN" in s.esmtp_features["auth"]
    assert "chunking" not in s.esmtp_features
    code, _ = s.login(UPSTREAM_USER, UPSTREAM_PASSWORD)
    assert code == 235
    refused = s.sendmail("praxis@example.ch", ["patient@example.org"], MESSAGE)
    assert refused == {}
    s.quit()
    assert len(upstream.messages) == 1
    got = upstream.messages[0]
    assert got.mail_from == "praxis@example.ch"
    assert got.rcpt_tos == ["patient@example.org"]
    received, rest = strip_received(got.content)
    assert rest == MESSAGE
    assert b"by sealpost.test (sealpost) with ESMTPSA id " in received
    assert rest.count(b"Received:") == 0
    # the log has masked addresses and no content or credentials
    log = proxy.log()
    assert "event=smtp.rcpt" in log and "p***@example.org" in log
    for secret in ("patient@example.org", "praxis@example.ch", "Rechnung", UPSTREAM_PASSWORD):
        assert secret not in log


def test_auth_login_mechanism_passthrough(upstream, start_proxy, dev_certs):
    proxy = start_proxy(f"smtp://127.0.0.1:{upstream.port}", listeners=[("submission", "127.0.0.1")])
    s = submission_login(proxy.ports["submission"], dev_certs)
    s.user, s.password = UPSTREAM_USER, UPSTREAM_PASSWORD
    code, _ = s.auth("LOGIN", s.auth_login, initial_response_ok=False)
    assert code == 235
    s.sendmail("praxis@example.ch", ["patient@example.org"], MESSAGE)
    s.quit()
    assert upstream.handler.count() == 1


def test_wrong_password_gets_upstream_535(upstream, start_proxy, dev_certs):
    proxy = start_proxy(f"smtp://127.0.0.1:{upstream.port}", listeners=[("submission", "127.0.0.1")])
    s = submission_login(proxy.ports["submission"], dev_certs)
    with pytest.raises(smtplib.SMTPAuthenticationError) as e:
        s.login(UPSTREAM_USER, "wrong password")
    assert e.value.smtp_code == 535
    # Not authenticated: MAIL is refused, nothing reaches the upstream.
    code, msg = s.mail("praxis@example.ch")
    assert (code, msg[:5]) == (530, b"5.7.0")
    s.quit()
    assert upstream.handler.count() == 0
    assert UPSTREAM_PASSWORD not in proxy.log() and "wrong password" not in proxy.log()


def test_mail_without_auth_gets_530_on_submission(upstream, start_proxy, dev_certs):
    proxy = start_proxy(f"smtp://127.0.0.1:{upstream.port}", listeners=[("submission", "127.0.0.1")],
                        proxy={"trusted_networks": ["192.0.2.0/24"]})
    s = submission_login(proxy.ports["submission"], dev_certs)
    code, msg = s.mail("praxis@example.ch")
    assert (code, msg[:5]) == (530, b"5.7.0")
    s.quit()


def test_open_relay_attempt_from_untrusted_address_fails(upstream, start_proxy):
    # A plain listener with auth = none: only trusted networks may send, and 127.0.0.1 is
    # not in them here, so this is what an outsider probing for an open relay sees.
    proxy = start_proxy(f"smtp://127.0.0.1:{upstream.port}",
                        proxy={"auth": "none", "trusted_networks": ["192.0.2.0/24"]})
    c = RawSmtp(proxy.ports["plain"])
    assert c.read_reply()[0] == 220
    assert c.cmd("EHLO outsider.example")[0] == 250
    code, lines = c.cmd("MAIL FROM:<spammer@example.net>")
    assert (code, lines[0][:5]) == (530, "5.7.0")
    code, _ = c.cmd("RCPT TO:<victim@example.org>")
    assert code == 503
    assert c.cmd("QUIT")[0] == 221
    assert upstream.handler.count() == 0


def test_open_relay_config_is_refused(start_proxy, tmp_path, dev_certs):
    from conftest import PROXY_BIN, proxy_config_text
    cfg = tmp_path / "relay.toml"
    cfg.write_text(proxy_config_text(dev_certs, f"maildir:{tmp_path}/md",
                                     proxy={"auth": "none", "trusted_networks": ["0.0.0.0/0"]}))
    r = subprocess.run([str(PROXY_BIN), "--config", str(cfg)], capture_output=True, timeout=30)
    assert r.returncode == 1
    assert b"open relay" in r.stderr


def test_upstream_down_gives_451_441(start_proxy):
    proxy = start_proxy(f"smtp://127.0.0.1:{free_port()}", proxy={"auth": "none"},
                        upstream={"tls": "none", "connect_timeout": "5s"})
    s = smtplib.SMTP("127.0.0.1", proxy.ports["plain"], timeout=30)
    code, msg = s.ehlo("client.example")
    assert (code, msg[:5]) == (451, b"4.4.1")
    code, msg = s.mail("praxis@example.ch")
    assert code == 503
    s.quit()


def test_upstream_rejecting_one_rcpt_passes_reply_back(dev_certs, start_proxy):
    up = Upstream(dev_certs, require_auth=False)
    try:
        up.handler.reject_rcpts = {"nobody@example.org"}
        proxy = start_proxy(f"smtp://127.0.0.1:{up.port}", proxy={"auth": "none"})
        s = smtplib.SMTP("127.0.0.1", proxy.ports["plain"], timeout=30)
        refused = s.sendmail("praxis@example.ch",
                             ["a@example.org", "nobody@example.org", "b@example.org"], MESSAGE)
        assert refused == {"nobody@example.org": (550, b"5.1.1 No such user here")}
        s.quit()
        assert len(up.messages) == 1
        assert up.messages[0].rcpt_tos == ["a@example.org", "b@example.org"]
    finally:
        up.stop()


def test_upstream_with_untrusted_certificate_gives_454(dev_certs, start_proxy, tmp_path):
    # The proxy trusts only an unrelated CA: verification must fail, and nothing is sent.
    other = tmp_path / "other"
    subprocess.run([str(__import__("conftest").SOURCE_DIR / "certs" / "make-dev-certs"), str(other)],
                   check=True)
    up = Upstream(dev_certs, require_auth=False)
    try:
        proxy = start_proxy(f"smtp://127.0.0.1:{up.port}", proxy={"auth": "none"},
                            upstream={"ca_file": str(other / "ca.crt")})
        s = smtplib.SMTP("127.0.0.1", proxy.ports["plain"], timeout=30)
        code, msg = s.ehlo("client.example")
        assert (code, msg[:5]) == (454, b"4.7.0")
        s.quit()
        assert up.handler.count() == 0
    finally:
        up.stop()


def test_implicit_tls_listener_and_upstream(dev_certs, start_proxy):
    up = Upstream(dev_certs, implicit_tls=True)
    try:
        proxy = start_proxy(f"smtp://127.0.0.1:{up.port}", listeners=[("submissions", "127.0.0.1")],
                            upstream={"tls": "implicit"})
        s = smtplib.SMTP_SSL("127.0.0.1", proxy.ports["submissions"], timeout=30,
                             context=client_tls_context(dev_certs))
        s.ehlo("client.example")
        assert "starttls" not in s.esmtp_features
        s.login(UPSTREAM_USER, UPSTREAM_PASSWORD)
        s.sendmail("praxis@example.ch", ["patient@example.org"], MESSAGE)
        s.quit()
        assert len(up.messages) == 1
        assert up.messages[0].content.endswith(MESSAGE)
    finally:
        up.stop()


def test_curl_submission_with_starttls(upstream, start_proxy, dev_certs, tmp_path):
    proxy = start_proxy(f"smtp://127.0.0.1:{upstream.port}", listeners=[("submission", "127.0.0.1")])
    msg = tmp_path / "msg.eml"
    msg.write_bytes(MESSAGE)
    r = subprocess.run(
        ["curl", "-sS", "--ssl-reqd", "--cacert", str(dev_certs / "ca.crt"),
         f"smtp://localhost:{proxy.ports['submission']}", "--mail-from", "praxis@example.ch",
         "--mail-rcpt", "patient@example.org", "--user", f"{UPSTREAM_USER}:{UPSTREAM_PASSWORD}",
         "--upload-file", str(msg)], capture_output=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert len(upstream.messages) == 1
    assert upstream.messages[0].content.endswith(MESSAGE)


def test_xoauth2_passthrough(upstream, start_proxy, dev_certs):
    import base64

    from conftest import XOAUTH2_TOKEN
    proxy = start_proxy(f"smtp://127.0.0.1:{upstream.port}", listeners=[("submission", "127.0.0.1")])
    s = submission_login(proxy.ports["submission"], dev_certs)
    assert "XOAUTH2" in s.esmtp_features["auth"].split()

    def token(t):
        return base64.b64encode(f"user={UPSTREAM_USER}\x01auth=Bearer {t}\x01\x01".encode()).decode()

    code, _ = s.docmd("AUTH", "XOAUTH2 " + token("wrong"))
    assert code == 535
    code, _ = s.docmd("AUTH", "XOAUTH2 " + token(XOAUTH2_TOKEN))
    assert code == 235
    s.sendmail("praxis@example.ch", ["patient@example.org"], MESSAGE)
    s.quit()
    assert upstream.handler.count() == 1
    assert XOAUTH2_TOKEN not in proxy.log()


def test_upstream_4xx_after_data_is_passed_back_and_session_goes_on(dev_certs, start_proxy):
    up = Upstream(dev_certs, require_auth=False)
    try:
        proxy = start_proxy(f"smtp://127.0.0.1:{up.port}", proxy={"auth": "none"})
        s = smtplib.SMTP("127.0.0.1", proxy.ports["plain"], timeout=30)
        with pytest.raises(smtplib.SMTPDataError) as e:
            s.sendmail("praxis@example.ch", ["a@example.org"], b"X-Test: defer-me\r\n\r\nx\r\n")
        assert (e.value.smtp_code, e.value.smtp_error) == (451, b"4.3.0 Upstream says try again later")
        assert s.sendmail("praxis@example.ch", ["a@example.org"], MESSAGE) == {}
        s.quit()
        assert len(up.messages) == 1 and up.messages[0].content.endswith(MESSAGE)
    finally:
        up.stop()


def test_cli_help_version_and_bad_arguments():
    from conftest import PROXY_BIN
    r = subprocess.run([str(PROXY_BIN), "--help"], capture_output=True, timeout=30)
    assert r.returncode == 0 and b"--config" in r.stdout
    r = subprocess.run([str(PROXY_BIN), "--version"], capture_output=True, timeout=30)
    assert r.returncode == 0 and r.stdout.startswith(b"sealpost-proxy ")
    r = subprocess.run([str(PROXY_BIN), "--bogus"], capture_output=True, timeout=30)
    assert r.returncode == 2


def test_plain_listener_on_non_loopback_is_refused(tmp_path, dev_certs):
    from conftest import PROXY_BIN, proxy_config_text
    cfg = tmp_path / "plain.toml"
    cfg.write_text(proxy_config_text(dev_certs, f"maildir:{tmp_path}/md",
                                     listeners=[("plain", "0.0.0.0")]))
    r = subprocess.run([str(PROXY_BIN), "--config", str(cfg)], capture_output=True, timeout=30)
    assert r.returncode == 1
    assert b"plain" in r.stderr and b"allow_plain_nonlocal" in r.stderr
