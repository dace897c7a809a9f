# SPDX-License-Identifier: Apache-2.0
"""Fixtures and helpers for the portal suites: a real sealpost-portal on loopback (HTTPS with
the dev certificates) over a vault that a real sealpost-proxy filled, a recording SMS gateway,
and helpers that walk the patient's flow with `requests`. Each test module imports what it
uses from here (a conftest.py in this folder would shadow ../conftest.py, which is imported
as `conftest`).

Environment: SEALPOST_PORTAL_BIN (default: $SEALPOST_BUILD_DIR/portal/sealpost-portal), and
what ../conftest.py reads.
"""
import email
import email.policy
import os
import re
import smtplib
import subprocess
import sys
import time
import urllib.parse
from email.message import EmailMessage
from pathlib import Path

import pytest
import requests


from conftest import (BASE_URL, BUILD_DIR, SOURCE_DIR, admin_run,  # noqa: E402
                      record, seal_setup, stop_daemon, toml_value, vault_settings)
from sms_recorder import SmsRecorder, extract_code  # noqa: E402

PORTAL_BIN = Path(os.environ.get("SEALPOST_PORTAL_BIN",
                                 BUILD_DIR / "portal" / "sealpost-portal"))
TEST_ENVELOPE_BIN = os.environ.get("SEALPOST_TEST_ENVELOPE", "")
PORTAL_TEMPLATES = SOURCE_DIR / "portal" / "templates"
SAMPLES = SOURCE_DIR / "tests" / "data" / "samples"
RECHNUNG = SAMPLES / "Rechnung-2026-1127.pdf"
BELEG = SAMPLES / "Rueckforderungsbeleg-2026-1127.pdf"
LINK = re.compile(re.escape(BASE_URL) + r"/d/([A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])")
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
SECURITY_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "Strict-Transport-Security": "max-age=63072000",
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; "
                               "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff",
    "X-Robots-Tag": "noindex, nofollow",
}


class Portal:
    """A running sealpost-portal; `url` is https://localhost:PORT, `admin` the metrics URL."""

    def __init__(self, config_path: Path, log_path: Path, ca: Path, env=None):
        self.log_path = log_path
        record("logs", log_path)
        record("portal_logs", log_path)  # a portal ran: SMS codes must have been recorded
        self.ca = ca
        self.log_file = open(log_path, "wb")
        self.proc = subprocess.Popen([str(PORTAL_BIN), "--config", str(config_path)],
                                     stdout=subprocess.PIPE, stderr=self.log_file,
                                     env={**os.environ, **(env or {})})
        ports = {}
        deadline = time.monotonic() + 30
        while len(ports) < 2:
            line = self.proc.stdout.readline().decode()
            if not line or time.monotonic() > deadline:
                self.proc.kill()
                self.proc.wait()
                raise RuntimeError(f"sealpost-portal did not start: {self.log()}")
            parts = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
            ports[parts["kind"]] = int(parts["addr"].rsplit(":", 1)[1])
        self.port = ports.get("https") or ports["http"]
        scheme = "https" if "https" in ports else "http"
        self.url = f"{scheme}://localhost:{self.port}"
        self.admin = f"http://127.0.0.1:{ports['admin']}"

    def session(self) -> requests.Session:
        s = requests.Session()
        s.trust_env = False  # REQUESTS_CA_BUNDLE and proxies from the environment would win
        s.verify = str(self.ca)
        s.hooks["response"].append(
            lambda r, *args, **kw: record("secrets", r.cookies.get("__Host-sealpost")))
        return s

    def log(self) -> str:
        self.log_file.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self):
        stop_daemon(self.proc, self.log_file)


def portal_config_text(certs: Path, seal_dir: Path, sms_url: str, portal=None, sms=None,
                       practice=None, vault=None) -> str:
    pr = {"name": "Praxis Muster", "base_url": BASE_URL}
    pr.update(practice or {})
    p = {"listen": "127.0.0.1:0", "admin_listen": "127.0.0.1:0",
         "tls_cert": str(certs / "server-chain.crt"), "tls_key": str(certs / "server.key"),
         "templates_dir": str(PORTAL_TEMPLATES), "request_timeout": "5s"}
    p.update(portal or {})
    s = {"provider": "http", "url": sms_url, "sender": "Praxis",
         "body_template": '{"to":"{to}","from":"{sender}","text":"{text}"}',
         "timeout": "2s", "retries": 0}
    s.update(sms or {})
    out = ["[practice]"] + [f"{k} = {toml_value(v)}" for k, v in pr.items()]
    v = vault_settings(seal_dir)
    v.update(vault or {})
    out += ["[vault]"] + [f"{k} = {toml_value(x)}" for k, x in v.items()]
    out += ["[portal]"] + [f"{k} = {toml_value(v)}" for k, v in p.items()]
    out += ["[sms]"] + [f"{k} = {toml_value(v)}" for k, v in s.items()]
    out += ["[log]", 'level = "debug"']
    return "\n".join(out) + "\n"


def record_sms(rec: SmsRecorder):
    """Records the codes and phone numbers that went through the gateway `rec`."""
    for r in rec.requests:
        text = r["body"] + " " + urllib.parse.unquote_plus(r["path"])
        record("secrets", extract_code(r["body"]) or extract_code(r["path"]),
               *re.findall(r"\+\d{8,15}", text))


@pytest.fixture
def sms():
    with SmsRecorder() as rec:
        try:
            yield rec
        finally:  # the codes of a failing test are secrets too
            record_sms(rec)


@pytest.fixture
def start_portal(tmp_path, dev_certs, sms):
    """start_portal(seal_dir, portal={...}, sms={...}, practice={...}, vault={...}, env={...})
    -> Portal; `env` is added to the portal's environment."""
    started = []

    def start(seal_dir: Path, portal=None, sms_cfg=None, practice=None, vault=None, env=None):
        n = len(started)
        cfg = tmp_path / f"portal{n}.toml"
        cfg.write_text(portal_config_text(dev_certs, seal_dir, sms.url + "/sms", portal, sms_cfg,
                                          practice, vault))
        p = Portal(cfg, tmp_path / f"portal{n}.log", dev_certs / "ca.crt", env)
        p.config_path = cfg  # for tests that change it and send SIGHUP
        started.append(p)
        return p

    yield start
    for p in started:
        p.stop()
    for p in started:
        log = p.log_path.read_text(errors="replace")
        for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            assert marker not in log, f"{marker} in {p.log_path}"


def invoice_mail(to="patient@example.org", subject="Rechnung November [sms:079 123 45 67]",
                 attachments=(RECHNUNG, BELEG)) -> bytes:
    m = EmailMessage()
    m["From"] = "Praxis Muster <praxis@example.ch>"
    m["To"] = to
    m["Subject"] = subject
    m.set_content("Guten Tag\n\nIhre Rechnung im Anhang.\n")
    for a in attachments:
        m.add_attachment(Path(a).read_bytes(), maintype="application", subtype="pdf",
                         filename=Path(a).name)
    return m.as_bytes(policy=email.policy.SMTP)


def seal_invoice(proxy, up, **kw) -> str:
    """Mails an invoice through the proxy; returns the token of the link the patient got."""
    before = len(up.messages)
    s = smtplib.SMTP("127.0.0.1", proxy.ports["plain"], timeout=30)
    s.ehlo("client.example")
    s.sendmail("praxis@example.ch", [kw.get("to", "patient@example.org")], invoice_mail(**kw))
    s.quit()
    assert len(up.messages) == before + 1
    text = up.messages[-1].content.decode("utf-8", errors="replace")
    tokens = set(LINK.findall(text))
    assert len(tokens) == 1, text
    return tokens.pop()


def make_envelope(seal_dir: Path, at: int = None, sent=True, size: int = None) -> tuple[str, str]:
    """(id, token) of a one-document envelope made with the vault API, created at `at`; with
    `size`, the document is padded to that many bytes (big_document(size) is its content)."""
    assert TEST_ENVELOPE_BIN, "SEALPOST_TEST_ENVELOPE is not set"
    args = [TEST_ENVELOPE_BIN, str(seal_dir / "vault"), str(seal_dir / "keys")]
    if at is not None:
        args += ["--at", str(at)]
    if size is not None:
        args += ["--size", str(size)]
    if sent:
        args.append("--sent")
    out = subprocess.run(args, capture_output=True, text=True, timeout=60, check=True).stdout
    env_id, token = out.split()
    record("secrets", token)
    return env_id, token


SMALL_PDF = b"%PDF-1.4\n% sealpost test document\n%%EOF\n"


def big_document(size: int) -> bytes:
    """What make_envelope(size=...) seals: the small PDF, padded with byte j = (j * 7) % 251."""
    block = bytes((j * 7) % 251 for j in range(251))
    pad = size - len(SMALL_PDF)
    return SMALL_PDF + (block * (pad // 251 + 1))[:pad]


def csrf_of(html: str) -> str:
    m = CSRF.search(html)
    assert m, html
    return m.group(1)


def request_code(s: requests.Session, portal: Portal, token: str, expect=200):
    """GET the landing (or expired) page, then POST its "send code" form."""
    page = s.get(f"{portal.url}/d/{token}")
    r = s.post(f"{portal.url}/d/{token}/code", data={"csrf": csrf_of(page.text)},
               allow_redirects=False)
    assert r.status_code == expect, r.text
    return r


def submit_code(s: requests.Session, portal: Portal, token: str, code: str, form_html: str):
    return s.post(f"{portal.url}/d/{token}/verify", data={"csrf": csrf_of(form_html),
                                                          "code": code},
                  allow_redirects=False)


def log_in(s, portal, token, sms) -> requests.Response:
    """The whole check: send a code, read it from the SMS gateway, type it. Returns the
    documents page."""
    n = len(sms.requests)
    r = request_code(s, portal, token)
    sms.wait_for(n + 1)
    v = submit_code(s, portal, token, sms.last_code(), r.text)
    assert v.status_code == 303, v.text
    assert v.headers["Location"].startswith(f"/d/{token}")
    docs = s.get(portal.url + v.headers["Location"])
    assert docs.status_code == 200
    return docs
