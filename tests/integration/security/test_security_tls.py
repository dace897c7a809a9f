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
PROBES = {  # name: (s_client options, accepted by sealpost)
    "tls1.0": (["-tls1", "-cipher", ANY_LEVEL], False),
    "tls1.1": (["-tls1_1", "-cipher", ANY_LEVEL], False),
    "weak ciphers": (["-tls1_2", "-cipher", WEAK], False),
    "cbc ciphers": (["-tls1_2", "-cipher", CBC], False),
    "tls1.2": (["-tls1_2"], True),
    "tls1.3": (["-tls1_3"], True),
}


def handshake(port, ca, options, starttls=False):
    """(protocol, cipher, verify result) of one s_client handshake; protocol None if it failed."""
    args = ["openssl", "s_client", "-connect", f"127.0.0.1:{port}", "-servername", "localhost",
            "-CAfile", str(ca), "-verify_return_error", *options]
    if starttls:
        args += ["-starttls", "smtp", "-name", "client.example"]
    p = subprocess.run(args, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                       timeout=30, env=NO_CONF)
    m = NEW.search(p.stdout)
    verify = re.search(r"Verify return code: (\d+)", p.stdout)
    if p.returncode != 0 or not m or m.group(1) == "(NONE)":
        return None, None, verify and int(verify.group(1))
    return m.group(1), m.group(2), int(verify.group(1))


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
        if handshake(port, dev_certs / "ca.crt", ["-tls1_3"])[0]:
            break
        assert p.poll() is None, "openssl s_server did not start"
        time.sleep(0.05)
    yield port
    p.kill()
    p.wait()


@pytest.mark.parametrize("probe", PROBES)
def test_every_probe_gets_through_to_a_server_that_allows_it(control, dev_certs, probe):
    options, _ = PROBES[probe]
    protocol, cipher, verify = handshake(control, dev_certs / "ca.crt", options)
    assert protocol is not None, f"the client cannot even offer {probe}"
    assert verify == 0


@pytest.mark.parametrize("probe", PROBES)
def test_listeners_accept_tls12_aead_and_tls13_only(listeners, dev_certs, probe, capsys):
    options, accepted = PROBES[probe]
    for name, (port, starttls) in listeners.items():
        protocol, cipher, verify = handshake(port, dev_certs / "ca.crt", options, starttls)
        with capsys.disabled():
            print(f"\n{name:26} {probe:13} -> {protocol or 'refused'} {cipher or ''}", end="")
        if not accepted:
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
        protocol, _, verify = handshake(port, other.with_suffix(".crt"), ["-tls1_3"], starttls)
        assert protocol is None and verify in (19, 20, 21), (name, verify)
