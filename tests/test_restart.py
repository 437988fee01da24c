"""Kill the server while two students are connected; both pages come back.

A real server (`python -m ui.serve`) and two Chromium contexts: one on the Step page
from a link, with a setting changed; one on the Weights page with an uploaded CSV and
a setting changed. The server's process group is killed (SIGKILL) and a new server
starts on the same port. Then each page must, by itself: reconnect, rerun in its new
session (it sends a rerun over the new websocket), show the same view (page, title,
navigation, settings in the sidebar and the summary line, the URL), say that the
upload was lost and ask for it by name (the uploader drawn empty), with no exception.
The first change after the restart is kept, and choosing the file again brings its
input back. Screenshots before and after: artifacts/screenshots/restart-*.png.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_browser import (
    APP_IDLE,
    FIRST_RUN_MS,
    RUN_MS,
    SCREENSHOT_DIR,
    SERVER_START_SECONDS,
    VIEWPORT,
    _free_port,
    _healthy,
    _stop,
    assert_no_exception,
    browser,  # noqa: F401 (fixture)
    chromium,  # noqa: F401 (fixture)
)

REPO = Path(__file__).resolve().parents[1]
UPLOAD_LABEL = "CSV (rows = timesteps, columns = features)"
STEP_LINK = "/Step_through_time?cell=lstm&units=3&timesteps=5&step=2"
DISCONNECT_MS = 30_000  # the page notices the dead server within this
LOST = "The server restarted and your uploaded file data.csv was lost: choose it again."

pytestmark = pytest.mark.browser


class Server:
    """The app's server on one port, which a test may kill and start again."""

    def __init__(self, log) -> None:
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        command = [
            *(sys.executable, "-m", "ui.serve"),
            *("--server.port", str(self.port), "--server.address", "127.0.0.1"),
            *("--server.headless", "true"),
        ]
        env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}
        self.process = subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + SERVER_START_SECONDS
        while not _healthy(self.url):
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.log.seek(0)
                pytest.fail(f"server did not start:\n{self.log.read()[-3000:]}")
            time.sleep(0.5)

    def kill(self) -> None:
        """SIGKILL the whole process group, as a crash or `docker kill` would."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            _stop(self.process)


@pytest.fixture
def server(chromium: Path) -> Iterator[Server]:  # noqa: F811 (the fixture above)
    with tempfile.TemporaryFile(mode="w+") as log:
        server = Server(log)
        try:
            server.start()
            yield server
        finally:
            server.stop()


class Tab:
    """One student's page, and what it sends over each websocket it opens."""

    def __init__(self, browser, url: str) -> None:  # noqa: F811
        self.context = browser.new_context(viewport=VIEWPORT)
        self.context.set_default_timeout(RUN_MS)
        self.page = self.context.new_page()
        self.sockets: list[list[int]] = []  # per websocket: sizes of frames sent
        self.page.on("websocket", self._on_websocket)
        self.page.goto(url)
        self.settle(FIRST_RUN_MS)

    def _on_websocket(self, socket) -> None:
        sent: list[int] = []
        self.sockets.append(sent)
        socket.on("framesent", lambda frame: sent.append(len(frame)))

    def settle(self, timeout: int = RUN_MS) -> None:
        self.page.wait_for_timeout(300)  # let a click's rerun start
        self.page.wait_for_selector(APP_IDLE, timeout=timeout)

    def connection(self) -> str | None:
        app = self.page.get_by_test_id("stApp")
        return app.get_attribute("data-test-connection-state")

    def main_text(self) -> str:
        return self.page.get_by_test_id("stMain").inner_text()

    def nav_titles(self) -> list[str]:
        return self.page.get_by_test_id("stSidebarNav").locator("a").all_inner_texts()

    def units(self) -> str:
        box = self.page.get_by_test_id("stNumberInput").filter(has_text="Units")
        return box.locator("input").input_value()

    def checked(self, label: str) -> bool:
        box = self.page.get_by_test_id("stCheckbox").filter(has_text=label)
        return box.locator("input").is_checked()

    def uploader(self):
        return self.page.get_by_test_id("stFileUploader").filter(has_text=UPLOAD_LABEL)

    def screenshot(self, name: str) -> None:
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=SCREENSHOT_DIR / f"{name}.png")


def wait_until(tab: Tab, condition, what: str, seconds: float) -> None:
    """Wait for `condition()`, letting Playwright deliver the tab's events."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"never {what} within {seconds:.0f} s")
        tab.page.wait_for_timeout(200)  # not time.sleep: events arrive meanwhile


def test_a_restart_brings_every_page_back_with_its_view(
    server: Server,
    browser,  # noqa: F811
    tmp_path: Path,
) -> None:
    csv = tmp_path / "data.csv"
    csv.write_text("0.1,0.2\n0.3,0.4\n0.5,0.6\n")

    # Student A: the Step page from a link, then 6 units.
    a = Tab(browser, server.url + STEP_LINK)
    units = a.page.get_by_test_id("stNumberInput").filter(has_text="Units")
    units.locator("input").fill("6")
    units.locator("input").press("Enter")
    a.page.get_by_text("keras.layers.LSTM(6, activation=None)").first.wait_for()
    a.settle()
    # Student B: the Weights page with an uploaded CSV, then return_sequences.
    b = Tab(browser, server.url + "/Weights?cell=gru")
    b.page.locator('label[data-testid="stRadioOption"]').filter(
        has_text="Upload CSV"
    ).click()
    b.settle()
    b.uploader().locator('input[type="file"]').set_input_files(str(csv))
    b.page.get_by_text("on input (1, 3, 2) from uploaded file data.csv").wait_for()
    b.page.get_by_test_id("stCheckbox").filter(has_text="return_sequences").click()
    b.page.get_by_text("GRU(4, activation=None, return_sequences=True)").wait_for()
    b.settle()

    before = {tab: (tab.page.url, tab.nav_titles()) for tab in (a, b)}
    assert "units=6" in a.page.url
    assert "source=upload" in b.page.url
    assert "file=data.csv" in b.page.url
    summary_a = "keras.layers.LSTM(6, activation=None) on input (32, 5, 8)"
    assert summary_a in a.main_text()
    a.screenshot("restart-step-before")
    b.screenshot("restart-upload-before")

    server.kill()
    for tab in (a, b):
        wait_until(
            tab,
            lambda tab=tab: tab.connection() != "CONNECTED",
            "noticed the dead server",
            DISCONNECT_MS / 1000,
        )
    sockets_before = {tab: len(tab.sockets) for tab in (a, b)}
    server.start()

    for tab in (a, b):
        # Reconnected on a new websocket, and asked for a run by itself.
        wait_until(
            tab,
            lambda tab=tab: (
                len(tab.sockets) > sockets_before[tab] and len(tab.sockets[-1]) >= 1
            ),
            "reran after reconnecting",
            FIRST_RUN_MS / 1000,
        )
        tab.page.wait_for_selector(APP_IDLE, timeout=FIRST_RUN_MS)
    b.page.get_by_text(LOST).wait_for(timeout=FIRST_RUN_MS)
    b.settle()
    a.screenshot("restart-step-after")
    b.screenshot("restart-upload-after")

    for tab in (a, b):
        assert_no_exception(tab.page)
        assert (tab.page.url, tab.nav_titles()) == before[tab]
        assert tab.nav_titles()[0] == "Home"  # app.py's navigation, not pages/
    # A: the same view, the settings of the link and the change.
    assert a.page.locator("h1").inner_text() == "Step through time"
    assert summary_a in a.main_text()
    assert "Step 2 reads input timestep 2" in a.main_text()
    assert a.units() == "6"
    # B: the same page and layer, the generator's input meanwhile, asked for the file.
    assert b.page.locator("h1").inner_text() == "Weights"
    assert "GRU(4, activation=None, return_sequences=True)" in b.main_text()
    assert "Meanwhile the page shows the generator's input." in b.main_text()
    assert b.checked("return_sequences")
    assert "data.csv" not in b.uploader().inner_text()  # no stale file shown

    # The first change after the restart is kept (the URL does not undo it).
    a.page.get_by_test_id("stCheckbox").filter(has_text="return_sequences").click()
    a.page.get_by_text("LSTM(6, activation=None, return_sequences=True)").wait_for()
    a.settle()
    assert "return_sequences=1" in a.page.url
    assert a.units() == "6"
    # Choosing the file again brings its input back and ends the message.
    b.uploader().locator('input[type="file"]').set_input_files(str(csv))
    b.page.get_by_text("on input (1, 3, 2) from uploaded file data.csv").wait_for()
    b.settle()
    assert LOST not in b.main_text()
    assert_no_exception(b.page)
    for tab in (a, b):
        tab.context.close()
