# SPDX-License-Identifier: Apache-2.0
"""Nobody waits in silence (issue 18, item 6): a link still unused remind_before it expires gets
the patient ONE reminder (the same link, which still works), and a link that expired unused gets
the sender ONE notice naming the patient, the documents and `sealpost resend ID`. Neither carries
a document, neither goes twice (not after a restart either), none goes when switched off, and
none after the patient used the link (SMS code and download).

The clock is moved by starting sealpost-proxy again under libfaketime (+24 days: 6 days before
the 30-day link expires; +31 days: expired), on the same vault; waiting is by the proxy's
notice-loop metrics (a pass every second), not by time."""
import email
import email.policy
import os
import subprocess
from pathlib import Path

import pytest
from conftest import Proxy, Upstream, admin_run, in_clear, record
from portal_env import (  # noqa: F401 - fixtures are used by name
    BELEG, LINK, RECHNUNG, TEST_ENVELOPE_BIN, seal_invoice, sms, start_portal)
from test_portal_notice import metric, seal_and_download, two_more_passes, wait_until

FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"
PATIENT = "patient@example.org"
SENDER = "praxis@example.ch"


@pytest.fixture
def clocked(dev_certs, start_proxy, tmp_path, monkeypatch):
    """make(**proxy_keys) -> (proxy, upstream, at): a sealing proxy whose notice loop runs every
    second; at(offset) stops the running proxy and starts it again on the same config and vault
    with its clock moved by `offset` (libfaketime, "+24d"), and returns it."""
    ups, moved = [], []

    def make(**proxy_keys):
        up = Upstream(dev_certs, require_auth=False)
        ups.append(up)
        proxy = start_proxy(f"smtp://127.0.0.1:{up.port}",
                            proxy={"auth": "none", "notice_interval": "1s", **proxy_keys})
        config = Path(proxy.proc.args[2])
        current = [proxy]

        def at(offset: str) -> Proxy:
            assert Path(FAKETIME_LIB).exists(), \
                f"{FAKETIME_LIB} is missing: apt-get install faketime (packaging/build-deps.txt)"
            current[0].stop()
            with monkeypatch.context() as m:
                asan = os.environ.get("ASAN_OPTIONS", "")
                m.setenv("LD_PRELOAD", FAKETIME_LIB)
                m.setenv("FAKETIME", offset)
                m.setenv("FAKETIME_DONT_FAKE_MONOTONIC", "1")
                # ASan wants to come first in the library list; libfaketime only wraps the clock.
                m.setenv("ASAN_OPTIONS", (asan + ":" if asan else "") + "verify_asan_link_order=0")
                p = Proxy(config, tmp_path / f"proxy-at-{len(moved)}.log", expect=1)
            p.seal_dir = proxy.seal_dir
            moved.append(p)
            current[0] = p
            return p

        return proxy, up, at

    yield make
    for p in moved:
        p.stop()
        log = p.log_path.read_text(errors="replace")
        for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            assert marker not in log, f"{marker} in {p.log_path}"
    for up in ups:
        up.stop()


def to(up, rcpt: str) -> list:
    return [m for m in up.messages if m.rcpt_tos == [rcpt]]


def leaves(content: bytes) -> list:
    """(content type, decoded bytes) of every non-multipart part of a mail."""
    msg = email.message_from_bytes(content, policy=email.policy.default)
    return [(p.get_content_type(), p.get_payload(decode=True))
            for p in msg.walk() if not p.is_multipart()]


def assert_no_document(content: bytes):
    parts = leaves(content)
    assert [t for t, _ in parts] == ["text/plain", "text/html"]  # no attachment
    for _, body in parts:
        assert b"%PDF" not in body
    assert RECHNUNG.read_bytes()[:200] not in content
    assert not in_clear(content), "the mail carries a PDF (base64)"


def lookup(seal_dir: Path, token: str) -> str:
    assert TEST_ENVELOPE_BIN, "SEALPOST_TEST_ENVELOPE is not set"
    p = subprocess.run([TEST_ENVELOPE_BIN, str(seal_dir / "vault"), str(seal_dir / "keys"),
                        "--lookup", token], capture_output=True, text=True, timeout=60)
    return p.stdout.strip()


def test_unused_link_reminds_the_patient_once_and_tells_the_sender_once(clocked):
    proxy, up, at = clocked()
    token = seal_invoice(proxy, up)
    env_id = admin_run(proxy.seal_dir, "list").stdout.splitlines()[1].split()[0]
    assert len(to(up, PATIENT)) == 1

    # 6 days before the link expires (30 days, remind_before 7 days): one reminder.
    p = at("+24d")
    wait_until(lambda: metric(p, "sealpost_proxy_reminders_sent_total") >= 1, "the reminder")
    two_more_passes(p)
    assert metric(p, "sealpost_proxy_reminders_sent_total") == 1
    reminders = to(up, PATIENT)[1:]
    assert len(reminders) == 1
    got = reminders[0]
    msg = email.message_from_bytes(got.content, policy=email.policy.default)
    assert msg["Subject"] == "Erinnerung: Rechnung November"
    assert msg["From"].addresses[0].addr_spec == SENDER
    text = msg.get_body(("plain",)).get_content()
    assert text.startswith("Erinnerung: Ihre Dokumente liegen noch bereit.")
    assert set(LINK.findall(got.content.decode("utf-8", errors="replace"))) == {token}
    assert RECHNUNG.name in text and BELEG.name in text
    assert_no_document(got.content)
    assert lookup(proxy.seal_dir, token) == env_id  # the same link still opens the envelope
    assert to(up, SENDER) == []  # not expired yet

    # A restart at the same time sends nothing again (the vault knows it was sent).
    p = at("+24d")
    two_more_passes(p)
    two_more_passes(p)
    assert metric(p, "sealpost_proxy_reminders_sent_total") == 0
    assert len(to(up, PATIENT)) == 2

    # Expired unused: one notice to the sender, with the patient, the documents and the hint.
    p = at("+31d")
    wait_until(lambda: metric(p, "sealpost_proxy_expiry_notices_sent_total") >= 1,
               "the expiry notice")
    two_more_passes(p)
    notices = to(up, SENDER)
    assert len(notices) == 1
    got = notices[0]
    msg = email.message_from_bytes(got.content, policy=email.policy.default)
    assert msg["Subject"] == "Link abgelaufen, Dokumente nicht abgerufen (Praxis Muster)"
    text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.startswith(f"Der Link für {PATIENT} ist am ")
    assert f"- {RECHNUNG.name}\n" in text and f"- {BELEG.name}\n" in text
    assert f"sealpost resend {env_id}" in text
    html = msg.get_body(("html",)).get_content()
    assert f"sealpost resend {env_id}" in html and BELEG.name in html
    assert token.encode() not in got.content and b"/d/" not in got.content
    assert_no_document(got.content)
    assert len(to(up, PATIENT)) == 2  # no reminder after the expiry

    p = at("+31d")
    two_more_passes(p)
    two_more_passes(p)
    assert len(to(up, SENDER)) == 1
    shown = admin_run(proxy.seal_dir, "show", env_id).stdout
    assert shown.count("reminder mailed to the patient") == 1
    assert shown.count("expired unused; sender notified") == 1
    record("secrets", token)


def test_nothing_when_switched_off(clocked):
    proxy, up, at = clocked(remind_patient=False, notify_sender_on_expiry=False)
    seal_invoice(proxy, up)
    for offset in ("+24d", "+31d"):
        p = at(offset)
        two_more_passes(p)
        two_more_passes(p)
    assert len(up.messages) == 1  # only the sealed mail itself


def test_nothing_after_the_patient_downloaded(clocked, start_portal, sms):
    proxy, up, at = clocked()
    seal_and_download(proxy, up, start_portal, sms)
    for offset in ("+24d", "+31d"):
        p = at(offset)
        two_more_passes(p)
        two_more_passes(p)
    assert len(up.messages) == 1  # only the sealed mail itself
