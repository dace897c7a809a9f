# SPDX-License-Identifier: Apache-2.0
"""Patients without a mobile (issue #18): with `[voice]` configured, a landline patient's mail
is accepted by the real sealpost-proxy, the real sealpost-portal offers "call me with the code",
the recording gateway receives a Twilio Calls.json request whose TwiML reads the code twice,
digit by digit, in the patient's language, and that code opens the documents. Without
`[voice]` the proxy's refusal says what to do. Limits, failures and audit are those of SMS."""
import base64

from conftest import admin_run
from portal_env import (  # noqa: F401 - fixtures are used by name
    csrf_of, request_code, seal_invoice, sms, submit_code)
from voice_env import (  # noqa: F401 - fixtures are used by name
    ACCOUNT, CALLER_ID, LANDLINE_E164, LANDLINE_TAG, Upstream, call_of, seal_setup,
    smtp_refusal, spoken_code, start_proxy_with, voice, world)

def test_landline_patient_is_called_and_the_code_opens_the_documents(world, sms, voice):
    proxy, up, portal = world()
    token = seal_invoice(proxy, up, subject=f"Rechnung November [sms:{LANDLINE_TAG}]")
    s = portal.session()

    landing = s.get(f"{portal.url}/d/{token}", headers={"Accept-Language": "de-CH"})
    assert landing.status_code == 200
    assert "Rufen Sie mich mit dem Code an</button>" in landing.text
    assert "Festnetznummer mit Endung \u2022\u202267" in landing.text
    assert "per SMS" not in landing.text

    r = request_code(s, portal, token)
    assert "Wir rufen Sie jetzt an." in r.text
    assert "Code aus dem Anruf" in r.text
    req = voice.wait_for(1)[0]
    assert req["method"] == "POST"
    assert req["path"] == f"/2010-04-01/Accounts/{ACCOUNT}/Calls.json"
    auth = base64.b64encode(f"{ACCOUNT}:voice-test-token".encode()).decode()
    assert req["headers"]["Authorization"] == f"Basic {auth}"
    call = call_of(req)
    assert call["To"] == LANDLINE_E164 and call["From"] == CALLER_ID
    # The patient's language (the practice's default, de): Swiss German voice, code twice.
    assert call["language"] == "de-CH"
    assert "Praxis Muster" in call["said"]
    assert "Ihr Code lautet: " in call["said"] and "Ich wiederhole: " in call["said"]
    code = spoken_code(call["said"])
    assert len(code) == 6
    assert sms.requests == []  # no SMS to a landline
    assert code not in r.text

    v = submit_code(s, portal, token, code, r.text)
    assert v.status_code == 303, v.text
    docs = s.get(portal.url + v.headers["Location"])
    assert docs.status_code == 200 and f'href="/d/{token}/doc/0"' in docs.text

    env_id = admin_run(proxy.seal_dir, "list").stdout.splitlines()[1].split()[0]
    shown = admin_run(proxy.seal_dir, "show", env_id).stdout
    assert shown.count("code read by a call") == 1, shown
    assert shown.count("code verified") == 1, shown
    assert "code sent" not in shown

    metrics = s.get(portal.admin + "/metrics").text
    assert "sealpost_portal_codes_called_total 1" in metrics
    assert "sealpost_portal_codes_sent_total 1" in metrics
    log = portal.log()
    assert "channel=call" in log
    assert code not in log and token not in log and LANDLINE_E164 not in log


def test_the_call_speaks_the_patients_language(world, sms, voice):
    proxy, up, portal = world()
    # `sealpost contacts set` takes a landline with [voice]; the contact's language wins.
    saved = admin_run(proxy.seal_dir, "contacts", "set", "--lang", "fr", "grand@example.org",
                      LANDLINE_TAG)
    assert saved.stdout == f"saved grand@example.org  {LANDLINE_E164}  fr\n"
    token = seal_invoice(proxy, up, to="grand@example.org", subject="Facture")
    s = portal.session()
    request_code(s, portal, token)
    call = call_of(voice.wait_for(1)[-1])
    assert call["language"] == "fr-CH"
    assert "Votre code est : " in call["said"] and "Je répète : " in call["said"]
    spoken_code(call["said"])


def test_limits_failures_and_wrong_codes_are_those_of_sms(world, sms, voice):
    proxy, up, portal = world(portal={"codes_per_window": 2, "codes_per_day": 10})
    landline = seal_invoice(proxy, up, to="oma@example.org",
                            subject=f"Rechnung [sms:{LANDLINE_TAG}]")
    mobile = seal_invoice(proxy, up, to="enkel@example.org",
                          subject="Rechnung [sms:079 123 45 67]")

    def walk(token, gateway, failed_title):
        s = portal.session()
        seen = []
        gateway.fail_next(1, status=503)
        page = s.get(f"{portal.url}/d/{token}")
        r = s.post(f"{portal.url}/d/{token}/code", data={"csrf": csrf_of(page.text)})
        seen.append(r.status_code)
        assert failed_title in r.text
        for _ in range(3):
            page = s.get(f"{portal.url}/d/{token}")
            r = s.post(f"{portal.url}/d/{token}/code", data={"csrf": csrf_of(page.text)})
            seen.append(r.status_code)
            if r.status_code == 200:
                form = r.text
        wrong = submit_code(s, portal, token, "000000", form)
        seen.append(wrong.status_code)
        return seen, len(gateway.requests), wrong.text

    called, calls, wrong_call = walk(landline, voice, "Anruf nicht möglich")
    texted, texts, wrong_sms = walk(mobile, sms, "SMS nicht gesendet")
    # A failed send costs nothing; then the window's two codes; the third is refused (429).
    assert called == texted == [503, 200, 200, 429, 200]
    assert calls == texts == 3
    assert "Code aus dem Anruf" in wrong_call and "Code aus der SMS" in wrong_sms
    for page in (wrong_call, wrong_sms):
        assert "noch 4 Versuche" in page, page
    for r in voice.requests:
        spoken_code(call_of(r)["said"])


def test_without_voice_a_landline_is_refused_with_what_to_do(tmp_path, dev_certs):
    up = Upstream(dev_certs, require_auth=False)
    proxy = start_proxy_with(tmp_path, dev_certs, up, seal_setup(tmp_path / "seal"))
    try:
        rc, transcript = smtp_refusal(proxy.ports["plain"], f"Rechnung [sms:{LANDLINE_TAG}]")
        assert rc != 0
        assert "550 5.7.1 The number for p***@example.org is a landline: sealpost cannot send " \
               "an SMS code to it; add the patient's mobile number, or ask your administrator " \
               "to configure [voice]" in transcript, transcript
        assert up.messages == []
    finally:
        proxy.stop()
        up.stop()
