"""report.html in a real browser: Debian's headless Chromium driven by Selenium through
Debian's chromedriver (nothing downloaded). CI installs both (``.ci/run``).

The test sorts a table, zooms one viewer panel and checks every panel followed, flicks a
panel to a source, shows the decision maps, and saves a screenshot
(``$FUSEBENCH_SCREENSHOT_DIR/report-html.png`` when that variable is set)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from bench.reports import build_report

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM or not DRIVER:
        pytest.fail("chromium / chromedriver not found: apt-get install chromium chromium-driver "
                    "(see .ci/run)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--allow-file-access-from-files", "--window-size=1300,1100"):
        opts.add_argument(arg)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(DRIVER), options=opts)
    yield driver
    driver.quit()


def _order(driver, table_id: str, col: int) -> list[float]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll(arguments[0] + ' tbody tr'))"
        ".map(r => parseFloat(r.children[arguments[1]].getAttribute('data-v')));",
        f"#{table_id}", col)


def _transforms(driver) -> list[str]:
    return driver.execute_script(
        "return Array.from(document.querySelectorAll('#panels img')).map(i => i.style.transform);")


def test_report_html_sorts_zooms_in_sync_and_flicks(run_dir, tmp_path, browser):
    from selenium.webdriver.common.by import By

    out = tmp_path / "rep"
    build_report(run_dir, formats=("html",), figures=False, out_dir=out)
    page = out / "report.html"
    text = page.read_text()
    assert "http://" not in text and "https://" not in text  # nothing from a CDN
    assert "base64" not in text  # images are referenced, not embedded
    browser.get(page.as_uri())
    browser.execute_script("return 1")  # page loaded
    assert browser.execute_script("return typeof window.fusebenchViewer") == "object", \
        "the viewer's script did not run"

    # sorting: qsf is column 1 of the mean table (after the method column)
    head = browser.find_element(By.CSS_SELECTOR, "#table-mean thead th[data-col='1']")
    head.click()
    asc = _order(browser, "table-mean", 1)
    assert asc == sorted(asc) and len(asc) == 3
    head.click()
    assert _order(browser, "table-mean", 1) == sorted(asc, reverse=True)

    # synchronised zoom: a wheel on the second panel moves every panel the same way
    panels = browser.find_elements(By.CSS_SELECTOR, "#panels .panel")
    assert len(panels) == 3  # average, max-abs, msvd on the first pair
    before = _transforms(browser)
    browser.execute_script(
        "var v = arguments[0].querySelector('.view'); var r = v.getBoundingClientRect();"
        "v.dispatchEvent(new WheelEvent('wheel', {deltaY: -100, clientX: r.left + 20,"
        " clientY: r.top + 20, bubbles: true, cancelable: true}));", panels[1])
    after = _transforms(browser)
    assert after != before and len(set(after)) == 1, after
    assert float(browser.find_element(By.ID, "viewer").get_attribute("data-scale")) > 1.0

    # click flicks one panel to source A, leaving the others on their method
    panels[2].find_element(By.CSS_SELECTOR, ".view").click()
    srcs = browser.execute_script(
        "return Array.from(document.querySelectorAll('#panels img')).map(i => i.getAttribute('src'));")
    assert srcs[2].endswith("/A.png") and srcs[0].endswith("/average.png")

    # decision maps on demand: the methods that stored one switch to it
    browser.find_element(By.ID, "maps").click()
    srcs = browser.execute_script(
        "return Array.from(document.querySelectorAll('#panels img')).map(i => i.getAttribute('src'));")
    assert srcs[1].endswith("/max-abs.dm.png"), srcs
    browser.find_element(By.ID, "maps").click()
    browser.find_element(By.ID, "zoom-fit").click()

    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"
              and "favicon" not in e["message"]]
    assert not errors, errors
    shot = tmp_path / "report-html.png"
    browser.find_element(By.ID, "viewer").screenshot(str(shot))
    assert shot.stat().st_size > 5000
    if os.environ.get("FUSEBENCH_SCREENSHOT_DIR"):
        dest = Path(os.environ["FUSEBENCH_SCREENSHOT_DIR"])
        dest.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, dest / shot.name)
