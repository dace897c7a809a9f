# SPDX-License-Identifier: Apache-2.0
"""The browser for the portal's browser suites: headless Debian chromium at phone size, driven by
Selenium through Debian's chromedriver, and screenshots into
$SEALPOST_BUILD_DIR/test-output/portal-browser/."""
import pytest
from conftest import BUILD_DIR

# python3-selenium is in packaging/build-deps.txt: missing, the suite fails to import.
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

OUT = BUILD_DIR / "test-output" / "portal-browser"


@pytest.fixture
def browser(tmp_path):
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    opts = webdriver.ChromeOptions()
    opts.binary_location = "/usr/bin/chromium"
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                "--window-size=390,844", "--lang=de-CH", "--disable-gpu"):
        opts.add_argument(arg)
    # The dev CA is not in the browser's store; everything else about TLS stays real.
    opts.accept_insecure_certs = True
    # A phone: headless windows cannot be narrower than 500 px, device emulation can.
    opts.add_experimental_option("mobileEmulation", {
        "deviceMetrics": {"width": 390, "height": 844, "pixelRatio": 3.0, "touch": True},
        "userAgent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 "
                     "(KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36"})
    opts.add_experimental_option("prefs", {"download.default_directory": str(downloads),
                                           "download.prompt_for_download": False,
                                           "intl.accept_languages": "de-CH,de"})
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=opts)
    driver.downloads = downloads
    yield driver
    driver.quit()


def shot(driver, name):
    OUT.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(OUT / f"{name}.png"))
