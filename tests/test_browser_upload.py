"""The upload limit in a real browser (Chromium via Playwright): one limit, in bytes.

Reuses the server, browser and page fixtures and the helpers of tests/test_browser.py.
Files are generated in a temporary directory and given to the uploader's file input
(`set_input_files`), after a bad file:

- Linux Chromium (Streamlit's browser check counts 1 MB = 1000² bytes): a file of
  exactly 5,000,000 bytes is accepted; 5,100,000 and 5,000,001 bytes are refused by
  the browser ("File must be 5.0MB or smaller.", beside the file) and the app says
  so itself (ui/upload_guard.py), naming the file, its size and the limit.
- A Windows browser (`navigator.platform` "Win32": Streamlit counts 1024²): 5,100,000
  bytes reach the server and the app refuses them itself.

Each time the previous file's error is gone and the page keeps the last valid input.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.chromium import VIEWPORT
from tests import test_browser
from tests.test_browser import (
    FIRST_RUN_MS,
    RUN_MS,
    Console,
    assert_no_exception,
    code_text,
    screenshot,
    wait_for_page,
    wait_for_run,
)
from tests.test_upload_limit import exact_csv

pytestmark = pytest.mark.browser

WINDOWS = "Object.defineProperty(Navigator.prototype, 'platform', {get: () => 'Win32'})"
RAGGED = b"1,2,3\n4,5\n"
# The input's uploader (the weights' uploader has a file input too).
INPUT_FILE = '.st-key-upload-widget [data-testid="stFileUploaderDropzoneInput"]'


@pytest.fixture
def files(tmp_path: Path):
    """Write a file of that name and content (bytes, or a size: a valid CSV)."""

    def write(name: str, content: bytes | int) -> Path:
        path = tmp_path / name
        path.write_bytes(exact_csv(content) if isinstance(content, int) else content)
        return path

    return write


@pytest.fixture
def windows_page(
    request: pytest.FixtureRequest, browser, server: str, console: Console
) -> Iterator[object]:
    """A fresh session in a browser that says it runs on Windows."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(RUN_MS)
    context.add_init_script(WINDOWS)
    page = context.new_page()
    page.on("console", console.on_console)
    page.on("pageerror", console.on_page_error)
    try:
        page.goto(server + "/")
        wait_for_page(page, "", timeout=FIRST_RUN_MS)
        failed_before = request.session.testsfailed
        yield page
        if request.session.testsfailed > failed_before:
            test_browser._post_mortem(page, request.node.name, console)
    finally:
        context.close()


def choose_upload(page) -> None:
    page.get_by_test_id("stSidebar").get_by_text("Upload CSV / .npy").click()
    page.locator(INPUT_FILE).wait_for(state="attached")
    wait_for_run(page)


def upload(page, path: Path) -> None:
    page.locator(INPUT_FILE).set_input_files(path)


def main_errors(page) -> str:
    alerts = page.get_by_test_id("stMain").locator('[data-testid="stAlertContainer"]')
    return " | ".join(alerts.all_inner_texts())


def wait_for_error(page, text: str) -> str:
    """Wait until an alert of the main area shows `text` and the run is over."""
    page.get_by_test_id("stMain").locator(
        '[data-testid="stAlertContainer"]', has_text=text
    ).first.wait_for()
    wait_for_run(page)
    return main_errors(page)


def chip_errors(page) -> str:
    chips = page.locator(".st-key-upload-widget").get_by_test_id("stFileChips")
    return " ".join(chips.all_inner_texts())


def assert_app_refused(page, name: str, size: str, kept: str) -> None:
    """The app's message for `name` (and nothing of ragged.csv); `kept` still shown."""
    errors = wait_for_error(page, name)
    message = f"{name}: The file is {size} bytes; at most 5,000,000 bytes are allowed."
    assert message in errors, errors
    assert "ragged.csv" not in errors, errors
    assert "Showing the last valid layer and input" in errors, errors
    assert kept in code_text(page)


def test_files_over_the_limit_get_the_apps_message_in_chromium(
    page, files, console: Console
) -> None:
    choose_upload(page)
    upload(page, files("exact.csv", 5_000_000))  # exactly the limit: accepted
    page.get_by_test_id("stMain").get_by_text("uploaded file exact.csv").wait_for()
    wait_for_run(page, 1)
    assert "(1, 500, 1)" in code_text(page)
    assert not main_errors(page)
    upload(page, files("ragged.csv", RAGGED))
    assert "row 2 has 2 values" in wait_for_error(page, "ragged.csv")
    for name, size in (("between.csv", 5_100_000), ("over.csv", 5_000_001)):
        upload(page, files(name, size))
        assert_app_refused(page, name, f"{size:,}", kept="(1, 500, 1)")
        # Streamlit's own message, beside the file, states the same limit.
        assert "File must be 5.0MB or smaller." in chip_errors(page)
    assert (
        "uploads ≤ 5,000,000 bytes (5 MB)"
        in page.get_by_test_id("stSidebar").inner_text()
    )
    assert_no_exception(page)
    screenshot(page, "upload-over-the-limit")
    console.check()


def test_files_over_the_limit_get_the_apps_message_on_windows(
    windows_page, files, console: Console
) -> None:
    page = windows_page
    choose_upload(page)
    upload(page, files("ragged.csv", RAGGED))
    wait_for_error(page, "ragged.csv")
    # 5,100,000 bytes pass both of Streamlit's checks on Windows (5 × 1024²): the
    # file reaches the app, which refuses it unread.
    upload(page, files("between.csv", 5_100_000))
    assert_app_refused(page, "between.csv", "5,100,000", kept="(32, 1, 8)")
    assert "File must be" not in chip_errors(page)
    # Not tested: a file within a few hundred bytes of 5 × 1024² passes the browser
    # check but gets HTTP 413 from the server (multipart framing counts); the app's
    # message then depends on the guard's report racing the emptied widget's rerun
    # (seen to fail 1 time in 4 here).
    assert_no_exception(page)
    screenshot(page, "upload-over-the-limit-windows")
    console.check()
