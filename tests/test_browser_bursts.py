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

PRESSES = 21  # the burst of the issue: 21 key presses, 21 clicks
CLICK_GAP_MS = 100  # between two clicks of a burst (about 10 clicks a second)
# Slow reruns (about 1-3 s each on 2 cores), so that a burst overlaps them.
HEAVY = "cell=lstm&units=256&bidirectional=1"
# (row, column, typed value) of the five table edits, in the two columns fully in
# view (clicking the third scrolls the grid); one key each (the key that opens a
# cell's editor is the first character typed into it).
EDITS = [(0, 0, 5), (0, 1, 6), (1, 0, 7), (1, 1, 8), (2, 0, 9)]
# Where a cell of the sidebar's data editor is, in pixels from its canvas' corner:
# the index column is about 32 px wide, a number column about 96 px, a row 35 px.
CELL_X = (80, 176)
HEADER_Y, ROW_Y = 36, 35
CLICK_TO_TYPE_MS = 300  # the grid takes a moment to select a clicked cell, and
# its cell editor to open on the first key typed


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
    slider = widget(page, "stSlider", "Timesteps")
    thumb = slider.get_by_role("slider")
    thumb.focus()
    for _ in range(PRESSES):
        thumb.press("ArrowRight")
    settle(page)
    timesteps = 1 + PRESSES
    assert slider.get_by_test_id("stSliderThumbValue").inner_text() == str(timesteps)
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
    button.scroll_into_view_if_needed()
    box = button.bounding_box()
    for _ in range(PRESSES):  # as fast as a student clicks: no waiting in between
        page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
        page.wait_for_timeout(CLICK_GAP_MS)
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


def _type_in_cell(page, canvas, row: int, column: int, value: object) -> None:
    """Click a cell of the data editor, type `value` and commit it with Enter."""
    box = canvas.bounding_box()
    page.mouse.click(
        box["x"] + CELL_X[column], box["y"] + HEADER_Y + ROW_Y * row + ROW_Y // 2
    )
    page.wait_for_timeout(CLICK_TO_TYPE_MS)
    page.keyboard.type(str(value))
    page.wait_for_timeout(CLICK_TO_TYPE_MS)
    page.keyboard.press("Enter")


def _table_cells(sidebar) -> dict[tuple[int, int], str]:
    """The editor's cells as its accessible grid lists them: (row, column) -> text."""
    cells = {}
    for cell in sidebar.locator('[data-testid^="glide-cell-"]').all():
        _, column, row = cell.get_attribute("data-testid").rsplit("-", 2)
        cells[int(row), int(column) - 1] = cell.inner_text()
    return cells


def _x_entries(main, step: int) -> list[str]:
    """The entries of the Step page's "step s: x_t = x_s = [...]" equation, read from
    the TeX source KaTeX keeps beside what it draws."""
    sources = main.locator(
        '.katex-mathml annotation[encoding="application/x-tex"]'
    ).all_text_contents()
    pattern = re.compile(
        rf"step\s*\}}\s*{step}:.*x_\{{{step}\}}\s*=\s*"
        r"\\begin\{bmatrix\}(.*?)\\end\{bmatrix\}"
    )
    for source in sources:
        match = pattern.search(source)
        if match:
            return [entry.strip() for entry in match.group(1).split("&")]
    raise AssertionError(f"no x_t equation of step {step} in {sources[:3]}")


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
        _type_in_cell(page, canvas, row, column, value)  # ~0.7 s each, one after
        # another: every edit lands while the rerun of the one before is running
    settle(page)
    cells = _table_cells(sidebar)
    for row, column, value in EDITS:
        assert cells[row, column] == str(value), cells
    assert (cells[0, 2], cells[1, 2], cells[2, 1]) == ("1", "0", "0"), cells  # kept
    main = page.get_by_test_id("stMain")
    assert "(1, 5, 3)" in main.inner_text()
    screenshot(page, "burst-table")
    expected = [["5", "6", "1"], ["7", "8", "0"], ["9", "0", "0"]]  # x_0, x_1, x_2
    thumb = widget(page, "stSlider", "Step (0 to 4)").get_by_role("slider")
    for step, entries in enumerate(expected):
        if step:
            thumb.focus()
            thumb.press("ArrowRight")
        step_line(main, step).wait_for()
        settle(page)
        assert _x_entries(main, step) == entries
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
    _type_in_cell(page, canvas, 0, 1, 7)
    settle(page)
    test_browser.go_to(page, "Step_through_time")
    settle(page)
    cells = _table_cells(sidebar)
    assert cells[0, 1] == "7", cells
    main = page.get_by_test_id("stMain")
    assert _x_entries(main, 0) == ["0.1", "7", "1"]
    # And a second edit on this page keeps the first one.
    canvas = sidebar.get_by_test_id("stDataFrame").locator("canvas").first
    canvas.scroll_into_view_if_needed()
    _type_in_cell(page, canvas, 1, 1, 9)
    settle(page)
    cells = _table_cells(sidebar)
    assert (cells[0, 1], cells[1, 1]) == ("7", "9"), cells
    assert _x_entries(main, 0) == ["0.1", "7", "1"]
    wait_for_page(page, "Step_through_time")
    assert_no_exception(page)
    console.check()
