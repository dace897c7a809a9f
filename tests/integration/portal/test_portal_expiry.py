# SPDX-License-Identifier: Apache-2.0
"""Expiry (architecture §4 step 1): an expired link answers 410 with its date and, while the data is
retained, renews by SMS; a revoked or purged envelope answers 410 without renewal. Envelopes
are made in the past through the vault API (an injected clock), the portal runs on real time."""
import re
import time
from datetime import datetime
from zoneinfo import ZoneInfo

from portal_env import (  # noqa: F401 - fixtures are used by name
    admin_run, csrf_of, make_envelope, request_code, seal_setup, submit_code, sms, start_portal)

DAY = 86400
ZURICH = ZoneInfo("Europe/Zurich")
PDF = b"%PDF-1.4\n% sealpost test document\n%%EOF\n"  # what make_envelope seals


def swiss_date(t):
    """The date the portal's pages show for Unix time t: always Swiss time (core_time)."""
    return datetime.fromtimestamp(t, ZURICH).strftime("%d.%m.%Y")


def test_expired_link_renews_by_sms(start_portal, sms):
    seal = seal_setup()
    created = int(time.time()) - 31 * DAY
    env_id, token = make_envelope(seal, at=created)
    portal = start_portal(seal)
    s = portal.session()

    expired = s.get(f"{portal.url}/d/{token}", headers={"Accept-Language": "en"})
    assert expired.status_code == 410
    expiry = swiss_date(created + 30 * DAY)
    assert expiry in expired.text
    assert f'action="/d/{token}/code"' in expired.text  # "send me a new link"
    assert s.get(f"{portal.url}/d/{token}/doc/0").status_code == 403

    r = request_code(s, portal, token)
    code = sms.wait_for(1) and sms.last_code()
    v = submit_code(s, portal, token, code, r.text)
    assert v.status_code == 303
    assert v.headers["Location"] == f"/d/{token}?renewed=1"
    docs = s.get(portal.url + v.headers["Location"])
    assert docs.status_code == 200
    renewed_until = swiss_date(time.time() + 30 * DAY)
    assert renewed_until in docs.text
    assert s.get(f"{portal.url}/d/{token}/doc/0").content == PDF
    # Renewed for everyone: a new browser gets the normal landing page, not 410.
    assert portal.session().get(f"{portal.url}/d/{token}").status_code == 200
    assert "renewed" in admin_run(seal, "show", env_id).stdout


def test_revoked_link_is_gone_without_renewal(start_portal, sms):
    seal = seal_setup()
    env_id, token = make_envelope(seal)
    portal = start_portal(seal)
    s = portal.session()
    assert s.get(f"{portal.url}/d/{token}").status_code == 200
    admin_run(seal, "revoke", env_id)
    gone = s.get(f"{portal.url}/d/{token}")
    assert gone.status_code == 410
    assert "/code" not in gone.text and 'name="csrf"' not in gone.text
    refused = s.post(f"{portal.url}/d/{token}/code", data={"csrf": "x"})
    assert refused.status_code == 410
    assert sms.requests == []


def test_past_retention_is_gone_without_renewal(start_portal, sms):
    seal = seal_setup()
    _, token = make_envelope(seal, at=int(time.time()) - 91 * DAY)
    portal = start_portal(seal)
    gone = portal.session().get(f"{portal.url}/d/{token}")
    assert gone.status_code == 410
    assert "/code" not in gone.text
    assert not re.search(r"\d\d\.\d\d\.\d{4}", gone.text)  # no date: nothing to renew


def test_renewal_stops_at_max_retention(start_portal, sms):
    # Created 80 days ago (the link expired at day 30, the data is kept to day 90): with
    # max_retention 100 days, a renewal today gives 20 more days, not link_ttl's 30.
    seal = seal_setup()
    created = int(time.time()) - 80 * DAY
    env_id, token = make_envelope(seal, at=created)
    portal = start_portal(seal, vault={"retention": "30d", "max_retention": "100d"})
    s = portal.session()
    s.headers["Accept-Language"] = "en"
    r = request_code(s, portal, token)
    code = sms.wait_for(1) and sms.last_code()
    v = submit_code(s, portal, token, code, r.text)
    assert v.status_code == 303
    docs = s.get(portal.url + v.headers["Location"])
    assert docs.status_code == 200
    bound = swiss_date(created + 100 * DAY)
    unbounded = swiss_date(time.time() + 30 * DAY)
    assert bound in docs.text
    assert unbounded not in docs.text
    assert s.get(f"{portal.url}/d/{token}/doc/0").content == PDF
    shown = admin_run(seal, "show", env_id).stdout
    assert "renewed" in shown
    end = time.strftime("%Y-%m-%d %H:%M", time.localtime(created + 100 * DAY))
    assert re.search(r"expires\s+" + end, shown) and re.search(r"retained\s+" + end, shown), shown
