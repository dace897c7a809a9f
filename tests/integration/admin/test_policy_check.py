# SPDX-License-Identifier: Apache-2.0
# Integration tests for `sealpost policy check`: the real CLI on messages built with Python's
# `email` package from the sample PDFs, the shipped default policy and notice templates.
import email
import email.policy
import os
import re
import shutil
import subprocess
import tempfile
from email.message import EmailMessage
from pathlib import Path

import pytest

from conftest import admin_bin, in_clear

SOURCE_DIR = Path(__file__).resolve().parents[3]
SAMPLES = SOURCE_DIR / "tests" / "data" / "samples"
RECHNUNG = SAMPLES / "Rechnung-2026-1127.pdf"
BELEG = SAMPLES / "Rueckforderungsbeleg-2026-1127.pdf"
POLICY = SOURCE_DIR / "policies" / "default.toml"
TEMPLATES = SOURCE_DIR / "policies" / "templates"
BASE_URL = "https://portal.example.ch"
INTERNAL = "praxis.example.ch"
LINK = re.compile(re.escape(BASE_URL) + r"/d/[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])")
NO_PHONE = ("550 5.7.1 No mobile number for p***@example.org: add [sms:+41...] to the "
            "subject")


class Env:
    """A temporary directory with a config (practice, policy, templates, vault) and a TMPDIR
    of its own, so that the check's throwaway directory can be seen to be gone."""

    def __init__(self):
        self.dir = Path(tempfile.mkdtemp(prefix="sealpost-check-it-", dir="/tmp"))
        self.tmp = self.dir / "tmp"
        self.tmp.mkdir()
        self.vault = self.dir / "vault"
        self.keys = self.dir / "keys"
        self.config = self.dir / "sealpost.toml"
        self.config.write_text(
            f'[practice]\nname = "Praxis Muster"\nbase_url = "{BASE_URL}"\n'
            f'internal_domains = ["{INTERNAL}"]\n'
            f'[proxy]\npolicy_file = "{POLICY}"\ntemplates_dir = "{TEMPLATES}"\n'
            f'[vault]\ndir = "{self.vault}"\nkey_dir = "{self.keys}"\n')

    def run(self, *args):
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "TZ": "UTC",
               "TMPDIR": str(self.tmp), "SEALPOST_CONFIG": str(self.config),
               "ASAN_OPTIONS": os.environ.get("ASAN_OPTIONS", "")}
        return subprocess.run([admin_bin(), *args], capture_output=True, env=env, timeout=60)

    def message(self, to, subject, name="msg.eml"):
        m = EmailMessage()
        m["From"] = "Praxis Muster <praxis@example.ch>"
        m["To"] = to
        m["Subject"] = subject
        m["Message-ID"] = "<check-test@example.ch>"
        m.set_content("Guten Tag\n\nIhre Rechnung im Anhang.\n")
        for pdf in (RECHNUNG, BELEG):
            m.add_attachment(pdf.read_bytes(), maintype="application", subtype="pdf",
                             filename=pdf.name)
        path = self.dir / name
        path.write_bytes(m.as_bytes(policy=email.policy.SMTP))
        return path

    def check(self, msg, *to, extra=()):
        args = ["policy", "check", str(msg), "--from", "praxis@example.ch"]
        for t in to:
            args += ["--to", t]
        return self.run(*args, *extra)


@pytest.fixture
def env():
    e = Env()
    yield e
    shutil.rmtree(e.dir, ignore_errors=True)


def messages(stdout: bytes) -> dict:
    """The messages printed on stdout, by recipient."""
    out = {}
    for m in re.finditer(rb"\n===== message for (\S+) \((seal|pass), (\d+) bytes\) =====\n",
                         stdout):
        start = m.end()
        out[m.group(1).decode()] = stdout[start:start + int(m.group(3))]
    return out


def assert_sealed(content: bytes):
    assert b"%PDF" not in content and b"JVBERi" not in content
    assert not in_clear(content)
    msg = email.message_from_bytes(content, policy=email.policy.default)
    assert not [p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf"]
    text = msg.get_body(("plain",)).get_content()
    assert LINK.search(text) and "/d/" in text
    assert "Rechnung-2026-1127.pdf" in text
    assert "[sms:" not in msg["Subject"]


def test_external_recipient_with_tag_is_sealed(env):
    msg = env.message("patient@example.org", "Rechnung [sms:079 123 45 67]")
    r = env.check(msg, "patient@example.org")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.decode().splitlines()
    assert lines[0] == ("patient@example.org  seal  rule=external-seal  documents: "
                        "Rechnung-2026-1127.pdf, Rueckforderungsbeleg-2026-1127.pdf  "
                        "phone: ••67 (subject_tag)")
    got = messages(r.stdout)
    assert list(got) == ["patient@example.org"]
    assert_sealed(got["patient@example.org"])
    assert b"%PDF" not in r.stdout
    assert not in_clear(r.stdout)
    # Nothing stored: no real vault made, the throwaway directory is gone.
    assert b"contacts not looked up" in r.stderr
    assert not env.vault.exists() and list(env.tmp.iterdir()) == []


def untagged(msg) -> bytes:
    """What the proxy passes on: the message as it is, but for its phone tag."""
    return msg.read_bytes().replace(b"Subject: Rechnung [sms:079 123 45 67]\r\n",
                                    b"Subject: Rechnung\r\n")


def test_internal_recipient_passes_byte_for_byte_but_for_the_phone_tag(env):
    msg = env.message(f"mpa@{INTERNAL}", "Rechnung [sms:079 123 45 67]")
    out = env.dir / "out"
    r = env.check(msg, f"mpa@{INTERNAL}", extra=("--out", str(out)))
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().splitlines()[0] == f"mpa@{INTERNAL}  pass  rule=internal-pass"
    files = sorted(out.iterdir())
    assert [f.name for f in files] == [f"1-mpa@{INTERNAL}.eml"]
    assert files[0].read_bytes() == untagged(msg)
    # And on stdout, the same bytes.
    r = env.check(msg, f"mpa@{INTERNAL}")
    assert messages(r.stdout)[f"mpa@{INTERNAL}"] == untagged(msg)
    # A message without phone data is passed as it is.
    plain = env.message(f"mpa@{INTERNAL}", "Rechnung", name="plain.eml")
    r = env.check(plain, f"mpa@{INTERNAL}")
    assert messages(r.stdout)[f"mpa@{INTERNAL}"] == plain.read_bytes()


def test_mixed_recipients_one_file_each(env):
    msg = env.message("patient@example.org", "Rechnung [sms:079 123 45 67]")
    out = env.dir / "out"
    r = env.check(msg, "patient@example.org", f"mpa@{INTERNAL}", extra=("--out", str(out)))
    assert r.returncode == 0, r.stderr
    sealed = out / "1-patient@example.org.eml"
    passed = out / f"2-mpa@{INTERNAL}.eml"
    assert sorted(out.iterdir()) == sorted([sealed, passed])
    assert_sealed(sealed.read_bytes())
    assert passed.read_bytes() == untagged(msg)


def test_no_phone_gives_the_550_text(env):
    msg = env.message("patient@example.org", "Rechnung")
    r = env.check(msg, "patient@example.org")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.decode().splitlines()
    assert lines[0] == "patient@example.org  seal  rule=external-seal: " + NO_PHONE
    assert lines[1] == "the proxy would refuse the whole message: " + NO_PHONE
    assert messages(r.stdout) == {}


def test_phone_from_the_real_contacts(env):
    assert env.run("keys", "init").returncode == 0
    r = env.run("contacts", "set", "patient@example.org", "079 765 43 21", "--lang", "fr")
    assert r.returncode == 0, r.stderr
    msg = env.message("patient@example.org", "Rechnung")
    r = env.check(msg, "patient@example.org")
    assert r.returncode == 0, r.stderr
    assert r.stdout.decode().splitlines()[0].endswith("phone: ••21 (contacts)")
    content = messages(r.stdout)["patient@example.org"]
    assert_sealed(content)
    text = email.message_from_bytes(content, policy=email.policy.default)
    assert "Vos documents de" in text.get_body(("plain",)).get_content()
    assert b"contacts not looked up" not in r.stderr
    # The real vault holds no envelope.
    assert env.run("list").stdout.decode().strip() == "no envelopes"


def test_missing_file_is_one_line_and_status_1(env):
    r = env.check(env.dir / "nope.eml", "patient@example.org")
    assert r.returncode == 1
    assert r.stdout == b""
    assert r.stderr.decode() == (f"sealpost: policy check: cannot read {env.dir}/nope.eml: "
                                 "No such file or directory\n")


def test_bad_policy_file_is_one_line_and_status_1(env):
    bad = env.dir / "bad.toml"
    bad.write_text('[[rule]]\nname = "x"\naction = "explode"\n')
    msg = env.message("patient@example.org", "Rechnung")
    r = env.check(msg, "patient@example.org", extra=("--policy", str(bad)))
    assert r.returncode == 1
    assert r.stdout == b""
    err = r.stderr.decode()
    assert err.count("\n") == 1 and err.startswith(f"sealpost: policy check: policy: {bad}:")


def test_usage_and_help(env):
    msg = env.message("patient@example.org", "Rechnung")
    r = env.run("policy", "check", str(msg), "--to", "patient@example.org")
    assert r.returncode == 2
    assert r.stderr.decode().splitlines()[0] == "sealpost: policy check: missing --from ADDRESS"
    r = env.run("policy", "check", str(msg), "--from", "praxis@example.ch")
    assert r.returncode == 2
    assert r.stderr.decode().splitlines()[0] == "sealpost: policy check: missing --to ADDRESS"
    r = env.run("policy", "check", "--from", "a@b.ch", "--to", "c@d.ch")
    assert r.returncode == 2
    r = env.run("list", "--to", "c@d.ch")
    assert r.returncode == 2
    assert r.stderr.decode().splitlines()[0] == "sealpost: list: unknown option '--to'"
    r = env.run("policy", "check", "--help")
    assert r.returncode == 0 and r.stdout.decode().startswith(
        "usage: sealpost [--config PATH] policy check FILE.eml --from A --to B")
    r = env.run("--help")
    assert "  policy check FILE.eml" in r.stdout.decode()
