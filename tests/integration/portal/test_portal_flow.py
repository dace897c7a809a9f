# SPDX-License-Identifier: Apache-2.0
"""The patient's whole flow against a real sealpost-portal over a vault that a real
sealpost-proxy filled: link from the mail, SMS code from the gateway, documents and ZIP with
the original bytes, audit trail, and the sender's view in `sealpost show`."""
import io
import json
import zipfile

from conftest import in_clear
from portal_env import (  # noqa: F401 - fixtures are used by name
    BELEG, RECHNUNG, admin_run, csrf_of, log_in, request_code, seal_invoice, submit_code, sms, start_portal)


def test_full_flow_downloads_both_documents_and_zip_byte_equal(sealing, start_portal, sms):
    proxy, up = sealing
    token = seal_invoice(proxy, up)
    portal = start_portal(proxy.seal_dir)
    s = portal.session()

    landing = s.get(f"{portal.url}/d/{token}", headers={"Accept-Language": "de-CH,de;q=0.9"})
    assert landing.status_code == 200
    assert 'lang="de"' in landing.text
    assert "Praxis Muster" in landing.text
    assert RECHNUNG.name in landing.text and BELEG.name in landing.text
    assert "\u2022\u202267" in landing.text  # ••67, never the whole number
    assert "79 123" not in landing.text and "791234567" not in landing.text

    r = request_code(s, portal, token)
    sent = sms.wait_for(1)[0]
    assert sent["method"] == "POST" and sent["path"] == "/sms"
    body = json.loads(sent["body"])
    assert body["to"] == "+41791234567"
    assert body["from"] == "Praxis"
    code = sms.last_code()
    assert code is not None and len(code) == 6
    assert code in body["text"] and "Praxis Muster" in body["text"]
    assert "http" not in body["text"] and token not in body["text"]
    assert code not in r.text  # the page never shows the code

    v = submit_code(s, portal, token, code, r.text)
    assert v.status_code == 303
    assert v.headers["Location"] == f"/d/{token}"
    cookie = v.headers["Set-Cookie"]
    assert cookie.startswith("__Host-sealpost=")
    for attr in ("Path=/", "Secure", "HttpOnly", "SameSite=Strict"):
        assert attr in cookie

    docs = s.get(f"{portal.url}/d/{token}")
    assert docs.status_code == 200
    assert f'href="/d/{token}/doc/0"' in docs.text and f'href="/d/{token}/doc/1"' in docs.text

    for i, original in enumerate((RECHNUNG, BELEG)):
        d = s.get(f"{portal.url}/d/{token}/doc/{i}")
        assert d.status_code == 200
        assert d.content == original.read_bytes()
        assert d.headers["Content-Type"] == "application/pdf"
        assert d.headers["Content-Disposition"] == f'attachment; filename="{original.name}"'
        assert d.headers["Content-Length"] == str(original.stat().st_size)

    z = s.get(f"{portal.url}/d/{token}/zip", params=[("d", "0"), ("d", "1")])
    assert z.status_code == 200
    assert z.headers["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(z.content)) as archive:
        assert archive.namelist() == [RECHNUNG.name, BELEG.name]
        assert archive.read(RECHNUNG.name) == RECHNUNG.read_bytes()
        assert archive.read(BELEG.name) == BELEG.read_bytes()
        assert archive.testzip() is None

    only_second = s.get(f"{portal.url}/d/{token}/zip?d=1")
    with zipfile.ZipFile(io.BytesIO(only_second.content)) as archive:
        assert archive.namelist() == [BELEG.name]

    # The practice sees the trail: code sent, verified, each document downloaded once.
    env_id = admin_run(proxy.seal_dir, "list").stdout.splitlines()[1].split()[0]
    shown = admin_run(proxy.seal_dir, "show", env_id).stdout
    for event in ("code sent", "code verified", f"downloaded {RECHNUNG.name}",
                  f"downloaded {BELEG.name}"):
        assert shown.count(event) == 1, shown
    log = portal.log()
    assert token not in log and code not in log
    assert "+41791234567" not in log


def test_session_is_bound_to_its_envelope(sealing, start_portal, sms):
    proxy, up = sealing
    first = seal_invoice(proxy, up)
    second = seal_invoice(proxy, up, subject="Zweite Rechnung [sms:079 123 45 67]")
    portal = start_portal(proxy.seal_dir)
    s = portal.session()
    log_in(s, portal, first, sms)
    # The same browser, the other link: no documents without its own check.
    other = s.get(f"{portal.url}/d/{second}")
    assert other.status_code == 200
    assert f"/d/{second}/doc/0" not in other.text
    refused = s.get(f"{portal.url}/d/{second}/doc/0")
    assert refused.status_code == 403
    assert b"%PDF" not in refused.content
    assert not in_clear(refused.content)


def test_download_without_session_is_refused(sealing, start_portal):
    proxy, up = sealing
    token = seal_invoice(proxy, up)
    portal = start_portal(proxy.seal_dir)
    s = portal.session()
    for path in ("doc/0", "zip"):
        r = s.get(f"{portal.url}/d/{token}/{path}")
        assert r.status_code == 403
        assert b"%PDF" not in r.content and r.headers["Content-Type"].startswith("text/html")
        assert not in_clear(r.content)
    s.cookies.set("__Host-sealpost", "A" * 43, domain="localhost.local", path="/")
    assert s.get(f"{portal.url}/d/{token}/doc/0").status_code == 403


def test_failed_sms_says_so_and_costs_nothing(sealing, start_portal, sms):
    proxy, up = sealing
    token = seal_invoice(proxy, up)
    portal = start_portal(proxy.seal_dir, portal={"codes_per_window": 1,
                                                  "codes_per_day": 1})
    s = portal.session()
    sms.fail_next(1, status=503)
    r = request_code(s, portal, token, expect=503)
    assert "SMS" in r.text
    assert "HTTP" not in r.text and "/sms" not in r.text  # no gateway detail on the page
    # Nothing was counted: the one code this envelope may have per day still goes out.
    ok = request_code(s, portal, token)
    assert ok.status_code == 200
    assert sms.last_code() is not None
    # And now the limit holds.
    request_code(s, portal, token, expect=429)


def test_wrong_code_then_right_code(sealing, start_portal, sms):
    proxy, up = sealing
    token = seal_invoice(proxy, up)
    portal = start_portal(proxy.seal_dir)
    s = portal.session()
    r = request_code(s, portal, token)
    code = sms.wait_for(1) and sms.last_code()
    wrong = str((int(code) + 1) % 1000000).zfill(6)
    w = submit_code(s, portal, token, wrong, r.text)
    assert w.status_code == 200
    assert "Set-Cookie" not in w.headers or "__Host-sealpost=" not in w.headers["Set-Cookie"]
    assert "4" in w.text  # four tries left, shown to the patient
    typed = code[:3] + " " + code[3:]  # patients type spaces; they are ignored
    ok = submit_code(s, portal, token, typed, w.text)
    assert ok.status_code == 303
    assert f"/d/{token}/doc/0" in s.get(f"{portal.url}/d/{token}").text
