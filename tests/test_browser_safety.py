"""Hostile links and upload names in a real browser (Chromium via Playwright).

Reuses the server, browser and page fixtures of tests/test_browser.py. A crafted link
(Markdown images and links, raw HTML, KaTeX, Streamlit directives and bidi characters
in values and names of query parameters) is opened on the home and Train pages, and a
CSV named with such a payload is uploaded; the warnings and errors that quote them
must hold no `<img>`, `<a>` or KaTeX element, no image or link anywhere on the page
may point at the payloads' address, and the browser may not request anything from
another host (or from that address, a loopback port nothing listens on).
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

import pytest

from tests.test_browser import (
    RUN_MS,
    Console,
    _free_port,
    assert_no_exception,
    screenshot,
    wait_for_run,
)

pytestmark = pytest.mark.browser

LOOPBACK = {"127.0.0.1", "localhost"}
ALERTS = '[data-testid="stAlert"]'
ACTIVE = "img, a, .katex, svg image, iframe, script"


@pytest.fixture(scope="module")
def evil() -> str:
    """A loopback address nothing listens on: where the payloads point."""
    return f"127.0.0.1:{_free_port()}"


def payloads(evil: str) -> list[str]:
    return [
        f"`![](http://{evil}/t.png)`",
        f"`**[Log in](http://{evil}/l)**`",
        f"<img src=http://{evil}/h.png>",
        "$\\href{javascript:alert(1)}{x}$",
        ":red[x] :material/home:",
        "\u202eZQ\u200b",
    ]


class Requests:
    """Every URL the page asked for."""

    def __init__(self, page) -> None:
        self.urls: list[str] = []
        page.on("request", lambda request: self.urls.append(request.url))

    def check(self, evil: str) -> None:
        hosts = {urlsplit(url).hostname for url in self.urls if "://" in url}
        assert hosts <= LOOPBACK | {None}, hosts
        assert not [url for url in self.urls if evil in url]


def assert_inert(page, evil: str) -> None:
    """No element made from a payload: in the alerts nothing active at all, on the
    whole page no image or link to the payloads' address or to javascript:."""
    alerts = page.locator(ALERTS)
    assert alerts.count() > 0
    active = alerts.locator(ACTIVE)
    assert active.count() == 0, [
        active.nth(i).evaluate("e => e.outerHTML") for i in range(active.count())
    ]
    found = page.evaluate(
        """() => [...document.querySelectorAll('img, a, image, iframe')]
            .map(e => e.getAttribute('src') || e.getAttribute('href') || '')"""
    )
    bad = [url for url in found if evil in url or "javascript:" in url.lower()]
    assert not bad, bad


def open_link(page, url: str) -> None:
    page.goto(url)
    page.locator(ALERTS).first.wait_for(timeout=RUN_MS)
    wait_for_run(page, 0)


def test_a_hostile_link_shows_its_values_as_text(page, server, evil, console: Console):
    requests = Requests(page)
    values = payloads(evil)
    params = {
        "units": values[0],
        "cell": values[1],
        "activation": values[2],
        "batch": values[3],
        "merge_mode": values[4],
        "return_state": values[5],
        values[0]: "1",  # an unknown name
        values[3]: "1",
    }
    query = urlencode(params)
    open_link(page, f"{server}/?{query}")
    assert_inert(page, evil)
    warnings = page.locator(ALERTS)
    assert warnings.count() >= len(params), warnings.all_inner_texts()
    shown = " ".join(warnings.all_inner_texts())
    assert f"![](http://{evil}/t.png)" in shown  # the value as typed, quoted back
    assert "ZQ" in shown
    assert "\u202e" not in shown  # bidi and zero-width characters shown, not raw
    assert "\u200b" not in shown
    assert_inert(page, evil)
    assert_no_exception(page)
    screenshot(page, "safety-hostile-link")
    open_link(page, f"{server}/Train?{query}")
    assert_inert(page, evil)
    assert_no_exception(page)
    requests.check(evil)
    console.check()


def test_a_hostile_upload_name_is_text(page, evil, console: Console):
    requests = Requests(page)
    page.locator('label[data-testid="stRadioOption"]').filter(
        has_text="Upload CSV / .npy"
    ).click()
    uploader = page.get_by_test_id("stFileUploader").filter(has_text="CSV (rows")
    for name in [
        f"![x](http://{evil}/md-img-input).csv",
        f"[clk](http://{evil}/l).csv",
        "$\\href{javascript:alert(1)}{x}$.csv",
    ]:
        uploader.locator('input[type="file"]').set_input_files(
            files=[{"name": name, "mimeType": "text/csv", "buffer": b"1,2\n3\n"}]
        )
        error = page.get_by_test_id("stAlertContentError").filter(has_text=name)
        try:
            error.wait_for()  # the name shown as typed
        finally:  # when it is not, say what was made of it instead
            wait_for_run(page, 0)
            assert_inert(page, evil)
        assert "row 2 has 1 value, expected 2" in error.inner_text()
    assert_no_exception(page)
    screenshot(page, "safety-hostile-upload")
    requests.check(evil)
    console.check()
