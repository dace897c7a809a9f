# SPDX-License-Identifier: Apache-2.0
"""SIGHUP reloads sealpost-proxy from its config file (issue 18, item 3): a renewed certificate
on STARTTLS, the [practice] settings and the notice templates reach the sessions that start
after it; a session open across the reload completes its mail with what it started with; a
listener that changed is logged as needing a restart and kept; a broken config keeps all."""
import email
import email.policy
import hashlib
import shutil
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

from conftest import (SOURCE_DIR, TEMPLATES_DIR, Upstream, proxy_config_text, renew_certs,
                      seal_setup, sighup_and_wait)

RECHNUNG = SOURCE_DIR / "tests" / "data" / "samples" / "Rechnung-2026-1127.pdf"


def sealed_mail() -> bytes:
    m = EmailMessage()
    m["From"] = "praxis@example.ch"
    m["To"] = "patient@example.org"
    m["Subject"] = "Rechnung [sms:079 123 45 67]"
    m.set_content("Guten Tag\n\nIhre Rechnung im Anhang.\n")
    m.add_attachment(RECHNUNG.read_bytes(), maintype="application", subtype="pdf",
                     filename=RECHNUNG.name)
    return m.as_bytes(policy=email.policy.SMTP)


def notice_text(content: bytes) -> str:
    msg = email.message_from_bytes(content, policy=email.policy.default)
    return "\n".join(p.get_content() for p in msg.walk() if p.get_content_type() == "text/plain")


def starttls_session(port: int, ca: Path) -> tuple[smtplib.SMTP, str]:
    """An SMTP session on the submission listener after STARTTLS, verified against `ca`, and
    the SHA-256 fingerprint of the certificate it saw."""
    s = smtplib.SMTP("127.0.0.1", port, timeout=60)
    s.ehlo("client.example")
    ctx = ssl.create_default_context(cafile=str(ca))
    ctx.check_hostname = False  # the dev certificate names localhost; we dial 127.0.0.1
    s.starttls(context=ctx)
    s.ehlo("client.example")
    return s, hashlib.sha256(s.sock.getpeercert(binary_form=True)).hexdigest()


def sighup(proxy, n: int) -> str:
    return sighup_and_wait(proxy, "proxy.reload", n)


def test_sighup_new_certificate_practice_and_templates_while_a_session_completes(
        dev_certs, start_proxy, tmp_path):
    a, live = tmp_path / "a", tmp_path / "live"
    renew_certs(a, live)
    templates = tmp_path / "templates"
    shutil.copytree(TEMPLATES_DIR, templates)
    up = Upstream(dev_certs, require_auth=False)
    try:
        def config(name: str) -> str:
            return proxy_config_text(
                dev_certs, f"smtp://127.0.0.1:{up.port}",
                listeners=[("submission", "127.0.0.1")],
                proxy={"auth": "none", "tls_cert": str(live / "server-chain.crt"),
                       "tls_key": str(live / "server.key"), "templates_dir": str(templates)},
                seal_dir=seal_dir).replace('name = "Praxis Muster"', f'name = "{name}"')

        seal_dir = tmp_path / "seal-reload"
        seal_setup(seal_dir)
        proxy = start_proxy(None, config_text=config("Praxis Altstadt"),
                            listeners=[("submission", "127.0.0.1")])
        cfg_path = next(tmp_path.glob("proxy*.toml"))
        port = proxy.ports["submission"]

        old, first = starttls_session(port, a / "ca.crt")
        assert old.mail("praxis@example.ch")[0] == 250
        assert old.rcpt("patient@example.org")[0] == 250

        # certbot renews; the practice changes its name and its notice text.
        b = tmp_path / "b"
        renew_certs(b, live)
        cfg_path.write_text(config("Praxis Neustadt"))
        de = templates / "notice.de.txt"
        de.write_text(de.read_text().replace("Bei Fragen wenden Sie sich bitte direkt an",
                                             "Ihre Fragen beantwortet gerne"))
        line = sighup(proxy, 1)
        assert "result=ok" in line, line
        assert "changed=practice,tls_cert" in line and "needs_restart=none" in line, line

        # The session from before the reload completes its mail, with its old settings.
        assert old.data(sealed_mail())[0] == 250
        old.quit()
        assert len(up.messages) == 1
        text = notice_text(up.messages[0].content)
        assert "Praxis Altstadt" in text and "Bei Fragen wenden Sie sich" in text, text

        new, second = starttls_session(port, b / "ca.crt")  # verifies against the new CA only
        assert second != first
        assert f"tls_sha256={second}" in line
        new.sendmail("praxis@example.ch", ["patient@example.org"], sealed_mail())
        new.quit()
        assert len(up.messages) == 2
        text = notice_text(up.messages[1].content)
        assert "Praxis Neustadt" in text and "Praxis Altstadt" not in text, text
        assert "Ihre Fragen beantwortet gerne" in text, text

        # A listener that moved needs a restart: said so, the old one keeps serving.
        cfg_path.write_text(config("Praxis Neustadt").replace(
            'kind = "submission"', 'kind = "submissions"'))
        line = sighup(proxy, 2)
        assert "result=ok" in line and "needs_restart=proxy.listeners" in line, line
        # A broken config: nothing changes, the proxy keeps serving.
        cfg_path.write_text(config("Praxis Zwischenstadt") + "[proxy]\nno_such_key = 1\n")
        line = sighup(proxy, 3)
        assert "result=failed" in line, line
        again, third = starttls_session(port, b / "ca.crt")
        again.sendmail("praxis@example.ch", ["patient@example.org"], sealed_mail())
        again.quit()
        assert third == second
        assert "Praxis Neustadt" in notice_text(up.messages[2].content)
        assert proxy.proc.poll() is None
    finally:
        up.stop()
