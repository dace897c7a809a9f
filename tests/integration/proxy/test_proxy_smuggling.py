# SPDX-License-Identifier: Apache-2.0
"""SMTP smuggling (bare LF / bare CR end-of-data variants) and STARTTLS command injection:
refused, nothing of them reaches the upstream, and the session stays in sync."""
import pytest
from conftest import RawSmtp, Upstream

SMUGGLED = (b"MAIL FROM:<ceo@example.ch>\r\nRCPT TO:<victim@example.org>\r\nDATA\r\n"
            b"From: ceo@example.ch\r\n\r\nsmuggled\r\n")

PAYLOADS = {
    "lf-dot-crlf": b"Subject: a\r\n\r\nhello\n.\r\n" + SMUGGLED + b".\r\n",
    "crlf-dot-lf": b"Subject: a\r\n\r\nhello\r\n.\n" + SMUGGLED + b".\r\n",
    "lf-dot-lf": b"Subject: a\r\n\r\nhello\n.\n" + SMUGGLED + b".\r\n",
    "cr-dot-cr": b"Subject: a\r\n\r\nhello\r.\r" + SMUGGLED + b".\r\n",
}


@pytest.fixture
def maildir_proxy(start_proxy, tmp_path):
    md = tmp_path / "maildir"
    proxy = start_proxy(f"maildir:{md}", proxy={"auth": "none"})
    return proxy, md


def start_data(c: RawSmtp):
    assert c.read_reply()[0] == 220
    assert c.cmd("EHLO client.example")[0] == 250
    assert c.cmd("MAIL FROM:<praxis@example.ch>")[0] == 250
    assert c.cmd("RCPT TO:<patient@example.org>")[0] == 250
    assert c.cmd("DATA")[0] == 354


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_bare_line_ending_smuggling_is_refused(maildir_proxy, name):
    proxy, md = maildir_proxy
    c = RawSmtp(proxy.ports["plain"])
    start_data(c)
    c.send(PAYLOADS[name])
    code, lines = c.read_reply()
    assert (code, lines[0][:5]) == (550, "5.5.2")
    # In sync: the smuggled MAIL/RCPT/DATA were message content, not commands, and the next
    # reply is for our NOOP.
    assert c.cmd("NOOP")[0] == 250
    assert c.cmd("QUIT")[0] == 221
    assert list((md / "new").iterdir()) == []


def test_clean_message_after_refused_one_is_delivered_once(maildir_proxy):
    proxy, md = maildir_proxy
    c = RawSmtp(proxy.ports["plain"])
    start_data(c)
    c.send(PAYLOADS["lf-dot-crlf"])
    assert c.read_reply()[0] == 550
    assert c.cmd("MAIL FROM:<praxis@example.ch>")[0] == 250
    assert c.cmd("RCPT TO:<patient@example.org>")[0] == 250
    assert c.cmd("DATA")[0] == 354
    c.send(b"Subject: clean\r\n\r\nline\r\n..dotted\r\n.\r\n")
    assert c.read_reply()[0] == 250
    c.cmd("QUIT")
    files = list((md / "new").iterdir())
    assert len(files) == 1
    body = files[0].read_bytes()
    assert body.endswith(b"Subject: clean\n\nline\n.dotted\n")
    assert b"smuggled" not in body


BARE_LF_MAIL = b"Subject: lf\n\nline one\nline two\r\nthree\n\r\n.\r\n"


@pytest.fixture
def relaying_proxy(start_proxy, dev_certs):
    up = Upstream(dev_certs, require_auth=False)
    try:
        yield start_proxy(f"smtp://127.0.0.1:{up.port}", proxy={"auth": "none"}), up
    finally:
        up.stop()


def test_bare_lf_lines_from_a_trusted_network_are_relayed_as_crlf(relaying_proxy):
    # Billing software on the practice LAN (127.0.0.1 is in trusted_networks by default).
    proxy, up = relaying_proxy
    c = RawSmtp(proxy.ports["plain"])
    start_data(c)
    c.send(BARE_LF_MAIL)
    assert c.read_reply()[0] == 250
    c.cmd("QUIT")
    content = up.messages[-1].content
    assert content.endswith(b"Subject: lf\r\n\r\nline one\r\nline two\r\nthree\r\n\r\n")
    assert content.count(b"\n") == content.count(b"\r\n")  # no bare LF left


def test_outside_the_trusted_networks_nothing_reaches_data_without_auth(relaying_proxy):
    # Bare LF is read as a line end only for trusted and authenticated clients; any other
    # client is refused before DATA, so the strict reading is all it could ever meet. The
    # smuggling payloads above come from a trusted client: normalising never makes a dot
    # line beside a bare LF an end of data.
    proxy, up = relaying_proxy
    c = RawSmtp(proxy.ports["plain"], source="127.0.0.2")
    assert c.read_reply()[0] == 220
    assert c.cmd("EHLO client.example")[0] == 250
    assert c.cmd("MAIL FROM:<praxis@example.ch>")[0] == 530
    assert c.cmd("QUIT")[0] == 221
    assert up.handler.count() == 0


def test_pipelined_command_after_starttls_closes_the_session(start_proxy, tmp_path):
    proxy = start_proxy(f"maildir:{tmp_path}/md", listeners=[("submission", "127.0.0.1")])
    c = RawSmtp(proxy.ports["submission"])
    assert c.read_reply()[0] == 220
    code, lines = c.cmd("EHLO client.example")
    assert code == 250 and "STARTTLS" in lines
    c.send(b"STARTTLS\r\nMAIL FROM:<injected@example.ch>\r\n")
    assert c.read_reply() == (None, [])  # closed without a 220: nothing was answered
    assert "smtp.starttls_injection" in proxy.log()


def test_auth_before_tls_gets_538_and_bad_base64_501(start_proxy, tmp_path, dev_certs, upstream):
    import smtplib

    from conftest import client_tls_context
    proxy = start_proxy(f"smtp://127.0.0.1:{upstream.port}", listeners=[("submission", "127.0.0.1")])
    c = RawSmtp(proxy.ports["submission"])
    assert c.read_reply()[0] == 220
    code, lines = c.cmd("EHLO client.example")
    assert not any(line.startswith("AUTH") for line in lines)
    code, lines = c.cmd("AUTH PLAIN AHUAcA==")
    assert (code, lines[0][:6]) == (538, "5.7.11")
    c.close()
    s = smtplib.SMTP("127.0.0.1", proxy.ports["submission"], timeout=30)
    s.starttls(context=client_tls_context(dev_certs))
    s.ehlo("client.example")
    code, msg = s.docmd("AUTH", "PLAIN not*base64")
    assert (code, msg[:5]) == (501, b"5.5.2")
    code, msg = s.docmd("AUTH", "LOGIN")
    assert code == 334
    code, msg = s.docmd("%%%")
    assert (code, msg[:5]) == (501, b"5.5.2")
    s.quit()


def test_state_resets_after_starttls(start_proxy, tmp_path, dev_certs):
    import smtplib

    from conftest import client_tls_context
    proxy = start_proxy(f"maildir:{tmp_path}/md", listeners=[("submission", "127.0.0.1")],
                        proxy={"auth": "none"})
    s = smtplib.SMTP("127.0.0.1", proxy.ports["submission"], timeout=30)
    s.ehlo("client.example")
    s.starttls(context=client_tls_context(dev_certs))
    code, msg = s.docmd("MAIL", "FROM:<praxis@example.ch>")  # no EHLO after TLS yet
    assert (code, msg[:5]) == (503, b"5.5.1")
    s.ehlo("client.example")
    assert "starttls" not in s.esmtp_features
    assert s.docmd("MAIL", "FROM:<praxis@example.ch>")[0] == 250
    s.quit()
