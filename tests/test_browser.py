"""The app in a real browser: Streamlit server + Playwright driving Debian's Chromium.

Skipped when /usr/bin/chromium is missing, unless CI is set (then it fails).
Screenshots go to artifacts/screenshots/ (override with SCREENSHOT_DIR).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from scripts.chromium import CHROMIUM_ARGS, CHROMIUM_PATH, VIEWPORT

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = Path(CHROMIUM_PATH)
TALL_VIEWPORT = {"width": 1280, "height": 1800}
SCREENSHOT_DIR = Path(
    os.environ.get("SCREENSHOT_DIR", REPO / "artifacts" / "screenshots")
)
SERVER_START_SECONDS = 120
FIRST_RUN_MS = 120_000  # the first page imports TensorFlow
RUN_MS = 60_000
APP_IDLE = (
    '[data-testid="stApp"][data-test-script-state="notRunning"]'
    '[data-test-connection-state="CONNECTED"]'
)
CHARTS = '[data-testid="stPlotlyChart"] .js-plotly-plot'
TABLES = '[data-testid="stDataFrame"], [data-testid="stTable"]'
# Least Plotly charts per page with the default settings, by the page's URL name.
MIN_CHARTS = {"": 1, "Step_through_time": 1, "Weights": 3, "Hidden_states": 4}
TITLES = {
    "": "RNN Stepper",
    "Step_through_time": "Step through time",
    "Weights": "Weights",
    "Hidden_states": "Hidden states",
    "Output_shapes": "Output shapes",
    "Walkthrough": "Walkthrough: the notebook, step by step",
    "Check_yourself": "Check yourself",
    "Gradients_through_time": "Gradients through time",
    "Train": "Train a recurrent layer on a toy task",
}
# Opening a page's URL directly logs these two 404s; they are harmless.
HARMLESS_404 = re.compile(r"/_stcore/(health|host-config)$")

pytestmark = pytest.mark.browser


# --------------------------------------------------------------------------------------
# Fixtures: Chromium, the Streamlit server, the browser


@pytest.fixture(scope="module")
def chromium() -> Path:
    """Debian's Chromium: skip without it locally, fail without it in CI."""
    if not CHROMIUM.exists():
        message = (
            f"{CHROMIUM} is missing: `apt-get install -y chromium` "
            "(never `playwright install`)"
        )
        if os.environ.get("CI"):
            pytest.fail(f"CI is set but {message}", pytrace=False)
        print(f"skipping browser tests: {message}")
        pytest.skip(message)
    return CHROMIUM


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
            return answer.read().decode().strip() == "ok"
    except OSError:
        return False


def _stop(process: subprocess.Popen) -> None:
    """Stop the server's whole process group (TERM, then KILL)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@pytest.fixture(scope="module")
def server(request: pytest.FixtureRequest, chromium: Path) -> Iterator[str]:
    """The app as `make run` starts it (`python -m ui.serve`, i.e. `streamlit run
    app.py` with TensorFlow preloaded), on a free port in its own process group."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}
    command = [
        *(sys.executable, "-m", "ui.serve"),
        *("--server.port", str(port), "--server.address", "127.0.0.1"),
        *("--server.headless", "true"),
    ]
    failed_before = request.session.testsfailed
    started = False
    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + SERVER_START_SECONDS
            while not _healthy(url):
                if process.poll() is not None:
                    pytest.fail(f"streamlit exited with code {process.returncode}")
                if time.monotonic() > deadline:
                    pytest.fail(f"streamlit not healthy after {SERVER_START_SECONDS} s")
                time.sleep(0.5)
            started = True
            yield url
        finally:
            _stop(process)
            if not started or request.session.testsfailed > failed_before:
                log.seek(0)
                print("---- streamlit server output ----")
                print(log.read())


@pytest.fixture(scope="module")
def browser(chromium: Path) -> Iterator[object]:
    """One headless Chromium for the module."""
    try:
        from playwright import sync_api
    except ImportError:
        if os.environ.get("CI"):
            pytest.fail("CI is set but playwright is not installed", pytrace=False)
        pytest.skip("playwright is not installed (requirements-dev.txt)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(chromium), args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


class Console:
    """Console errors and uncaught exceptions of one page."""

    def __init__(self) -> None:
        self.errors: list[str] = []

    def on_console(self, message) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "")
        if "404" in message.text and HARMLESS_404.search(where):
            return
        self.errors.append(f"{message.text} ({where})")

    def on_page_error(self, error) -> None:
        self.errors.append(f"uncaught: {error}")

    def check(self) -> None:
        hints = []
        if any("ERR_NETWORK_CHANGED" in error for error in self.errors):
            hints.append(
                "ERR_NETWORK_CHANGED: a network interface changed under Chromium "
                "(a container or namespace started?); not the app's fault, rerun."
            )
        if any("fonts.gstatic.com" in error for error in self.errors):
            hints.append(
                "fonts.gstatic.com: Streamlit turns a ':material/...:' st.Page icon "
                "into a favicon fetched from Google; emoji icons stay local."
            )
        assert not self.errors, "browser console errors:\n" + "\n".join(
            self.errors + hints
        )


@pytest.fixture
def console() -> Console:
    """The page's console errors (each test checks them at its end)."""
    return Console()


@pytest.fixture
def page(
    request: pytest.FixtureRequest, browser, server: str, console: Console
) -> Iterator[object]:
    """A fresh browser context (a fresh Streamlit session) on the home page."""
    context = browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(RUN_MS)
    page = context.new_page()
    page.on("console", console.on_console)
    page.on("pageerror", console.on_page_error)
    try:
        page.goto(server + "/")
        wait_for_page(page, "", timeout=FIRST_RUN_MS)
    except Exception:
        _post_mortem(page, request.node.name, console)
        context.close()
        raise
    failed_before = request.session.testsfailed
    yield page
    if request.session.testsfailed > failed_before:
        _post_mortem(page, request.node.name, console)
    context.close()


def _post_mortem(page, name: str, console: Console) -> None:
    """Print what the page showed when a test failed, and keep a screenshot."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOT_DIR / f"FAILED-{name}.png"
    try:
        page.screenshot(path=path)
        app = page.locator('[data-testid="stApp"]')
        print(f"---- page at failure (screenshot {path}) ----")
        print("url:", page.url)
        print("script state:", app.get_attribute("data-test-script-state"))
        print("connection:", app.get_attribute("data-test-connection-state"))
        print("console errors:", console.errors)
        print(page.locator("body").inner_text(timeout=5_000)[:4_000])
    except Exception as error:  # best effort only
        print(f"post-mortem failed: {error}")


# --------------------------------------------------------------------------------------
# Helpers


def wait_for_page(page, name: str, timeout: int = RUN_MS) -> None:
    """Wait until the page `name` (its URL name) has run and drawn its charts."""
    page.locator("h1").filter(has_text=TITLES[name]).wait_for(timeout=timeout)
    wait_for_run(page, MIN_CHARTS.get(name, 0), timeout)


def wait_for_run(page, charts: int = 0, timeout: int = RUN_MS) -> None:
    """Wait for the script run to finish and at least `charts` Plotly charts."""
    page.wait_for_selector(APP_IDLE, timeout=timeout)
    page.wait_for_function(
        "([selector, n]) => document.querySelectorAll(selector).length >= n",
        arg=[CHARTS, charts],
        timeout=timeout,
    )


def nav_links(page) -> dict[str, str]:
    """The sidebar's page links: URL name ('' for home) -> href."""
    links = page.locator('[data-testid="stSidebarNav"] a')
    hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
    return {
        href.rstrip("/").rsplit("/", 1)[-1] if i else "": href
        for i, href in enumerate(hrefs)
    }


def go_to(page, name: str) -> None:
    """Open a page by clicking its sidebar link (keeps the Streamlit session)."""
    href = nav_links(page)[name]
    page.locator(f'[data-testid="stSidebarNav"] a[href="{href}"]').click()
    wait_for_page(page, name)


def widget(page, testid: str, label: str):
    """The widget of this kind whose label is exactly `label`."""
    return page.get_by_test_id(testid).filter(
        has=page.get_by_test_id("stWidgetLabel").get_by_text(label, exact=True)
    )


def choose(page, label: str, option: str) -> None:
    """Pick `option` in the selectbox labelled `label`."""
    widget(page, "stSelectbox", label).get_by_role("combobox").click()
    page.get_by_role("option", name=option, exact=True).click()


def press_slider(page, label: str, key: str, then) -> None:
    """Press `key` on the slider labelled `label`; wait for `then` and the run.

    One key per run: keys pressed while a run is in flight are sometimes lost.
    """
    thumb = widget(page, "stSlider", label).get_by_role("slider")
    thumb.focus()
    thumb.press(key)
    then.wait_for()
    wait_for_run(page, 1)


def step_line(main, step: int):
    """The Step page's "Step s reads input timestep s" line."""
    return main.get_by_text(re.compile(rf"Step {step} reads input timestep {step}\b"))


def main_code(page):
    """The home page's `st.code` block (the sidebar has one too: the link)."""
    return page.get_by_test_id("stMain").get_by_test_id("stCode").first


def code_text(page) -> str:
    """The text of the home page's `st.code` block."""
    return main_code(page).inner_text()


def assert_no_exception(page) -> None:
    """No Streamlit exception box on the page."""
    boxes = page.get_by_test_id("stException")
    assert boxes.count() == 0, boxes.all_inner_texts()


def chart_count(page) -> int:
    return page.locator(CHARTS).count()


def screenshot(page, name: str) -> None:
    """Save `<name>.png` at the projector size and `<name>-tall.png` at 1280×1800."""
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOT_DIR / f"{name}.png")
    page.set_viewport_size(TALL_VIEWPORT)
    page.wait_for_timeout(700)  # Plotly relayouts on resize
    page.screenshot(path=SCREENSHOT_DIR / f"{name}-tall.png")
    page.set_viewport_size(VIEWPORT)
    page.wait_for_timeout(300)


# --------------------------------------------------------------------------------------
# Tests


def test_every_page_renders(page, console: Console) -> None:
    """Every page opens with its charts (or table) and no exception; screenshots."""
    links = nav_links(page)
    assert len(links) == len(TITLES), links
    assert set(links) == set(TITLES), links
    timings = {}
    for name in links:
        started = time.monotonic()
        if name:
            go_to(page, name)
        timings[name or "home"] = round(time.monotonic() - started, 1)
        assert_no_exception(page)
        assert chart_count(page) >= MIN_CHARTS.get(name, 0), name
        if name == "Output_shapes":
            tables = page.locator(TABLES)
            assert tables.count() >= 1, "no table of output shapes"
        if name == "Step_through_time":
            assert page.locator(".katex").count() >= 1
            main = page.get_by_test_id("stMain")
            assert "Step 0" in main.inner_text()
        screenshot(page, name or "home")
    print("seconds per page:", timings)
    console.check()


def test_settings_change_the_page_and_persist(page, console: Console) -> None:
    """Cell → LSTM changes the code; the setting holds on the other pages."""
    assert "keras.layers.SimpleRNN(4, activation=None)" in code_text(page)
    choose(page, "Cell", "LSTM")
    code = main_code(page)
    code.filter(has_text="keras.layers.LSTM(").wait_for()
    wait_for_run(page, 1)
    assert "keras.layers.LSTM(" in code_text(page)

    widget(page, "stCheckbox", "return_sequences").locator("label").click()
    code.filter(has_text="return_sequences=True").wait_for()
    wait_for_run(page, 1)
    assert_no_exception(page)

    go_to(page, "Weights")
    text = page.get_by_test_id("stMain").text_content()  # with the charts' SVG
    for gate in "ifco":
        assert f"Wx_{gate}" in text, f"no LSTM panel Wx_{gate} on the Weights page"
    assert_no_exception(page)

    go_to(page, "Hidden_states")
    wait_for_run(page, 8)  # LSTM: 4 charts of h_t and 4 of c_t
    assert "Cell state c_t" in page.get_by_test_id("stMain").inner_text()
    assert_no_exception(page)

    go_to(page, "")
    assert "keras.layers.LSTM(" in code_text(page)
    assert "return_sequences=True" in code_text(page)
    console.check()


def test_step_slider_moves_the_equations(page, console: Console) -> None:
    """Timesteps → 5 on home, then the Step slider changes the step shown."""
    code = page.get_by_test_id("stCode")
    for timesteps in range(2, 6):
        shape = f"(32, {timesteps}, 8)"
        press_slider(page, "Timesteps", "ArrowRight", code.filter(has_text=shape))

    go_to(page, "Step_through_time")
    main = page.get_by_test_id("stMain")
    step_line(main, 0).wait_for()
    katex_before = main.locator(".katex").all_text_contents()
    assert katex_before, "no rendered LaTeX on the Step page"

    press_slider(page, "Step (0 to 4)", "ArrowRight", step_line(main, 1))
    assert main.locator(".katex").all_text_contents() != katex_before
    press_slider(page, "Step (0 to 4)", "End", step_line(main, 4))
    assert_no_exception(page)
    screenshot(page, "Step_through_time-step4")
    # A step reruns only the fragment; the sidebar's settings still hold afterwards.
    go_to(page, "Weights")
    go_to(page, "")
    assert "(32, 5, 8)" in code_text(page)
    # The same after playing (fragment reruns on a timer).
    go_to(page, "Step_through_time")
    press_slider(page, "Step (0 to 4)", "Home", step_line(main, 0))
    page.get_by_role("button", name="Play").click()
    step_line(main, 2).wait_for()
    page.get_by_role("button", name="Pause").click()
    wait_for_run(page, 1)
    go_to(page, "Weights")
    go_to(page, "")
    assert "(32, 5, 8)" in code_text(page)
    console.check()


def test_bad_upload_shows_an_error_and_keeps_settings(page, console: Console) -> None:
    """A ragged CSV gives st.error; the LSTM cell and the charts stay."""
    choose(page, "Cell", "LSTM")
    page.get_by_test_id("stCode").filter(has_text="keras.layers.LSTM(").wait_for()
    wait_for_run(page, 1)

    page.locator('label[data-testid="stRadioOption"]').filter(
        has_text="Upload CSV / .npy"
    ).click()
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="CSV (rows")
    uploader.locator('input[type="file"]').set_input_files(
        files=[{"name": "ragged.csv", "mimeType": "text/csv", "buffer": b"1,2\n3\n"}]
    )
    error = page.get_by_test_id("stAlertContentError").filter(has_text="ragged.csv")
    error.wait_for()
    wait_for_run(page, 1)
    message = error.inner_text()
    assert re.search(r"row 2 has 1 value, expected 2", message), message
    assert "keras.layers.LSTM(" in code_text(page)
    assert page.get_by_text("Showing the last valid layer and input").count() == 1
    assert_no_exception(page)
    screenshot(page, "home-bad-upload")
    console.check()


def test_walkthrough_next_back_and_spanish(page, console: Console) -> None:
    """The walkthrough's eight steps in order, live numbers, and the Spanish switch."""
    go_to(page, "Walkthrough")
    main = page.get_by_test_id("stMain")
    assert "Step 1 of 8" in main.inner_text()
    assert page.get_by_role("button", name="← Back").is_disabled()
    titles = [
        "The layer: SimpleRNN(4, activation=None)",
        "Its three weight arrays",
        "The formula, by hand",
        "Keras and the formula agree",
        "return_state: the output is the state",
        "return_sequences: one state per timestep",
        "The same with tanh",
    ]
    for number, title in enumerate(titles, start=2):
        page.get_by_role("button", name="Next →").click()
        main.locator("h2").filter(has_text=title).wait_for()
        wait_for_run(page, 3 if number == 3 else 0)
        assert f"Step {number} of 8" in main.inner_text()
        assert_no_exception(page)
        if number == 4:
            assert page.locator(".katex").count() >= 1
        if number == 6:
            success = page.get_by_test_id("stAlertContentSuccess")
            assert "output == state_h" in success.first.inner_text()
    assert page.get_by_role("button", name="Next →").is_disabled()
    screenshot(page, "Walkthrough")
    choose(page, "Language · Idioma", "Español")
    page.locator("h1").filter(
        has_text="Recorrido guiado: el cuaderno, paso a paso"
    ).wait_for()
    wait_for_run(page)
    assert page.get_by_role("button", name="← Atrás").count() == 1
    assert_no_exception(page)
    console.check()


def test_quiz_checks_answers_live(page, console: Console) -> None:
    """A wrong shape answer is explained, the right one accepted, a new one asked."""
    go_to(page, "Check_yourself")
    choose(page, "Kind of question", "The shapes Keras returns")
    wait_for_run(page)
    answer = widget(page, "stTextInput", "Shapes, e.g. (2, 3), (2, 3)").locator("input")
    answer.fill("(1, 1)")
    answer.press("Enter")
    wait_for_run(page)
    page.get_by_role("button", name="Check", exact=True).click()
    error = page.get_by_test_id("stAlertContentError").filter(has_text="Not quite")
    error.wait_for()
    wait_for_run(page)
    match = re.search(r"Keras returned (.*)\.", error.inner_text())
    assert match, error.inner_text()
    answer.fill(match.group(1))
    answer.press("Enter")
    wait_for_run(page)
    page.get_by_role("button", name="Check", exact=True).click()
    page.get_by_test_id("stAlertContentSuccess").filter(has_text="Right!").wait_for()
    wait_for_run(page)
    assert_no_exception(page)
    screenshot(page, "Check_yourself")
    console.check()


def test_a_permalink_opens_the_same_view_in_a_fresh_session(
    page, browser, console: Console
) -> None:
    """GRU, 3 timesteps, step 1 of the Step page: the sidebar's link, opened in a new
    browser context (a new Streamlit session), shows the same equations and, on Home,
    the same code and max |manual − Keras|."""
    choose(page, "Cell", "GRU")
    main_code(page).filter(has_text="keras.layers.GRU(").wait_for()
    wait_for_run(page, 1)
    code = page.get_by_test_id("stCode")
    for timesteps in (2, 3):
        shape = f"(32, {timesteps}, 8)"
        press_slider(page, "Timesteps", "ArrowRight", code.filter(has_text=shape))
    home_code = code_text(page)
    home_metric = page.get_by_test_id("stMetricValue").first.inner_text()

    go_to(page, "Step_through_time")
    main = page.get_by_test_id("stMain")
    press_slider(page, "Step (0 to 2)", "ArrowRight", step_line(main, 1))
    # On this page the link box sits under the equations, in the step's fragment.
    link_box = main.get_by_test_id("stCode")
    link_box.filter(has_text="step=1").wait_for()
    link = link_box.inner_text().strip()
    assert link.startswith(page.url.split("?")[0]), (link, page.url)
    assert "/Step_through_time?" in link, link
    for part in ("cell=gru", "timesteps=3", "step=1"):
        assert part in link, link
    assert "step=1" in page.url, page.url  # the address bar holds the link too
    equations = main.locator(".katex").all_text_contents()
    summary = main.get_by_text("max |manual − Keras|").first.inner_text()

    fresh = browser.new_context(viewport=VIEWPORT)
    fresh.set_default_timeout(RUN_MS)
    other = fresh.new_page()
    other.on("console", console.on_console)
    other.on("pageerror", console.on_page_error)
    try:
        other.goto(link)
        wait_for_page(other, "Step_through_time", timeout=FIRST_RUN_MS)
        other_main = other.get_by_test_id("stMain")
        step_line(other_main, 1).wait_for()
        assert other_main.locator(".katex").all_text_contents() == equations
        assert other_main.get_by_text("max |manual − Keras|").first.inner_text() == (
            summary
        )
        assert_no_exception(other)
        go_to(other, "")
        assert code_text(other) == home_code
        assert other.get_by_test_id("stMetricValue").first.inner_text() == home_metric
        screenshot(other, "permalink-home")
    except Exception:
        _post_mortem(other, "permalink-fresh-context", console)
        raise
    finally:
        fresh.close()
    console.check()
