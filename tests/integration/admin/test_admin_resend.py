# SPDX-License-Identifier: Apache-2.0
# Integration tests for `sealpost resend` and the timeline of `sealpost show`: the real CLI on a
# real vault, with the embedded maildir upstream and with an aiosmtpd smarthost (STARTTLS and
# AUTH, sealpost's own credentials in [notify]). Links are checked as the portal would open them
# (sealpost_test_envelope --open): the old one must die, the new one must open the documents.
import email
import email.policy
import re
import time

import pytest

from admin_env import env, error, keyed, ok  # noqa: F401 (env, keyed: fixtures)
from conftest import (BASE_URL, PRACTICE_NAME, TEMPLATES_DIR, UPSTREAM_PASSWORD, UPSTREAM_USER,
                      Upstream, toml_value)

DAY = 86400
LINK = re.compile(re.escape(BASE_URL) + r"/d/([A-Za-z0-9_-]{43})")


def practice_toml() -> str:
    return (f"[practice]\nname = {toml_value(PRACTICE_NAME)}\nbase_url = {toml_value(BASE_URL)}\n"
            f"[proxy]\ntemplates_dir = {toml_value(str(TEMPLATES_DIR))}\n")


@pytest.fixture
def maildir_env(keyed):
    """The demo's layout: [upstream] is a maildir, so resend's notice lands there too."""
    keyed.maildir = keyed.dir / "maildir"
    keyed.write_config(practice_toml() + f'[upstream]\nurl = "maildir:{keyed.maildir}"\n')
    return keyed


def mails(maildir):
    new = maildir / "new"
    return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default)
            for p in sorted(new.iterdir())] if new.exists() else []


def notice_text(msg) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def new_expiry(line: str, before: float) -> None:
    """The `valid until` date in `line` is vault.link_ttl (30 days) after the resend started
    (the CLI prints minutes, in TZ=UTC)."""
    [shown] = re.findall(r"valid until (\d{4}-\d\d-\d\d \d\d:\d\d);", line)
    start = time.strftime("%Y-%m-%d %H:%M", time.gmtime(before + 30 * DAY))
    end = time.strftime("%Y-%m-%d %H:%M", time.gmtime(time.time() + 30 * DAY))
    assert start <= shown <= end


# ---- maildir upstream ---------------------------------------------------------------------

def test_resend_kills_the_old_link_and_mails_a_working_one(maildir_env):
    e = maildir_env
    env_id, old = e.envelope("--sent", "--events", "--lang", "fr")
    assert e.open_link(old).startswith(env_id + " ")

    before = time.time()
    r = e.run("resend", env_id[:8])
    ok(r)
    assert re.fullmatch(f"resent {env_id} to p\\*\\*\\*@example\\.ch \\(fr\\): new link valid until "
                        r"\S+ \S+; the old link no longer works\n", r.stdout)
    new_expiry(r.stdout, before)

    assert e.open_link(old) == "bad_token"
    [msg] = mails(e.maildir)
    assert msg["From"] == f"{PRACTICE_NAME} <praxis@example.ch>"
    assert msg["To"] == "patient@example.ch"
    assert msg["Subject"] == "Rechnung November"
    assert msg["Return-Path"] == "<praxis@example.ch>"
    assert msg.get_content_type() == "multipart/alternative"
    assert not any(p.get_content_disposition() == "attachment" for p in msg.walk())
    text = notice_text(msg)
    assert text.splitlines()[1] == f"Vos documents de {PRACTICE_NAME}"  # the envelope's language
    assert "- Rechnung.pdf\n" in text
    assert "••67" in text
    [new] = LINK.findall(text)
    html = msg.get_body(preferencelist=("html",)).get_content()
    assert LINK.findall(html) == [new, new]  # the button and the visible link
    opened = e.open_link(new)
    assert re.fullmatch(env_id + r" \d+ Rechnung\.pdf", opened)
    # The token is in the mail only, never on the terminal.
    assert new not in r.stdout + r.stderr

    trail = ok(e.run("show", env_id)).split("audit trail\n", 1)[1].splitlines()
    assert [re.sub(r"^\d{4}-\d\d-\d\d \d\d:\d\d  ", "", line) for line in trail] == [
        "created", "sent", "code sent", "downloaded Rechnung.pdf", "reissued"]


def test_resend_print_shows_the_link_and_mails_nothing(maildir_env):
    e = maildir_env
    now = int(time.time())
    env_id, old = e.envelope("--sent", "--at", str(now - 40 * DAY))  # link expired 10 days ago
    assert e.open_link(old) == "expired"
    before = time.time()
    out = ok(e.run("resend", env_id, "--print"))
    first, url, rest = out.split("\n")
    assert rest == ""
    assert re.fullmatch(f"new link for {env_id}, valid until \\S+ \\S+; "
                        "the old link no longer works", first)
    new_expiry(first, before)
    [new] = LINK.fullmatch(url).groups()
    assert e.open_link(new).startswith(env_id + " ")
    assert e.open_link(old) == "bad_token"
    assert mails(e.maildir) == []
    # A second --print kills the first printed link in turn.
    [newer] = LINK.findall(ok(e.run("resend", env_id, "--print")))
    assert e.open_link(new) == "bad_token"
    assert e.open_link(newer).startswith(env_id + " ")


def test_resend_of_a_revoked_envelope_is_one_line(maildir_env):
    e = maildir_env
    env_id, token = e.envelope("--sent")
    ok(e.run("revoke", env_id))
    for args in (["resend", env_id], ["resend", env_id, "--print"]):
        r = e.run(*args)
        assert r.stdout == ""
        error(r, f"sealpost: resend: envelope {env_id} is revoked or purged; "
                 "its documents are deleted")
    assert mails(e.maildir) == []
    assert e.open_link(token) == "revoked"
    error(e.run("resend", "0" * 32), "sealpost: resend: no envelope " + "0" * 32)


def test_resend_needs_escrow_key(maildir_env):
    e = maildir_env
    env_id, token = e.envelope("--sent")
    (e.keys / "escrow.key").unlink()
    r = e.run("resend", env_id)
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.startswith("sealpost: resend: ") and r.stderr.count("\n") == 1
    assert "escrow.key" in r.stderr
    assert e.open_link(token).startswith(env_id + " ")


# ---- SMTP smarthost -----------------------------------------------------------------------

@pytest.fixture
def smarthost(dev_certs):
    up = Upstream(dev_certs)
    yield up
    up.stop()


def smtp_env(e, up, certs, notify_credentials=True):
    """The packaged layout: the proxy relays the clients' AUTH (passthrough), so sealpost's own
    mails need their own credentials in [notify]."""
    url = f"smtp://127.0.0.1:{up.port}"
    cfg = practice_toml() + (f'auth = "passthrough"\n[upstream]\nurl = "{url}"\n'
                             f'ca_file = "{certs / "ca.crt"}"\n')
    if notify_credentials:
        pw = e.dir / "notify.password"
        pw.write_text(UPSTREAM_PASSWORD + "\n")
        pw.chmod(0o600)
        cfg += (f'[notify]\nurl = "{url}"\nca_file = "{certs / "ca.crt"}"\n'
                f"username = {toml_value(UPSTREAM_USER)}\npassword_file = \"{pw}\"\n")
    e.write_config(cfg)


def test_resend_through_the_smarthost(keyed, smarthost, dev_certs):
    smtp_env(keyed, smarthost, dev_certs)
    env_id, old = keyed.envelope("--sent", "--lang", "it")
    r = keyed.run("resend", env_id)
    ok(r)
    assert r.stdout.startswith(f"resent {env_id} to p***@example.ch (it): new link valid until ")
    [got] = smarthost.messages
    assert got.mail_from == "praxis@example.ch"
    assert got.rcpt_tos == ["patient@example.ch"]
    assert got.auth_login == UPSTREAM_USER.encode()
    msg = email.message_from_bytes(got.content, policy=email.policy.default)
    text = notice_text(msg)
    assert f"I suoi documenti da {PRACTICE_NAME}" in text
    [new] = LINK.findall(text)
    assert keyed.open_link(new).startswith(env_id + " ")
    assert keyed.open_link(old) == "bad_token"


def test_refused_before_the_reissue_changes_nothing(keyed, smarthost, dev_certs):
    # No credentials of its own: the smarthost refuses MAIL. The old link must keep working.
    smtp_env(keyed, smarthost, dev_certs, notify_credentials=False)
    env_id, old = keyed.envelope("--sent")
    r = keyed.run("resend", env_id)
    error(r, f"sealpost: resend: {env_id}: mail not sent and nothing changed, the old link still "
             "works: MAIL refused: 530 5.7.0 Authentication required; set username and "
             "password_file in [notify] (or [upstream])")
    assert keyed.open_link(old).startswith(env_id + " ")
    assert smarthost.messages == []

    smtp_env(keyed, smarthost, dev_certs)
    smarthost.handler.reject_rcpts.add("patient@example.ch")
    error(keyed.run("resend", env_id),
          f"sealpost: resend: {env_id}: mail not sent and nothing changed, the old link still "
          "works: RCPT refused: 550 5.1.1 No such user here")
    assert keyed.open_link(old).startswith(env_id + " ")
    trail = ok(keyed.run("show", env_id))
    assert "reissued" not in trail


def test_refused_after_the_reissue_says_to_print(keyed, smarthost, dev_certs):
    smtp_env(keyed, smarthost, dev_certs)
    env_id, old = keyed.envelope("--sent")
    smarthost.handler.defer_marker = PRACTICE_NAME.encode()  # every notice names the practice
    r = keyed.run("resend", env_id)
    assert r.stdout == ""
    error(r, f"sealpost: resend: {env_id}: the old link no longer works, and the mail with the "
             "new one was not sent (DATA refused: 451 4.3.0 Upstream says try again later); run "
             f"'sealpost resend {env_id} --print' to get a new link for the patient")
    assert keyed.open_link(old) == "bad_token"
    assert smarthost.messages == []
    # What the message tells the admin to do works.
    [new] = LINK.findall(ok(keyed.run("resend", env_id, "--print")))
    assert keyed.open_link(new).startswith(env_id + " ")
