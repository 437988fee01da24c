"""Many users on one server: sessions are isolated, and a closed tab frees its data.

What Streamlit 1.67 does with a closed tab (runtime/websocket_session_manager.py,
memory_session_storage.py, app_session.py): the websocket closes and
`disconnect_session` clears the session's session-scoped caches and moves the session
into `MemorySessionStorage`, a TTL cache (at most 128 sessions), so that the same tab
can reconnect after a network blip. After `server.disconnectedSessionTTL` seconds
(60 in .streamlit/config.toml; Streamlit's default is 120) it can no longer be
resumed, and the next write to that storage (the next tab that closes) drops it.
Nothing else refers to it then: it is garbage collected, and `AppSession.__del__`
shuts it down, which removes its files from Streamlit's uploaded-file manager. Its
session_state, with the bytes the app read from the upload, goes with it.

These tests run the real server (tests/streamlit_probe.py: `streamlit run app.py` plus
a thread that reports what the runtime holds) with a 3-second TTL, and two Chromium
contexts: two users at once, one uploading a file.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import tomllib
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest

from tests.test_browser import (
    APP_IDLE,
    FIRST_RUN_MS,
    RUN_MS,
    SERVER_START_SECONDS,
    VIEWPORT,
    _free_port,
    _healthy,
    _stop,
    browser,  # noqa: F401 (fixture)
    chromium,  # noqa: F401 (fixture)
)
from ui.settings import npy_bytes

REPO = Path(__file__).resolve().parents[1]
TTL_SECONDS = 3  # the server's disconnectedSessionTTL in these tests
PROBE_SECONDS = 60
UPLOAD_LABEL = "CSV (rows = timesteps, columns = features)"


class Server:
    """The app's server on `url`, and its probe's answers."""

    def __init__(self, url: str, probe_dir: Path) -> None:
        self.url = url
        self.probe_dir = probe_dir

    def ask(self) -> dict:
        """What the server's runtime holds now (after a garbage collection)."""
        answer = self.probe_dir / "answer.json"
        answer.unlink(missing_ok=True)
        (self.probe_dir / "request").touch()
        deadline = time.monotonic() + PROBE_SECONDS
        while not answer.exists():
            if time.monotonic() > deadline:
                pytest.fail("the probe inside the server did not answer")
            time.sleep(0.05)
        return json.loads(answer.read_text())

    def until(self, condition: Callable[[dict], bool], what: str) -> dict:
        """Ask until `condition(answer)` holds; fail after PROBE_SECONDS."""
        deadline = time.monotonic() + PROBE_SECONDS
        while True:
            answer = self.ask()
            if condition(answer):
                return answer
            if time.monotonic() > deadline:
                pytest.fail(f"never {what}: {answer}")
            time.sleep(0.2)


@pytest.fixture(scope="module")
def server(
    chromium: Path,  # noqa: F811 (the fixture imported above)
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[Server]:
    """The app with its probe, on a free port, with a short session TTL."""
    probe_dir = tmp_path_factory.mktemp("probe")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [
        *(sys.executable, str(REPO / "tests" / "streamlit_probe.py"), str(probe_dir)),
        *("--server.port", str(port), "--server.address", "127.0.0.1"),
        *("--server.headless", "true"),
        f"--server.disconnectedSessionTTL={TTL_SECONDS}",
    ]
    log = (probe_dir / "server.log").open("w+")
    process = subprocess.Popen(
        command,
        cwd=REPO,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while not _healthy(url):
            if process.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"server did not start:\n{log.read()[-3000:]}")
            time.sleep(0.5)
        yield Server(url, probe_dir)
    finally:
        _stop(process)
        log.close()


def code_text(page) -> str:
    """The home page's code block that builds the layer."""
    return page.get_by_test_id("stCode").filter(has_text="import keras").inner_text()


def open_app(browser, url: str):  # noqa: F811
    """A new browser context (a new user) on the home page, after its first run."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(RUN_MS)
    page = context.new_page()
    page.goto(url + "/")
    page.wait_for_selector(APP_IDLE, timeout=FIRST_RUN_MS)
    page.get_by_test_id("stCode").filter(has_text="import keras").wait_for(
        timeout=FIRST_RUN_MS
    )
    return context, page


def upload(page, path: Path, shape: str) -> None:
    """Choose the upload source and upload `path`; wait until it is the input."""
    page.locator('label[data-testid="stRadioOption"]').filter(
        has_text="Upload CSV / .npy"
    ).click()
    page.wait_for_selector(APP_IDLE)
    uploader = page.get_by_test_id("stFileUploader").filter(has_text=UPLOAD_LABEL)
    uploader.locator('input[type="file"]').set_input_files(str(path))
    page.get_by_test_id("stCode").filter(has_text="import keras").filter(
        has_text=shape
    ).wait_for()
    page.wait_for_selector(APP_IDLE)


@pytest.mark.browser
def test_two_users_at_once_and_a_closed_tab_frees_its_upload(
    server: Server,
    browser,  # noqa: F811
    tmp_path: Path,
):
    x = np.random.default_rng(3).normal(size=(2, 300, 100)).astype(np.float32)
    data = npy_bytes(x)  # 240 KB
    path = tmp_path / "alice.npy"
    path.write_bytes(data)

    # Alice uploads a file.
    context_a, page_a = open_app(browser, server.url)
    upload(page_a, path, "(2, 300, 100)")
    assert "alice.npy" in code_text(page_a)
    (alice,) = server.ask()["active"]

    # Bob opens the app at the same time: the defaults, nothing of Alice's.
    context_b, page_b = open_app(browser, server.url)
    assert "(32, 1, 8)" in code_text(page_b)
    assert "alice" not in page_b.locator("body").inner_text()
    now = server.ask()
    (bob,) = set(now["active"]) - {alice}
    # Alice's bytes are in her session only (and in Streamlit's copy of her upload).
    assert now["session_state_upload_bytes"] == {alice: len(data), bob: 0}
    assert now["streamlit_upload_bytes"] == {alice: len(data)}
    # Alice's next run still uses her file, with the new setting.
    page_a.get_by_test_id("stCheckbox").filter(has_text="return_sequences").click()
    page_a.get_by_test_id("stCode").filter(has_text="return_sequences=True").wait_for()
    assert "(2, 300, 100)" in code_text(page_a)

    # Alice closes her tab: kept for a reconnect, then no longer resumable.
    context_a.close()
    kept = server.until(lambda a: alice not in a["active"], "disconnected")
    assert alice in kept["stored"]
    assert kept["alive"][alice]
    server.until(lambda a: alice not in a["stored"], f"expired after {TTL_SECONDS} s")

    # The next user to leave makes Streamlit drop the expired session: Alice's session,
    # its session_state and both copies of her upload are gone from the server.
    context_b.close()
    gone = server.until(lambda a: not a["alive"][alice], "freed Alice's session")
    assert alice not in gone["session_state_upload_bytes"]
    assert gone["streamlit_upload_bytes"].get(alice, 0) == 0
    assert sum(gone["session_state_upload_bytes"].values()) == 0


def test_the_server_config_drops_closed_sessions_within_a_minute():
    """A closed tab's session is resumable for disconnectedSessionTTL seconds: long
    enough for a network blip, short enough that the data goes soon."""
    config = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    ttl = config["server"]["disconnectedSessionTTL"]
    assert 10 <= ttl <= 60
