# SPDX-License-Identifier: Apache-2.0
"""Accessibility (issue #18, item 10): every portal page, in all four languages, passes axe-core's
WCAG 2.0 and 2.1 level A and AA rules with zero violations, in a real browser (headless Debian
chromium at phone size, Selenium). axe-core is vendored in tests/data/axe-core/ (see its
README), injected into each page and run there; the pages come from a real sealpost-portal
over a vault that a real sealpost-proxy filled. Pages: landing (SMS, and "call me" for a
landline), code (after sending, after a call, after a wrong code), documents, help, expired,
and a message page (unknown link)."""
import json
import time

from conftest import SOURCE_DIR
from browser_env import browser, shot  # noqa: F401 - the fixture is used by name
from portal_env import make_envelope, seal_invoice, sms  # noqa: F401 - fixtures by name
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait
from voice_env import LANDLINE_TAG, call_of, spoken_code, voice, world  # noqa: F401

AXE_JS = SOURCE_DIR / "tests" / "data" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
LANGUAGES = ("de", "fr", "it", "en")

RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: %s}, resultTypes: ['violations']})
  .then(r => done(JSON.stringify({
    violations: r.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
      nodes: v.nodes.map(n => ({target: n.target.join(' '), html: n.html,
                                summary: n.failureSummary}))})),
    passes: r.passes.length})))
  .catch(e => done(JSON.stringify({error: String(e)})));
""" % json.dumps(TAGS)


def audit(driver, name: str, found: dict):
    """Runs axe-core on the page now shown; records its violations under `name`."""
    shot(driver, f"a11y-{name}")
    driver.execute_script(AXE_JS.read_text())
    result = json.loads(driver.execute_async_script(RUN_AXE))
    assert "error" not in result, f"{name}: axe-core failed: {result['error']}"
    assert result["passes"] > 0, f"{name}: axe-core checked nothing"
    assert driver.execute_script("return document.documentElement.lang"), name
    if result["violations"]:
        found[name] = result["violations"]
    return result


def report(found: dict) -> str:
    lines = []
    for page, violations in found.items():
        for v in violations:
            lines.append(f"{page}: {v['id']} ({v['impact']}): {v['help']} <{v['url']}>")
            for n in v["nodes"][:5]:
                lines.append(f"    at {n['target']}: {n['html'][:160]}")
                for detail in (n["summary"] or "").splitlines():
                    lines.append(f"      {detail}")
    return "\n".join(lines)


def click_submit(driver, action_suffix: str):
    driver.find_element(
        By.CSS_SELECTOR, f'form[action$="{action_suffix}"] button[type="submit"]').click()


def wait_for(driver, css: str):
    return WebDriverWait(driver, 20).until(EC.presence_of_element_located((By.CSS_SELECTOR, css)))


def test_every_page_in_every_language_passes_wcag_a_and_aa(world, sms, voice, browser):
    proxy, up, portal = world(portal={"codes_per_window": 20, "codes_per_day": 100,
                                      "codes_per_ip_per_hour": 1000})
    mobile = seal_invoice(proxy, up)
    landline = seal_invoice(proxy, up, to="oma@example.org",
                            subject=f"Rechnung [sms:{LANDLINE_TAG}]")
    # An expired link whose documents are still kept: the renewal page.
    _, expired = make_envelope(proxy.seal_dir, at=int(time.time()) - 40 * 86400)
    browser.set_script_timeout(120)
    found, checked = {}, 0

    for lang in LANGUAGES:
        browser.delete_all_cookies()
        # The landing page with the SMS button, then the code page after sending.
        browser.get(f"{portal.url}/d/{mobile}?lang={lang}")
        wait_for(browser, 'form[action$="/code"]')
        audit(browser, f"{lang}-landing", found)
        n = len(sms.requests)
        click_submit(browser, "/code")
        code_input = wait_for(browser, 'input[name="code"]')
        audit(browser, f"{lang}-code", found)
        sms.wait_for(n + 1)
        # A wrong code: the same page with an error notice.
        code_input.send_keys("000000" if sms.last_code() != "000000" else "111111")
        click_submit(browser, "/verify")
        wait_for(browser, ".notice-error")
        audit(browser, f"{lang}-code-wrong", found)
        browser.find_element(By.NAME, "code").send_keys(sms.last_code())
        click_submit(browser, "/verify")
        wait_for(browser, 'a[href$="/doc/0"]')
        audit(browser, f"{lang}-documents", found)

        browser.get(f"{portal.url}/help?lang={lang}")
        audit(browser, f"{lang}-help", found)
        browser.get(f"{portal.url}/d/{'A' * 43}?lang={lang}")
        audit(browser, f"{lang}-not-found", found)
        browser.get(f"{portal.url}/d/{expired}?lang={lang}")
        wait_for(browser, 'form[action$="/code"]')
        audit(browser, f"{lang}-expired", found)

        # A landline: "call me with the code", then the code page after the call.
        browser.get(f"{portal.url}/d/{landline}?lang={lang}")
        wait_for(browser, 'form[action$="/code"]')
        audit(browser, f"{lang}-landing-call", found)
        n = len(voice.requests)
        click_submit(browser, "/code")
        wait_for(browser, 'input[name="code"]')
        audit(browser, f"{lang}-code-call", found)
        spoken_code(call_of(voice.wait_for(n + 1)[-1])["said"])
        checked += 9

    assert checked == 36
    assert not found, (f"axe-core found WCAG 2.0/2.1 A/AA violations on {len(found)} of "
                       f"{checked} pages:\n" + report(found))
