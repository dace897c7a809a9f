# SPDX-License-Identifier: Apache-2.0
"""Staff read refusals in their language (issue 18, item 4): a practice with
`staff_language = "fr"` (or "de") gets the same codes and enhanced codes as before, with the
human text in French (German), printable ASCII. The real sealpost-proxy with the shipped default
policy and an aiosmtpd upstream, driven by swaks and smtplib; the login-bound senders by
smtplib over STARTTLS."""
import smtplib
import subprocess

import pytest
from conftest import (UPSTREAM_PASSWORD, UPSTREAM_USER, SOURCE_DIR, Upstream, admin_run,
                      client_tls_context, record)
from test_proxy_lifecycle import scrypt_line
from test_seal_proxy import RECHNUNG, final_reply, smtp_send, vault_ids, with_pdf

PATIENT = "patient@example.org"
HOSTILE = SOURCE_DIR / "tests" / "data" / "mime" / "hostile"
PASSWORD = "s3cret langue"


def french(start_proxy, dev_certs, **practice):
    up = Upstream(dev_certs, require_auth=False)
    proxy = start_proxy(f"smtp://127.0.0.1:{up.port}", proxy={"auth": "none"},
                        practice={"default_language": "de", "staff_language": "fr",
                                  **practice})
    return proxy, up


def assert_ascii(text: str):
    assert all(0x20 <= ord(c) < 0x7F for c in text), text


def test_no_mobile_number_is_refused_in_french_with_the_same_codes(start_proxy, dev_certs):
    proxy, up = french(start_proxy, dev_certs)
    try:
        r = subprocess.run(["swaks", "--server", f"127.0.0.1:{proxy.ports['plain']}",
                            "--from", "praxis@example.ch", "--to", PATIENT,
                            "--helo", "client.example", "--header", "Subject: Facture",
                            "--body", "Bonjour", "--attach-type", "application/pdf",
                            "--attach", f"@{RECHNUNG}"],
                           capture_output=True, text=True, timeout=60)
        reply = final_reply(r.stdout)
        assert reply == ("550 5.7.1 Aucun numero de mobile pour p***@example.org: ajoutez "
                         "[sms:+41...] a l'objet"), r.stdout
        assert_ascii(reply)
        assert up.messages == [] and vault_ids(proxy) == []
    finally:
        up.stop()


def test_a_number_mismatch_is_refused_in_french(start_proxy, dev_certs):
    proxy, up = french(start_proxy, dev_certs)
    try:
        admin_run(proxy.seal_dir, "contacts", "set", PATIENT, "078 111 22 89")
        code, text = smtp_send(proxy.ports["plain"], [PATIENT],
                               with_pdf(PATIENT, "Facture [sms:079 123 45 67]"))
        assert (code, text) == (
            550, "5.7.1 Le numero de mobile de l'objet (finit par 67) differe de celui "
                 "enregistre pour p***@example.org (finit par 89): retirez la balise ou "
                 "modifiez le contact")
        assert up.messages == []
    finally:
        up.stop()


def test_a_refused_shape_keeps_554_5_6_0_in_french(start_proxy, dev_certs):
    proxy, up = french(start_proxy, dev_certs)
    try:
        admin_run(proxy.seal_dir, "contacts", "set", PATIENT, "+41791234567")
        s = smtplib.SMTP("127.0.0.1", proxy.ports["plain"], timeout=60)
        s.ehlo("client.example")
        with pytest.raises(smtplib.SMTPDataError) as e:
            s.sendmail("praxis@example.ch", [PATIENT],
                       (HOSTILE / "dup_content_type_part.eml").read_bytes())
        s.quit()
        assert e.value.smtp_code == 554
        text = e.value.smtp_error.decode()
        assert text.startswith("5.6.0 Une partie du message a deux fois un en-tete "
                               "Content-Type"), text
        assert_ascii(text)
        assert up.messages == []
    finally:
        up.stop()


def test_german_staff_read_german_and_unset_stays_english(start_proxy, dev_certs):
    up = Upstream(dev_certs, require_auth=False)
    try:
        de = start_proxy(f"smtp://127.0.0.1:{up.port}", proxy={"auth": "none"},
                         practice={"default_language": "it", "staff_language": "de"})
        assert smtp_send(de.ports["plain"], [PATIENT], with_pdf(PATIENT, "Rechnung")) == (
            550, "5.7.1 Mobilnummer fehlt fuer p***@example.org: [sms:+41...] im Betreff "
                 "angeben")
        it = start_proxy(f"smtp://127.0.0.1:{up.port}", proxy={"auth": "none"},
                         practice={"default_language": "it"})
        assert smtp_send(it.ports["plain"], [PATIENT], with_pdf(PATIENT, "Fattura")) == (
            550, "5.7.1 No mobile number for p***@example.org: add [sms:+41...] to the subject")
        assert up.messages == []
    finally:
        up.stop()


def test_a_sender_the_login_may_not_use_is_refused_in_french(start_proxy, dev_certs, tmp_path):
    record("secrets", PASSWORD)
    users = tmp_path / "users"
    users.write_text(scrypt_line("mpa@praxis.ch", PASSWORD) + "\n")
    users.chmod(0o600)
    pw = tmp_path / "upstream.pw"
    pw.write_text(UPSTREAM_PASSWORD + "\n")
    pw.chmod(0o600)
    up = Upstream(dev_certs, require_auth=True)
    try:
        proxy = start_proxy(f"smtp://127.0.0.1:{up.port}", listeners=[("submission", "127.0.0.1")],
                            proxy={"auth": "local", "users_file": str(users)},
                            upstream={"username": UPSTREAM_USER, "password_file": str(pw)},
                            practice={"staff_language": "fr"})
        s = smtplib.SMTP("127.0.0.1", proxy.ports["submission"], timeout=30)
        s.starttls(context=client_tls_context(dev_certs))
        s.ehlo("client.example")
        s.login("mpa@praxis.ch", PASSWORD)
        with pytest.raises(smtplib.SMTPSenderRefused) as e:
            s.sendmail("chef@praxis.ch", [PATIENT], b"Subject: x\r\n\r\nx\r\n")
        assert (e.value.smtp_code, e.value.smtp_error) == (
            550, b"5.7.1 Adresse d'expediteur non autorisee pour cet identifiant")
        s.rset()
        with pytest.raises(smtplib.SMTPDataError) as e:
            s.sendmail("mpa@praxis.ch", [PATIENT],
                       b"From: chef@praxis.ch\r\nTo: patient@example.org\r\nSubject: x\r\n\r\nx\r\n")
        assert (e.value.smtp_code, e.value.smtp_error) == (
            550, b"5.7.1 L'adresse From: n'est pas autorisee pour cet identifiant: utilisez "
                 b"votre propre adresse")
        s.quit()
        assert up.messages == []
    finally:
        up.stop()
