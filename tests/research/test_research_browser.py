"""The HTML report in a real headless Chromium (Debian's chromium + chromium-driver).

Driven through Selenium with /usr/bin/chromedriver passed explicitly, so
selenium-manager never downloads anything. Checks that the page renders, both
SVG charts are visible with a nonzero size, and the browser log has no errors;
saves a screenshot in the test's tmp folder and bench/out/report.png.
Skipped (with the reason) only when Chromium is absent outside CI; in CI
(CI=true) a missing browser fails.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
import research_example as ex

from outreach.research import report, researchfile

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"


def _need_browser() -> None:
    missing = []
    if not CHROMIUM:
        missing.append("chromium")
    if not Path(DRIVER).exists():
        missing.append("chromium-driver")
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium Python package")
    if not missing:
        return
    why = (
        f"{', '.join(missing)} not installed "
        "(apt-get install -y chromium chromium-driver; pip install selenium)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail(f"CI must run the browser test: {why}")
    pytest.skip(why)


@pytest.fixture
def browser(tmp_path: Path):
    _need_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                 "--no-first-run", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--window-size=1280,1600",
                 f"--user-data-dir={tmp_path / 'profile'}"):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def test_html_report_renders_with_visible_charts_and_no_console_errors(
    browser, tmp_path: Path
) -> None:
    from selenium.webdriver.common.by import By

    state, events = ex.build_state()
    page = tmp_path / "report.html"
    page.write_text(report.html(researchfile.build(state, events, ex.NOW, ex.AREA)), "utf-8")
    browser.get(page.as_uri())

    assert browser.title == "Research file: Data analysis"
    assert browser.find_element(By.TAG_NAME, "h1").text == "Research file: Data analysis"
    for chart_id in ("funnel-chart", "fit-chart"):
        chart = browser.find_element(By.ID, chart_id)
        assert chart.is_displayed()
        assert chart.size["width"] > 100 and chart.size["height"] > 50, chart.size
        bars = chart.find_elements(By.CSS_SELECTOR, "rect.bar")
        assert len(bars) == 4 and all(b.size["width"] > 0 for b in bars)
    rows = browser.find_elements(By.CSS_SELECTOR, "#interviews tbody tr")
    assert [r.find_elements(By.TAG_NAME, "td")[1].text for r in rows] == [
        "Ana Example", "Ben Example", "Cy Example",
    ]
    agreed = browser.find_elements(By.CSS_SELECTOR, "#cat-qualifications ul.agreed li")
    assert [li.text.split(" — ")[0] for li in agreed] == ["degree", "sql skill", "statistic"]
    escaped = browser.find_element(By.XPATH, "//td[contains(., 'enthusiastic')]")
    assert "<b>enthusiastic</b> & candid" in escaped.text  # shown as text, not markup

    errors = [e for e in browser.get_log("browser") if e.get("level") == "SEVERE"]
    assert errors == []

    shot = tmp_path / "report.png"
    assert browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    bench = ROOT / "bench" / "out"
    bench.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(shot, bench / "report.png")


def test_a_broken_page_would_be_caught(browser, tmp_path: Path) -> None:
    """The console check is real: a page with a script error shows up in the log."""
    page = tmp_path / "broken.html"
    page.write_text("<!DOCTYPE html><title>x</title><script>nope(</script>", "utf-8")
    browser.get(page.as_uri())
    assert any(e.get("level") == "SEVERE" for e in browser.get_log("browser"))
