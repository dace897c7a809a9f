# SPDX-License-Identifier: Apache-2.0
"""RFC 5321 limits: each over-limit case gets its exact reply code, and the proxy keeps
serving other sessions afterwards."""
import smtplib

import pytest
from conftest import RawSmtp

GOOD = b"Subject: ok\r\n\r\nfine\r\n"


@pytest.fixture
def proxy(start_proxy, tmp_path):
    p = start_proxy(f"maildir:{tmp_path}/md",
                    proxy={"auth": "none", "max_recipients": 3, "max_message_size": "64KiB",
                           "command_timeout": "2s", "data_timeout": "2s", "max_bad_commands": 4,
                           "max_sessions": 20})
    p.maildir = tmp_path / "md"
    return p


def assert_still_serving(proxy):
    """A fresh session can deliver a message."""
    before = len(list((proxy.maildir / "new").iterdir()))
    s = smtplib.SMTP("127.0.0.1", proxy.ports["plain"], timeout=30)
    assert s.sendmail("praxis@example.ch", ["patient@example.org"], GOOD) == {}
    s.quit()
    assert len(list((proxy.maildir / "new").iterdir())) == before + 1


def session(proxy) -> RawSmtp:
    c = RawSmtp(proxy.ports["plain"])
    assert c.read_reply()[0] == 220
    assert c.cmd("EHLO client.example")[0] == 250
    return c


def test_ehlo_advertises_limits(proxy):
    c = session(proxy)
    code, lines = c.cmd("EHLO client.example")
    assert code == 250
    assert "SIZE 65536" in lines and "ENHANCEDSTATUSCODES" in lines and "PIPELINING" in lines
    assert not any(line.startswith("CHUNKING") for line in lines)
    assert not any(line.startswith("STARTTLS") for line in lines)  # plain listener


def test_command_line_over_512_octets(proxy):
    c = session(proxy)
    code, lines = c.cmd("NOOP " + "x" * 520)
    assert (code, lines[0][:5]) == (500, "5.5.2")
    assert c.cmd("NOOP")[0] == 250  # the rest of the long line was discarded, still in sync
    c.close()
    assert_still_serving(proxy)


def test_text_line_over_1000_octets(proxy):
    c = session(proxy)
    assert c.cmd("MAIL FROM:<praxis@example.ch>")[0] == 250
    assert c.cmd("RCPT TO:<patient@example.org>")[0] == 250
    assert c.cmd("DATA")[0] == 354
    c.send(b"Subject: long\r\n\r\n" + b"y" * 999 + b"\r\n.\r\n")  # 1001 octets with CRLF
    code, lines = c.read_reply()
    assert (code, lines[0][:5]) == (550, "5.5.2")
    # exactly 1000 with CRLF is fine
    assert c.cmd("MAIL FROM:<praxis@example.ch>")[0] == 250
    assert c.cmd("RCPT TO:<patient@example.org>")[0] == 250
    assert c.cmd("DATA")[0] == 354
    c.send(b"Subject: long\r\n\r\n" + b"y" * 998 + b"\r\n.\r\n")
    assert c.read_reply()[0] == 250
    assert len(list((proxy.maildir / "new").iterdir())) == 1


def test_too_many_recipients(proxy):
    c = session(proxy)
    assert c.cmd("MAIL FROM:<praxis@example.ch>")[0] == 250
    for i in range(3):
        assert c.cmd(f"RCPT TO:<p{i}@example.org>")[0] == 250
    code, lines = c.cmd("RCPT TO:<p3@example.org>")
    assert (code, lines[0][:5]) == (452, "4.5.3")
    assert c.cmd("DATA")[0] == 354
    c.send(GOOD + b".\r\n")
    assert c.read_reply()[0] == 250


def test_declared_size_over_limit(proxy):
    c = session(proxy)
    code, lines = c.cmd("MAIL FROM:<praxis@example.ch> SIZE=65537")
    assert (code, lines[0][:5]) == (552, "5.3.4")
    assert c.cmd("MAIL FROM:<praxis@example.ch> SIZE=1000")[0] == 250


def test_actual_size_over_limit(proxy):
    c = session(proxy)
    assert c.cmd("MAIL FROM:<praxis@example.ch>")[0] == 250
    assert c.cmd("RCPT TO:<patient@example.org>")[0] == 250
    assert c.cmd("DATA")[0] == 354
    c.send(b"Subject: big\r\n\r\n" + (b"z" * 78 + b"\r\n") * 1000 + b".\r\n")
    code, lines = c.read_reply()
    assert (code, lines[0][:5]) == (552, "5.3.4")
    assert c.cmd("NOOP")[0] == 250
    assert list((proxy.maildir / "new").iterdir()) == []


def test_data_timeout(proxy):
    c = session(proxy)
    assert c.cmd("MAIL FROM:<praxis@example.ch>")[0] == 250
    assert c.cmd("RCPT TO:<patient@example.org>")[0] == 250
    assert c.cmd("DATA")[0] == 354
    c.send(b"Subject: slow\r\n\r\nand then nothing")
    code, lines = c.read_reply()  # blocks until the proxy gives up
    assert (code, lines[0][:5]) == (421, "4.4.2")
    assert c.closed()
    assert list((proxy.maildir / "new").iterdir()) == []
    assert_still_serving(proxy)


def test_command_timeout(proxy):
    c = session(proxy)
    code, lines = c.read_reply()
    assert (code, lines[0][:5]) == (421, "4.4.2")
    assert c.closed()
    assert_still_serving(proxy)


def test_too_many_bad_commands(proxy):
    c = session(proxy)
    for _ in range(3):
        assert c.cmd("FOO")[0] == 500
    code, lines = c.cmd("FOO")
    assert (code, lines[0][:5]) == (421, "4.7.0")
    assert c.closed()
    assert_still_serving(proxy)


def test_max_sessions(start_proxy, tmp_path):
    p = start_proxy(f"maildir:{tmp_path}/md", proxy={"auth": "none", "max_sessions": 2})
    a, b = RawSmtp(p.ports["plain"]), RawSmtp(p.ports["plain"])
    assert a.read_reply()[0] == 220 and b.read_reply()[0] == 220
    c = RawSmtp(p.ports["plain"])
    code, lines = c.read_reply()
    assert (code, lines[0][:5]) == (421, "4.3.2")
    assert c.closed()
    a.cmd("QUIT")
    a.close()
    assert b.cmd("NOOP")[0] == 250


def test_mail_loop_at_100_received_headers(proxy):
    c = session(proxy)
    assert c.cmd("MAIL FROM:<praxis@example.ch>")[0] == 250
    assert c.cmd("RCPT TO:<patient@example.org>")[0] == 250
    assert c.cmd("DATA")[0] == 354
    c.send(b"Received: from a by b; Fri, 27 Nov 2026 07:00:00 +0000\r\n" * 100 + GOOD + b".\r\n")
    code, lines = c.read_reply()
    assert (code, lines[0][:5]) == (554, "5.4.6")
    # 99 is still fine: with ours it makes 100 on the way out, the next hop decides.
    assert c.cmd("MAIL FROM:<praxis@example.ch>")[0] == 250
    assert c.cmd("RCPT TO:<patient@example.org>")[0] == 250
    assert c.cmd("DATA")[0] == 354
    c.send(b"Received: from a by b; Fri, 27 Nov 2026 07:00:00 +0000\r\n" * 99 + GOOD + b".\r\n")
    assert c.read_reply()[0] == 250


def test_sequence_and_syntax_errors(proxy):
    c = RawSmtp(proxy.ports["plain"])
    assert c.read_reply()[0] == 220
    assert c.cmd("MAIL FROM:<a@example.ch>")[0] == 503  # EHLO first
    assert c.cmd("EHLO client.example")[0] == 250
    assert c.cmd("RCPT TO:<a@example.org>")[0] == 503   # no MAIL
    assert c.cmd("BDAT 10 LAST")[0] == 502             # no CHUNKING, ever
    # the fourth error reaches max_bad_commands = 4
    code, lines = c.cmd("MAIL FROM:<a@example.ch> FOO=BAR")
    assert (code, lines[0][:5]) == (421, "4.7.0")


def test_unknown_mail_parameter(proxy):
    c = session(proxy)
    code, lines = c.cmd("MAIL FROM:<a@example.ch> FOO=BAR")
    assert (code, lines[0][:5]) == (555, "5.5.4")
