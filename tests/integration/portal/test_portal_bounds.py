# SPDX-License-Identifier: Apache-2.0
"""Resource bounds of the portal (issue 14): 40 slow ZIP downloads of a 17 MiB document stream
(the portal's anonymous memory, read from /proc while they run, stays bounded) and leave the
code check answering; ZIP downloads are capped per session (503 with Retry-After); 1,100 idle
connections from one address (127.0.0.3) do not keep a patient on another (127.0.0.2) out."""
import io
import os
import re
import resource
import socket
import ssl
import threading
import time
import urllib.request
import zipfile

import requests.adapters

from portal_env import (  # noqa: F401 - fixtures are used by name
    big_document, log_in, make_envelope, seal_setup, sms, start_portal)

MiB = 1 << 20
DOC_SIZE = 17 * MiB
CLIENTS = 40


def rss_anon_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        m = re.search(r"^RssAnon:\s+(\d+) kB", f.read(), re.M)
    assert m
    return int(m.group(1))


def metric(portal, name: str) -> int:
    text = urllib.request.urlopen(portal.admin + "/metrics", timeout=10).read().decode()
    m = re.search(rf"^{name} (\d+)", text, re.M)
    assert m, name
    return int(m.group(1))


def cookie_header(s) -> str:
    return "; ".join(f"{c.name}={c.value}" for c in s.cookies)


class SlowZip(threading.Thread):
    """One ZIP download over its own TLS connection with a small receive buffer: reads `first`
    bytes slowly, tells `reached`, waits for `release`, then reads the rest."""

    def __init__(self, portal, token, cookie, first, reached, release, keep=False):
        super().__init__(daemon=True)
        self.args = (portal, token, cookie, first, reached, release)
        self.keep = keep
        self.status = None
        self.length = None
        self.got = 0
        self.body = bytearray()
        self.error = None

    def run(self):
        portal, token, cookie, first, reached, release = self.args
        try:
            ctx = ssl.create_default_context(cafile=str(portal.ca))
            raw = socket.socket()
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 64 * 1024)
            raw.settimeout(120)
            raw.connect(("127.0.0.1", portal.port))
            with ctx.wrap_socket(raw, server_hostname="localhost") as s:
                s.sendall(f"GET /d/{token}/zip HTTP/1.1\r\nHost: localhost\r\nCookie: {cookie}"
                          "\r\nConnection: close\r\n\r\n".encode())
                head = b""
                while b"\r\n\r\n" not in head:
                    piece = s.recv(16384)
                    assert piece, head
                    head += piece
                head, rest = head.split(b"\r\n\r\n", 1)
                self.status = int(head.split(b" ", 2)[1])
                m = re.search(rb"\r\ncontent-length: (\d+)", head, re.I)
                self.length = int(m.group(1)) if m else None
                self.take(rest)
                while self.got < first:
                    piece = s.recv(65536)
                    if not piece:
                        break
                    self.take(piece)
                    time.sleep(0.005)  # a slow phone
                reached.release()
                release.wait()
                while piece := s.recv(65536):
                    self.take(piece)
        except Exception as e:  # noqa: BLE001 - reported by the test
            self.error = e
            reached.release()

    def take(self, piece):
        self.got += len(piece)
        if self.keep:
            self.body += piece


def test_slow_zip_downloads_stream_in_bounded_memory(start_portal, sms):
    seal = seal_setup()
    _, token = make_envelope(seal, size=DOC_SIZE)
    _, other = make_envelope(seal)
    # ASan keeps freed memory in a quarantine (256 MiB by default) that would count as growth.
    asan = os.environ.get("ASAN_OPTIONS", "")
    # All downloads come from 127.0.0.1: the per-address cap must let them in.
    portal = start_portal(seal, portal={"max_zip_per_session": CLIENTS,
                                        "max_zip_concurrent": CLIENTS,
                                        "max_connections_per_address": 2 * CLIENTS,
                                        "request_timeout": "120s"},
                          env={"ASAN_OPTIONS": (asan + ":" if asan else "") +
                               "quarantine_size_mb=16"})
    s = portal.session()
    log_in(s, portal, token, sms)
    cookie = cookie_header(s)
    idle = rss_anon_kib(portal.proc.pid)

    peak = [idle]
    sampling = threading.Event()

    def sample():
        while not sampling.is_set() and portal.proc.poll() is None:
            peak[0] = max(peak[0], rss_anon_kib(portal.proc.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    reached = threading.Semaphore(0)
    release = threading.Event()
    clients = [SlowZip(portal, token, cookie, 4 * MiB, reached, release, keep=(i == 0))
               for i in range(CLIENTS)]
    for c in clients:
        c.start()
    for _ in clients:
        reached.acquire(timeout=300)
    assert all(c.error is None for c in clients), [c.error for c in clients if c.error]
    assert all(c.status == 200 for c in clients), [c.status for c in clients]
    # Every download is in flight (each waits for `release`): the code check of another patient
    # still answers, since downloads never hold the worker pool.
    p2 = portal.session()
    log_in(p2, portal, other, sms)
    assert all(c.is_alive() for c in clients)
    release.set()
    for c in clients:
        c.join(timeout=600)
    sampling.set()
    sampler.join()
    assert all(c.error is None for c in clients), [c.error for c in clients if c.error]
    assert all(c.got == c.length for c in clients), [(c.got, c.length) for c in clients]
    with zipfile.ZipFile(io.BytesIO(bytes(clients[0].body))) as z:
        assert z.namelist() == ["Rechnung.pdf"]
        assert z.read("Rechnung.pdf") == big_document(DOC_SIZE)  # CRC checked too
    growth_mib = (peak[0] - idle) / 1024
    print(f"RssAnon idle {idle} KiB, peak {peak[0]} KiB, growth {growth_mib:.1f} MiB "
          f"for {CLIENTS} x {DOC_SIZE // MiB} MiB ZIPs")
    assert growth_mib < 150, f"grew {growth_mib:.0f} MiB while {CLIENTS} ZIPs streamed"


def test_zip_downloads_are_capped_per_session(start_portal, sms):
    seal = seal_setup()
    _, token = make_envelope(seal, size=4 * MiB)
    portal = start_portal(seal, portal={"max_zip_per_session": 1, "request_timeout": "120s"})
    s = portal.session()
    log_in(s, portal, token, sms)
    reached = threading.Semaphore(0)
    release = threading.Event()
    first = SlowZip(portal, token, cookie_header(s), 256 * 1024, reached, release)
    first.start()
    assert reached.acquire(timeout=120)
    assert first.status == 200, first.error
    busy = s.get(f"{portal.url}/d/{token}/zip", headers={"Accept-Language": "en"})
    assert busy.status_code == 503
    assert 0 < int(busy.headers["Retry-After"]) <= 60
    assert "Too many downloads" in busy.text
    release.set()
    first.join(timeout=300)
    assert first.error is None and first.got == first.length
    # The place is free again once the first archive is done.
    again = s.get(f"{portal.url}/d/{token}/zip")
    assert again.status_code == 200
    assert zipfile.ZipFile(io.BytesIO(again.content)).read("Rechnung.pdf") == \
        big_document(4 * MiB)


class FromAddress(requests.adapters.HTTPAdapter):
    """Connects from a chosen loopback address."""

    def __init__(self, address):
        self.address = address
        super().__init__()

    def init_poolmanager(self, *args, **kw):
        kw["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kw)


def test_idle_flood_from_one_address_leaves_room_for_others(start_portal, sms):
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    assert hard >= 1300, f"RLIMIT_NOFILE hard limit {hard} is too low for 1,100 connections"
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))
    seal = seal_setup()
    _, token = make_envelope(seal)
    portal = start_portal(seal)
    flood = []
    try:
        for _ in range(1100):
            f = socket.socket()
            f.bind(("127.0.0.3", 0))
            f.connect(("127.0.0.1", portal.port))
            flood.append(f)
        # Wait until the portal has seen them all (accepted or turned away).
        deadline = time.monotonic() + 120
        while (metric(portal, "sealpost_portal_connections_total") +
               metric(portal, "sealpost_portal_connections_refused_total")) < 1100:
            assert time.monotonic() < deadline, "the portal did not take the flood's connections"
            time.sleep(0.2)
        assert metric(portal, "sealpost_portal_connections_refused_address_total") >= 1100 - 32
        # The patient, from another address, gets the pages and the document.
        s = portal.session()
        s.mount("https://", FromAddress("127.0.0.2"))
        docs = log_in(s, portal, token, sms)
        assert "Rechnung.pdf" in docs.text
        assert s.get(f"{portal.url}/d/{token}/doc/0").status_code == 200
    finally:
        for f in flood:
            f.close()
