# SPDX-License-Identifier: Apache-2.0
"""The embedded maildir upstream with the shipped example config
(packaging/sealpost.toml.example, only paths and ports overridden): swaks delivers, with and
without STARTTLS, and each message lands in new/ exactly once with nothing left in tmp/."""
import re
import subprocess

import pytest
from conftest import POLICY_FILE, SOURCE_DIR, TEMPLATES_DIR, Proxy, seal_setup


@pytest.fixture
def example_proxy(tmp_path, dev_certs):
    text = (SOURCE_DIR / "packaging" / "sealpost.toml.example").read_text()
    md = tmp_path / "maildir"
    text = text.replace('"/etc/sealpost/tls/proxy.crt"', f'"{dev_certs}/server-chain.crt"')
    text = text.replace('"/etc/sealpost/tls/proxy.key"', f'"{dev_certs}/server.key"')
    text = text.replace('"maildir:/var/lib/sealpost/maildir"', f'"maildir:{md}"')
    seal = seal_setup(tmp_path / "seal")  # vault, keys; the shipped policy and templates
    text = text.replace('"/var/lib/sealpost/vault"', f'"{seal}/vault"')
    text = text.replace('"/etc/sealpost/keys"', f'"{seal}/keys"')
    text = text.replace('"/etc/sealpost/policies/default.toml"', f'"{POLICY_FILE}"')
    text = text.replace('"/usr/share/sealpost/templates"', f'"{TEMPLATES_DIR}"')
    text = re.sub(r'address = "0\.0\.0\.0"\nport = \d+', 'address = "127.0.0.1"\nport = 0', text)
    # The admin listener too: a fixed port would collide with any other proxy on this host.
    text = re.sub(r'admin_listen = "127\.0\.0\.1:\d+"', 'admin_listen = "127.0.0.1:0"', text)
    cfg = tmp_path / "sealpost.toml"
    cfg.write_text(text)
    p = Proxy(cfg, tmp_path / "proxy.log", expect=2)
    p.maildir = md
    yield p
    p.stop()


def swaks(*args):
    return subprocess.run(["swaks", "--from", "praxis@example.ch", "--to", "patient@example.org",
                           "--header", "Subject: maildir test", "--body", "Gruezi\n.leading dot",
                           *args], capture_output=True, timeout=60, text=True)


def test_swaks_to_example_config_lands_in_maildir(example_proxy, dev_certs):
    r = swaks("--server", f"127.0.0.1:{example_proxy.ports['submission']}")
    assert r.returncode == 0, r.stdout + r.stderr
    r = swaks("--server", f"127.0.0.1:{example_proxy.ports['submission']}", "--tls",
              "--tls-verify", "--tls-ca-path", str(dev_certs / "ca.crt"))
    assert r.returncode == 0, r.stdout + r.stderr
    files = sorted((example_proxy.maildir / "new").iterdir())
    assert len(files) == 2
    assert list((example_proxy.maildir / "tmp").iterdir()) == []
    for f in files:
        data = f.read_bytes()
        assert data.startswith(b"Return-Path: <praxis@example.ch>\nReceived: from ")
        assert b"\r" not in data  # Maildir stores LF line ends
        assert b"\n\nGruezi\n.leading dot\n" in data  # dot-unstuffed again
        assert (f.stat().st_mode & 0o777) == 0o600
    assert b"with ESMTPS id" in files[0].read_bytes() + files[1].read_bytes()
