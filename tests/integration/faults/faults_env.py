# SPDX-License-Identifier: Apache-2.0
"""Shared by the fault-injection suites (issue 7): a sealpost-proxy that can be killed and started
again on the same vault, invoices with a PDF of a chosen size, a client that reports the final
reply instead of raising, and what an upstream got (links, anything in clear). Each test module
imports what it uses from here; the portal helpers come from ../portal/portal_env.py.
"""
import email.policy
import os
import random
import re
import signal
import smtplib
import subprocess
import sys
from email.message import EmailMessage
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "portal"))

from conftest import (BASE_URL, Proxy, admin_bin, admin_run,  # noqa: E402
                      in_clear, proxy_config_text, seal_setup, toml_value)
from portal_env import TEST_ENVELOPE_BIN  # noqa: E402

LINK = re.compile(re.escape(BASE_URL) + r"/d/([A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])")
SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")
FAKETIME_LIB = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1"


def pdf_bytes(size: int, seed: int = 0) -> bytes:
    """A PDF-looking document of exactly `size` bytes (>= 32) that no test data shares."""
    head, tail = b"%PDF-1.4\n% sealpost fault test\n", b"\n%%EOF\n"
    body = random.Random(seed).randbytes(size - len(head) - len(tail))
    return head + body + tail


def invoice(pdf: bytes, message_id: str, to="patient@example.org",
            subject="Rechnung [sms:079 123 45 67]", name="Rechnung.pdf") -> bytes:
    m = EmailMessage()
    m["From"] = "Praxis Muster <praxis@example.ch>"
    m["To"] = to
    m["Subject"] = subject
    m["Message-ID"] = f"<{message_id}@example.ch>"
    m.set_content("Guten Tag\n\nIhre Rechnung im Anhang.\n")
    m.add_attachment(pdf, maintype="application", subtype="pdf", filename=name)
    return m.as_bytes(policy=email.policy.SMTP)


def send(port: int, data: bytes, rcpts=("patient@example.org",)) -> tuple:
    """(code, text) of the final reply to one transaction; (None, why) when the connection
    failed before a final reply. Never raises for an SMTP or connection failure."""
    try:
        s = smtplib.SMTP("127.0.0.1", port, timeout=60)
    except OSError as e:
        return None, f"connect: {e}"
    try:
        s.ehlo("client.example")
        s.sendmail("praxis@example.ch", list(rcpts), data)
        return 250, ""
    except smtplib.SMTPResponseException as e:
        return e.smtp_code, e.smtp_error.decode(errors="replace")
    except smtplib.SMTPRecipientsRefused as e:
        code, text = next(iter(e.recipients.values()))
        return code, text.decode(errors="replace")
    except (smtplib.SMTPServerDisconnected, OSError) as e:
        return None, f"{type(e).__name__}: {e}"
    finally:
        try:
            s.quit()
        except (smtplib.SMTPException, OSError):
            s.close()


def tokens_of(content: bytes) -> set:
    return set(LINK.findall(content.decode("utf-8", errors="replace")))


def check_delivered(proxy: "RestartableProxy", up) -> tuple[list, dict]:
    """After `proxy` and the upstream `up` have stopped: no sanitizer report in any log, and
    every mail the upstream got is sealed (no PDF in clear, exactly one link). Returns (the
    mails the upstream got, {envelope id: state} of the vault)."""
    proxy.check_logs()
    got = up.messages
    assert not [g for g in got if in_clear(g.content)]
    assert all(len(tokens_of(g.content)) == 1 for g in got)
    return got, vault_list(proxy.seal_dir)


def vault_list(seal_dir: Path) -> dict:
    """{envelope id: state} from `sealpost list`."""
    out = admin_run(seal_dir, "list").stdout
    if out == "no envelopes\n":
        return {}
    return {line.split()[0]: line.split()[1] for line in out.splitlines()[1:]}


def envelope_ids(seal_dir: Path, tokens) -> dict:
    """{token: id of the envelope the token opens, or the error name} (sealpost_test_envelope)."""
    tokens = sorted(tokens)
    if not tokens:
        return {}
    assert TEST_ENVELOPE_BIN, "SEALPOST_TEST_ENVELOPE is not set"
    p = subprocess.run([TEST_ENVELOPE_BIN, str(seal_dir / "vault"), str(seal_dir / "keys"),
                        "--lookup", *tokens], capture_output=True, text=True, timeout=120)
    assert p.returncode in (0, 1), p.stderr
    return dict(zip(tokens, p.stdout.split()))


def admin_at(seal_dir: Path, offset: str, *args) -> subprocess.CompletedProcess:
    """The `sealpost` CLI on `seal_dir` with its clock moved by `offset` (libfaketime, "+2h")."""
    assert os.path.exists(FAKETIME_LIB), \
        f"{FAKETIME_LIB} is missing: apt-get install faketime (packaging/build-deps.txt)"
    asan = os.environ.get("ASAN_OPTIONS", "")
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TZ": "UTC",
           "SEALPOST_CONFIG": str(seal_dir / "admin.toml"),
           "LD_PRELOAD": FAKETIME_LIB, "FAKETIME": offset, "FAKETIME_DONT_FAKE_MONOTONIC": "1",
           # ASan wants to come first in the library list; libfaketime only wraps the clock.
           "ASAN_OPTIONS": (asan + ":" if asan else "") + "verify_asan_link_order=0"}
    return subprocess.run([admin_bin(), *args], capture_output=True, text=True, env=env,
                          timeout=60)


class RestartableProxy:
    """sealpost-proxy (plain loopback listener, auth none) that can be killed and started again
    on the same config, vault and keys; each start logs to a file of its own."""

    def __init__(self, tmp_path: Path, certs: Path, upstream_url: str, proxy=None, upstream=None,
                 vault=None, seal_dir: Path = None):
        self.tmp_path = tmp_path
        self.seal_dir = seal_setup(seal_dir or tmp_path / "seal")
        self.config = tmp_path / "proxy.toml"
        self.config.write_text(proxy_config_text(
            certs, upstream_url, proxy={"auth": "none", **(proxy or {})}, upstream=upstream,
            seal_dir=self.seal_dir, vault=vault))
        # The CLI shares the proxy's [vault] settings, as with one sealpost.toml.
        with open(self.seal_dir / "admin.toml", "a") as f:
            f.writelines(f"{k} = {toml_value(v)}\n" for k, v in (vault or {}).items())
        self.proc = None
        self.starts = 0
        self.logs = []
        self.start()

    def start(self):
        log = self.tmp_path / f"proxy-{self.starts}.log"
        self.starts += 1
        self.logs.append(log)
        self.proc = Proxy(self.config, log, expect=1)

    @property
    def port(self) -> int:
        return self.proc.ports["plain"]

    def alive(self) -> bool:
        return self.proc.proc.poll() is None

    def kill(self):
        """SIGKILL: no shutdown, no flush, no chance to finish anything."""
        if self.alive():
            self.proc.proc.send_signal(signal.SIGKILL)
            self.proc.proc.wait()

    def restart(self):
        self.kill()
        self.proc.stop()
        self.start()

    def stop(self):
        self.proc.stop()

    def check_logs(self):
        """No sanitizer report in any start's log."""
        for log in self.logs:
            text = log.read_text(errors="replace")
            for marker in SANITIZER_MARKERS:
                assert marker not in text, f"{marker} in {log}"
