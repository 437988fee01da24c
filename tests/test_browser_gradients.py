"""The "Gradients through time" page in a real browser (Chromium via Playwright).

Reuses the server, browser and page fixtures and the helpers of tests/test_browser.py
(imported, not copied): opens the page from the sidebar, checks its charts, changes
the target and sees the page follow.
"""

from __future__ import annotations

import pytest

from tests.test_browser import (
    CHARTS,
    Console,
    assert_no_exception,
    choose,
    nav_links,
    screenshot,
    wait_for_run,
)

pytestmark = pytest.mark.browser

NAME = "Gradients_through_time"
TITLE = "Gradients through time"
CHARTS_ON_PAGE = 5  # ‖dL/dh_t‖, dL/dWx, dL/dWh, dL/db, the three cells


def open_gradients(page) -> None:
    href = nav_links(page)[NAME]
    page.locator(f'[data-testid="stSidebarNav"] a[href="{href}"]').click()
    page.locator("h1").filter(has_text=TITLE).wait_for()
    wait_for_run(page, CHARTS_ON_PAGE)


def chart_titles(page) -> str:
    titles = page.locator(f"{CHARTS} .gtitle").evaluate_all(
        "elements => elements.map(e => e.textContent || '')"
    )
    return " | ".join(titles)


def test_gradients_page_draws_and_follows_its_controls(page, console: Console) -> None:
    open_gradients(page)
    assert_no_exception(page)
    main = page.get_by_test_id("stMain")
    assert page.locator(CHARTS).count() >= CHARTS_ON_PAGE
    assert "loss on the last output" in chart_titles(page)
    assert "on the echo task" in chart_titles(page)
    assert main.get_by_text("Keras and the manual BPTT agree").count() == 1
    screenshot(page, "gradients")
    choose(page, "Target", "Sine task: the next value of a sine wave")
    main.get_by_text("on the sine task").wait_for()
    wait_for_run(page, CHARTS_ON_PAGE)
    assert_no_exception(page)
    assert "loss on every output" in chart_titles(page)
    console.check()
