# SPDX-License-Identifier: Apache-2.0
"""The proxy's admin listener (issue 6): /metrics in Prometheus text format counts sessions and
messages relayed, sealed and refused (by reason) as a monitoring system would read them, and
/healthz says whether the proxy can seal; the listener takes GET and HEAD only, answers no-store
and is loopback only."""
import email.policy
import smtplib
import subprocess
import urllib.error
import urllib.request
from email.message import EmailMessage

import pytest
from conftest import PROXY_BIN, SOURCE_DIR, proxy_config_text

RECHNUNG = SOURCE_DIR / "tests" / "data" / "samples" / "Rechnung-2026-1127.pdf"


def get(proxy, path):
    """(status, content type, body) of GET http://127.0.0.1:ADMIN/path (no proxies)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(f"http://127.0.0.1:{proxy.ports['admin']}{path}", timeout=30) as r:
            return r.status, r.headers["Content-Type"], r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers["Content-Type"], e.read().decode()


def samples(text: str) -> dict:
    """Every sample line of a Prometheus text page: {'name{labels}': value}."""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, value = line.rsplit(" ", 1)
            assert name not in out, name
            out[name] = float(value)
    return out


def invoice(subject: str) -> bytes:
    m = EmailMessage()
    m["From"] = "Praxis Muster <praxis@example.ch>"
    m["To"] = "patient@example.org"
    m["Subject"] = subject
    m.set_content("Guten Tag\n\nIhre Rechnung im Anhang.\n")
    m.add_attachment(RECHNUNG.read_bytes(), maintype="application", subtype="pdf",
                     filename=RECHNUNG.name)
    return m.as_bytes(policy=email.policy.SMTP)


def test_metrics_count_one_sealed_message(sealing):
    proxy, up = sealing
    status, ctype, before = get(proxy, "/metrics")
    assert status == 200
    assert ctype == "text/plain; version=0.0.4; charset=utf-8"
    start = samples(before)
    assert start["sealpost_proxy_messages_sealed_total"] == 0
    assert start["sealpost_proxy_sessions_total"] == 0

    s = smtplib.SMTP("127.0.0.1", proxy.ports["plain"], timeout=30)
    s.ehlo("client.example")
    s.sendmail("praxis@example.ch", ["patient@example.org"],
               invoice("Ihre Rechnung [sms:079 123 45 67]"))
    with pytest.raises(smtplib.SMTPDataError) as refused:  # no mobile number: 550 5.7.1
        s.sendmail("praxis@example.ch", ["patient@example.org"], invoice("Ihre Rechnung"))
    assert refused.value.smtp_code == 550
    s.quit()
    assert len(up.messages) == 1

    m = samples(get(proxy, "/metrics")[2])
    assert m["sealpost_proxy_messages_sealed_total"] == 1
    assert m["sealpost_proxy_messages_relayed_total"] == 1
    assert m['sealpost_proxy_messages_refused_total{reason="policy"}'] == 1
    assert m['sealpost_proxy_messages_refused_total{reason="upstream"}'] == 0
    assert m["sealpost_proxy_sessions_total"] == 1
    assert m["sealpost_proxy_upstream_errors_total"] == 0
    assert m["sealpost_proxy_message_duration_seconds_count"] == 2
    assert m['sealpost_proxy_message_duration_seconds_bucket{le="+Inf"}'] == 2
    # The vault the proxy sealed into: one envelope, sent, with the PDF's bytes.
    assert m["sealpost_vault_envelopes_sent"] + m["sealpost_vault_envelopes_pending"] == 1
    assert m["sealpost_vault_bytes"] == RECHNUNG.stat().st_size
    assert 0 < m["sealpost_vault_used_bytes"] <= m["sealpost_vault_map_size_bytes"]


def test_healthz_and_unknown_paths(sealing):
    proxy, _ = sealing
    assert get(proxy, "/healthz") == (200, "text/plain; charset=utf-8", "ok\n")
    assert get(proxy, "/nope")[0] == 404
    assert get(proxy, "/metrics?x")[0] == 404


def test_admin_listener_takes_get_and_head_only(sealing):
    proxy, _ = sealing
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    url = f"http://127.0.0.1:{proxy.ports['admin']}"
    with opener.open(url + "/healthz", timeout=30) as r:
        assert r.headers["Cache-Control"] == "no-store"
    with opener.open(urllib.request.Request(url + "/metrics", method="HEAD"), timeout=30) as r:
        assert (r.status, r.read()) == (200, b"")
        assert r.headers["Cache-Control"] == "no-store"
    for method in ("POST", "PUT", "DELETE"):
        with pytest.raises(urllib.error.HTTPError) as refused:
            opener.open(urllib.request.Request(url + "/metrics", method=method), timeout=30)
        assert refused.value.code == 405, method
        assert refused.value.headers["Allow"] == "GET, HEAD"
        assert refused.value.headers["Cache-Control"] == "no-store"
        assert refused.value.read() == b"method not allowed\n"


def test_admin_listener_must_be_loopback(tmp_path, dev_certs):
    cfg = tmp_path / "admin.toml"
    cfg.write_text(proxy_config_text(dev_certs, f"maildir:{tmp_path}/md",
                                     proxy={"admin_listen": "0.0.0.0:0"}))
    r = subprocess.run([str(PROXY_BIN), "--config", str(cfg)], capture_output=True, text=True,
                       timeout=30)
    assert r.returncode == 1
    assert r.stderr.splitlines()[-1] == ("sealpost-proxy: proxy.admin_listen must be a loopback "
                                         "address (metrics are not for the internet)")
