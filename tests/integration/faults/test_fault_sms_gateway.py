# SPDX-License-Identifier: Apache-2.0
"""Fault 6 (issue 7): the SMS gateway answers 500, or is slower than sms.timeout. The patient
gets a page that says the SMS was not sent and that nothing was counted; no attempt is charged
(the envelope's and the client's code budgets are whole afterwards, and so are the tries of the
next code); and while one request waits for the gateway, the portal serves everyone else."""
import html
import threading

from faults_env import admin_run
from portal_env import (  # noqa: F401 - fixtures are used by name
    csrf_of, make_envelope, seal_setup, sms, start_portal, submit_code)

NOT_SENT = ("<h1>SMS not sent</h1>", "The SMS could not be sent just now. No attempt was "
            "counted. Please try again in a few minutes.")


def english(portal):
    s = portal.session()
    s.headers["Accept-Language"] = "en"
    return s


def ask_code(s, portal, token):
    page = s.get(f"{portal.url}/d/{token}")
    return s.post(f"{portal.url}/d/{token}/code", data={"csrf": csrf_of(page.text)},
                  allow_redirects=False)


def assert_not_sent(r):
    assert r.status_code == 503
    assert r.headers["Content-Type"] == "text/html; charset=utf-8"
    text = html.unescape(r.text)
    assert all(part in text for part in NOT_SENT), text
    assert 'name="code"' not in r.text


def test_sms_gateway_500_or_too_slow_costs_nothing_and_blocks_no_one(start_portal, sms):
    seal = seal_setup()
    env_id, token = make_envelope(seal)
    _, other_token = make_envelope(seal)
    # Tight budgets, so that a charged failure would show: 3 codes per envelope per window, 4
    # per client per hour (3 for this envelope and 1 for the other).
    portal = start_portal(seal, portal={"codes_per_window": 3, "codes_per_ip_per_hour": 4},
                          sms_cfg={"timeout": "30s", "retries": 0})
    patient = english(portal)

    # The gateway answers 500.
    sms.fail_next(1, status=500)
    assert_not_sent(ask_code(patient, portal, token))
    assert len(sms.requests) == 1

    # The gateway takes longer than sms.timeout: the patient waits, everyone else does not.
    gate = sms.hold_next(1)
    slow = {}
    waiting = threading.Thread(target=lambda: slow.update(r=ask_code(patient, portal, token)))
    waiting.start()
    try:
        sms.wait_for(2)  # the portal now waits for the gateway
        other = english(portal)
        landing = other.get(f"{portal.url}/d/{other_token}")
        assert landing.status_code == 200 and "Send code by SMS" in landing.text
        assert ask_code(other, portal, other_token).status_code == 200
        assert len(sms.requests) == 3  # the other patient got a code meanwhile
        assert other.get(portal.admin + "/healthz").status_code == 200
        # All of that was served while the first request still waited for the gateway.
        assert waiting.is_alive() and not slow
        waiting.join(timeout=60)
    finally:
        gate.set()
    assert_not_sent(slow["r"])

    # Nothing was charged: the envelope's 3 codes and this client's 4 are all still there.
    for _ in range(3):
        code_page = ask_code(patient, portal, token)
        assert code_page.status_code == 200 and "Code sent." in code_page.text
    code = sms.last_code()
    assert ask_code(patient, portal, token).status_code == 429  # the envelope's window is used up
    assert ask_code(other, portal, other_token).status_code == 429  # so is the client's hour
    # ... and the code has all its tries.
    wrong = str((int(code) + 1) % 10 ** len(code)).zfill(len(code))
    r = submit_code(patient, portal, token, wrong, code_page.text)
    assert "This code is not correct. You have 4 tries left." in html.unescape(r.text)
    r = submit_code(patient, portal, token, code, r.text)
    assert r.status_code == 303
    show = admin_run(seal, "show", env_id).stdout
    assert show.count("SMS code could not be sent") == 2 and show.count("code sent") == 3
