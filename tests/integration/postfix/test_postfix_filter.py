# SPDX-License-Identifier: Apache-2.0
"""sealpost as Postfix's before-queue content filter (packaging/postfix, Postfix SMTPD_PROXY_README).

A throwaway Postfix instance (its own config_directory, queue_directory and data_directory in a
temporary directory, loopback ports, `postfix -c DIR start`; never /etc/postfix or the system
instance) runs in front of a real sealpost-proxy, and relays what it queues to an aiosmtpd
upstream:

  client -> Postfix 127.0.0.1:PUBLIC -> sealpost (plain, auth none) -> Postfix 127.0.0.1:AFTER
         -> queue -> smtp -> aiosmtpd upstream

The after-filter service and the main.cf settings are taken from the shipped snippets, so a
broken snippet fails here. The public service is the snippet's, without SASL and TLS (the test
client is in mynetworks)."""
import os
import re
import shutil
import smtplib
import subprocess
import tempfile
import time
from email.message import EmailMessage
from pathlib import Path

import email.policy
import pytest

from conftest import BASE_URL, SOURCE_DIR, Upstream, free_port, in_clear

SNIPPETS = SOURCE_DIR / "packaging" / "postfix"
RECHNUNG = SOURCE_DIR / "tests" / "data" / "samples" / "Rechnung-2026-1127.pdf"
LINK = re.compile(re.escape(BASE_URL).encode() + rb"/d/([A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])")
NO_PHONE = b"5.7.1 No mobile number for p***@example.org: add [sms:+41...] to the subject"

# Postfix's internal services, none chrooted (a chroot needs files copied into the queue).
INTERNAL_SERVICES = """\
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


def postfix_bin() -> str:
    path = shutil.which("postfix", path=os.environ.get("PATH", "") + ":/usr/sbin:/sbin")
    assert path, "postfix is not installed (packaging/build-deps.txt lists it)"
    return path


def snippet_service(name: str) -> str:
    """The master.cf entry `name` of master.cf.snippet, with its `-o` lines."""
    lines = (SNIPPETS / "master.cf.snippet").read_text().splitlines()
    out = []
    for line in lines:
        if out and (line.startswith(" ") or line.startswith("\t")):
            out.append(line)
        elif out:
            break
        elif line.split(maxsplit=1)[:1] == [name]:
            out.append(line)
    assert out, f"no {name} entry in master.cf.snippet"
    return "\n".join(out) + "\n"


class Postfix:
    """A private Postfix instance in a temporary directory, stopped by stop()."""

    def __init__(self, sealpost_port: int, after_port: int, relay_port: int):
        self.dir = Path(tempfile.mkdtemp(prefix="sealpost-postfix-it-", dir="/tmp"))
        self.dir.chmod(0o755)  # Postfix's daemons run as `postfix` and need to get in
        self.conf = self.dir / "conf"  # config_directory: root-owned, apart from the queue
        self.queue = self.dir / "queue"
        self.data = self.dir / "data"
        self.maillog = self.dir / "maillog"
        for d in (self.conf, self.queue, self.data):
            d.mkdir()
        shutil.chown(self.data, user="postfix")
        self.public_port = free_port()
        self.after_port = after_port

        main = f"""\
compatibility_level = 3.6
queue_directory = {self.queue}
data_directory = {self.data}
mail_owner = postfix
setgid_group = postdrop
maillog_file = {self.maillog}
maillog_file_prefixes = {self.dir}
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = postfix.sealpost.test
mydestination =
local_recipient_maps =
local_transport = error:local delivery is disabled
alias_maps =
alias_database =
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
relayhost = [127.0.0.1]:{relay_port}
smtp_tls_security_level = encrypt
""" + (SNIPPETS / "main.cf.snippet").read_text()
        public = (f"127.0.0.1:{self.public_port} inet n - n - - smtpd\n"
                  f"  -o smtpd_proxy_filter=127.0.0.1:{sealpost_port}\n")
        after = snippet_service("127.0.0.1:10026").replace(
            "127.0.0.1:10026", f"127.0.0.1:{self.after_port}", 1)
        (self.conf / "main.cf").write_text(main)
        (self.conf / "master.cf").write_text(public + after + INTERNAL_SERVICES)
        self._postfix("check")
        self._postfix("start")
        self.master_pid = int((self.queue / "pid" / "master.pid").read_text().split()[0])
        for port in (self.public_port, self.after_port):
            self._wait_listening(port)

    def _wait_listening(self, port: int):
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                smtplib.SMTP("127.0.0.1", port, timeout=5).quit()
                return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"Postfix does not listen on {port}:\n{self.log()}")

    def _postfix(self, *args, check=True):
        # stdin/stdout not inherited: the daemons must not keep the test's pipes open.
        p = subprocess.run([postfix_bin(), "-c", str(self.conf), *args],
                           stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=60)
        if check:
            assert p.returncode == 0, (args, p.stdout, self.log())
        return p

    def log(self) -> str:
        return self.maillog.read_text(errors="replace") if self.maillog.exists() else ""

    def stop(self):
        self._postfix("stop", check=False)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and _alive(self.master_pid):
            time.sleep(0.1)
        if _alive(self.master_pid):
            self._postfix("abort", check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (stopped, not yet reaped by its parent) counts as gone.
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.fixture
def chain(dev_certs, start_proxy):
    """(postfix, sealpost, upstream). sealpost connects to its upstream (Postfix's after-filter
    port) per session, so it can start first and give Postfix its port."""
    up = Upstream(dev_certs, require_auth=False)
    after_port = free_port()
    sealpost = start_proxy(f"smtp://127.0.0.1:{after_port}", proxy={"auth": "none"},
                           upstream={"tls": "none"})
    pf = Postfix(sealpost.ports["plain"], after_port, up.port)
    yield pf, sealpost, up
    pf.stop()
    up.stop()


def invoice_mail(subject: str) -> bytes:
    m = EmailMessage()
    m["From"] = "Praxis Muster <praxis@praxis.example.ch>"
    m["To"] = "patient@example.org"
    m["Subject"] = subject
    m["Message-ID"] = "<postfix-filter-test@praxis.example.ch>"
    m.set_content("Guten Tag\n\nIhre Rechnung im Anhang.\n")
    m.add_attachment(RECHNUNG.read_bytes(), maintype="application", subtype="pdf",
                     filename=RECHNUNG.name)
    return m.as_bytes(policy=email.policy.SMTP)


def submit(port: int, data: bytes):
    """(code, text) of Postfix's reply to the end of DATA."""
    s = smtplib.SMTP("127.0.0.1", port, timeout=120)
    try:
        s.ehlo("client.example")
        s.sendmail("praxis@praxis.example.ch", ["patient@example.org"], data)
        return 250, b""
    except smtplib.SMTPResponseException as e:  # MAIL or DATA refused
        return e.smtp_code, e.smtp_error
    except smtplib.SMTPRecipientsRefused as e:
        return e.recipients["patient@example.org"]
    finally:
        s.quit()


def wait_for_messages(up, n: int, pf: Postfix):
    """Postfix delivers from its queue on its own schedule: wait for it (not a timing assert)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and up.handler.count() < n:
        time.sleep(0.1)
    assert up.handler.count() == n, pf.log()


def test_invoice_through_postfix_arrives_sealed(chain):
    pf, sealpost, up = chain
    assert submit(pf.public_port, invoice_mail("Ihre Rechnung [sms:079 123 45 67]"))[0] == 250
    wait_for_messages(up, 1, pf)
    [got] = up.messages
    assert got.mail_from == "praxis@praxis.example.ch"
    assert got.rcpt_tos == ["patient@example.org"]
    assert b"%PDF" not in got.content
    assert not in_clear(got.content), "a PDF arrived in clear (base64)"
    assert len(set(LINK.findall(got.content))) == 1
    msg = email.message_from_bytes(got.content, policy=email.policy.default)
    assert msg["Subject"] == "Ihre Rechnung"
    assert not any(p.get_content_disposition() == "attachment" for p in msg.walk())
    # Both hops are on record: sealpost's Received line under Postfix's.
    received = [" ".join(r.split()) for r in msg.get_all("Received")]
    assert any("by postfix.sealpost.test" in r for r in received)
    assert any("by sealpost.test (sealpost)" in r for r in received)


def test_postfix_client_sees_sealpost_refusal(chain):
    pf, sealpost, up = chain
    code, text = submit(pf.public_port, invoice_mail("Ihre Rechnung"))
    assert (code, text) == (550, NO_PHONE)
    # A refused mail is not queued: nothing reaches the upstream, not even later.
    assert submit(pf.public_port, invoice_mail("Termin [sms:079 123 45 67]"))[0] == 250
    wait_for_messages(up, 1, pf)
    assert b"Termin" in up.messages[0].content and b"%PDF" not in up.messages[0].content
    assert not in_clear(up.messages[0].content), "a PDF arrived in clear (base64)"


def test_postfix_fails_closed_when_sealpost_is_down(chain):
    pf, sealpost, up = chain
    sealpost.stop()
    code, _ = submit(pf.public_port, invoice_mail("Ihre Rechnung [sms:079 123 45 67]"))
    assert 400 <= code < 500  # the client keeps the mail and retries; nothing leaves in clear
    assert up.messages == []  # and Postfix did not queue it: there is nothing to wait for
