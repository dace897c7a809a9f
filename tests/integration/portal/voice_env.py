# SPDX-License-Identifier: Apache-2.0
"""Helpers for the voice-call suites (issue #18, patients without a mobile): a real
sealpost-proxy and sealpost-portal with `[voice]` pointing at a recording gateway (Twilio's
Calls API on the recorder), and reading the code back from the TwiML the call would speak.
"""
import re
import subprocess
import urllib.parse
from pathlib import Path

import pytest
from conftest import Proxy, Upstream, proxy_config_text, record, seal_setup, toml_value
from portal_env import RECHNUNG, Portal, portal_config_text, sms  # noqa: F401 - fixture used by name
from sms_recorder import SmsRecorder

ACCOUNT = "AC0123456789abcdef"
CALLER_ID = "+41445550000"
LANDLINE_TAG = "044 123 45 67"  # Zürich: a fixed line
LANDLINE_E164 = "+41441234567"
SAY = re.compile(r'<Say language="([a-zA-Z-]+)">(.*)</Say>', re.S)


def voice_section(rec_url: str, token_file: Path) -> str:
    """[voice] for Twilio, against the recorder instead of api.twilio.com."""
    token_file.write_text("voice-test-token\n")
    token_file.chmod(0o600)
    record("secrets", "voice-test-token")
    v = {"provider": "twilio", "url": rec_url, "account_sid": ACCOUNT,
         "auth_token_file": str(token_file), "sender": CALLER_ID, "timeout": "2s", "retries": 0}
    return "[voice]\n" + "".join(f"{k} = {toml_value(x)}\n" for k, x in v.items())


def start_proxy_with(tmp_path: Path, certs: Path, up: Upstream, seal_dir: Path,
                     extra: str = "") -> Proxy:
    """A proxy (auth none, plain loopback listener) in front of `up`, with `extra` TOML."""
    cfg = tmp_path / "proxy.toml"
    cfg.write_text(proxy_config_text(certs, f"smtp://127.0.0.1:{up.port}",
                                     proxy={"auth": "none"}, seal_dir=seal_dir) + extra)
    return Proxy(cfg, tmp_path / "proxy.log", expect=1)


def start_portal_with(tmp_path: Path, certs: Path, seal_dir: Path, sms_url: str,
                      extra: str = "", portal=None, name="portal") -> Portal:
    cfg = tmp_path / f"{name}.toml"
    cfg.write_text(portal_config_text(certs, seal_dir, sms_url, portal) + extra)
    return Portal(cfg, tmp_path / f"{name}.log", certs / "ca.crt")


def call_of(req: dict) -> dict:
    """The Calls.json form of a recorded request: To, From, Twiml, and what the voice says."""
    form = dict(urllib.parse.parse_qsl(req["body"], keep_blank_values=True))
    m = SAY.search(form.get("Twiml", ""))
    assert m, form
    form["language"], form["said"] = m.group(1), m.group(2)
    return form


def spoken_code(said: str) -> str:
    """The code a call reads: its digit-by-digit runs ("4, 8, 1, 5, 9, 2"), which must come
    twice and agree."""
    runs = [r.replace(", ", "") for r in re.findall(r"\d(?:, \d){5,9}", said)]
    assert len(runs) == 2 and runs[0] == runs[1], said
    record("secrets", runs[0])
    return runs[0]


def smtp_refusal(port: int, subject: str) -> tuple[int, str]:
    """Sends one invoice with `subject` through swaks; returns (exit code, transcript)."""
    r = subprocess.run(
        ["swaks", "--server", f"127.0.0.1:{port}", "--from", "praxis@example.ch",
         "--to", "patient@example.org", "--helo", "client.example",
         "--header", f"Subject: {subject}", "--body", "Guten Tag",
         "--attach-type", "application/pdf", "--attach", f"@{RECHNUNG}"],
        capture_output=True, text=True, timeout=60)
    return r.returncode, r.stdout + r.stderr


SANITIZER = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:")


@pytest.fixture
def voice():
    """The voice gateway: a recorder that answers like Twilio (201)."""
    with SmsRecorder(status=201) as rec:
        yield rec


@pytest.fixture
def world(tmp_path, dev_certs, sms, voice):
    """start(portal={...}) -> (proxy, upstream, portal): proxy and portal both with [voice]."""
    made = {}

    def start(portal=None):
        seal_dir = seal_setup(tmp_path / "seal")
        extra = voice_section(voice.url, tmp_path / "voice.token")
        with open(seal_dir / "admin.toml", "a") as admin_cfg:  # the CLI reads [voice] too
            admin_cfg.write(extra)
        made["up"] = Upstream(dev_certs, require_auth=False)
        made["proxy"] = start_proxy_with(tmp_path, dev_certs, made["up"], seal_dir, extra)
        made["proxy"].seal_dir = seal_dir
        made["portal"] = start_portal_with(tmp_path, dev_certs, seal_dir, sms.url + "/sms",
                                           extra, portal)
        return made["proxy"], made["up"], made["portal"]

    yield start
    for name in ("portal", "proxy", "up"):
        if name in made:
            made[name].stop()
    for name in ("portal", "proxy"):
        if name in made:
            log = made[name].log_path.read_text(errors="replace")
            for marker in SANITIZER:
                assert marker not in log, f"{marker} in {made[name].log_path}"


__all__ = ["ACCOUNT", "CALLER_ID", "LANDLINE_TAG", "LANDLINE_E164", "voice_section",
           "start_proxy_with", "start_portal_with", "call_of", "spoken_code", "smtp_refusal",
           "seal_setup", "Upstream", "voice", "world"]
