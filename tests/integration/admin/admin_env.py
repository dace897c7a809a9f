# SPDX-License-Identifier: Apache-2.0
"""Shared by the admin CLI suites: a temporary config, vault and key directory (Env), the
test-only helper sealpost_test_envelope ($SEALPOST_TEST_ENVELOPE, default: next to the unit
tests in the same build tree) that seals envelopes and opens links as the portal would, and
checks for the CLI's exit codes and one-line errors."""
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from conftest import admin_bin, record, record_tokens


def _helper():
    path = os.environ.get("SEALPOST_TEST_ENVELOPE")
    if not path:
        # SEALPOST_BIN is BUILD/admin/sealpost; the helper is built with the admin unit tests.
        path = str(Path(admin_bin()).parent.parent / "tests/unit/admin/sealpost_test_envelope")
    assert os.access(path, os.X_OK), f"not executable: {path} (set SEALPOST_TEST_ENVELOPE)"
    return path


class Env:
    """A temporary directory with sealpost.toml pointing vault.dir and vault.key_dir into it."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="sealpost-admin-it-", dir="/tmp"))
        self.vault = self.dir / "vault"
        self.keys = self.dir / "keys"
        self.config = self.dir / "sealpost.toml"
        self.write_config()

    def run(self, *args, config=True):
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "TZ": "UTC",
            "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", ""),
        }
        if config:
            env["SEALPOST_CONFIG"] = str(self.config)
        p = subprocess.run([admin_bin(), *args], capture_output=True, text=True, env=env,
                           timeout=60)
        record_tokens(p.stdout)  # resend --print
        return p

    def write_config(self, extra: str = ""):
        """sealpost.toml: [vault] in this directory, then `extra` (more sections)."""
        self.config.write_text(f'[vault]\ndir = "{self.vault}"\nkey_dir = "{self.keys}"\n'
                               + extra)

    def open_link(self, token):
        """What the portal would get for `token`: "ID EXPIRES FILE" or an error name."""
        p = subprocess.run([_helper(), str(self.vault), str(self.keys), "--open", token],
                           capture_output=True, text=True, timeout=60)
        assert p.returncode in (0, 1), p.stderr
        return p.stdout.strip()

    def envelope(self, *flags):
        """Seals one envelope with the helper; returns (id, token)."""
        p = subprocess.run([_helper(), str(self.vault), str(self.keys), *flags],
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 0, p.stderr
        env_id, token = p.stdout.split()
        record("secrets", token)
        assert re.fullmatch(r"[0-9a-f]{32}", env_id)
        assert len(token) == 43
        return env_id, token

    def cleanup(self):
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def env():
    e = Env()
    yield e
    e.cleanup()


@pytest.fixture
def keyed(env):
    r = env.run("keys", "init")
    assert r.returncode == 0, r.stderr
    return env


def ok(r, stdout=None):
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""
    if stdout is not None:
        assert r.stdout == stdout
    return r.stdout


def error(r, line):
    """Exit 1 with exactly `line` as the only line on stderr."""
    assert r.returncode == 1, (r.stdout, r.stderr)
    assert r.stderr == line + "\n"


def usage(r, line):
    """Exit 2: one line saying what is wrong and the hint."""
    assert r.returncode == 2, (r.stdout, r.stderr)
    assert r.stdout == ""
    assert r.stderr == line + "\ntry 'sealpost --help'\n"
