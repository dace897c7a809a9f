# SPDX-License-Identifier: Apache-2.0
"""Sealing at the end of DATA (architecture §3 "Sealing", 5): the real sealpost-proxy with the shipped
default policy and templates, a real vault, and a real aiosmtpd upstream. Attachments to
external recipients leave only as a link; internal and attachment-free mail passes unchanged;
whatever cannot be sealed is refused and nothing goes upstream."""
import email
import email.policy
import re
import smtplib
import subprocess
from email.message import EmailMessage

import pytest
from conftest import BASE_URL, INTERNAL_DOMAIN, SOURCE_DIR, Upstream, admin_run, in_clear

SAMPLES = SOURCE_DIR / "tests" / "data" / "samples"
RECHNUNG = SAMPLES / "Rechnung-2026-1127.pdf"
BELEG = SAMPLES / "Rueckforderungsbeleg-2026-1127.pdf"
LINK = re.compile(re.escape(BASE_URL) + r"/d/([A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])")
QUEUED = "250 2.0.0 Queued"
NO_PHONE = ("550 5.7.1 No mobile number for p***@example.org: add [sms:+41...] to the "
            "subject")


def swaks(port, *args):
    return subprocess.run(["swaks", "--server", f"127.0.0.1:{port}", "--from",
                           "praxis@example.ch", "--helo", "client.example", *args],
                          capture_output=True, timeout=60, text=True)


def final_reply(swaks_out: str) -> str:
    """The server's reply to the end of DATA, as swaks shows it (`<-  250 ...`/`<** 550 ...`)."""
    lines = swaks_out.splitlines()
    dot = max(i for i, l in enumerate(lines) if l.strip() == "~> ." or l.strip() == "-> .")
    return lines[dot + 1][4:].strip()


def split_received(content: bytes) -> tuple[bytes, bytes]:
    """(the Received field the proxy added, the rest of the message)."""
    assert content.startswith(b"Received: ")
    end = 0
    while True:
        end = content.index(b"\r\n", end) + 2
        if content[end:end + 1] not in (b"\t", b" "):
            return content[:end], content[end:]


def parse(content: bytes) -> EmailMessage:
    return email.message_from_bytes(content, policy=email.policy.default)


def body(msg: EmailMessage, kind: str) -> str:
    """The decoded text/plain or text/html body with LF line ends."""
    return msg.get_body((kind,)).get_content().replace("\r\n", "\n")


def size_text(n: int) -> str:
    """admin/admin_format.cpp format_size for sizes below 1 MiB."""
    if n < 1024:
        return f"{n} B"
    tenths = n // 1024 * 10 + (n % 1024 * 10 + 512) // 1024
    return f"{tenths // 10}.{tenths % 10} KiB"


def vault_ids(proxy, state=None) -> list[str]:
    lines = admin_run(proxy.seal_dir, "list").stdout.splitlines()[1:]
    return [l.split()[0] for l in lines if state is None or l.split()[1] == state]


def smtp_send(port, rcpts, data: bytes):
    """(code, text) of the reply to the end of DATA; smtplib raises on a refusal."""
    s = smtplib.SMTP("127.0.0.1", port, timeout=30)
    s.ehlo("client.example")
    try:
        s.sendmail("praxis@example.ch", rcpts, data)
        return 250, None
    except smtplib.SMTPDataError as e:
        return e.smtp_code, e.smtp_error.decode()
    finally:
        s.quit()


def with_pdf(to: str, subject: str, extra_headers=()) -> bytes:
    m = EmailMessage()
    m["From"] = "Praxis Muster <praxis@example.ch>"
    m["To"] = to
    m["Subject"] = subject
    m["Message-ID"] = "<seal-test@example.ch>"
    for k, v in extra_headers:
        m[k] = v
    m.set_content("Guten Tag\n\nIhre Rechnung im Anhang.\n")
    m.add_attachment(RECHNUNG.read_bytes(), maintype="application", subtype="pdf",
                     filename=RECHNUNG.name)
    return m.as_bytes(policy=email.policy.SMTP)


def test_swaks_two_pdfs_with_sms_tag_leave_only_as_link(sealing):
    proxy, up = sealing
    r = swaks(proxy.ports["plain"], "--to", "patient@example.org",
              "--header", "Subject: Rechnung November [sms:079 123 45 67]",
              "--body", "Guten Tag\nanbei die Rechnung.",
              "--attach-type", "application/pdf", "--attach", f"@{RECHNUNG}",
              "--attach-type", "application/pdf", "--attach", f"@{BELEG}")
    assert r.returncode == 0, r.stdout + r.stderr
    assert final_reply(r.stdout) == QUEUED
    assert len(up.messages) == 1
    got = up.messages[0]
    assert (got.mail_from, got.rcpt_tos) == ("praxis@example.ch", ["patient@example.org"])
    assert b"%PDF" not in got.content
    assert not in_clear(got.content), "a PDF arrived in clear (base64)"
    assert b"[sms:" not in got.content and b"123 45 67" not in got.content
    msg = parse(got.content)
    assert msg["Subject"] == "Rechnung November"
    assert [p.get_content_type() for p in msg.walk() if not p.is_multipart()] == ["text/plain"]
    text = body(msg, "plain")
    assert text.startswith("Guten Tag\nanbei die Rechnung.")
    tokens = set(LINK.findall(text))
    assert len(tokens) == 1
    assert "Ihre Dokumente von Praxis Muster\n" in text
    assert f"- {RECHNUNG.name}\n- {BELEG.name}\n" in text
    assert "die auf ••67 endet." in text
    # The vault: one envelope, sent, with both documents of the original sizes.
    ids = vault_ids(proxy)
    assert len(ids) == 1 and vault_ids(proxy, "sent") == ids
    show = admin_run(proxy.seal_dir, "show", ids[0]).stdout
    total = RECHNUNG.stat().st_size + BELEG.stat().st_size
    w = len(BELEG.name)  # the file name column is as wide as the longest name
    for line in ("recipient  patient@example.org", "phone      +41791234567",
                 "sender     praxis@example.ch", "subject    Rechnung November",
                 "language   de", f"documents  2 ({size_text(total)})",
                 f"  1.  {RECHNUNG.name:<{w}}  application/pdf  {size_text(RECHNUNG.stat().st_size)}",
                 f"  2.  {BELEG.name:<{w}}  application/pdf  {size_text(BELEG.stat().st_size)}"):
        assert line + "\n" in show, show
    assert tokens.pop() not in show
    # The log has the decision, never the phone, token, subject or file names.
    log = proxy.log()
    assert re.search(r"event=seal\.decision sid=\S+ rcpt=p\*\*\*@example\.org action=seal "
                     r"source=rule rule=external-seal docs=2", log), log
    for secret in ("123 45 67", "+41791234567", "Rechnung November", RECHNUNG.name):
        assert secret not in log


def test_python_email_alternative_keeps_html_and_gets_html_notice(sealing):
    proxy, up = sealing
    m = EmailMessage()
    m["From"] = "praxis@example.ch"
    m["To"] = "patient@example.org"
    m["Subject"] = "Beleg [sms:+41 79 123 45 67]"
    m.set_content("Guten Tag\n")
    m.add_alternative("<html><body><p>Guten Tag</p></body></html>\n", subtype="html")
    name = "Rückforderungsbeleg März.pdf"
    m.add_attachment(BELEG.read_bytes(), maintype="application", subtype="pdf", filename=name)
    assert smtp_send(proxy.ports["plain"], ["patient@example.org"],
                     m.as_bytes(policy=email.policy.SMTP)) == (250, None)
    assert len(up.messages) == 1
    msg = parse(up.messages[0].content)
    assert msg["Subject"] == "Beleg"
    assert [p.get_content_type() for p in msg.walk()] == [
        "multipart/mixed", "multipart/alternative", "text/plain", "text/html"]
    html = body(msg, "html")
    assert html.startswith("<html><body><p>Guten Tag</p>")
    assert html.rstrip().endswith("</div>\n</body></html>")
    assert f"<li>{name}</li>" in html
    assert "Ihre Dokumente von Praxis Muster" in html
    (token,) = set(LINK.findall(html))
    assert f'<a href="{BASE_URL}/d/{token}"' in html
    text = body(msg, "plain")
    assert LINK.findall(text) == [token]
    assert f"- {name}\n" in text


def test_two_external_recipients_get_two_messages_with_two_links(sealing):
    proxy, up = sealing
    for who, phone in (("a@example.org", "079 111 22 33"), ("b@example.org", "078 444 55 66")):
        admin_run(proxy.seal_dir, "contacts", "set", who, phone)
    data = with_pdf("a@example.org, b@example.org", "Rechnungen")
    assert smtp_send(proxy.ports["plain"], ["a@example.org", "b@example.org"],
                     data) == (250, None)
    assert [m.rcpt_tos for m in up.messages] == [["a@example.org"], ["b@example.org"]]
    links = [LINK.findall(body(parse(m.content), "plain"))
             for m in up.messages]
    assert len(links[0]) == 1 and len(links[1]) == 1 and links[0] != links[1]
    assert "die auf ••33 endet." in body(parse(up.messages[0].content), "plain")
    assert "die auf ••66 endet." in body(parse(up.messages[1].content), "plain")
    assert len(vault_ids(proxy, "sent")) == 2 and len(vault_ids(proxy)) == 2


def test_sms_tag_with_two_external_recipients_is_refused(sealing):
    proxy, up = sealing
    data = with_pdf("a@example.org, b@example.org", "Rechnungen [sms:079 123 45 67]")
    assert smtp_send(proxy.ports["plain"], ["a@example.org", "b@example.org"], data) == (
        550, "5.7.1 An [sms:...] subject tag needs exactly one external recipient: send one "
             "message per patient")
    assert up.messages == [] and vault_ids(proxy) == []


def test_sms_tag_with_two_external_recipients_is_refused_also_without_attachments(sealing):
    # The number would reach the other patient in the subject.
    proxy, up = sealing
    data = (b"From: praxis@example.ch\r\nTo: a@example.org, b@example.org\r\n"
            b"Subject: Termin [sms:079 123 45 67]\r\n\r\nBis morgen\r\n")
    assert smtp_send(proxy.ports["plain"], ["a@example.org", "b@example.org"], data) == (
        550, "5.7.1 An [sms:...] subject tag needs exactly one external recipient: send one "
             "message per patient")
    assert up.messages == []


def test_missing_phone_gets_550_and_nothing_goes_upstream(sealing):
    proxy, up = sealing
    r = swaks(proxy.ports["plain"], "--to", "patient@example.org",
              "--header", "Subject: Rechnung", "--body", "Guten Tag",
              "--attach-type", "application/pdf", "--attach", f"@{RECHNUNG}")
    assert final_reply(r.stdout) == NO_PHONE
    assert up.messages == [] and vault_ids(proxy) == []
    # The session goes on: a plain text mail passes.
    r = swaks(proxy.ports["plain"], "--to", "patient@example.org",
              "--header", "Subject: Termin", "--body", "Bis morgen")
    assert final_reply(r.stdout) == QUEUED
    assert len(up.messages) == 1


def test_internal_recipient_gets_the_original_without_its_phone_tag(sealing):
    proxy, up = sealing
    to = f"mpa@{INTERNAL_DOMAIN}"
    data = with_pdf(to, "Rechnung [sms:079 123 45 67]")
    assert smtp_send(proxy.ports["plain"], [to], data) == (250, None)
    assert len(up.messages) == 1 and up.messages[0].rcpt_tos == [to]
    received, rest = split_received(up.messages[0].content)
    assert received.startswith(b"Received: from client.example ([127.0.0.1])\r\n")
    # Byte for byte the original, but for the tag (phone data never leaves).
    assert rest == data.replace(b"Subject: Rechnung [sms:079 123 45 67]\r\n",
                                b"Subject: Rechnung\r\n")
    assert vault_ids(proxy) == []


def test_internal_and_external_recipients_split_into_original_and_sealed(sealing):
    proxy, up = sealing
    to = f"mpa@{INTERNAL_DOMAIN}"
    data = with_pdf(f"patient@example.org, {to}", "Rechnung [sms:079 123 45 67]")
    assert smtp_send(proxy.ports["plain"], ["patient@example.org", to], data) == (250, None)
    assert [m.rcpt_tos for m in up.messages] == [[to], ["patient@example.org"]]
    assert split_received(up.messages[0].content)[1] == data.replace(
        b"Subject: Rechnung [sms:079 123 45 67]\r\n", b"Subject: Rechnung\r\n")
    assert b"%PDF" not in up.messages[1].content
    assert not in_clear(up.messages[1].content), "a PDF arrived in clear (base64)"
    assert parse(up.messages[1].content)["Subject"] == "Rechnung"
    assert len(vault_ids(proxy, "sent")) == 1


def test_smime_signed_to_external_is_refused_unaltered(sealing):
    proxy, up = sealing
    inner = with_pdf("patient@example.org", "signed").split(b"\r\n\r\n", 1)
    content_headers = b"\r\n".join(l for l in inner[0].split(b"\r\n")
                                   if l.lower().startswith((b"content-", b"mime-")))
    data = (b"From: praxis@example.ch\r\nTo: patient@example.org\r\n"
            b"Subject: Rechnung [sms:079 123 45 67]\r\nMIME-Version: 1.0\r\n"
            b'Content-Type: multipart/signed; protocol="application/pkcs7-signature"; '
            b'micalg=sha-256; boundary="sig"\r\n\r\n'
            b"--sig\r\n" + content_headers + b"\r\n\r\n" + inner[1] +
            b"\r\n--sig\r\nContent-Type: application/pkcs7-signature; name=smime.p7s\r\n"
            b"Content-Transfer-Encoding: base64\r\n"
            b"Content-Disposition: attachment; filename=smime.p7s\r\n\r\n"
            b"MIIBkQYJKoZIhvcNAQcCoIIBgjCCAX4CAQExDzANBglghkgBZQMEAgEFADALBgkq\r\n"
            b"--sig--\r\n")
    assert smtp_send(proxy.ports["plain"], ["patient@example.org"], data) == (
        550, "5.7.1 Signed messages to external recipients cannot be sealed: send it without "
             "a signature")
    assert up.messages == [] and vault_ids(proxy) == []


def test_upstream_refusing_a_sealed_message_discards_its_envelope(sealing):
    proxy, up = sealing
    data = with_pdf("patient@example.org", "Rechnung [sms:079 123 45 67]",
                    extra_headers=[("X-Test", "defer-me")])
    assert smtp_send(proxy.ports["plain"], ["patient@example.org"], data) == (
        451, "4.3.0 Upstream says try again later")
    assert up.messages == [] and vault_ids(proxy) == []


def test_unparsable_message_to_external_is_a_permanent_refusal(sealing):
    proxy, up = sealing
    data = (b"From: praxis@example.ch\r\nTo: patient@example.org\r\nSubject: x\r\n"
            b"MIME-Version: 1.0\r\nContent-Type: multipart/mixed\r\n\r\n"
            b"no boundary here\r\n")
    assert smtp_send(proxy.ports["plain"], ["patient@example.org"], data) == (
        554, "5.6.0 The message's MIME structure is malformed or ambiguous; it cannot be "
             "sealed safely and was not sent")
    assert up.messages == [] and vault_ids(proxy) == []


def test_learn_contacts_stores_the_tag_number_after_the_upstream_accepted(dev_certs,
                                                                            start_proxy):
    up = Upstream(dev_certs, require_auth=False)
    try:
        proxy = start_proxy(f"smtp://127.0.0.1:{up.port}",
                            proxy={"auth": "none", "learn_contacts": True})
        data = with_pdf("patient@example.org", "Rechnung [sms:079 123 45 67]")
        assert smtp_send(proxy.ports["plain"], ["patient@example.org"], data) == (250, None)
        out = admin_run(proxy.seal_dir, "contacts", "list").stdout
        assert re.search(r"^patient@example\.org\s+\+41791234567\b", out, re.M), out
        # The next mail needs no tag: the number comes from the contacts.
        data = with_pdf("patient@example.org", "Rechnung 2")
        assert smtp_send(proxy.ports["plain"], ["patient@example.org"], data) == (250, None)
        assert len(up.messages) == 2 and len(vault_ids(proxy, "sent")) == 2
    finally:
        up.stop()


def test_without_learn_contacts_the_tag_number_is_not_stored(sealing):
    proxy, up = sealing
    data = with_pdf("patient@example.org", "Rechnung [sms:079 123 45 67]")
    assert smtp_send(proxy.ports["plain"], ["patient@example.org"], data) == (250, None)
    assert "patient@example.org" not in admin_run(proxy.seal_dir, "contacts", "list").stdout


def wait_for_log(proxy, marker: str, count: int):
    """Waits until `marker` appears `count` times in the proxy's log (no timing assertion)."""
    import time
    deadline = time.monotonic() + 30
    while proxy.log().count(marker) < count:
        assert time.monotonic() < deadline, proxy.log()
        time.sleep(0.05)


def test_sighup_reloads_the_policy_and_a_broken_file_keeps_the_old(dev_certs, start_proxy,
                                                                    tmp_path):
    import signal
    from conftest import POLICY_FILE
    policy = tmp_path / "policy.toml"
    policy.write_text(POLICY_FILE.read_text())
    up = Upstream(dev_certs, require_auth=False)
    try:
        proxy = start_proxy(f"smtp://127.0.0.1:{up.port}",
                            proxy={"auth": "none", "policy_file": str(policy)})
        plain = (b"From: praxis@example.ch\r\nTo: patient@example.org\r\nSubject: Termin\r\n"
                 b"\r\nBis morgen\r\n")
        port = proxy.ports["plain"]
        assert smtp_send(port, ["patient@example.org"], plain) == (250, None)
        policy.write_text('[[rule]]\nname = "closed"\naction = "reject"\n'
                          'message = "Closed for maintenance"\n')
        proxy.proc.send_signal(signal.SIGHUP)
        wait_for_log(proxy, "event=policy.reload ", 1)
        refused = (550, "5.7.1 Closed for maintenance")
        assert smtp_send(port, ["patient@example.org"], plain) == refused
        policy.write_text("[[rule]\n")
        proxy.proc.send_signal(signal.SIGHUP)
        wait_for_log(proxy, "event=policy.reload_failed ", 1)
        assert smtp_send(port, ["patient@example.org"], plain) == refused
        assert len(up.messages) == 1
    finally:
        up.stop()


@pytest.mark.parametrize("key,value,line", [
    ("templates_dir", "/nonexistent/templates",
     "sealpost-proxy: templates: cannot read /nonexistent/templates/notice.de.txt"),
    ("policy_file", "/nonexistent/policy.toml",
     "sealpost-proxy: policy: /nonexistent/policy.toml: cannot read: No such file or directory"),
])
def test_missing_sealing_files_stop_the_start_with_one_line(dev_certs, tmp_path, key, value,
                                                            line):
    from conftest import PROXY_BIN, proxy_config_text
    cfg = tmp_path / "proxy.toml"
    cfg.write_text(proxy_config_text(dev_certs, f"maildir:{tmp_path}/md",
                                     proxy={"auth": "none", key: value}))
    p = subprocess.run([str(PROXY_BIN), "--config", str(cfg)], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 1 and p.stdout == ""
    assert [l for l in p.stderr.splitlines() if l.startswith("sealpost-proxy:")] == [line]


def test_missing_keys_stop_the_start_with_one_line(dev_certs, tmp_path):
    from conftest import PROXY_BIN, proxy_config_text
    cfg = tmp_path / "proxy.toml"
    text = proxy_config_text(dev_certs, f"maildir:{tmp_path}/md", proxy={"auth": "none"},
                             seal_dir=tmp_path / "empty")
    cfg.write_text(text)
    p = subprocess.run([str(PROXY_BIN), "--config", str(cfg)], capture_output=True, text=True,
                       timeout=60)
    assert p.returncode == 1
    assert [l for l in p.stderr.splitlines() if l.startswith("sealpost-proxy:")] == [
        f"sealpost-proxy: keys: {tmp_path}/empty/keys/pepper: missing "
        "(run 'sealpost keys init' first)"]


def test_phone_header_is_used_and_removed(sealing):
    proxy, up = sealing
    data = with_pdf("patient@example.org", "Rechnung",
                    extra_headers=[("X-Sealpost-Phone", "+41 79 123 45 67")])
    assert smtp_send(proxy.ports["plain"], ["patient@example.org"], data) == (250, None)
    assert len(up.messages) == 1
    assert b"X-Sealpost-Phone" not in up.messages[0].content
    assert "die auf ••67 endet." in body(parse(up.messages[0].content), "plain")


def test_full_vault_is_a_temporary_failure(dev_certs, start_proxy, tmp_path):
    up = Upstream(dev_certs, require_auth=False)
    try:
        proxy = start_proxy(f"smtp://127.0.0.1:{up.port}", proxy={"auth": "none"},
                            vault={"map_size": "1MiB", "max_size": "1MiB"})
        m = EmailMessage()
        m["From"] = "praxis@example.ch"
        m["To"] = "patient@example.org"
        m["Subject"] = "Gross [sms:079 123 45 67]"
        m.set_content("Guten Tag\n")
        m.add_attachment(bytes(range(256)) * 8192, maintype="application", subtype="pdf",
                         filename="Rechnung.pdf")  # 2 MiB
        assert smtp_send(proxy.ports["plain"], ["patient@example.org"],
                         m.as_bytes(policy=email.policy.SMTP)) == (
            452, "4.3.1 Insufficient system storage, try again later")
        assert up.messages == [] and vault_ids(proxy) == []
    finally:
        up.stop()


def test_later_group_refused_after_an_earlier_was_accepted(sealing):
    """The internal original is accepted, then the upstream defers the sealed copy: the client
    gets the deferral and will retry the whole message, so the internal recipient gets it twice
    (documented duplicate: an accepted transaction cannot be taken back). The sealed copy's
    envelope is discarded, so no live link points at an unsent envelope."""
    proxy, up = sealing
    record = up.handler.handle_DATA

    async def defer_patient(server, session, envelope):
        if "patient@example.org" in envelope.rcpt_tos:
            return "451 4.3.0 Upstream says try again later"
        return await record(server, session, envelope)

    up.handler.handle_DATA = defer_patient
    to = f"mpa@{INTERNAL_DOMAIN}"
    data = with_pdf(f"patient@example.org, {to}", "Rechnung [sms:079 123 45 67]")
    assert smtp_send(proxy.ports["plain"], ["patient@example.org", to], data) == (
        451, "4.3.0 Upstream says try again later")
    assert [m.rcpt_tos for m in up.messages] == [[to]]
    assert vault_ids(proxy) == []


def test_contact_language_chooses_the_notice_language(sealing):
    """A number from the contacts store brings the contact's language: `--lang fr` gives the
    French notice; a contact without a language gets practice.default_language (de)."""
    proxy, up = sealing
    admin_run(proxy.seal_dir, "contacts", "set", "marie@example.org", "079 123 45 67",
              "--lang", "fr")
    admin_run(proxy.seal_dir, "contacts", "set", "hans@example.org", "079 765 43 21")
    data = with_pdf("marie@example.org", "Rechnung")
    assert smtp_send(proxy.ports["plain"], ["marie@example.org"], data) == (250, None)
    data = with_pdf("hans@example.org", "Rechnung")
    assert smtp_send(proxy.ports["plain"], ["hans@example.org"], data) == (250, None)
    assert len(up.messages) == 2
    fr = body(parse(up.messages[0].content), "plain")
    assert "Vos documents de" in fr and "se terminant par ••67" in fr
    assert "Rechnung-2026-1127.pdf" in fr and LINK.search(fr)
    de = body(parse(up.messages[1].content), "plain")
    assert "Vos documents de" not in de and "die auf ••21 endet." in de
    # A tag that repeats the stored number is the contact: its language still applies.
    data = with_pdf("marie@example.org", "Rechnung [sms:079 123 45 67]")
    assert smtp_send(proxy.ports["plain"], ["marie@example.org"], data) == (250, None)
    assert "Vos documents de" in body(parse(up.messages[2].content), "plain")
