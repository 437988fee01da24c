"""The Train page in a real browser (Chromium via Playwright).

Reuses the server, browser and page fixtures and the helpers of tests/test_browser.py
(imported, not copied; pytest finds fixtures by name in this module's namespace).
A short run (plain gradient descent, about a second) finishes with its charts; a long
one (the LSTM echo preset, Adam) is stopped a few steps in and keeps those steps.
"""

from __future__ import annotations

import re

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

NAME = "Train"
TITLE = "Train a recurrent layer on a toy task"
RUN_CHARTS = 5  # loss, gradient norms, the watched sequence, h_t, one weight


def open_train(page) -> None:
    href = nav_links(page)[NAME]
    page.locator(f'[data-testid="stSidebarNav"] a[href="{href}"]').click()
    page.locator("h1").filter(has_text=TITLE).wait_for()
    wait_for_run(page)


def chart_titles(page) -> str:
    titles = page.locator(f"{CHARTS} .gtitle").evaluate_all(
        "elements => elements.map(e => e.textContent || '')"
    )
    return " | ".join(titles)


def test_a_short_run_draws_the_loss_curve(page, console: Console) -> None:
    open_train(page)
    assert_no_exception(page)
    main = page.get_by_test_id("stMain")
    main.get_by_text("Choose the settings and press Run.").wait_for()
    choose(page, "Preset", "Sum: SimpleRNN, plain gradient descent with clipping")
    wait_for_run(page)
    main.get_by_role("button", name="Run", exact=True).click()
    main.get_by_text(re.compile(r"Finished: 300 of 300 steps")).wait_for()
    wait_for_run(page, RUN_CHARTS)
    assert_no_exception(page)
    assert "Loss per step (mean squared error" in chart_titles(page)
    assert "after step 300" in chart_titles(page)
    screenshot(page, "train")
    console.check()


def test_stop_ends_a_run_and_keeps_its_steps(page, console: Console) -> None:
    open_train(page)
    main = page.get_by_test_id("stMain")
    # the default preset: LSTM on echo with a delay of 20, 700 steps of Adam
    main.get_by_role("button", name="Run", exact=True).click()
    main.get_by_text(re.compile(r"Training: step \d+ of 700")).wait_for()
    main.get_by_role("button", name="Stop", exact=True).click()
    stopped = main.get_by_text(re.compile(r"Stopped after (\d+) of 700 steps"))
    stopped.wait_for()
    wait_for_run(page, RUN_CHARTS)
    assert_no_exception(page)
    done = int(re.search(r"after (\d+) of", stopped.inner_text()).group(1))
    assert 1 <= done < 700
    assert "Loss per step (mean squared error" in chart_titles(page)
    console.check()
