# SPDX-License-Identifier: Apache-2.0
"""Malformed HTTP (the portal issue, point 6): oversized headers and bodies, unknown methods,
garbage, transfer codings other than chunked and slowloris trickles get a 4xx or a timeout,
while other clients are served. The admin listener takes GET and HEAD only and answers
no-store."""
import socket
import ssl
import threading
import time
import urllib.error
import urllib.request

from portal_env import (  # noqa: F401 - fixtures are used by name
    make_envelope, seal_setup, sms, start_portal)


def tls_socket(portal, timeout=10):
    ctx = ssl.create_default_context(cafile=str(portal.ca))
    raw = socket.create_connection(("127.0.0.1", portal.port), timeout=timeout)
    return ctx.wrap_socket(raw, server_hostname="localhost")


def exchange(portal, data: bytes, timeout=10) -> bytes:
    with tls_socket(portal, timeout) as s:
        s.sendall(data)
        out = b""
        try:
            while chunk := s.recv(65536):
                out += chunk
        except (ConnectionResetError, ssl.SSLError, socket.timeout):
            pass
        return out


def status_of(reply: bytes) -> int:
    return int(reply.split(b" ", 2)[1])


def test_oversized_header_is_431(start_portal):
    portal = start_portal(seal_setup())
    reply = exchange(portal, b"GET /help HTTP/1.1\r\nHost: localhost\r\nX-Big: " +
                     b"a" * 9000 + b"\r\n\r\n")
    assert status_of(reply) == 431
    assert b"Content-Security-Policy" in reply


def test_oversized_body_is_413(start_portal):
    seal = seal_setup()
    _, token = make_envelope(seal)
    portal = start_portal(seal)
    body = b"csrf=" + b"a" * 20000
    reply = exchange(portal, b"POST /d/" + token.encode() + b"/code HTTP/1.1\r\nHost: localhost"
                     b"\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: " +
                     str(len(body)).encode() + b"\r\n\r\n" + body)
    assert status_of(reply) == 413


def test_bad_methods_and_garbage(start_portal):
    portal = start_portal(seal_setup())
    assert status_of(exchange(portal, b"BREW /help HTTP/1.1\r\nHost: localhost\r\n\r\n")) == 405
    assert status_of(exchange(portal, b"DELETE /help HTTP/1.1\r\nHost: localhost\r\n\r\n")) == 405
    assert status_of(exchange(portal, b"GET http://evil.example/ HTTP/1.1\r\nHost: x\r\n\r\n")) \
        == 400
    assert status_of(exchange(portal, b"\x16\x03garbage\r\n\r\n")) == 400
    assert status_of(exchange(portal, b"GET /help HTTP/1.1\r\nContent-Length: -1\r\n\r\n")) == 400


def admin_request(portal, method: str, path: str):
    """(status, headers, body) of METHOD http://127.0.0.1:ADMIN/path (no proxies)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    req = urllib.request.Request(portal.admin + path, method=method)
    try:
        with opener.open(req, timeout=30) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


def test_admin_listener_takes_get_and_head_only(start_portal):
    portal = start_portal(seal_setup())
    status, headers, body = admin_request(portal, "GET", "/healthz")
    assert (status, body) == (200, b"ok\n")
    assert headers["Cache-Control"] == "no-store"
    status, headers, body = admin_request(portal, "HEAD", "/metrics")
    assert (status, body) == (200, b"")
    assert headers["Cache-Control"] == "no-store"
    for method in ("POST", "PUT", "DELETE"):
        status, headers, body = admin_request(portal, method, "/metrics")
        assert (status, body) == (405, b"method not allowed\n"), method
        assert headers["Allow"] == "GET, HEAD"
        assert headers["Cache-Control"] == "no-store"


def test_slowloris_times_out_while_others_are_served(start_portal):
    # A request head has header_timeout (a body would have request_timeout).
    portal = start_portal(seal_setup(), portal={"header_timeout": "3s"})
    result = {}

    def trickle():
        with tls_socket(portal, timeout=20) as s:
            s.sendall(b"GET /help HTTP/1.1\r\n")
            t0 = time.monotonic()
            try:
                for i in range(30):
                    s.sendall(f"X-Slow-{i}: a\r\n".encode())
                    time.sleep(0.5)
                result["closed_after"] = None
            except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
                result["closed_after"] = time.monotonic() - t0
            try:
                result["reply"] = s.recv(4096)
            except OSError:
                result["reply"] = b""

    threads = [threading.Thread(target=trickle) for _ in range(5)]
    for t in threads:
        t.start()
    time.sleep(0.5)
    # Meanwhile, a normal client is served at once, several times.
    for _ in range(5):
        reply = exchange(portal, b"GET /help HTTP/1.1\r\nHost: localhost\r\nConnection: close"
                         b"\r\n\r\n")
        assert status_of(reply) == 200
    for t in threads:
        t.join(30)
    assert result["closed_after"] is not None and result["closed_after"] < 10


def test_transfer_coding_other_than_chunked_is_400(start_portal):
    # RFC 9112 6.1/6.3: the body's length is unknown, so what follows could be read as a second
    # request (smuggling). 400, and the connection is closed: the "next request" never runs.
    seal = seal_setup()
    _, token = make_envelope(seal)
    portal = start_portal(seal)
    smuggled = b"GET /help HTTP/1.1\r\nHost: localhost\r\n\r\n"
    for coding in (b"gzip", b"identity", b"gzip, chunked", b"chunked, chunked"):
        reply = exchange(portal, b"POST /d/" + token.encode() + b"/code HTTP/1.1\r\n"
                         b"Host: localhost\r\nContent-Type: application/x-www-form-urlencoded"
                         b"\r\nTransfer-Encoding: " + coding + b"\r\n\r\n" + smuggled)
        assert status_of(reply) == 400, (coding, reply[:200])
        assert reply.count(b"HTTP/1.1 ") == 1, coding  # nothing answered the smuggled GET
        assert b"Connection: close" in reply
    reply = exchange(portal, b"GET /help HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n")
    assert status_of(reply) == 400
    # chunked itself is fine: the request reaches the route (403: no CSRF cookie).
    body = b"csrf=x"
    reply = exchange(portal, b"POST /d/" + token.encode() + b"/code HTTP/1.1\r\n"
                     b"Host: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                     b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n" +
                     f"{len(body):x}".encode() + b"\r\n" + body + b"\r\n0\r\n\r\n")
    assert status_of(reply) == 403
