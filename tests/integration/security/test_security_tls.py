# SPDX-License-Identifier: Apache-2.0
"""TLS of the three listeners, testssl.sh-style with `openssl s_client` (issue 7, security checks):
the proxy's implicit-TLS (465) and STARTTLS (587) listeners and the portal's HTTPS refuse TLS 1.0
and 1.1 and every weak or CBC cipher suite, accept TLS 1.2 (AEAD suites with forward secrecy) and
TLS 1.3, and present a chain that verifies with the dev CA.

Both sides run with OPENSSL_CONF=/dev/null: a system-wide OpenSSL policy must not do the refusing
for sealpost (the daemons' own settings are under test), nor stop the client from offering old
protocols. A control server that accepts everything (`openssl s_server`) shows that every probe
the daemons refuse does get through when the server allows it."""
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import NamedTuple

import pytest
from conftest import Proxy, Upstream, free_port, proxy_config_text, seal_setup

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "portal"))
from portal_env import Portal, portal_config_text  # noqa: E402

NO_CONF = {**os.environ, "OPENSSL_CONF": "/dev/null"}
ANY_LEVEL = "DEFAULT:@SECLEVEL=0"  # the client may offer what the server has to refuse
WEAK = "RC4:3DES:DES:NULL:EXPORT:aNULL:eNULL:MD5:@SECLEVEL=0"
CBC = ("ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-ECDSA-AES128-SHA256:"
       "ECDHE-ECDSA-AES256-SHA384:ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA:AES128-SHA:"
       "AES256-SHA:AES128-SHA256:AES256-SHA256:@SECLEVEL=0")
AEAD_TLS12 = {"ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
              "ECDHE-ECDSA-CHACHA20-POLY1305"}
NEW = re.compile(r"^New, (\S+), Cipher is (\S+)$", re.M)
# s_client -debug: "read from 0x.. [0x..] (4096 bytes => 14 (0xE))" or "write to ...", then
# "0000 - 32 32 30 20 68 69-...   220 hi" lines: the bytes of each read and write on the socket.
IO = re.compile(r"^(read from|write to) \S+ \[\S+\] \(\d+ bytes => (-?\d+)")
DUMP = re.compile(r"^[0-9a-f]{4} - ((?:[0-9a-f]{2}[ -]){1,16})")
PROBES = {  # name: (s_client options, accepted by sealpost)
    "tls1.0": (["-tls1", "-cipher", ANY_LEVEL], False),
    "tls1.1": (["-tls1_1", "-cipher", ANY_LEVEL], False),
    "weak ciphers": (["-tls1_2", "-cipher", WEAK], False),
    "cbc ciphers": (["-tls1_2", "-cipher", CBC], False),
    "tls1.2": (["-tls1_2"], True),
    "tls1.3": (["-tls1_3"], True),
}


class Handshake(NamedTuple):
    protocol: str | None  # None if the handshake failed
    cipher: str | None
    verify: int | None  # s_client's verify return code
    connected: bool  # the TCP connection was made
    smtp: bool  # with STARTTLS: the server greeted (220), listed STARTTLS (250), said 220 to it
    answered: bool  # the server answered the ClientHello with a TLS record (or an alert)

    @property
    def reached(self) -> bool:
        """The probe reached a live TLS server: connected, the SMTP part (if any) done, and a
        TLS answer came. Only then does a failed handshake mean that the server refused."""
        return self.connected and self.smtp and self.answered


def socket_io(stdout: str) -> list[tuple[str, bytes]]:
    """[("read"|"write", bytes)] of s_client -debug's dump, in order."""
    out = []
    for line in stdout.splitlines():
        if m := IO.match(line):
            out.append(("read" if m.group(1) == "read from" else "write", b""))
        elif (m := DUMP.match(line)) and out:
            out[-1] = (out[-1][0], out[-1][1] + bytes.fromhex(m.group(1).replace("-", " ")))
    return out


def smtp_done(io) -> bool:
    """The plain SMTP part of -starttls smtp went as it should: 220 greeting, EHLO answered 250
    with STARTTLS among the extensions, STARTTLS answered 220."""
    lines = b"".join(data for kind, data in io if kind == "read").split(b"\r\n")
    ehlo = [i for i, line in enumerate(lines) if line.startswith(b"250")]
    return (bool(ehlo) and lines[0].startswith(b"220")
            and any(lines[i][4:].upper().startswith(b"STARTTLS") for i in ehlo)
            and any(line.startswith(b"220 ") for line in lines[ehlo[-1] + 1:]))


def handshake(port, ca, options, starttls=False) -> Handshake:
    """One s_client handshake: protocol, cipher and verify result (protocol None if it failed),
    and how far the connection got (see Handshake)."""
    args = ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", "localhost",
            "-CAfile", str(ca), "-verify_return_error", "-debug", *options]
    if starttls:
        args += ["-starttls", "smtp", "-name", "client.example"]
    p = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=30, env=NO_CONF, errors="replace")
    io = socket_io(p.stdout)
    # The first write that is a TLS record (0x16 handshake) is the ClientHello; the server's
    # answer is the first read after it that has bytes.
    hello = next((i for i, (k, d) in enumerate(io) if k == "write" and d[:1] == b"\x16"), None)
    answer = next((d for k, d in io[hello + 1:] if k == "read" and d), b"") \
        if hello is not None else b""
    progress = dict(connected="CONNECTED(" in p.stdout, smtp=not starttls or smtp_done(io),
                    answered=answer[:1] in (b"\x15", b"\x16"))
    m = NEW.search(p.stdout)
    verify = re.search(r"Verify return code: (\d+)", p.stdout)
    if p.returncode != 0 or not m or m.group(1) == "(NONE)":
        return Handshake(None, None, verify and int(verify.group(1)), **progress)
    return Handshake(m.group(1), m.group(2), int(verify.group(1)), **progress)


@pytest.fixture(scope="module")
def listeners(tmp_path_factory, dev_certs):
    """{name: (port, starttls)}: the proxy's two TLS listeners and the portal, started with no
    system OpenSSL policy."""
    tmp = tmp_path_factory.mktemp("tls")
    old = os.environ.get("OPENSSL_CONF")
    os.environ["OPENSSL_CONF"] = "/dev/null"  # for the daemons started below
    up = Upstream(dev_certs, require_auth=False)
    seal = seal_setup(tmp / "seal")
    cfg = tmp / "proxy.toml"
    cfg.write_text(proxy_config_text(
        dev_certs, f"smtp://127.0.0.1:{up.port}", seal_dir=seal, proxy={"auth": "none"},
        listeners=[("submission", "127.0.0.1"), ("submissions", "127.0.0.1")]))
    proxy = Proxy(cfg, tmp / "proxy.log", expect=2)
    (tmp / "portal.toml").write_text(portal_config_text(dev_certs, seal,
                                                        "http://127.0.0.1:9/sms"))
    portal = Portal(tmp / "portal.toml", tmp / "portal.log", dev_certs / "ca.crt")
    if old is None:
        del os.environ["OPENSSL_CONF"]
    else:
        os.environ["OPENSSL_CONF"] = old
    yield {"proxy 465 (implicit TLS)": (proxy.ports["submissions"], False),
           "proxy 587 (STARTTLS)": (proxy.ports["submission"], True),
           "portal (HTTPS)": (portal.port, False)}
    proxy.stop()
    portal.stop()
    up.stop()


@pytest.fixture(scope="module")
def control(dev_certs):
    """An `openssl s_server` with the same certificate that accepts any protocol and cipher."""
    port = free_port()
    p = subprocess.Popen(["openssl", "s_server", "-accept", f"127.0.0.1:{port}", "-naccept", "100",
                          "-cert", str(dev_certs / "server-chain.crt"),
                          "-key", str(dev_certs / "server.key"), "-min_protocol", "TLSv1",
                          "-cipher", "ALL:eNULL:@SECLEVEL=0", "-quiet"],
                         stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, env=NO_CONF)
    for _ in range(100):  # until it listens
        if handshake(port, dev_certs / "ca.crt", ["-tls1_3"]).protocol:
            break
        assert p.poll() is None, "openssl s_server did not start"
        time.sleep(0.05)
    yield port
    p.kill()
    p.wait()


@pytest.mark.parametrize("probe", PROBES)
def test_every_probe_gets_through_to_a_server_that_allows_it(control, dev_certs, probe):
    options, _ = PROBES[probe]
    protocol, cipher, verify, *_ = handshake(control, dev_certs / "ca.crt", options)
    assert protocol is not None, f"the client cannot even offer {probe}"
    assert verify == 0


@pytest.mark.parametrize("probe", PROBES)
def test_listeners_accept_tls12_aead_and_tls13_only(listeners, dev_certs, probe, capsys):
    options, accepted = PROBES[probe]
    for name, (port, starttls) in listeners.items():
        hs = handshake(port, dev_certs / "ca.crt", options, starttls)
        protocol, cipher, verify = hs.protocol, hs.cipher, hs.verify
        with capsys.disabled():
            print(f"\n{name:26} {probe:13} -> {protocol or 'refused'} {cipher or ''}", end="")
        if not accepted:
            # A refusal counts only from a live TLS server, not from a dead one or a wrong port.
            assert hs.reached, f"{name} never got to the TLS handshake: {hs}"
            assert protocol is None, f"{name} accepted {probe}: {protocol} {cipher}"
            continue
        assert verify == 0, f"{name}: the chain does not verify with the dev CA"
        assert protocol == {"tls1.2": "TLSv1.2", "tls1.3": "TLSv1.3"}[probe]
        if probe == "tls1.2":
            assert cipher in AEAD_TLS12, f"{name} chose {cipher}"


def test_the_chain_fails_with_another_ca(listeners, tmp_path, dev_certs):
    """-verify_return_error does fail a handshake whose chain is not from the given CA."""
    other = tmp_path / "other"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=Other CA", "-days", "1",
                    "-keyout", str(other.with_suffix(".key")), "-out",
                    str(other.with_suffix(".crt"))], check=True, capture_output=True, env=NO_CONF)
    for name, (port, starttls) in listeners.items():
        hs = handshake(port, other.with_suffix(".crt"), ["-tls1_3"], starttls)
        assert hs.reached, f"{name} never got to the TLS handshake: {hs}"
        protocol, verify = hs.protocol, hs.verify
        assert protocol is None and verify in (19, 20, 21), (name, verify)
