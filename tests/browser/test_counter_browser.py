"""A real headless Chromium drives examples/counter.py.

It needs Debian's ``chromium`` and ``chromium-driver`` packages (paths can
be overridden with ``CHROMIUM_PATH`` and ``CHROMEDRIVER_PATH``). Without
them the test is skipped locally, but fails when ``CI`` is set: in CI a
missing browser is a broken setup, not a reason to pass.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ..servers import running

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = (
    os.environ.get("CHROMEDRIVER_PATH") or shutil.which("chromedriver") or "/usr/bin/chromedriver"
)
_paths = {"chromium": CHROMIUM, "chromedriver": CHROMEDRIVER}
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _missing() -> str | None:
    for path in (_paths["chromium"], _paths["chromedriver"]):
        if not os.access(path, os.X_OK):
            return f"{path} not found (apt-get install chromium chromium-driver)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is not installed"
    return None


def require_browser() -> None:
    """Skip without Chromium, except in CI, where that is a failure.

    A skip is also written to the file named by ``BROWSER_SKIP_REPORT``
    (set by tox), so that tox reports the env as skipped, saying why,
    rather than ``OK`` (see toxfile.py).
    """
    missing = _missing()
    if missing is not None:
        if os.environ.get("CI"):
            pytest.fail(f"the browser test must run in CI: {missing}")
        reason = f"the browser test did not run: {missing}"
        report = os.environ.get("BROWSER_SKIP_REPORT")
        if report:
            Path(report).write_text(reason + "\n", encoding="utf-8")
        pytest.skip(reason)


@pytest.fixture
def browser(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    require_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    # Never let Selenium Manager look for (or download) a browser or driver.
    monkeypatch.setenv("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = _paths["chromium"]
    for flag in [*FLAGS, f"--user-data-dir={tmp_path / 'profile'}"]:
        options.add_argument(flag)
    service = Service(
        executable_path=_paths["chromedriver"], log_output=str(tmp_path / "driver.log")
    )
    driver = webdriver.Chrome(options=options, service=service)
    try:
        driver.set_page_load_timeout(30)
        yield driver
    finally:
        driver.quit()


def counter(driver: Any) -> str:
    from selenium.webdriver.common.by import By

    text: str = driver.find_element(By.ID, "counter").text
    return text


def click(driver: Any, element_id: str) -> None:
    """Click a link and wait until the page it leads to has loaded."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

    link = driver.find_element(By.ID, element_id)
    link.click()
    WebDriverWait(driver, 30).until(expected_conditions.staleness_of(link))
    WebDriverWait(driver, 30).until(
        expected_conditions.presence_of_element_located((By.ID, "counter"))
    )


def test_counter_in_a_real_browser(browser: Any, tmp_path: Path) -> None:
    cmd = [sys.executable, str(ROOT / "examples" / "counter.py")]
    with running(cmd=cmd, cwd=tmp_path) as server:
        browser.get(server.url + "/")
        assert counter(browser) == "0"
        for _ in range(3):
            click(browser, "inc")
        click(browser, "dec")
        assert counter(browser) == "2"

        browser.refresh()
        assert counter(browser) == "2"

        cookies = {cookie["name"]: cookie for cookie in browser.get_cookies()}
        assert cookies["_session"]["httpOnly"] is True
        # Page script can read cookies, but not the HttpOnly session cookie.
        browser.execute_script("document.cookie = 'probe=1; path=/'")
        seen_by_script = browser.execute_script("return document.cookie")
        assert "probe=1" in seen_by_script
        assert "_session" not in seen_by_script

        browser.delete_all_cookies()
        browser.refresh()
        assert counter(browser) == "0"
        click(browser, "inc")
        assert counter(browser) == "1"


@pytest.mark.parametrize("ci", ["", "true"])
def test_missing_chromium_skips_locally_and_fails_in_ci(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ci: str
) -> None:
    monkeypatch.setitem(_paths, "chromium", str(tmp_path / "no-chromium"))
    monkeypatch.setenv("CI", ci)
    monkeypatch.delenv("BROWSER_SKIP_REPORT", raising=False)  # tox's own report
    expected = pytest.fail.Exception if ci else pytest.skip.Exception
    with pytest.raises(expected, match="no-chromium not found"):
        require_browser()


@pytest.mark.parametrize("ci", ["", "true"])
def test_local_skip_is_reported_to_tox_with_the_install_command(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, ci: str
) -> None:
    report = tmp_path / "browser-skipped.txt"
    monkeypatch.setitem(_paths, "chromium", str(tmp_path / "no-chromium"))
    monkeypatch.setenv("CI", ci)
    monkeypatch.setenv("BROWSER_SKIP_REPORT", str(report))
    with pytest.raises((pytest.skip.Exception, pytest.fail.Exception)):
        require_browser()
    if ci:
        assert not report.exists()  # a failure in CI, not a skip
    else:
        assert "apt-get install chromium chromium-driver" in report.read_text()
