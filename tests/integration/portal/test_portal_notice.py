# SPDX-License-Identifier: Apache-2.0
"""The practice's notice on a patient's first download (architecture §5b): the portal only queues it in
the vault, and sealpost-proxy mails it through [notify] (here: [upstream]) to the original
sender, once per envelope, naming the envelope, the document and the masked recipient, and
carrying nothing of the document. With portal.notify_sender_on_download = false, none goes;
when [notify] cannot be reached, the notice waits for its next attempt.

Waiting is by events, not by time: `sealpost show` lists a download only after the portal
queued its notice (same background job, notice first), and the proxy's
sealpost_proxy_notice_runs_total counts its passes over the queue (every 1 s here)."""
import email
import email.policy
import time
import urllib.request

import pytest
from conftest import Upstream, free_port, in_clear, proxy_config_text, seal_setup
from portal_env import (  # noqa: F401 - fixtures are used by name
    BELEG, RECHNUNG, admin_run, log_in, seal_invoice, sms, start_portal)

SENDER = "praxis@example.ch"  # the MAIL FROM of seal_invoice


@pytest.fixture
def notifying(dev_certs, start_proxy):
    """(proxy, upstream): a sealing proxy whose notice loop runs every second."""
    up = Upstream(dev_certs, require_auth=False)
    proxy = start_proxy(f"smtp://127.0.0.1:{up.port}",
                        proxy={"auth": "none", "notice_interval": "1s"})
    yield proxy, up
    up.stop()


def metric(proxy, name: str) -> float:
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(f"http://127.0.0.1:{proxy.ports['admin']}/metrics", timeout=30) as r:
        for line in r.read().decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
    raise AssertionError(f"no {name} in /metrics")


def wait_until(predicate, what: str, timeout: float = 60):
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def notices(up) -> list:
    """What the upstream got for the practice (the sealed mails go to the patient)."""
    return [m for m in up.messages if m.rcpt_tos == [SENDER]]


def downloads_in_trail(proxy, env_id: str) -> int:
    shown = admin_run(proxy.seal_dir, "show", env_id).stdout
    return sum(1 for line in shown.splitlines() if "  downloaded " in line)


def seal_and_download(proxy, up, start_portal, sms) -> tuple:
    """(token, envelope id): an invoice sealed through `proxy`, then its first document
    downloaded by the patient on a portal that queues no download notice; returns once the
    download is in the trail."""
    token = seal_invoice(proxy, up)
    env_id = admin_run(proxy.seal_dir, "list").stdout.splitlines()[1].split()[0]
    portal = start_portal(proxy.seal_dir, portal={"notify_sender_on_download": False})
    s = portal.session()
    log_in(s, portal, token, sms)
    assert s.get(f"{portal.url}/d/{token}/doc/0").content == RECHNUNG.read_bytes()
    wait_until(lambda: downloads_in_trail(proxy, env_id) == 1, "the download's trail")
    return token, env_id


def two_more_passes(proxy):
    """Returns once the proxy finished a pass over the queue that began after this call."""
    runs = metric(proxy, "sealpost_proxy_notice_runs_total")
    wait_until(lambda: metric(proxy, "sealpost_proxy_notice_runs_total") >= runs + 2,
               "two passes of the notice loop")


def test_first_download_mails_one_notice_to_the_sender(notifying, start_portal, sms):
    proxy, up = notifying
    token = seal_invoice(proxy, up)
    env_id = admin_run(proxy.seal_dir, "list").stdout.splitlines()[1].split()[0]
    portal = start_portal(proxy.seal_dir)

    first = portal.session()
    log_in(first, portal, token, sms)
    assert first.get(f"{portal.url}/d/{token}/doc/1").content == BELEG.read_bytes()
    wait_until(lambda: downloads_in_trail(proxy, env_id) == 1, "the first download's trail")
    # Downloading again, another document and in a second session, sends nothing more.
    assert first.get(f"{portal.url}/d/{token}/doc/0").status_code == 200
    second = portal.session()
    log_in(second, portal, token, sms)
    assert second.get(f"{portal.url}/d/{token}/doc/1").status_code == 200
    wait_until(lambda: downloads_in_trail(proxy, env_id) == 3, "the later downloads' trail")
    wait_until(lambda: len(notices(up)) >= 1, "the notice at the upstream")
    two_more_passes(proxy)
    assert len(notices(up)) == 1
    assert metric(proxy, "sealpost_proxy_notices_sent_total") == 1

    got = notices(up)[0]
    assert got.mail_from == SENDER
    msg = email.message_from_bytes(got.content, policy=email.policy.default)
    assert msg["To"] == SENDER
    assert msg["From"].addresses[0].addr_spec == SENDER  # no practice.from_address: the sender
    assert msg["From"].addresses[0].display_name == "Praxis Muster"
    assert msg["Subject"] == "Dokument abgerufen (Praxis Muster)"
    assert msg.get_content_type() == "multipart/alternative"
    parts = [p.get_content_type() for p in msg.walk() if not p.is_multipart()]
    assert parts == ["text/plain", "text/html"]  # no attachment
    text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert text.startswith(f"p***@example.org hat das Dokument «{BELEG.name}» am ")
    assert f"Sendung: {env_id}\n" in text
    assert f"Dokument: {BELEG.name}\n" in text
    assert "Empfänger: p***@example.org\n" in text
    html = msg.get_body(("html",)).get_content()
    assert env_id in html and BELEG.name in html and "p***@example.org" in html
    for leak in (b"patient@example.org", token.encode(), b"/d/", b"%PDF", RECHNUNG.name.encode()):
        assert leak not in got.content
    assert not in_clear(got.content), "the notice carries a PDF (base64)"
    assert f"event=proxy.notice_sent envelope={env_id}" in proxy.log()
    assert "patient@example.org" not in proxy.log() and "patient@example.org" not in portal.log()


def test_no_notice_when_switched_off(notifying, start_portal, sms):
    proxy, up = notifying
    seal_and_download(proxy, up, start_portal, sms)
    two_more_passes(proxy)
    assert notices(up) == []
    assert metric(proxy, "sealpost_proxy_notices_sent_total") == 0
    assert len(up.messages) == 1  # only the sealed mail itself


def test_failed_notice_waits_for_its_retry(dev_certs, start_proxy, start_portal, sms, tmp_path):
    up = Upstream(dev_certs, require_auth=False)
    try:
        dead = free_port()  # [notify] points where nothing listens
        seal = seal_setup(tmp_path / "seal-notify")  # its vault (and database) first
        config = proxy_config_text(dev_certs, f"smtp://127.0.0.1:{up.port}",
                                   proxy={"auth": "none", "notice_interval": "1s"},
                                   seal_dir=seal)
        config += f'[notify]\nurl = "smtp://127.0.0.1:{dead}"\ntls = "none"\n'
        proxy = start_proxy(None, config_text=config)
        proxy.seal_dir = seal
        token = seal_invoice(proxy, up)
        env_id = admin_run(proxy.seal_dir, "list").stdout.splitlines()[1].split()[0]
        portal = start_portal(proxy.seal_dir)
        s = portal.session()
        log_in(s, portal, token, sms)
        assert s.get(f"{portal.url}/d/{token}/doc/0").status_code == 200
        wait_until(lambda: metric(proxy, "sealpost_proxy_notices_failed_total") == 1,
                   "the failed attempt")
        assert (f"event=proxy.notice_failed envelope={env_id} attempts=1 retry_in_s=60 "
                "err=unavailable") in proxy.log()
        # The next attempt is a minute away: passes in between leave the notice alone.
        two_more_passes(proxy)
        assert metric(proxy, "sealpost_proxy_notices_failed_total") == 1
        assert metric(proxy, "sealpost_proxy_notices_sent_total") == 0
        assert metric(proxy, "sealpost_proxy_notices_dropped_total") == 0
        assert notices(up) == []
    finally:
        up.stop()
