# SPDX-License-Identifier: Apache-2.0
"""Deployment options of the portal: plain HTTP on loopback behind a reverse proxy, where
X-Forwarded-For counts only from `portal.trusted_proxy`, and the practice's logo."""
import base64

import requests
from portal_env import (csrf_of, make_envelope, seal_setup, sms,  # noqa: F401 - fixtures
                        start_portal)

# A 1x1 PNG.
PNG = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGP4z8Dw"
                       "HwAFAAH/iZk9HQAAAABJRU5ErkJggg==")


def code_requests(portal, token, forwarded_for):
    """POSTs "send code" once with that X-Forwarded-For, as a TLS-terminating reverse proxy
    would pass it on; returns the status."""
    s = requests.Session()
    s.trust_env = False
    page = s.get(f"{portal.url}/d/{token}")
    # The cookie is Secure (the browser talks HTTPS to the reverse proxy), so requests would
    # not send it over this plain hop by itself; the reverse proxy does.
    visitor = page.cookies.get("__Host-sealpost-csrf") or \
        page.headers["Set-Cookie"].split(";", 1)[0].split("=", 1)[1]
    return s.post(f"{portal.url}/d/{token}/code", data={"csrf": csrf_of(page.text)},
                  headers={"X-Forwarded-For": forwarded_for,
                           "Cookie": f"__Host-sealpost-csrf={visitor}"}).status_code


def test_forwarded_for_counts_only_from_the_trusted_proxy(start_portal, sms):
    seal = seal_setup()
    tokens = [make_envelope(seal)[1] for _ in range(4)]
    behind = start_portal(seal, portal={"tls": False, "trusted_proxy": "127.0.0.1",
                                        "codes_per_ip_per_hour": 1})
    assert behind.url.startswith("http://")
    # Two patients behind the same reverse proxy: each has their own per-IP budget.
    assert code_requests(behind, tokens[0], "203.0.113.5") == 200
    assert code_requests(behind, tokens[1], "198.51.100.7, 203.0.113.9") == 200
    assert code_requests(behind, tokens[2], "203.0.113.5") == 429
    behind.stop()

    # Without a trusted proxy the header is the client's word and counts for nothing.
    direct = start_portal(seal, portal={"tls": False, "codes_per_ip_per_hour": 1})
    assert code_requests(direct, tokens[3], "203.0.113.77") == 200
    assert code_requests(direct, tokens[0], "203.0.113.78") == 429


def test_logo_is_served_and_shown(tmp_path, start_portal):
    seal = seal_setup()
    _, token = make_envelope(seal)
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    portal = start_portal(seal, practice={"logo": str(logo)})
    s = portal.session()
    assert 'src="/static/logo"' in s.get(f"{portal.url}/d/{token}").text
    r = s.get(f"{portal.url}/static/logo")
    assert r.status_code == 200
    assert r.content == PNG
    assert r.headers["Content-Type"] == "image/png"
    bare = start_portal(seal)
    assert bare.session().get(f"{bare.url}/static/logo").status_code == 404
    assert "/static/logo" not in bare.session().get(f"{bare.url}/d/{token}").text
