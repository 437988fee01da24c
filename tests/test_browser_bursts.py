"""Bursts of changes in a real browser (Chromium via Playwright): nothing is lost.

A student presses keys, clicks and types faster than the app reruns. Each test makes
the reruns slow (a Bidirectional LSTM of 256 units), sends a burst while runs are in
flight, waits until the app is idle for good, and asserts that it shows what the user
last set: every key press, every click and every typed cell. No timing thresholds:
only the final state is asserted.

Reuses the server, browser and page fixtures of tests/test_browser.py.
"""

from __future__ import annotations

import re

import pytest

from tests import test_browser
from tests.test_browser import (
    APP_IDLE,
    Console,
    assert_no_exception,
    code_text,
    main_code,
    screenshot,
    step_line,
    wait_for_page,
    widget,
)

pytestmark = pytest.mark.browser
chromium = test_browser.chromium
server = test_browser.server
browser = test_browser.browser
console = test_browser.console
page = test_browser.page

PRESSES = 21  # the burst of the issue: 21 key presses, 21 clicks
# Slow reruns (about 1-3 s each on 2 cores), so that a burst overlaps them.
HEAVY = "cell=lstm&units=256&bidirectional=1"
# (row, column, typed value) of the five table edits; three columns are visible.
EDITS = [(0, 0, 11), (0, 1, 12), (0, 2, 13), (1, 0, 14), (1, 1, 15)]
EDIT_GAP_MS = 700  # between two edits: shorter than one rerun of the heavy layer
# Where a cell of the sidebar's data editor is, in pixels from its canvas' corner:
# the index column is about 32 px wide, a number column about 96 px, a row 35 px.
CELL_X = (80, 176, 231)
HEADER_Y, ROW_Y = 36, 35


def settle(page) -> None:
    """Wait until the app is idle and stays idle (no rerun still queued)."""
    for _ in range(3):
        page.wait_for_selector(APP_IDLE)
        page.wait_for_timeout(800)
    page.wait_for_selector(APP_IDLE)


def open_heavy(page, server: str, path: str, title: str) -> None:
    page.goto(f"{server}/{path}?{HEAVY}")
    page.locator("h1").filter(has_text=title).wait_for()
    settle(page)
    assert_no_exception(page)


def test_a_burst_of_slider_keys_ends_where_the_user_left_it(
    page, server: str, console: Console
) -> None:
    open_heavy(page, server, "", "RNN Stepper")
    assert "(32, 1, 8)" in code_text(page)
    thumb = widget(page, "stSlider", "Timesteps").get_by_role("slider")
    thumb.focus()
    for _ in range(PRESSES):
        thumb.press("ArrowRight")
    settle(page)
    timesteps = 1 + PRESSES
    assert thumb.get_attribute("aria-valuenow") == str(timesteps)
    assert f"(32, {timesteps}, 8)" in code_text(page)
    assert f"timesteps={timesteps}" in page.url, page.url
    link = page.get_by_test_id("stSidebar").get_by_test_id("stCode").inner_text()
    assert f"timesteps={timesteps}" in link, link
    assert_no_exception(page)
    screenshot(page, "burst-slider")
    console.check()


def test_a_burst_of_clicks_draws_every_new_weight(
    page, server: str, console: Console
) -> None:
    open_heavy(page, server, "", "RNN Stepper")
    seed = widget(page, "stNumberInput", "Weights seed").locator("input")
    assert seed.input_value() == "0"
    button = page.get_by_role("button", name="Draw new weights", exact=True)
    for _ in range(PRESSES):
        button.click()
    settle(page)
    assert seed.input_value() == str(PRESSES)
    assert f"weights_seed={PRESSES}" in page.url, page.url
    assert (
        "keras.layers.Bidirectional(keras.layers.LSTM(256"
        in main_code(page).inner_text()
    )
    assert_no_exception(page)
    screenshot(page, "burst-clicks")
    console.check()


def _click_cell(page, canvas, row: int, column: int) -> None:
    box = canvas.bounding_box()
    page.mouse.click(
        box["x"] + CELL_X[column], box["y"] + HEADER_Y + ROW_Y * row + ROW_Y // 2
    )


def _table_cells(sidebar) -> dict[tuple[int, int], str]:
    """The editor's cells as its accessible grid lists them: (row, column) -> text."""
    cells = {}
    for cell in sidebar.locator('[data-testid^="glide-cell-"]').all():
        _, column, row = cell.get_attribute("data-testid").rsplit("-", 2)
        cells[int(row), int(column) - 1] = cell.inner_text()
    return cells


def _x_line(main, step: int) -> str:
    """The Step page's rendered "step s: x_t = x_s = [...]" equation."""
    pattern = re.compile(rf"step\s*{step}\s*:\s*x\s*t\s*=\s*x\s*{step}\s*=")
    for text in main.locator(".katex-html").all_inner_texts():
        flat = " ".join(text.split())
        if pattern.search(flat):
            return flat
    raise AssertionError(f"no x_t equation of step {step}")


def test_table_edits_typed_during_reruns_are_all_kept(
    page, server: str, console: Console
) -> None:
    open_heavy(page, server, "Step_through_time", "Step through time")
    page.locator('label[data-testid="stRadioOption"]').filter(
        has_text="Type it in a table"
    ).click()
    settle(page)
    sidebar = page.get_by_test_id("stSidebar")
    canvas = sidebar.get_by_test_id("stDataFrame").locator("canvas").first
    canvas.scroll_into_view_if_needed()
    for row, column, value in EDITS:
        _click_cell(page, canvas, row, column)
        page.keyboard.type(str(value))
        page.keyboard.press("Enter")
        page.wait_for_timeout(EDIT_GAP_MS)
    settle(page)
    cells = _table_cells(sidebar)
    for row, column, value in EDITS:
        assert cells[row, column] == str(value), cells
    assert cells[1, 2] == "0", cells  # a cell not edited keeps its value
    main = page.get_by_test_id("stMain")
    assert "(1, 5, 3)" in main.inner_text()
    step_line(main, 0).wait_for()
    first = _x_line(main, 0)
    assert all(str(v) in first for v in (11, 12, 13)), first
    screenshot(page, "burst-table")
    thumb = widget(page, "stSlider", "Step (0 to 4)").get_by_role("slider")
    thumb.focus()
    thumb.press("ArrowRight")
    step_line(main, 1).wait_for()
    settle(page)
    second = _x_line(main, 1)
    assert all(str(v) in second for v in (14, 15)), second
    assert_no_exception(page)
    console.check()


def test_table_edits_survive_a_page_switch(page, server: str, console) -> None:
    """Edits typed on one page are in the table and the input on the next."""
    page.locator('label[data-testid="stRadioOption"]').filter(
        has_text="Type it in a table"
    ).click()
    settle(page)
    sidebar = page.get_by_test_id("stSidebar")
    canvas = sidebar.get_by_test_id("stDataFrame").locator("canvas").first
    canvas.scroll_into_view_if_needed()
    _click_cell(page, canvas, 0, 1)
    page.keyboard.type("7")
    page.keyboard.press("Enter")
    settle(page)
    test_browser.go_to(page, "Step_through_time")
    settle(page)
    cells = _table_cells(sidebar)
    assert cells[0, 1] == "7", cells
    main = page.get_by_test_id("stMain")
    assert "7" in _x_line(main, 0)
    # And a second edit on this page keeps the first one.
    canvas = sidebar.get_by_test_id("stDataFrame").locator("canvas").first
    canvas.scroll_into_view_if_needed()
    _click_cell(page, canvas, 0, 2)
    page.keyboard.type("9")
    page.keyboard.press("Enter")
    settle(page)
    cells = _table_cells(sidebar)
    assert (cells[0, 1], cells[0, 2]) == ("7", "9"), cells
    line = _x_line(main, 0)
    assert "7" in line, line
    assert "9" in line, line
    wait_for_page(page, "Step_through_time")
    assert_no_exception(page)
    console.check()
