"""The web pages in a real browser: every sample's page and the summary's opened in headless Chromium and
checked with axe-core against WCAG 2.0, 2.1 and 2.2, A and AA: no violation, at a desktop's width and a
phone's, and nothing requested from anywhere but the file itself.

Chromium and chromedriver are Debian's (`chromium`, `chromium-driver`), driven by selenium; axe-core comes
from npm into tests/browser/ (its package-lock.json pins the version). .ci/run installs all three.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from test_html import build_pages

pytestmark = pytest.mark.slow

AXE = Path(__file__).parent / "browser" / "node_modules" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
WIDTHS = {"desktop": (1280, 2000), "phone": (390, 2000)}
# The machine has no network: nothing of Chromium's own may reach out, nor wait for it.
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: "tag", values: arguments[0]}, resultTypes: ["violations"]})
  .then(r => done({violations: r.violations.map(v => ({id: v.id, help: v.help,
                                                      nodes: v.nodes.map(n => n.target.join(" "))})),
                   passes: r.passes.length}))
  .catch(e => done({error: String(e)}));
"""


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    if not (chromium and driver_path and AXE.exists()):
        pytest.skip("needs chromium, chromium-driver (apt) and axe-core (npm install in tests/browser): .ci/run "
                    "installs them")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in [*CHROMIUM_ARGS, f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"]:
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    return build_pages(tmp_path_factory.mktemp("html-browser"))


def axe(driver, page: Path, width: tuple[int, int]) -> dict:
    driver.set_window_size(*width)
    driver.get(page.as_uri())
    driver.execute_script(AXE.read_text(encoding="utf-8"))
    result = driver.execute_async_script(RUN_AXE, TAGS)
    assert "error" not in result, result
    return result


def test_every_page_has_no_accessibility_violation_at_wcag_22_aa(browser, pages):
    for name, page in pages.items():
        for label, width in WIDTHS.items():
            result = axe(browser, page, width)
            assert result["violations"] == [], (name, label, result["violations"])
            assert result["passes"] >= 10, (name, label)  # axe ran its rules: lang, title, th, contrast...


def test_a_page_requests_nothing_but_itself(browser, pages):
    for name, page in pages.items():
        browser.get(page.as_uri())
        fetched = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        assert fetched == [], (name, fetched)
        assert browser.title and browser.execute_script("return document.documentElement.lang") == "en-GB"


def test_axe_finds_what_a_page_without_language_or_header_cells_lacks(browser, pages, tmp_path):
    """The check can fail: the summary's page spoilt as a hand-made page might be, and axe says so."""
    spoilt = tmp_path / "spoilt.html"
    text = pages["summary"].read_text(encoding="utf-8")
    spoilt.write_text(text.replace(' lang="en-GB"', "").replace("<title>", "<title hidden>").replace(
        'color:#fff}', 'color:#2a4874}'), encoding="utf-8")
    found = {v["id"] for v in axe(browser, spoilt, WIDTHS["desktop"])["violations"]}
    assert {"html-has-lang", "color-contrast"} <= found
