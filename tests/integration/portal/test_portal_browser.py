# SPDX-License-Identifier: Apache-2.0
"""End to end in a real browser (headless Debian chromium at phone size, driven by Selenium):
an invoice mailed through sealpost-proxy with swaks, the link followed from the upstream's
copy, "send code" clicked, the code read from the SMS gateway and typed, a document
downloaded and compared byte for byte. A screenshot of each page goes to
$SEALPOST_BUILD_DIR/test-output/portal-browser/."""
import re
import subprocess
import time

from conftest import Proxy, Upstream, free_port, proxy_config_text, seal_setup
from portal_env import RECHNUNG, BELEG, sms, start_portal  # noqa: F401 - fixtures by name

from browser_env import browser, shot  # noqa: F401 - the fixture is used by name
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait


def test_patient_downloads_invoice_in_a_phone_browser(tmp_path, dev_certs, start_portal, sms,
                                                      browser):
    up = Upstream(dev_certs, require_auth=False)
    seal_dir = seal_setup(tmp_path / "seal")
    portal_port = free_port()
    base = f"https://localhost:{portal_port}"
    cfg = tmp_path / "proxy.toml"
    cfg.write_text(proxy_config_text(dev_certs, f"smtp://127.0.0.1:{up.port}",
                                     proxy={"auth": "none"}, seal_dir=seal_dir)
                   .replace('base_url = "https://portal.example.ch"', f'base_url = "{base}"'))
    proxy = Proxy(cfg, tmp_path / "proxy.log", expect=1)
    try:
        portal = start_portal(seal_dir, portal={"listen": f"127.0.0.1:{portal_port}"})
        r = subprocess.run(
            ["swaks", "--server", f"127.0.0.1:{proxy.ports['plain']}", "--from",
             "praxis@example.ch", "--to", "patient@example.org", "--helo", "client.example",
             "--header", "Subject: Rechnung November [sms:079 123 45 67]",
             "--body", "Guten Tag\nanbei die Rechnung.",
             "--attach-type", "application/pdf", "--attach", f"@{RECHNUNG}",
             "--attach-type", "application/pdf", "--attach", f"@{BELEG}"],
            capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r.stdout + r.stderr
        mail = up.messages[-1].content.decode()
        link = re.search(re.escape(base) + r"/d/[A-Za-z0-9_-]{43}", mail).group(0)

        browser.get(link)
        assert browser.execute_script("return window.innerWidth") <= 400
        assert "Praxis Muster" in browser.page_source
        assert RECHNUNG.name in browser.page_source
        shot(browser, "1-landing")
        browser.find_element(By.CSS_SELECTOR, 'form[action$="/code"] button[type="submit"]').click()

        code_input = WebDriverWait(browser, 20).until(
            EC.presence_of_element_located((By.NAME, "code")))
        assert code_input.get_attribute("inputmode") == "numeric"
        assert code_input.get_attribute("autocomplete") == "one-time-code"
        shot(browser, "2-code")
        sms.wait_for(1)
        code_input.send_keys(sms.last_code())
        browser.find_element(By.CSS_SELECTOR, 'form[action$="/verify"] button[type="submit"]').click()

        download = WebDriverWait(browser, 20).until(
            EC.presence_of_element_located((By.CSS_SELECTOR, 'a[href$="/doc/0"]')))
        shot(browser, "3-documents")
        download.click()
        target = browser.downloads / RECHNUNG.name
        deadline = time.monotonic() + 30
        while not target.exists() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert target.exists(), list(browser.downloads.iterdir())
        time.sleep(0.5)  # let chromium rename its .crdownload into place
        assert target.read_bytes() == RECHNUNG.read_bytes()

        browser.get(f"{base}/help")
        shot(browser, "4-help")
        # The page needed nothing the CSP forbids: no violation reached the console.
        logs = browser.get_log("browser")
        assert not [l for l in logs if "Content Security Policy" in l.get("message", "")], logs
    finally:
        proxy.stop()
        up.stop()
