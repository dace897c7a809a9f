# SPDX-License-Identifier: Apache-2.0
"""The SMS factor cannot be redirected, and phone data never leaves: the real sealpost-proxy with
the shipped default policy, a real vault and an aiosmtpd upstream, driven by smtplib and swaks.
- a stored contact wins over an [sms:] tag or an X-Sealpost-Phone header; one that differs is
  refused with 550 5.7.1 naming both numbers masked, unless [proxy] allow_phone_override;
- learn_contacts never replaces a stored number;
- a tag in a reply or forward (subject prefix, In-Reply-To/References, quoted) is refused for a
  recipient without a stored contact;
- the tag and the header are gone from every mail that reaches the upstream, passing ones
  included, and the body's bytes are the sender's."""
import email
import email.policy
import re
import smtplib
import subprocess
from email.message import EmailMessage

import pytest
from conftest import INTERNAL_DOMAIN, Upstream, admin_run, in_clear
from test_seal_proxy import (RECHNUNG, body, final_reply, parse, smtp_send, split_received,
                             vault_ids, with_pdf)

PATIENT = "patient@example.org"
STORED = "078 111 22 89"       # the practice's contact for PATIENT
TAG = "079 123 45 67"          # a number someone else wrote
MISMATCH = ("550", "5.7.1 The mobile number in the subject (ending 67) differs from the one "
            "stored for p***@example.org (ending 89): remove the tag or update the contact")
REPLY_REFUSED = ("5.7.1 An [sms:...] tag in a reply or forward is not accepted for "
                 "p***@example.org (it may come from the other side): store the number with "
                 "'sealpost contacts set', or write a new message instead of a reply")
# Every form in which a phone number of these tests could show in a header.
PHONE_FORMS = [re.compile(p) for p in (
    rb"123[\s_.-]*45[\s_.-]*67", rb"1234567", rb"111[\s_.-]*22[\s_.-]*89", rb"555[\s_.-]*44[\s_.-]*33")]


def headers_of(content: bytes) -> bytes:
    return content.split(b"\r\n\r\n", 1)[0]


def assert_no_phone_data(content: bytes):
    """No tag, no X-Sealpost-Phone and no phone digits anywhere in the header section, raw or
    with its encoded words decoded."""
    head = headers_of(content)
    decoded = str(email.message_from_bytes(content, policy=email.policy.default)["Subject"] or "")
    for text in (head, head.lower(), decoded.encode()):
        assert b"[sms" not in text.lower() and b"sms:" not in text.lower(), text
        assert b"x-sealpost-phone" not in text.lower(), text
        for p in PHONE_FORMS:
            assert not p.search(text), (p.pattern, text)


def contacts(proxy) -> str:
    return admin_run(proxy.seal_dir, "contacts", "list").stdout


@pytest.fixture
def stored(sealing):
    proxy, up = sealing
    admin_run(proxy.seal_dir, "contacts", "set", PATIENT, STORED)
    return proxy, up


# ---------------------------------------------------------------- the stored contact wins


def test_a_tag_that_differs_from_the_stored_contact_is_refused_masked(stored):
    proxy, up = stored
    r = subprocess.run(["swaks", "--server", f"127.0.0.1:{proxy.ports['plain']}",
                        "--from", "praxis@example.ch", "--to", PATIENT, "--helo", "client.example",
                        "--header", f"Subject: Rechnung [sms:{TAG}]", "--body", "Guten Tag",
                        "--attach-type", "application/pdf", "--attach", f"@{RECHNUNG}"],
                       capture_output=True, text=True, timeout=60)
    assert final_reply(r.stdout) == " ".join(MISMATCH)
    assert up.messages == [] and vault_ids(proxy) == []
    # Neither number shows in the log, only the rule that refused.
    log = proxy.log()
    assert "why=sms_tag_differs_from_contact" in log
    for secret in ("123 45 67", "111 22 89", "+41791234567", "+41781112289"):
        assert secret not in log


def test_without_a_tag_the_stored_contact_is_used(stored):
    proxy, up = stored
    assert smtp_send(proxy.ports["plain"], [PATIENT], with_pdf(PATIENT, "Rechnung")) == (250, None)
    assert "die auf ••89 endet." in body(parse(up.messages[0].content), "plain")


def test_a_tag_equal_to_the_stored_number_is_the_contact(stored):
    proxy, up = stored
    data = with_pdf(PATIENT, "Rechnung [sms:+41 78 111 22 89]")
    assert smtp_send(proxy.ports["plain"], [PATIENT], data) == (250, None)
    got = up.messages[0].content
    assert "die auf ••89 endet." in body(parse(got), "plain")
    assert parse(got)["Subject"] == "Rechnung"
    assert_no_phone_data(got)


def test_a_header_that_differs_from_the_stored_contact_is_refused(stored):
    proxy, up = stored
    data = with_pdf(PATIENT, "Rechnung", extra_headers=[("X-Sealpost-Phone", "076 555 44 33")])
    assert smtp_send(proxy.ports["plain"], [PATIENT], data) == (
        550, "5.7.1 The mobile number in X-Sealpost-Phone (ending 33) differs from the one "
             "stored for p***@example.org (ending 89): remove the header or update the contact")
    assert up.messages == [] and vault_ids(proxy) == []


def test_a_tag_and_a_header_that_differ_are_refused(sealing):
    proxy, up = sealing
    data = with_pdf(PATIENT, f"Rechnung [sms:{TAG}]",
                    extra_headers=[("X-Sealpost-Phone", "076 555 44 33")])
    assert smtp_send(proxy.ports["plain"], [PATIENT], data) == (
        550, "5.7.1 The mobile numbers in the subject (ending 67) and in X-Sealpost-Phone "
             "(ending 33) differ: give one number")
    assert up.messages == []


def test_override_uses_the_tag_for_one_mail_and_learning_keeps_the_contact(dev_certs,
                                                                           start_proxy):
    up = Upstream(dev_certs, require_auth=False)
    try:
        proxy = start_proxy(f"smtp://127.0.0.1:{up.port}",
                            proxy={"auth": "none", "allow_phone_override": True,
                                   "learn_contacts": True})
        admin_run(proxy.seal_dir, "contacts", "set", PATIENT, STORED, "--lang", "fr")
        data = with_pdf(PATIENT, f"Rechnung [sms:{TAG}]")
        assert smtp_send(proxy.ports["plain"], [PATIENT], data) == (250, None)
        text = body(parse(up.messages[0].content), "plain")
        assert "die auf ••67 endet." in text  # the tag's number, the default language
        assert re.search(r"^patient@example\.org\s+\+41781112289\s+fr\b", contacts(proxy), re.M)
        assert "phone_source=subject_tag" in proxy.log()
        # A tag in a reply is never an override.
        data = with_pdf(PATIENT, f"AW: Rechnung [sms:{TAG}]")
        assert smtp_send(proxy.ports["plain"], [PATIENT], data) == (550, REPLY_REFUSED)
        assert len(up.messages) == 1
    finally:
        up.stop()


def test_learn_contacts_never_overwrites_a_stored_number(dev_certs, start_proxy):
    up = Upstream(dev_certs, require_auth=False)
    try:
        proxy = start_proxy(f"smtp://127.0.0.1:{up.port}",
                            proxy={"auth": "none", "learn_contacts": True})
        # Learned once, for a recipient without a contact.
        data = with_pdf(PATIENT, f"Rechnung [sms:{TAG}]")
        assert smtp_send(proxy.ports["plain"], [PATIENT], data) == (250, None)
        assert re.search(r"^patient@example\.org\s+\+41791234567\b", contacts(proxy), re.M)
        # Another number later: refused, and the learned one stays.
        data = with_pdf(PATIENT, "Rechnung [sms:078 111 22 89]")
        code, text = smtp_send(proxy.ports["plain"], [PATIENT], data)
        assert (code, text.split(" (ending")[0]) == (
            550, "5.7.1 The mobile number in the subject")
        assert re.search(r"^patient@example\.org\s+\+41791234567\b", contacts(proxy), re.M)
        assert len(up.messages) == 1
    finally:
        up.stop()


# ---------------------------------------------------------------- replies and forwards

REPLY_SUBJECTS = [
    "Re: Rechnung", "RE: Rechnung", "AW: Rechnung", "Aw: Termin", "Fwd: Befund", "FW: Befund",
    "WG: Befund", "TR: Facture", "TR : Facture", "RE : Facture", "RIF: Fattura", "R: Fattura",
    "I: Fattura", "SV: Faktura", "VS: Lasku", "Antw: Factuur", "Doorst: Factuur", "RV: Factura",
    "Enc: Fatura", "Re[2]: Rechnung", "re: AW: wg: Rechnung", "[ext] AW: Rechnung",
    "[EXTERN] [ext] Re: Rechnung",
]


@pytest.mark.parametrize("prefix", REPLY_SUBJECTS)
def test_a_tag_in_a_reply_or_forward_subject_is_refused(sealing, prefix):
    proxy, up = sealing
    data = with_pdf(PATIENT, f"{prefix} [sms:{TAG}]")
    assert smtp_send(proxy.ports["plain"], [PATIENT], data) == (550, REPLY_REFUSED)
    assert up.messages == [] and vault_ids(proxy) == []


@pytest.mark.parametrize("subject,headers", [
    (f"Rechnung [sms:{TAG}]", [("In-Reply-To", "<abc@example.org>")]),
    (f"Rechnung [sms:{TAG}]", [("References", "<abc@example.org> <def@example.org>")]),
    (f'Bitte an "[sms:{TAG}]" senden', []),
    (f"[sms:{TAG}] AW: Rechnung", []),
])
def test_reply_markers_besides_the_prefix_refuse_a_tag(sealing, subject, headers):
    proxy, up = sealing
    data = with_pdf(PATIENT, subject, extra_headers=headers)
    assert smtp_send(proxy.ports["plain"], [PATIENT], data) == (550, REPLY_REFUSED)
    assert up.messages == []


def test_a_reply_to_a_stored_contact_uses_the_contact(stored):
    """The patient's own reply quoting the practice's tag: the stored number is the one used,
    and a tag that repeats it is harmless."""
    proxy, up = stored
    data = with_pdf(PATIENT, "AW: Rechnung", extra_headers=[("In-Reply-To", "<a@example.org>")])
    assert smtp_send(proxy.ports["plain"], [PATIENT], data) == (250, None)
    data = with_pdf(PATIENT, "AW: Rechnung [sms:078 111 22 89]")
    assert smtp_send(proxy.ports["plain"], [PATIENT], data) == (250, None)
    assert len(up.messages) == 2
    for m in up.messages:
        assert "die auf ••89 endet." in body(parse(m.content), "plain")
        assert_no_phone_data(m.content)


def test_a_fresh_subject_after_the_refusal_goes_through(sealing):
    proxy, up = sealing
    assert smtp_send(proxy.ports["plain"], [PATIENT],
                     with_pdf(PATIENT, f"Re: Rechnung [sms:{TAG}]")) == (550, REPLY_REFUSED)
    assert smtp_send(proxy.ports["plain"], [PATIENT],
                     with_pdf(PATIENT, f"Rechnung [sms:{TAG}]")) == (250, None)
    assert "die auf ••67 endet." in body(parse(up.messages[0].content), "plain")


# ---------------------------------------------------------------- phone data never leaves


def plain_mail(subject_line: bytes, extra: bytes = b"") -> bytes:
    return (b"From: praxis@example.ch\r\nTo: someone@example.org\r\n" + subject_line +
            b"Message-ID: <keep-me@example.ch>\r\n" + extra +
            b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            b"Bis morgen. Subject: [sms:079 123 45 67] stays in the body.\r\n"
            b"X-Sealpost-Phone: 079 123 45 67 also.\r\n")


BODY = (b"Bis morgen. Subject: [sms:079 123 45 67] stays in the body.\r\n"
        b"X-Sealpost-Phone: 079 123 45 67 also.\r\n")


@pytest.mark.parametrize("subject_line,extra,subject", [
    (b"Subject: Termin [sms:079 123 45 67]\r\n", b"", "Termin"),
    (b"Subject: Termin\r\n", b"X-Sealpost-Phone: +41 79 123 45 67\r\n", "Termin"),
    (b"Subject: Termin [sms:079\r\n 123 45 67] morgen\r\n",
     b"x-sealpost-phone:\r\n\t079 123 45 67\r\nX-SEALPOST-PHONE: 0791234567\r\n", "Termin morgen"),
    (b"Subject: =?utf-8?q?R=C3=BCckruf_[sms:079_123_45_67]?=\r\n", b"", "Rückruf"),
    (b"Subject: =?UTF-8?B?UsO8Y2tydWYgW3NtczowNzkgMTIzIDQ1IDY3XQ==?=\r\n", b"", "Rückruf"),
    (b"Subject: =?utf-8?q?R=C3=BCckruf_[sms:079?=\r\n =?utf-8?q?_123_45_67]?=\r\n", b"",
     "Rückruf"),
    (b"Subject: Termin [sms:079 123 45 67]\r\n",
     b"Thread-Topic: Termin [sms:079 123 45 67]\r\n", "Termin"),
])
@pytest.mark.parametrize("to", ["someone@example.org", f"mpa@{INTERNAL_DOMAIN}"])
def test_passing_mail_loses_the_tag_and_the_header_and_keeps_its_body(sealing, subject_line,
                                                                      extra, subject, to):
    """A mail with nothing to seal (an external patient) and one to a colleague (internal):
    both pass, and what reaches the upstream has no phone data in its headers."""
    proxy, up = sealing
    data = plain_mail(subject_line, extra)
    assert smtp_send(proxy.ports["plain"], [to], data) == (250, None)
    assert len(up.messages) == 1
    got = up.messages[0].content
    assert_no_phone_data(got)
    msg = parse(got)
    assert msg["Subject"] == subject
    assert msg["Message-ID"] == "<keep-me@example.ch>"
    assert got.endswith(b"\r\n\r\n" + BODY)  # the body, byte for byte
    assert vault_ids(proxy) == []
    # Everything else in the header section is as the sender wrote it, in order.
    keep = [l for l in headers_of(split_received(got)[1]).split(b"\r\n")
            if not l.lower().startswith((b"subject", b"thread-topic", b" ", b"\t"))]
    assert keep == [l for l in headers_of(data).split(b"\r\n")
                    if not l.lower().startswith((b"subject", b"thread-topic", b"x-sealpost",
                                                 b" ", b"\t"))]


def test_a_sealed_mail_has_no_phone_data_in_its_headers(sealing):
    proxy, up = sealing
    data = with_pdf(PATIENT, f"Rechnung [sms:{TAG}]",
                    extra_headers=[("Thread-Topic", f"Rechnung [sms:{TAG}]"),
                                   ("X-Sealpost-Phone", TAG)])
    assert smtp_send(proxy.ports["plain"], [PATIENT], data) == (250, None)
    got = up.messages[0].content
    assert_no_phone_data(got)
    assert not in_clear(got)
    assert parse(got)["Message-ID"] == "<seal-test@example.ch>"


def test_internal_and_external_split_both_lose_the_header(sealing):
    proxy, up = sealing
    to = f"mpa@{INTERNAL_DOMAIN}"
    data = with_pdf(f"{PATIENT}, {to}", "Rechnung", extra_headers=[("X-Sealpost-Phone", TAG)])
    assert smtp_send(proxy.ports["plain"], [PATIENT, to], data) == (250, None)
    assert [m.rcpt_tos for m in up.messages] == [[to], [PATIENT]]
    for m in up.messages:
        assert_no_phone_data(m.content)
    assert split_received(up.messages[0].content)[1] == data.replace(
        b"X-Sealpost-Phone: 079 123 45 67\r\n", b"")
