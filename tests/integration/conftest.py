# SPDX-License-Identifier: Apache-2.0
"""Shared fixtures for integration tests: free ports, dev certificates, starting sealpost
binaries with a generated config, and an aiosmtpd upstream with STARTTLS and AUTH.

Environment (all optional):
  SEALPOST_SOURCE_DIR  repository root (default: two levels above this file)
  SEALPOST_BUILD_DIR   build folder (default: $SEALPOST_SOURCE_DIR/build/dev)
  SEALPOST_PROXY_BIN   sealpost-proxy binary (default: $SEALPOST_BUILD_DIR/proxy/sealpost-proxy)
  SEALPOST_BIN         sealpost admin CLI, for `keys init` (default: $SEALPOST_BUILD_DIR/admin/sealpost)
  SEALPOST_TEST_VAULT_BACKEND  "postgresql": every vault made here lives in a fresh database of
                       the PostgreSQL server at SEALPOST_TEST_PG_DSN (CTest starts one); else LMDB

Every proxy config made here also gets what sealing needs: the shipped default policy and
notice templates, a fresh vault and key directory (made with `sealpost keys init`), and a
[practice] whose internal domain is INTERNAL_DOMAIN.
"""
import atexit
import base64
import email
import email.policy
import os
import re
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

SOURCE_DIR = Path(os.environ.get("SEALPOST_SOURCE_DIR", Path(__file__).resolve().parents[2]))
BUILD_DIR = Path(os.environ.get("SEALPOST_BUILD_DIR", SOURCE_DIR / "build" / "dev"))
PROXY_BIN = Path(os.environ.get("SEALPOST_PROXY_BIN", BUILD_DIR / "proxy" / "sealpost-proxy"))
ADMIN_BIN = Path(os.environ.get("SEALPOST_BIN", BUILD_DIR / "admin" / "sealpost"))
POLICY_FILE = SOURCE_DIR / "policies" / "default.toml"
TEMPLATES_DIR = SOURCE_DIR / "policies" / "templates"
PRACTICE_NAME = "Praxis Muster"
BASE_URL = "https://portal.example.ch"
INTERNAL_DOMAIN = "praxis.example.ch"

UPSTREAM_USER = "praxis@example.ch"
UPSTREAM_PASSWORD = "correct horse battery staple"
XOAUTH2_TOKEN = "ya29.dev-token"

# ---------------------------------------------------------------- secrets and logs registry
# Every secret the fixtures handle (link tokens, SMS codes, passwords, session cookies) and
# every daemon log they create is appended to $SEALPOST_BUILD_DIR/test-output/registry/; ctest
# runs security/test_security_log_secrets.py after every other suite, and it greps every log
# of the run for every secret (and for the phone numbers written in the test sources).
REGISTRY_DIR = BUILD_DIR / "test-output" / "registry"
LINK_TOKEN = re.compile(r"/d/([A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])")

# A PDF in clear, raw or in base64 ("%PDF-" encodes to "JVBERi0", whatever follows): an
# attachment travels base64-encoded, so a check for b"%PDF" alone can never fail on a mail.
CLEAR_PDF = (b"%PDF", b"JVBERi0")


def in_clear(content: bytes) -> bool:
    """Whether `content` (a mail, an HTTP body, CLI output) holds a PDF, raw or in base64."""
    return any(m in content for m in CLEAR_PDF)


def record(kind: str, *values):
    """Appends `values` to the registry's `kind`.txt ("secrets", "logs", "portal_logs"), one
    per line, in a single write: with O_APPEND, lines of suites that run in parallel never
    mix."""
    data = "".join(f"{v}\n" for v in values if v and "\n" not in str(v))
    if data:
        REGISTRY_DIR.mkdir(parents=True, exist_ok=True)
        fd = os.open(REGISTRY_DIR / f"{kind}.txt", os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, data.encode())
        finally:
            os.close(fd)


def record_tokens(text: str):
    """Records every link token in `text` (CLI output, a decoded mail)."""
    record("secrets", *set(LINK_TOKEN.findall(text)))


def record_mail(content: bytes):
    """Records the link tokens of a mail, also those in encoded (quoted-printable, base64) parts."""
    texts = [content.decode("utf-8", "replace")]
    for part in email.message_from_bytes(content, policy=email.policy.default).walk():
        if part.get_content_maintype() == "text":
            try:
                texts.append(part.get_content())
            except (LookupError, ValueError):
                pass
    record_tokens("\n".join(texts))


def admin_bin() -> str:
    """The `sealpost` admin CLI under test; fails clearly when it has not been built."""
    assert os.access(ADMIN_BIN, os.X_OK), f"not executable: {ADMIN_BIN} (set SEALPOST_BIN)"
    return str(ADMIN_BIN)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def dev_certs(tmp_path_factory) -> Path:
    """A dev CA and a server certificate for localhost/127.0.0.1 (certs/make-dev-certs)."""
    d = tmp_path_factory.mktemp("certs")
    subprocess.run([str(SOURCE_DIR / "certs" / "make-dev-certs"), str(d)], check=True)
    return d


def renew_certs(src: Path, live: Path):
    """What a certificate renewal (certbot) does: the server certificate and key of `src` (a
    make-dev-certs directory, its own CA) replace those in `live` under the same names."""
    if not (src / "server.key").exists():
        subprocess.run([str(SOURCE_DIR / "certs" / "make-dev-certs"), str(src)], check=True,
                       timeout=60)
    live.mkdir(exist_ok=True)
    for name in ("server-chain.crt", "server.key"):
        shutil.copy(src / name, live / name)


def sighup_and_wait(daemon, event: str, n: int) -> str:
    """Sends SIGHUP to `daemon` (a Proxy or a Portal) and waits, with no timing assertion,
    for the `n`th `event=EVENT` line of its log; returns that line."""
    daemon.proc.send_signal(signal.SIGHUP)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        lines = [ln for ln in daemon.log().splitlines() if f"event={event} " in ln]
        if len(lines) >= n:
            return lines[n - 1]
        assert daemon.proc.poll() is None, daemon.log()
        time.sleep(0.05)
    raise AssertionError(f"no {event} line after SIGHUP: {daemon.log()}")


# ---------------------------------------------------------------- aiosmtpd upstream


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list
    content: bytes  # as the upstream got it, dot-unstuffed, CRLF line ends
    auth_login: object = None


class RecordingHandler:
    """Records every message; refuses recipients listed in `reject_rcpts` with 550 5.1.1."""

    def __init__(self):
        self.messages: list[Received] = []
        self.reject_rcpts: set[str] = set()
        self.defer_marker = b"X-Test: defer-me"  # messages containing it get 451 4.3.0
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject_rcpts:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 Recipient OK"

    async def handle_DATA(self, server, session, envelope):
        if self.defer_marker in envelope.original_content:
            return "451 4.3.0 Upstream says try again later"
        record_mail(envelope.original_content)
        with self.lock:
            self.messages.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content,
                         getattr(session, "login_data", None)))
        return "250 2.0.0 Queued"

    async def auth_XOAUTH2(self, server, args):
        """XOAUTH2 (Google/Microsoft): base64 of `user=U^Aauth=Bearer T^A^A` as initial response."""
        import base64
        ok = len(args) >= 2 and base64.b64decode(args[1]) == (
            f"user={UPSTREAM_USER}\x01auth=Bearer {XOAUTH2_TOKEN}\x01\x01".encode())
        return AuthResult(success=ok, handled=False,
                          auth_data=LoginPassword(UPSTREAM_USER.encode(), b""))

    def count(self) -> int:
        with self.lock:
            return len(self.messages)


def _authenticator(server, session, envelope, mechanism, auth_data):
    if isinstance(auth_data, LoginPassword):  # as typed, and as AUTH PLAIN / LOGIN carry it
        record("secrets", auth_data.password.decode(), base64.b64encode(auth_data.password).decode(),
               base64.b64encode(b"\0" + auth_data.login + b"\0" + auth_data.password).decode())
    ok = (isinstance(auth_data, LoginPassword)
          and auth_data.login.decode() == UPSTREAM_USER
          and auth_data.password.decode() == UPSTREAM_PASSWORD)
    # handled=False: aiosmtpd then sends its own 535 5.7.8 (handled=True would send nothing).
    return AuthResult(success=ok, handled=False, auth_data=auth_data)


class Upstream:
    """An aiosmtpd server on 127.0.0.1 with STARTTLS (cert from the dev CA) and AUTH."""

    def __init__(self, certs: Path, require_auth: bool = True, implicit_tls: bool = False):
        # Recorded where they are handed out, not when conftest is imported: the log grep
        # imports conftest too, and must not find passwords on record that no suite used.
        record("secrets", UPSTREAM_PASSWORD, XOAUTH2_TOKEN)
        self.handler = RecordingHandler()
        self.port = free_port()
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(str(certs / "server-chain.crt"), str(certs / "server.key"))
        kwargs = dict(hostname="127.0.0.1", port=self.port, decode_data=False,
                      authenticator=_authenticator, auth_required=require_auth,
                      auth_require_tls=not implicit_tls, data_size_limit=50 * 1024 * 1024)
        if implicit_tls:
            # aiosmtpd only knows TLS from STARTTLS, so AUTH over implicit TLS needs
            # auth_require_tls=False (the connection is TLS from the first byte anyway).
            kwargs["ssl_context"] = ctx
        else:
            kwargs["tls_context"] = ctx
            kwargs["require_starttls"] = True
        self.controller = Controller(self.handler, **kwargs)
        self.controller.start()

    @property
    def messages(self):
        return self.handler.messages

    def stop(self):
        self.controller.stop()


@pytest.fixture
def upstream(dev_certs):
    up = Upstream(dev_certs)
    yield up
    up.stop()


# ---------------------------------------------------------------- sealpost-proxy


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return '"' + str(v).replace("\\", "\\\\").replace('"', '\\"') + '"'


_seal_dirs = []


@atexit.register
def _remove_seal_dirs():
    for d in _seal_dirs:
        shutil.rmtree(d, ignore_errors=True)


def admin_run(seal_dir: Path, *args, check=True) -> subprocess.CompletedProcess:
    """Runs the `sealpost` CLI on the vault and keys of `seal_dir` (see seal_setup)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TZ": "UTC",
           "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", ""),
           "SEALPOST_CONFIG": str(seal_dir / "admin.toml")}
    p = subprocess.run([str(ADMIN_BIN), *args], capture_output=True, text=True, env=env,
                       timeout=60)
    record_tokens(p.stdout)  # resend --print
    if check:
        assert p.returncode == 0, p.stderr
    return p


VAULT_BACKEND = os.environ.get("SEALPOST_TEST_VAULT_BACKEND", "lmdb")
_pg_databases = 0


def pg_create_database(admin_dsn: str) -> str:
    """A fresh database on the PostgreSQL server of `admin_dsn`; returns its DSN."""
    global _pg_databases
    _pg_databases += 1
    name = f"it_{os.getpid()}_{_pg_databases}"
    for sql in (f"DROP DATABASE IF EXISTS {name} WITH (FORCE)", f"CREATE DATABASE {name}"):
        subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", admin_dsn, "-c", sql],
                       check=True, capture_output=True, timeout=60)
    return re.sub(r"dbname=\S+", f"dbname={name}", admin_dsn)


def vault_settings(seal_dir: Path) -> dict:
    """The [vault] keys of the store in `seal_dir`: its LMDB directory and keys, plus the
    PostgreSQL backend and DSN file when seal_setup made one."""
    v = {"dir": str(seal_dir / "vault"), "key_dir": str(seal_dir / "keys")}
    if (seal_dir / "vault.dsn").exists():
        v.update({"backend": "postgresql", "dsn_file": str(seal_dir / "vault.dsn")})
    return v


def seal_setup(seal_dir: Path = None, backend: str = None, pg_admin_dsn: str = None) -> Path:
    """A directory with `keys/` (sealpost keys init), room for `vault/`, and `admin.toml`. On
    PostgreSQL (`backend`, default SEALPOST_TEST_VAULT_BACKEND) also a fresh database, its DSN
    in `vault.dsn` (0600), and its schema (sealpost vault init)."""
    if seal_dir is None:
        seal_dir = Path(tempfile.mkdtemp(prefix="sealpost-proxy-it-", dir="/tmp"))
        _seal_dirs.append(seal_dir)
    seal_dir.mkdir(parents=True, exist_ok=True)
    if (backend or VAULT_BACKEND) == "postgresql":
        admin = pg_admin_dsn or os.environ.get("SEALPOST_TEST_PG_DSN")
        assert admin, "SEALPOST_TEST_PG_DSN is not set: no PostgreSQL server for this run"
        dsn_file = seal_dir / "vault.dsn"
        dsn_file.write_text(pg_create_database(admin) + "\n")
        dsn_file.chmod(0o600)
    v = vault_settings(seal_dir)
    (seal_dir / "admin.toml").write_text(
        "[vault]\n" + "".join(f"{k} = {toml_value(x)}\n" for k, x in v.items()))
    admin_run(seal_dir, "keys", "init")
    if "dsn_file" in v:
        admin_run(seal_dir, "vault", "init")
    return seal_dir


def proxy_config_text(certs: Path, upstream_url: str, listeners=(("plain", "127.0.0.1"),),
                      proxy=None, upstream=None, log_level="debug", seal_dir=None,
                      vault=None, practice=None) -> str:
    p = {"hostname": "sealpost.test", "auth": "passthrough",
         "tls_cert": str(certs / "server-chain.crt"), "tls_key": str(certs / "server.key"),
         "admin_listen": "127.0.0.1:0"}
    p["policy_file"] = str(POLICY_FILE)
    p["templates_dir"] = str(TEMPLATES_DIR)
    p.update(proxy or {})
    u = {"url": upstream_url, "ca_file": str(certs / "ca.crt")}
    u.update(upstream or {})
    if seal_dir is None:
        seal_dir = seal_setup()
    out = ["[practice]", f"name = {toml_value(PRACTICE_NAME)}",
           f"base_url = {toml_value(BASE_URL)}",
           f"internal_domains = {toml_value([INTERNAL_DOMAIN])}"]
    out += [f"{k} = {toml_value(x)}" for k, x in (practice or {}).items()]
    v = vault_settings(seal_dir)
    v.update(vault or {})
    out += ["[vault]"] + [f"{k} = {toml_value(x)}" for k, x in v.items()]
    out += ["[proxy]"] + [f"{k} = {toml_value(v)}" for k, v in p.items()]
    for kind, addr in listeners:
        out += ["[[proxy.listener]]", f'kind = "{kind}"', f'address = "{addr}"', "port = 0"]
    out += ["[upstream]"] + [f"{k} = {toml_value(v)}" for k, v in u.items()]
    out += ["[log]", f'level = "{log_level}"']
    return "\n".join(out) + "\n"


def stop_daemon(proc: subprocess.Popen, log_file, sig=None):
    """Stops a daemon started here: SIGTERM (or `sig`) if it still runs, SIGKILL if it has not
    exited 30 s later; then closes its log file."""
    if proc.poll() is None:
        proc.terminate() if sig is None else proc.send_signal(sig)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    log_file.close()


class Proxy:
    """A running sealpost-proxy; `ports[kind]` is the port of that listener, `ports["admin"]`
    the one of its admin listener (/metrics, /healthz), which it reports last."""

    def __init__(self, config_path: Path, log_path: Path, expect: int):
        self.log_path = log_path
        record("logs", log_path)
        self.log_file = open(log_path, "wb")
        self.proc = subprocess.Popen([str(PROXY_BIN), "--config", str(config_path)],
                                     stdout=subprocess.PIPE, stderr=self.log_file)
        self.ports = {}
        try:
            self._read_listeners(expect)
        except Exception:
            self.proc.kill()  # never leave a half-started proxy behind
            self.proc.wait()
            self.log_file.close()
            raise

    def _read_listeners(self, expect: int):
        deadline = time.monotonic() + 30
        while "admin" not in self.ports:
            line = self.proc.stdout.readline().decode()
            if not line:
                raise RuntimeError(f"sealpost-proxy exited: {self.log()}")
            if time.monotonic() > deadline:
                raise RuntimeError("sealpost-proxy did not report its listeners")
            parts = dict(kv.split("=", 1) for kv in line.split() if "=" in kv)
            self.ports[parts["kind"]] = int(parts["addr"].rsplit(":", 1)[1])

    def log(self) -> str:
        self.log_file.flush()
        return self.log_path.read_text(errors="replace")

    def stop(self, sig=None):
        stop_daemon(self.proc, self.log_file, sig)


@pytest.fixture
def start_proxy(tmp_path, dev_certs):
    """start_proxy(upstream_url, listeners=..., proxy={...}, upstream={...}, vault={...},
    practice={...}).
    The Proxy's `seal_dir` holds its vault, keys and admin.toml (for admin_run)."""
    started = []

    def start(upstream_url, listeners=(("plain", "127.0.0.1"),), proxy=None, upstream=None,
              config_text=None, vault=None, practice=None):
        n = len(started)
        cfg = tmp_path / f"proxy{n}.toml"
        seal_dir = seal_setup(tmp_path / f"seal{n}")
        cfg.write_text(config_text or proxy_config_text(dev_certs, upstream_url, listeners, proxy,
                                                        upstream, seal_dir=seal_dir,
                                                        vault=vault, practice=practice))
        p = Proxy(cfg, tmp_path / f"proxy{n}.log", expect=len(listeners))
        p.seal_dir = seal_dir
        p.upstream_url = upstream_url
        started.append(p)
        return p

    yield start
    for p in started:
        p.stop()
        if (p.upstream_url or "").startswith("maildir:"):  # its links are secrets too
            for f in Path(p.upstream_url[len("maildir:"):]).glob("*/*"):
                if f.is_file():
                    record_mail(f.read_bytes())
    for p in started:
        log = p.log_path.read_text(errors="replace")
        # A sanitizer build reports memory errors, leaks and UB in the log: any is a failure.
        for marker in ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:"):
            assert marker not in log, f"{marker} in {p.log_path}"


@pytest.fixture
def sealing(dev_certs, start_proxy):
    """(proxy, upstream): a real sealpost-proxy, auth none on its plain loopback listener, in
    front of an aiosmtpd upstream without AUTH."""
    up = Upstream(dev_certs, require_auth=False)
    proxy = start_proxy(f"smtp://127.0.0.1:{up.port}", proxy={"auth": "none"})
    yield proxy, up
    up.stop()


def client_tls_context(certs: Path) -> ssl.SSLContext:
    ctx = ssl.create_default_context(cafile=str(certs / "ca.crt"))
    return ctx


class RawSmtp:
    """A byte-exact SMTP client over a plain socket, for what smtplib will not send."""

    def __init__(self, port: int, host: str = "127.0.0.1", timeout: float = 30,
                 source: str | None = None):
        self.sock = socket.create_connection((host, port), timeout=timeout,
                                             source_address=(source, 0) if source else None)
        self.buf = b""

    def send(self, data: bytes):
        self.sock.sendall(data)

    def read_reply(self):
        """(code, [text lines]) of the next reply; (None, []) if the server closed."""
        lines = []
        while True:
            while b"\r\n" not in self.buf:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return None, lines
                self.buf += chunk
            line, self.buf = self.buf.split(b"\r\n", 1)
            text = line.decode("utf-8", "replace")
            lines.append(text[4:])
            if len(text) < 4 or text[3] == " ":
                return int(text[:3]), lines

    def cmd(self, line: str):
        self.send(line.encode() + b"\r\n")
        return self.read_reply()

    def closed(self) -> bool:
        """True when the server has closed the connection (reads EOF)."""
        try:
            return self.sock.recv(1) == b""
        except ConnectionResetError:
            return True

    def close(self):
        self.sock.close()
