# SPDX-License-Identifier: Apache-2.0
"""A fake SMS gateway for the portal's pytest suites: records every request, answers scripted codes.

Stdlib only. It listens on 127.0.0.1 on a free port (plain HTTP, which sealpost allows only to
localhost), so point `[sms] url` at it with provider "http" (`url = rec.url + "/sms"`) or
"twilio" (`url = rec.url`; the path is then /2010-04-01/Accounts/<sid>/Messages.json).

    from sms_recorder import SmsRecorder, extract_code

    with SmsRecorder() as rec:              # or rec = SmsRecorder(); rec.start() ... rec.stop()
        rec.fail_next(2, status=503)        # the next two requests get 503, then 200 again
        gate = rec.hold_next(1)             # a slow gateway: the next answer waits for gate.set()
        ...                                 # make the portal send a code
        req = rec.wait_for(3, timeout=10)[-1]
        assert req["method"] == "POST" and req["path"] == "/sms"
        code = rec.last_code()              # e.g. "482913"

Each request is a dict: method, path (with the query, as sent), headers (a dict; lookups are
case-insensitive), body (str, UTF-8 decoded with replacement). Requests are recorded before
they are answered, so once the portal's send has returned, its requests are all in `.requests`.
"""
from __future__ import annotations

import re
import threading
import urllib.parse
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

__all__ = ["SmsRecorder", "extract_code"]

# A code is a run of 6 to 10 digits that is not part of a longer run and not a "+41..." number.
_CODE = re.compile(r"(?<![\d+])\d{6,10}(?!\d)")


def extract_code(text: str) -> str | None:
    """The last 6-10 digit code in `text` (a body or a path), after undoing percent-encoding and
    form '+' spaces; phone numbers in E.164 form ("+41791234567") are never taken for a code.
    Returns None when there is none."""
    found = _CODE.findall(urllib.parse.unquote_plus(text))
    return found[-1] if found else None


class SmsRecorder:
    """A recording HTTP server on 127.0.0.1:<free port>. Thread-safe."""

    def __init__(self, status: int = 200, response_body: str = '{"status":"queued"}'):
        """`status`: the answer to every request that fail_next() does not claim (Twilio
        answers 201). `response_body`: sent with every answer, as application/json."""
        self.status = status
        self.response_body = response_body
        self._requests: list[dict] = []
        self._failures: list[int] = []
        self._holds: list[threading.Event] = []
        self._cond = threading.Condition()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> "SmsRecorder":
        """Bind and serve in a background thread. Returns self."""
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _handle(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length > 0 else b""
                status, gate = recorder._record(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": _Headers(self.headers),
                        "body": raw.decode("utf-8", errors="replace"),
                    }
                )
                if gate is not None:
                    gate.wait(timeout=60)
                body = recorder.response_body.encode()
                self.close_connection = True
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.send_header("Connection", "close")
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client stopped waiting (hold_next)

            do_GET = do_POST = do_PUT = _handle

            def log_message(self, format, *args):  # noqa: A002 - the base class's name
                pass  # the requests hold codes: keep them out of pytest's output

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close the socket. Safe to call twice."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join()
            self._server = None

    def __enter__(self) -> "SmsRecorder":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------------ use

    @property
    def url(self) -> str:
        """Base URL without a trailing slash, e.g. "http://127.0.0.1:40123"."""
        assert self._server is not None, "SmsRecorder is not started"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def requests(self) -> list[dict]:
        """A copy of the requests recorded so far, oldest first."""
        with self._cond:
            return list(self._requests)

    def fail_next(self, n: int, status: int = 503) -> None:
        """Answer the next `n` requests with `status` (queued after earlier fail_next calls)."""
        with self._cond:
            self._failures.extend([status] * n)

    def hold_next(self, n: int = 1) -> threading.Event:
        """Hold the answers to the next `n` requests until the returned event is set (at most
        60 s): a gateway slower than any timeout. The requests are recorded as they arrive."""
        gate = threading.Event()
        with self._cond:
            self._holds.extend([gate] * n)
        return gate

    def wait_for(self, n: int, timeout: float = 10.0) -> list[dict]:
        """Wait until at least `n` requests have arrived; returns them. Raises TimeoutError."""
        with self._cond:
            if not self._cond.wait_for(lambda: len(self._requests) >= n, timeout=timeout):
                raise TimeoutError(f"expected {n} SMS requests, got {len(self._requests)}")
            return list(self._requests)

    def last_code(self) -> str | None:
        """The code in the latest request: from its body, else from its path (GET gateways)."""
        with self._cond:
            if not self._requests:
                return None
            last = self._requests[-1]
        return extract_code(last["body"]) or extract_code(last["path"])

    def clear(self) -> None:
        """Forget the recorded requests, pending failures and holds."""
        with self._cond:
            self._requests.clear()
            self._failures.clear()
            self._holds.clear()

    def _record(self, request: dict) -> tuple[int, threading.Event | None]:
        with self._cond:
            self._requests.append(request)
            self._cond.notify_all()
            status = self._failures.pop(0) if self._failures else self.status
            return status, self._holds.pop(0) if self._holds else None


class _Headers(dict):
    """Request headers as a dict with case-insensitive lookups (first value of each name)."""

    def __init__(self, message: Message):
        super().__init__()
        for name, value in message.items():
            self.setdefault(name.lower(), value)

    def __getitem__(self, name: str) -> str:
        return super().__getitem__(name.lower())

    def get(self, name: str, default=None):
        return super().get(name.lower(), default)

    def __contains__(self, name) -> bool:
        return super().__contains__(name.lower())
