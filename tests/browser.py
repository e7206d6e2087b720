"""Helpers for browser tests: a real `streamlit run` server and Debian's headless Chromium."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
    # deck.gl needs WebGL: software rendering in a headless machine
    "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
]


def require_chromium() -> None:
    """Skip (or fail under CI=true) when Debian's chromium or Playwright is missing."""
    problem = None
    if not os.access(CHROMIUM, os.X_OK):
        problem = f"{CHROMIUM} ontbreekt (installeer het Debian-pakket chromium; `make browser`)"
    else:
        try:
            import playwright.sync_api  # noqa: F401
        except ImportError:
            problem = "het Python-pakket playwright ontbreekt (requirements-dev.txt)"
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"browsertest kan niet draaien: {problem}")
        pytest.skip(f"browsertest overgeslagen: {problem}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(db_path: Path, script: Path | None = None, timeout: float = 60,
                     poll_seconds: float = 0.2):
    """Run `streamlit run` on a free localhost port with KINDKAART_DB=db_path; yields the URL
    once the server answers its health check (asked every `poll_seconds`)."""
    port = free_port()
    env = {**os.environ, "KINDKAART_DB": str(db_path)}
    log = open(db_path.parent / f"streamlit-{port}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script or ROOT / "app.py"),
         "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
         "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                log.flush()
                raise RuntimeError((db_path.parent / f"streamlit-{port}.log").read_text()[-3000:])
            time.sleep(poll_seconds)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@contextlib.contextmanager
def chromium_page(width: int = 1400, height: int = 1000):
    """A Playwright page in Debian's headless Chromium (never a downloaded browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            yield page
        finally:
            browser.close()


def sign_in(page, url: str, login: str, password: str, landed: str) -> None:
    """Log in on the app's login page as `login` and wait for the text `landed` of the page the
    role starts on."""
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_label("Login").fill(login)
    page.get_by_label("Wachtwoord").fill(password)
    page.get_by_role("button", name="Inloggen").click()
    page.get_by_text(landed).first.wait_for(timeout=60_000)


# Streamlit has drawn the last rerun: no element marked stale, no "running" status widget (a
# JavaScript expression; the concurrency benchmark waits for it too).
SETTLED = ("document.querySelectorAll('[data-stale=\"true\"]').length === 0"
           " && !document.querySelector('[data-testid=\"stStatusWidget\"]')")


def settled(page, timeout: float = 60_000) -> None:
    """Wait until the rerun is drawn: Streamlit marks elements of the previous run stale. A click
    while the page still reruns can be lost with the element it hit."""
    page.wait_for_function(f"() => {SETTLED}", timeout=timeout)


def click_until_shown(page, button: str, text: str, timeout: float = 120_000) -> None:
    """Click the button named `button` and wait until `text` shows. A click that reached no
    script run (the page was still drawing the previous one) is made once more when the page
    has settled without the text, as a user would; a click that did reach a run is not made
    twice (settled waits for that run to end). Where the button is gone by then (on a loaded
    machine the run reading a large file can outlast the wait), the text is waited for alone."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    shown = page.get_by_text(text).first
    page.get_by_role("button", name=button).click()
    try:
        shown.wait_for(timeout=20_000)
        return
    except PlaywrightTimeout:
        settled(page, timeout)
    if page.get_by_text(text).count() == 0:
        try:
            page.get_by_role("button", name=button).click(timeout=30_000)
        except PlaywrightTimeout:
            pass  # no button to click again: a run still reading the file holds the page; wait
    shown.wait_for(timeout=timeout)


def download(page, button: str, folder: Path, timeout: float = 60_000) -> Path:
    """Click the download button named `button` and save the file in `folder`; its path.

    A download button made with a function (the file made on click) carries an id of that
    function, and every run of the page gives it a new one; the server drops the old id when
    the run ends. A click before the browser drew the end of the run can send the old id: then
    no file is made, no download starts, and Streamlit says so under the button for five
    seconds only. So first wait until the page is settled, and the button's section open. Without
    a download, the error says what the page said under the button."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    settled(page, timeout)
    target = page.get_by_role("button", name=button)
    target.wait_for(state="visible", timeout=timeout)
    try:
        with page.expect_download(timeout=timeout) as started:
            target.click(timeout=timeout)
        path = folder / started.value.suggested_filename
        started.value.save_as(path)
    except PlaywrightTimeout as error:
        said = page.locator("[data-testid='stDownloadButtonError']").all_inner_texts()
        raise AssertionError(f"no download from '{button}' ({error}); under the button: {said}") from None
    return path


def save_screenshot(page, name: str, tmp_dir: Path) -> Path:
    """Screenshot into $KINDKAART_SCREENSHOT_DIR (e.g. docs/ for the README) or the test's tmp dir."""
    target_dir = Path(os.environ.get("KINDKAART_SCREENSHOT_DIR") or tmp_dir)
    if not target_dir.is_absolute():
        target_dir = ROOT / target_dir
    target_dir.mkdir(parents=True, exist_ok=True)
    path = target_dir / name
    page.screenshot(path=str(path), full_page=False)
    return path


__all__ = ["chromium_page", "download", "require_chromium", "save_screenshot", "shutil", "streamlit_server"]
