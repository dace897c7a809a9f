# SPDX-License-Identifier: Apache-2.0
"""Two proxies and two portals on one PostgreSQL vault behave as one host: a mail sealed
through proxy A downloads through portal B, wrong codes spread over both portals lock the link
at the same counts as on one portal, `sealpost resend` works from either host's config, a
download notice goes out once although both proxies take the queue, and purge runs on one node
at a time."""
import re
import shutil
import threading
import time

from cluster_env import cluster, pg  # noqa: F401 - fixtures are used by name
from conftest import admin_run
from portal_env import (RECHNUNG, csrf_of, log_in, make_envelope, request_code,  # noqa: F401
                        seal_invoice,
                        sms, start_portal, submit_code)
from test_portal_limits import wrong_for
from test_portal_notice import SENDER, metric, notices, wait_until


def download(portal, s, token, index=0) -> bytes:
    r = s.get(f"{portal.url}/d/{token}/doc/{index}")
    assert r.status_code == 200, r.text
    return r.content


def test_sealed_through_proxy_a_downloads_through_portal_b(cluster, sms):
    a, b = cluster.proxy(), cluster.proxy()
    pa, pb = cluster.portal(), cluster.portal()
    token_a = seal_invoice(a, cluster.upstream)
    token_b = seal_invoice(b, cluster.upstream)
    # Crossed: each portal serves the other proxy's link, with the right bytes.
    s = pb.session()
    log_in(s, pb, token_a, sms)
    assert download(pb, s, token_a) == RECHNUNG.read_bytes()
    s = pa.session()
    log_in(s, pa, token_b, sms)
    assert download(pa, s, token_b) == RECHNUNG.read_bytes()
    # Both envelopes are in the one vault, whichever host asks.
    listed = cluster.admin("list").stdout
    assert len([line for line in listed.splitlines() if "sent" in line]) == 2, listed


def test_wrong_codes_over_both_portals_lock_at_the_same_counts(cluster, sms):
    a = cluster.proxy()
    pa, pb = cluster.portal(), cluster.portal()
    token = seal_invoice(a, cluster.upstream)
    sa, sb = pa.session(), pb.session()
    # Two codes killed, five wrong tries each, every try on the other portal than the last.
    for _ in range(2):
        n = len(sms.requests)
        page_a = request_code(sa, pa, token)
        sms.wait_for(n + 1)
        code = sms.last_code()
        landing_b = sb.get(f"{pb.url}/d/{token}")
        for i in range(5):
            portal, s, page = (pa, sa, page_a) if i % 2 == 0 else (pb, sb, landing_b)
            r = submit_code(s, portal, token, wrong_for(code), page.text)
            assert r.status_code == 200, (i, r.text)
    # The third code: its fifth wrong try, wherever it lands, locks the link for an hour,
    # exactly as on one portal (test_three_killed_codes_lock_for_an_hour).
    n = len(sms.requests)
    page_b = request_code(sb, pb, token)
    sms.wait_for(n + 1)
    code = sms.last_code()
    landing_a = sa.get(f"{pa.url}/d/{token}")
    statuses = []
    for i in range(5):
        portal, s, page = (pb, sb, page_b) if i % 2 == 0 else (pa, sa, landing_a)
        statuses.append(submit_code(s, portal, token, wrong_for(code), page.text).status_code)
    assert statuses == [200, 200, 200, 200, 429]
    # Both portals now refuse the link, and neither sends another code.
    n = len(sms.requests)
    assert sa.get(f"{pa.url}/d/{token}").status_code == 429
    assert sb.get(f"{pb.url}/d/{token}").status_code == 429
    assert len(sms.requests) == n


def test_the_right_code_from_one_portal_is_used_up_on_the_other(cluster, sms):
    a = cluster.proxy()
    pa, pb = cluster.portal(), cluster.portal()
    token = seal_invoice(a, cluster.upstream)
    sa, sb = pa.session(), pb.session()
    n = len(sms.requests)
    request_code(sa, pa, token)
    sms.wait_for(n + 1)
    code = sms.last_code()
    landing_b = sb.get(f"{pb.url}/d/{token}")
    ok = submit_code(sb, pb, token, code, landing_b.text)
    assert ok.status_code == 303, ok.text
    # Used up: typing it again on A does not open anything.
    landing_a = sa.get(f"{pa.url}/d/{token}")
    again = submit_code(sa, pa, token, code, landing_a.text)
    assert again.status_code == 200
    assert "__Host-sealpost=" not in again.headers.get("Set-Cookie", "")


def test_resend_from_either_host(cluster, sms, tmp_path):
    a = cluster.proxy()
    pa, pb = cluster.portal(), cluster.portal()
    token = seal_invoice(a, cluster.upstream)
    env_id = cluster.admin("list").stdout.splitlines()[1].split()[0]  # under the header
    # Host B: its own copy of the config and keys (identical, as the guide says).
    host_b = tmp_path / "host-b"
    shutil.copytree(cluster.seal_dir, host_b)
    text = (host_b / "admin.toml").read_text().replace(str(cluster.seal_dir), str(host_b))
    (host_b / "admin.toml").write_text(text)
    first = admin_run(host_b, "resend", env_id, "--print").stdout
    second = cluster.admin("resend", env_id, "--print").stdout
    links = [re.search(r"/d/([A-Za-z0-9_-]{43})", out).group(1) for out in (first, second)]
    # The old link and the first resend's are dead; the last one works on both portals.
    for dead in (token, links[0]):
        assert pa.session().get(f"{pa.url}/d/{dead}").status_code in (404, 410)
    s = pb.session()
    log_in(s, pb, links[1], sms)
    assert download(pb, s, links[1]) == RECHNUNG.read_bytes()


def test_a_download_notice_goes_out_once_with_two_proxies(cluster, sms):
    a = cluster.proxy({"notice_interval": "1s"})
    b = cluster.proxy({"notice_interval": "1s"})
    pa = cluster.portal()
    token = seal_invoice(a, cluster.upstream)
    s = pa.session()
    log_in(s, pa, token, sms)
    download(pa, s, token)
    wait_until(lambda: len(notices(cluster.upstream)) >= 1, "the notice at the upstream")
    # Let both loops pass over the queue a few more times: nobody sends it again.
    for p in (a, b):
        runs = metric(p, "sealpost_proxy_notice_runs_total")
        wait_until(lambda p=p, runs=runs: metric(p, "sealpost_proxy_notice_runs_total") >= runs + 3,
                   "three more passes")
    assert len(notices(cluster.upstream)) == 1
    sent = metric(a, "sealpost_proxy_notices_sent_total") + \
        metric(b, "sealpost_proxy_notices_sent_total")
    assert sent == 1
    assert notices(cluster.upstream)[0].rcpt_tos == [SENDER]


def test_two_purges_at_once_do_the_work_once(cluster):
    # Two hosts' cron jobs start `sealpost purge` together over envelopes past retention: both
    # succeed, and each envelope is purged exactly once between them.
    old = int(time.time()) - 400 * 86400
    ids = [make_envelope(cluster.seal_dir, at=old)[0] for _ in range(4)]
    results = []

    def run():
        results.append(cluster.admin("purge", check=False))

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [r.returncode for r in results] == [0, 0], [r.stderr for r in results]
    purged = sum(int(re.search(r"purged (\d+) past retention", r.stdout).group(1))
                 for r in results)
    assert purged == len(ids), [r.stdout for r in results]
    listed = cluster.admin("list").stdout
    assert all(line.split()[1] == "purged" for line in listed.splitlines()[1:]), listed
