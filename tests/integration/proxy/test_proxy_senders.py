# SPDX-License-Identifier: Apache-2.0
"""Senders bound to logins (auth = local): the users file names the addresses each login may send
from; MAIL FROM outside them is refused at MAIL, a From:/Sender: outside them at the end of DATA,
both with 550 5.7.1 and nothing reaching the upstream. Real clients (smtplib, swaks) over
STARTTLS, a real aiosmtpd upstream that wants the proxy's own login."""
import subprocess

import pytest
from conftest import (UPSTREAM_PASSWORD, UPSTREAM_USER, Upstream, client_tls_context, record)
from test_proxy_lifecycle import scrypt_line

import smtplib

PASSWORD = "s3cret senders"
NOT_ALLOWED = (550, b"5.7.1 Sender address not allowed for this login")
NULL_SENDER = (550, b"5.7.1 An empty sender <> is not allowed for a login")


def from_refused(field: str) -> tuple:
    return (550, f"5.7.1 The {field}: address is not one this login may send from: use your "
                 "own address".encode())


@pytest.fixture
def bound(dev_certs, start_proxy, tmp_path):
    """(proxy, upstream): auth = local with three logins: `mpa@praxis.ch` (no list: itself),
    `empfang` (two addresses and a whole domain), `robot` (not an address, no list: none)."""
    record("secrets", PASSWORD)
    users = tmp_path / "users"
    users.write_text("\n".join([
        "# login:hash[:senders]",
        scrypt_line("mpa@praxis.ch", PASSWORD),
        scrypt_line("empfang", PASSWORD) + ":info@praxis.ch, Empfang@Praxis.ch,@praxis-bern.ch",
        scrypt_line("robot", PASSWORD),
    ]) + "\n")
    users.chmod(0o600)
    pw = tmp_path / "upstream.pw"
    pw.write_text(UPSTREAM_PASSWORD + "\n")
    pw.chmod(0o600)
    up = Upstream(dev_certs, require_auth=True)
    proxy = start_proxy(f"smtp://127.0.0.1:{up.port}",
                        listeners=[("submission", "127.0.0.1"), ("plain", "127.0.0.1")],
                        proxy={"auth": "local", "users_file": str(users),
                               "trusted_networks": ["192.0.2.0/24"]},
                        upstream={"username": UPSTREAM_USER, "password_file": str(pw)})
    yield proxy, up
    up.stop()


def login(proxy, certs, user):
    s = smtplib.SMTP("127.0.0.1", proxy.ports["submission"], timeout=30)
    s.starttls(context=client_tls_context(certs))
    s.ehlo("client.example")
    s.login(user, PASSWORD)
    return s


def mail(sender_header: str, extra: str = "") -> bytes:
    return (f"From: {sender_header}\r\n{extra}To: patient@example.org\r\nSubject: Termin\r\n"
            "\r\nBis morgen\r\n").encode()


def send(s, mail_from, data):
    """(code, text) of the refusal, or (250, None)."""
    try:
        s.sendmail(mail_from, ["patient@example.org"], data)
        return 250, None
    except smtplib.SMTPSenderRefused as e:
        return e.smtp_code, e.smtp_error
    except smtplib.SMTPDataError as e:
        return e.smtp_code, e.smtp_error


@pytest.mark.parametrize("user,mail_from,header", [
    ("mpa@praxis.ch", "mpa@praxis.ch", "Praxis Muster <mpa@praxis.ch>"),
    ("mpa@praxis.ch", "MPA@praxis.ch", '"mpa@praxis.ch" <mpa@praxis.ch>'),
    ("empfang", "info@praxis.ch", "Empfang <empfang@praxis.ch>"),
    ("empfang", "anyone@praxis-bern.ch", "=?utf-8?q?Praxis_B=C3=A4rn?= <info@praxis-bern.ch>"),
])
def test_a_login_sends_from_its_own_addresses(dev_certs, bound, user, mail_from, header):
    proxy, up = bound
    s = login(proxy, dev_certs, user)
    assert send(s, mail_from, mail(header)) == (250, None)
    s.quit()
    assert len(up.messages) == 1 and up.messages[0].mail_from == mail_from


@pytest.mark.parametrize("user,mail_from", [
    ("mpa@praxis.ch", "info@praxis.ch"),
    ("mpa@praxis.ch", "mpa@praxis.ch.evil.example"),
    ("empfang", "mpa@praxis.ch"),
    ("empfang", "x@sub.praxis-bern.ch"),
    ("robot", "robot@praxis.ch"),
])
def test_mail_from_outside_the_login_is_refused_at_mail(dev_certs, bound, user, mail_from):
    proxy, up = bound
    s = login(proxy, dev_certs, user)
    assert send(s, mail_from, mail(mail_from)) == NOT_ALLOWED
    s.quit()
    assert up.messages == []
    assert "reason=sender_not_allowed" in proxy.log()


def test_the_null_sender_is_refused_for_a_login(dev_certs, bound):
    proxy, up = bound
    s = login(proxy, dev_certs, "mpa@praxis.ch")
    assert send(s, "", mail("mpa@praxis.ch")) == NULL_SENDER
    # The session goes on: the own address works.
    assert send(s, "mpa@praxis.ch", mail("mpa@praxis.ch")) == (250, None)
    s.quit()
    assert len(up.messages) == 1


@pytest.mark.parametrize("header,extra,field", [
    ("evil@example.net", "", "From"),
    ('"mpa@praxis.ch" <evil@example.net>', "", "From"),
    ("evil@example.net <mpa@praxis.ch>", "", "From"),
    ("mpa@praxis.ch, boss@praxis.ch", "", "From"),
    ("mpa@praxis.ch@example.net", "", "From"),
    ("mpa@praxis.ch", "Sender: info@praxis.ch\r\n", "Sender"),
    ("mpa@praxis.ch", "From: evil@example.net\r\n", "From"),
    ("mpa@praxis.ch", "Resent-From: evil@example.net\r\n", "Resent-From"),
])
def test_a_foreign_from_or_sender_is_refused_at_the_end_of_data(dev_certs, bound, header, extra,
                                                                field):
    proxy, up = bound
    s = login(proxy, dev_certs, "mpa@praxis.ch")
    assert send(s, "mpa@praxis.ch", mail(header, extra)) == from_refused(field)
    # The session stays usable and in step with the upstream.
    assert send(s, "mpa@praxis.ch", mail("mpa@praxis.ch")) == (250, None)
    s.quit()
    assert len(up.messages) == 1
    assert b"evil" not in up.messages[0].content


def test_a_message_without_from_is_refused(dev_certs, bound):
    proxy, up = bound
    s = login(proxy, dev_certs, "mpa@praxis.ch")
    data = b"To: patient@example.org\r\nSubject: Termin\r\n\r\nBis morgen\r\n"
    assert send(s, "mpa@praxis.ch", data) == from_refused("From")
    s.quit()
    assert up.messages == []


def test_swaks_with_a_foreign_from_header(dev_certs, bound):
    proxy, up = bound
    # swaks over the loopback plain listener (AUTH is offered there; its Debian package does
    # not pull in the Perl TLS module).
    base = ["swaks", "--server", f"127.0.0.1:{proxy.ports['plain']}", "--helo", "client.example",
            "--auth", "PLAIN", "--auth-user", "empfang", "--auth-password", PASSWORD,
            "--to", "patient@example.org", "--from", "info@praxis.ch"]
    r = subprocess.run(base + ["--header", "From: Chef <chef@praxis.ch>"],
                       capture_output=True, text=True, timeout=60)
    assert "<** 550 5.7.1 The From: address is not one this login may send from" in r.stdout, \
        r.stdout
    r = subprocess.run(base + ["--header", "From: Empfang <info@praxis.ch>"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stdout + r.stderr
    assert len(up.messages) == 1
