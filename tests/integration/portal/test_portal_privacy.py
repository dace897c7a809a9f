# SPDX-License-Identifier: Apache-2.0
"""The duty to inform and names that tell too much (issue 18, items 4, 5 and 9), end to end:
- a real browser (headless chromium, Selenium) sees the practice's address, phone and e-mail in
  the footer of the landing, code, documents and help pages, and a privacy page, linked from
  every footer, in all four languages;
- with `hide_document_names = true` the patient's notice mail (every MIME part decoded, every
  header, and the raw bytes in base64, quoted-printable, RFC 2231 and RFC 2047 forms) and the
  landing page carry no document name, "Dokument 1" instead; after the code the documents page
  and the download show the real name;
- the download notice to the practice is in the staff's language (`staff_language = "fr"`).
A real sealpost-proxy seals the mail (aiosmtpd upstream), a real sealpost-portal serves it, and
the SMS code comes from the recording gateway."""
import base64
import email
import email.policy
import re
import smtplib
import time
from email.message import EmailMessage

import requests
from conftest import Proxy, Upstream, free_port, proxy_config_text, seal_setup
from portal_env import (  # noqa: F401 - fixtures are used by name
    BELEG, RECHNUNG, log_in, sms, start_portal)
from test_portal_browser import browser  # noqa: F401 - a fixture, used by name
from test_portal_notice import metric

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

CONTACT = {"address": "Rue du Midi 1, 1003 Lausanne", "phone": "+41 21 123 45 67",
           "email": "cabinet@physio-lac.ch"}
PRIVACY_H1 = {"de": "Datenschutzerklärung", "fr": "Déclaration de protection des données",
              "it": "Informativa sulla protezione dei dati", "en": "Privacy notice"}
SECRET_NAME = "Befund-Psychiatrie-Müller.pdf"
TELLING = "Psychiatrie"  # the part of the name that must never show before the code


def start_pair(tmp_path, dev_certs, start_portal, practice):
    """(proxy, upstream, portal, base): a proxy and a portal on one vault and one [practice]."""
    up = Upstream(dev_certs, require_auth=False)
    seal_dir = seal_setup(tmp_path / "seal")
    port = free_port()
    base = f"https://localhost:{port}"
    cfg = tmp_path / "proxy.toml"
    cfg.write_text(proxy_config_text(dev_certs, f"smtp://127.0.0.1:{up.port}",
                                     proxy={"auth": "none", "notice_interval": "1s"},
                                     seal_dir=seal_dir, practice=practice)
                   .replace('base_url = "https://portal.example.ch"', f'base_url = "{base}"'))
    proxy = Proxy(cfg, tmp_path / "proxy.log", expect=1)
    proxy.seal_dir = seal_dir
    portal = start_portal(seal_dir, portal={"listen": f"127.0.0.1:{port}"},
                          practice={**practice, "base_url": base})
    return proxy, up, portal, base


def send(proxy, up, attachments, subject="Befund [sms:079 123 45 67]") -> bytes:
    m = EmailMessage()
    m["From"] = "Praxis Muster <praxis@example.ch>"
    m["To"] = "patient@example.org"
    m["Subject"] = subject
    m.set_content("Guten Tag\n\nIm Anhang.\n")
    for name, data in attachments:
        m.add_attachment(data, maintype="application", subtype="pdf", filename=name)
    before = len(up.messages)
    s = smtplib.SMTP("127.0.0.1", proxy.ports["plain"], timeout=30)
    s.ehlo("client.example")
    s.sendmail("praxis@example.ch", ["patient@example.org"], m.as_bytes(policy=email.policy.SMTP))
    s.quit()
    assert len(up.messages) == before + 1
    return up.messages[-1].content


def token_of(mail: bytes, base: str) -> str:
    return re.search(re.escape(base) + r"/d/([A-Za-z0-9_-]{43})", mail.decode()).group(1)


# ---------------------------------------------------------------- footer and privacy page


def test_footer_contact_on_every_page_and_privacy_page_in_four_languages(
        tmp_path, dev_certs, start_portal, sms, browser):
    proxy, up, portal, base = start_pair(tmp_path, dev_certs, start_portal,
                                         {**CONTACT, "privacy_url": "https://physio-lac.ch/pd"})
    try:
        mail = send(proxy, up, [(RECHNUNG.name, RECHNUNG.read_bytes()),
                                (BELEG.name, BELEG.read_bytes())])
        token = token_of(mail, base)

        def footer_ok(page: str):
            address = browser.find_element(By.CSS_SELECTOR, "footer address")
            text = address.text
            for v in CONTACT.values():
                assert v in text, (page, text)
            assert address.find_element(By.CSS_SELECTOR, 'a[href="tel:+41211234567"]')
            assert address.find_element(By.CSS_SELECTOR,
                                        'a[href="mailto:cabinet@physio-lac.ch"]')
            link = browser.find_element(By.CSS_SELECTOR, 'footer a[href^="/privacy?lang="]')
            assert link.text.strip(), page

        browser.get(f"{base}/d/{token}")
        footer_ok("landing")
        browser.find_element(By.CSS_SELECTOR, 'form[action$="/code"] button[type="submit"]').click()
        code_input = WebDriverWait(browser, 20).until(
            EC.presence_of_element_located((By.NAME, "code")))
        footer_ok("code")
        sms.wait_for(1)
        code_input.send_keys(sms.last_code())
        browser.find_element(By.CSS_SELECTOR, 'form[action$="/verify"] button[type="submit"]').click()
        WebDriverWait(browser, 20).until(
            EC.presence_of_element_located((By.CSS_SELECTOR, 'a[href$="/doc/0"]')))
        footer_ok("documents")
        browser.get(f"{base}/help")
        footer_ok("help")

        # The footer's link leads to the privacy page; it exists in every language.
        browser.find_element(By.CSS_SELECTOR, 'footer a[href^="/privacy?lang="]').click()
        WebDriverWait(browser, 20).until(EC.url_contains("/privacy"))
        for lang, h1 in PRIVACY_H1.items():
            browser.get(f"{base}/privacy?lang={lang}")
            assert browser.find_element(By.TAG_NAME, "html").get_attribute("lang") == lang
            assert browser.find_element(By.TAG_NAME, "h1").text == h1
            main = browser.find_element(By.TAG_NAME, "main").text
            assert "30" in main and "90" in main  # link lifetime and retention from config
            assert "127.0.0.1" in main  # the SMS gateway the portal uses is named
            assert len(browser.find_elements(By.CSS_SELECTOR, "main h2")) == 6
            assert browser.find_element(By.CSS_SELECTOR, 'main a[href="https://physio-lac.ch/pd"]')
            assert "cabinet@physio-lac.ch" in main
            footer_ok(f"privacy {lang}")
        r = requests.get(f"{portal.url}/privacy?lang=fr", verify=str(portal.ca))
        assert r.status_code == 200
        assert "default-src 'none'" in r.headers["Content-Security-Policy"]
        assert "<script" not in r.text
        logs = browser.get_log("browser")
        assert not [l for l in logs if "Content Security Policy" in l.get("message", "")], logs
    finally:
        proxy.stop()
        up.stop()


# ---------------------------------------------------------------- names that tell too much


def b64_cores(s: bytes) -> list:
    """What `s` looks like inside any base64 stream: its encoding at each of the 3 alignments,
    without the first and last groups (which depend on the bytes around it)."""
    out = []
    for k in range(3):
        enc = base64.b64encode(b"\0" * k + s)
        out.append(enc[4:-4])
    return out


def assert_name_absent(raw: bytes, name: str):
    telling = TELLING.encode()
    unfolded = raw.replace(b"=\r\n", b"").replace(b"\r\n ", b" ").replace(b"\r\n\t", b"\t")
    flat = raw.replace(b"\r\n", b"")
    for text in (raw, unfolded):
        assert telling.lower() not in text.lower()  # raw, QP, RFC 2231, RFC 2047 Q
    for core in b64_cores(telling) + b64_cores(name.encode()[:20]):
        assert core not in flat, core  # base64 bodies, RFC 2047 B
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    for k, v in msg.items():
        assert TELLING not in str(v), (k, v)
    for part in msg.walk():
        for k, v in part.items():
            assert TELLING not in str(v), (k, v)
        assert part.get_filename() is None or TELLING not in part.get_filename()
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True) or b""
        assert telling not in payload
        assert TELLING not in payload.decode("utf-8", errors="replace")


def test_hidden_names_stay_out_of_the_mail_and_the_landing_page(tmp_path, dev_certs,
                                                                 start_portal, sms):
    proxy, up, portal, base = start_pair(tmp_path, dev_certs, start_portal,
                                         {"hide_document_names": True})
    try:
        mail = send(proxy, up, [(SECRET_NAME, RECHNUNG.read_bytes()),
                                ("Psychiatrie-Bericht.pdf", BELEG.read_bytes())])
        assert_name_absent(mail, SECRET_NAME)
        msg = email.message_from_bytes(mail, policy=email.policy.default)
        plain = msg.get_body(("plain",)).get_content()
        assert "- Dokument 1\n" in plain.replace("\r\n", "\n")
        assert "- Dokument 2\n" in plain.replace("\r\n", "\n")
        token = token_of(mail, base)

        s = portal.session()
        landing = s.get(f"{portal.url}/d/{token}")
        assert landing.status_code == 200
        assert TELLING not in landing.text
        assert "<li>Dokument 1</li>" in landing.text and "<li>Dokument 2</li>" in landing.text
        fr = s.get(f"{portal.url}/d/{token}?lang=fr")
        assert "<li>Document 1</li>" in fr.text and TELLING not in fr.text

        docs = log_in(s, portal, token, sms)
        assert SECRET_NAME in docs.text and "Psychiatrie-Bericht.pdf" in docs.text
        got = s.get(f"{portal.url}/d/{token}/doc/0")
        assert got.content == RECHNUNG.read_bytes()
        assert "Psychiatrie" in got.headers["Content-Disposition"]
    finally:
        proxy.stop()
        up.stop()


def test_names_are_shown_by_default(tmp_path, dev_certs, start_portal, sms):
    proxy, up, portal, base = start_pair(tmp_path, dev_certs, start_portal, {})
    try:
        mail = send(proxy, up, [(SECRET_NAME, RECHNUNG.read_bytes())])
        msg = email.message_from_bytes(mail, policy=email.policy.default)
        assert SECRET_NAME in msg.get_body(("plain",)).get_content()
        landing = portal.session().get(f"{portal.url}/d/{token_of(mail, base)}")
        assert SECRET_NAME in landing.text
    finally:
        proxy.stop()
        up.stop()


# ---------------------------------------------------------------- the staff's language


def test_the_download_notice_is_in_the_staffs_language(tmp_path, dev_certs, start_portal, sms):
    # Patients default to German, the staff read French.
    proxy, up, portal, base = start_pair(tmp_path, dev_certs, start_portal,
                                         {"default_language": "de", "staff_language": "fr"})
    try:
        mail = send(proxy, up, [(BELEG.name, BELEG.read_bytes())], subject="Rechnung [sms:079 123 45 67]")
        # The patient's notice stays German (the default language), the staff's is French.
        plain = email.message_from_bytes(mail, policy=email.policy.default).get_body(
            ("plain",)).get_content()
        assert "Ihre Dokumente von Praxis Muster" in plain
        token = token_of(mail, base)
        s = portal.session()
        log_in(s, portal, token, sms)
        assert s.get(f"{portal.url}/d/{token}/doc/0").content == BELEG.read_bytes()
        deadline = time.monotonic() + 60
        while not [m for m in up.messages if m.rcpt_tos == ["praxis@example.ch"]]:
            assert time.monotonic() < deadline, "no download notice"
            time.sleep(0.2)
        got = [m for m in up.messages if m.rcpt_tos == ["praxis@example.ch"]][0]
        msg = email.message_from_bytes(got.content, policy=email.policy.default)
        assert msg["Subject"] == "Document téléchargé (Praxis Muster)"
        text = msg.get_body(("plain",)).get_content().replace("\r\n", "\n")
        assert text.startswith(f"p***@example.org a téléchargé le document « {BELEG.name} » le ")
        assert "Destinataire: p***@example.org\n" in text
        assert "Destinataire" in msg.get_body(("html",)).get_content()
        assert metric(proxy, "sealpost_proxy_notices_sent_total") == 1
    finally:
        proxy.stop()
        up.stop()
