# SPDX-License-Identifier: Apache-2.0
"""`sealpost config check [--connect]` on real files: a good site passes; each broken piece
(certificate and key that do not match, an expired or soon-expiring certificate made here with
openssl, a secret file others can read, an inline API key in a config file others can read, an
unknown SMS provider) gives its exact one line and the right exit status. --connect reaches a
real aiosmtpd upstream and the SMS recorder and sends neither mail nor SMS. The daemons refuse
to start with an inline secret in a world-readable config, with one line and status 1."""
import os
import shutil
import subprocess
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import pytest

from conftest import (ADMIN_BIN, BUILD_DIR, POLICY_FILE, SOURCE_DIR, TEMPLATES_DIR,
                      UPSTREAM_PASSWORD, UPSTREAM_USER, Upstream, free_port, record, toml_value)
from sms_recorder import SmsRecorder

PORTAL_TEMPLATES = SOURCE_DIR / "portal" / "templates"
PROXY_BIN = Path(os.environ.get("SEALPOST_PROXY_BIN", BUILD_DIR / "proxy" / "sealpost-proxy"))
PORTAL_BIN = Path(os.environ.get("SEALPOST_PORTAL_BIN",
                                 BUILD_DIR / "portal" / "sealpost-portal"))
API_KEY = "test-api-key-0123456789"

CA_CNF = """[ca]
default_ca = test_ca
[test_ca]
dir = .
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = any
unique_subject = no
[any]
commonName = supplied
"""


def openssl(*args, cwd=None):
    subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=cwd, timeout=60)


def new_key(path: Path):
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
            "-out", str(path))
    path.chmod(0o600)


def self_signed(d: Path, name: str, *, days=None, start=None, end=None) -> tuple[Path, Path]:
    """A key and a self-signed certificate for localhost: valid `days` from now, or from
    `start` to `end` (YYYYMMDDHHMMSSZ, through `openssl ca`, which takes dates in the past)."""
    key, crt = d / f"{name}.key", d / f"{name}.crt"
    new_key(key)
    if days is not None:
        openssl("req", "-x509", "-new", "-key", str(key), "-subj", "/CN=localhost",
                "-days", str(days), "-out", str(crt))
        return crt, key
    ca = d / f"{name}-ca"
    ca.mkdir()
    (ca / "ca.cnf").write_text(CA_CNF)
    (ca / "index.txt").write_text("")
    (ca / "serial").write_text("01\n")
    openssl("req", "-new", "-key", str(key), "-subj", "/CN=localhost", "-out", "r.csr", cwd=ca)
    openssl("ca", "-batch", "-config", "ca.cnf", "-selfsign", "-keyfile", str(key),
            "-in", "r.csr", "-startdate", start, "-enddate", end, "-out", str(crt), cwd=ca)
    return crt, key


def not_after(crt: Path) -> datetime:
    out = subprocess.run(["openssl", "x509", "-in", str(crt), "-noout", "-enddate"],
                         check=True, capture_output=True, text=True).stdout
    return datetime.strptime(out.strip().split("=", 1)[1], "%b %d %H:%M:%S %Y GMT").replace(
        tzinfo=timezone.utc)


def run(*args, env_extra=None):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TZ": "UTC",
           "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "")}
    env.update(env_extra or {})
    return subprocess.run([str(ADMIN_BIN), *args], capture_output=True, text=True, env=env,
                          timeout=120)


class Site:
    """A complete, healthy site in a temporary directory: keys, certificates, templates, an
    http SMS gateway whose API key comes from secret_file, and a maildir upstream."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="sealpost-check-it-", dir="/tmp"))
        self.config = self.dir / "sealpost.toml"
        self.keys = self.dir / "keys"
        self.secret = self.dir / "sms.secret"
        self.secret.write_text(API_KEY + "\n")
        self.secret.chmod(0o600)
        record("secrets", API_KEY)
        self.cert, self.key = self_signed(self.dir, "tls", days=200)
        self.sections = {
            "practice": {"name": "Praxis Muster", "base_url": "https://portal.example.ch"},
            "vault": {"dir": str(self.dir / "vault"), "key_dir": str(self.keys)},
            "proxy": {"policy_file": str(POLICY_FILE), "templates_dir": str(TEMPLATES_DIR),
                      "tls_cert": str(self.cert), "tls_key": str(self.key)},
            "upstream": {"url": f"maildir:{self.dir / 'maildir'}"},
            "portal": {"templates_dir": str(PORTAL_TEMPLATES), "tls_cert": str(self.cert),
                       "tls_key": str(self.key)},
            "sms": {"provider": "http", "url": "http://127.0.0.1:9/sms",
                    "secret_file": str(self.secret), "headers": ["X-API-Key: {secret}"],
                    "body_template": '{"to":"{to}","text":"{text}"}'},
        }
        self.write()
        self.config.chmod(0o644)  # as the package installs it
        p = run("--config", str(self.config), "keys", "init")
        assert p.returncode == 0, p.stderr

    def write(self, raw_sms: str = None):
        out = []
        for name, keys in self.sections.items():
            if name == "sms" and raw_sms is not None:
                out.append("[sms]\n" + raw_sms)
                continue
            out.append(f"[{name}]")
            out += [f"{k} = {toml_value(v)}" for k, v in keys.items()]
        mode = self.config.stat().st_mode & 0o777 if self.config.exists() else None
        self.config.write_text("\n".join(out) + "\n")
        if mode is not None:
            self.config.chmod(mode)

    def line_of(self, text: str) -> int:
        return self.config.read_text().splitlines().index(text) + 1

    def check(self, *extra):
        return run("config", "check", "--config", str(self.config), *extra)

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def site():
    s = Site()
    yield s
    s.cleanup()


def lines(p) -> list[str]:
    return p.stderr.splitlines()


def test_a_good_site_passes(site):
    p = site.check()
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    assert p.stdout == f"config check: {site.config}: ok\n"


def test_certificate_and_key_that_do_not_match(site):
    other = site.dir / "other.key"
    new_key(other)
    site.sections["portal"]["tls_key"] = str(other)
    site.write()
    p = site.check()
    assert p.returncode == 1
    assert lines(p) == [f"error: portal.tls_cert: cannot load TLS key {other}: "
                        "key values mismatch"]
    assert p.stdout == f"config check: {site.config}: 1 error, 0 warnings\n"


def test_an_expired_certificate_is_an_error(site):
    crt, key = self_signed(site.dir, "old", start="20200101000000Z", end="20200201000000Z")
    site.sections["portal"].update(tls_cert=str(crt), tls_key=str(key))
    site.write()
    p = site.check()
    assert p.returncode == 1
    assert lines(p) == [f"error: portal.tls_cert: {crt}: expired on 2020-02-01 00:00 UTC"]


def test_a_certificate_expiring_within_21_days_is_a_warning(site):
    crt, key = self_signed(site.dir, "soon", days=5)
    site.sections["proxy"].update(tls_cert=str(crt), tls_key=str(key))
    site.write()
    p = site.check()
    assert p.returncode == 0, p.stderr
    end = not_after(crt)
    # 5 days less the seconds since the certificate was made: 4 or 5 whole days, however the
    # check rounds a day that has just begun.
    assert lines(p) in ([f"warning: proxy.tls_cert: {crt}: expires on "
                         f"{end:%Y-%m-%d %H:%M} UTC, in {days} days; renew it"]
                        for days in (4, 5))
    assert p.stdout == f"config check: {site.config}: 0 errors, 1 warning\n"


def test_a_secret_file_others_can_read(site):
    site.secret.chmod(0o644)
    p = site.check()
    assert p.returncode == 1
    assert lines(p) == [f"error: sms.secret_file {site.secret}: mode 0644 gives access to "
                        "others; refused (chmod 600 it)"]
    assert API_KEY not in p.stdout + p.stderr


def test_a_key_file_others_can_read(site):
    (site.keys / "contacts.key").chmod(0o644)
    p = site.check()
    assert p.returncode == 1
    assert lines(p) == [f"error: {site.keys / 'contacts.key'}: mode 0644 gives access to "
                        "others; chmod 600 it"]


INLINE = ('provider = "http"\nurl = "http://127.0.0.1:9/sms"\n'
          f'headers = ["X-API-Key: {API_KEY}"]\n'
          'body_template = \'{"to":"{to}","text":"{text}"}\'\n')
INLINE_REFUSAL = ("sms.headers[0]: the X-API-Key value is written inline in a config file "
                  "others can read (mode 0644); put it in sms.secret_file and write {secret} "
                  "here, or make the file 0640 or stricter")


def test_an_inline_secret_in_a_world_readable_config(site):
    site.write(raw_sms=INLINE)
    line = site.line_of(f'headers = ["X-API-Key: {API_KEY}"]')
    p = site.check()
    assert p.returncode == 1
    assert lines(p) == [f"error: {site.config}:{line}: {INLINE_REFUSAL}"]
    assert API_KEY not in p.stdout + p.stderr
    # The same file closed to others is accepted (the key then is as safe as a secret_file).
    site.config.chmod(0o640)
    p = site.check()
    assert (p.returncode, p.stderr) == (0, ""), p.stderr


@pytest.mark.parametrize("binary", ["proxy", "portal"])
def test_the_daemons_refuse_an_inline_secret_in_a_world_readable_config(site, binary):
    site.write(raw_sms=INLINE)
    line = site.line_of(f'headers = ["X-API-Key: {API_KEY}"]')
    exe = PROXY_BIN if binary == "proxy" else PORTAL_BIN
    p = subprocess.run([str(exe), "--config", str(site.config)], capture_output=True, text=True,
                       timeout=60, env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
                                        "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "")})
    assert p.returncode == 1
    assert p.stderr == f"sealpost-{binary}: {site.config}:{line}: {INLINE_REFUSAL}\n"


def test_an_unknown_sms_provider(site):
    site.sections["sms"] = {"provider": "aspsms"}
    site.write()
    line = site.line_of('provider = "aspsms"')
    p = site.check()
    assert p.returncode == 1
    assert lines(p) == [f"error: {site.config}:{line}: sms.provider: 'aspsms' is not one of "
                        "outbox, http or twilio"]


# ---------------------------------------------------------------- --connect


@pytest.fixture
def upstream_site(site, dev_certs):
    """The site with an aiosmtpd upstream (STARTTLS, AUTH), [notify] on it too, and the SMS
    recorder as the gateway."""
    up = Upstream(dev_certs)
    rec = SmsRecorder().start()
    pw = site.dir / "upstream.pass"
    pw.write_text(UPSTREAM_PASSWORD + "\n")
    pw.chmod(0o600)
    smtp = {"url": f"smtp://127.0.0.1:{up.port}", "tls": "starttls",
            "ca_file": str(dev_certs / "ca.crt"), "username": UPSTREAM_USER,
            "password_file": str(pw)}
    site.sections["upstream"] = dict(smtp)
    site.sections["notify"] = dict(smtp)
    site.sections["sms"]["url"] = rec.url + "/sms"
    site.write()
    yield site, up, rec, pw
    rec.stop()
    up.stop()


def test_connect_reaches_upstream_notify_and_gateway_and_sends_nothing(upstream_site):
    site, up, rec, _ = upstream_site
    p = site.check("--connect")
    assert (p.returncode, p.stderr) == (0, ""), p.stderr
    out = p.stdout.splitlines()
    assert out[0] == f"ok: upstream smtp://127.0.0.1:{up.port}: EHLO, STARTTLS, AUTH, QUIT"
    assert out[1] == f"ok: notify smtp://127.0.0.1:{up.port}: EHLO, STARTTLS, AUTH, QUIT"
    port = rec.url.rsplit(":", 1)[1]
    assert out[2].startswith(f"ok: sms.url 127.0.0.1:{port}: HEAD /sms: HTTP/1.")
    assert out[3] == f"config check: {site.config}: ok"
    assert up.messages == []
    assert rec.requests == []  # a HEAD is not an SMS (the recorder records GET/POST/PUT)


def test_connect_reports_a_refused_login_and_an_unreachable_gateway(upstream_site):
    site, up, rec, pw = upstream_site
    pw.write_text("wrong password\n")
    record("secrets", "wrong password")
    dead = free_port()
    site.sections["sms"]["url"] = f"http://127.0.0.1:{dead}/sms"
    site.sections.pop("notify")
    site.write()
    p = site.check("--connect")
    assert p.returncode == 1
    got = lines(p)
    assert got[0] == (f"error: upstream smtp://127.0.0.1:{up.port}: AUTH as {UPSTREAM_USER} "
                      "refused: 535 5.7.8 Authentication credentials invalid")
    assert got[1].startswith(f"error: sms.url 127.0.0.1:{dead}: cannot connect: ")
    assert len(got) == 2
    assert up.messages == [] and rec.requests == []
    assert "wrong password" not in p.stdout + p.stderr
