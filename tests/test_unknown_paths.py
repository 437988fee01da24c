"""Unknown nested paths (/a/b) lead to a working page, never a blank one (issue 14).

The rule itself (`ui.unknown_paths.redirect_target`) is checked without a server;
then against the real server of tests/test_browser.py (`python -m ui.serve`, as
`make run` and the container start it): over HTTP, the page a nested path leads to
loads its scripts as JavaScript; in Chromium, /a/b ends as Streamlit's "Page not
found" over the home page, the script finished, nothing blank.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from urllib.parse import urljoin

import pytest

from tests import test_browser
from tests.test_browser import (
    APP_IDLE,
    FIRST_RUN_MS,
    MIN_CHARTS,
    SCREENSHOT_DIR,
    assert_no_exception,
    code_text,
    wait_for_run,
)

SERVED = frozenset({"_stcore", "static", "media", "component", "favicon.png"})
NESTED = ["/a/b", "/Step_through_time/x", "/a/b/c/", "/Weights/x?units=3&cell=lstm"]
# Streamlit's client looks for its server below the page's path first: those 404s,
# and the "page not found" notice itself, are what opening an unknown path logs.
EXPECTED_404 = re.compile(r"_stcore(/|%2F)(health|host-config)$", re.IGNORECASE)
NOT_FOUND_NOTICE = "does not seem to exist"


def redirect_target(*args: object) -> str | None:
    from ui.unknown_paths import redirect_target  # here: the browser tests run alone

    return redirect_target(*args)


def _expected(text: str, url: str) -> bool:
    """A console error that opening any unknown path logs (see above)."""
    if NOT_FOUND_NOTICE in text:
        return True
    return "404" in text and EXPECTED_404.search(url) is not None


# --------------------------------------------------------------------------------------
# The rule


@pytest.mark.parametrize(
    ("path", "query", "target"),
    [
        ("/a/b", b"", "/a%2Fb"),
        ("/Step_through_time/x", b"", "/Step_through_time%2Fx"),
        ("/a/b/c/", b"units=3", "/a%2Fb%2Fc?units=3"),
        ("/a%20b/c", b"", "/a%20b%2Fc"),
        ("/a/<img>", b"", "/a%2F%3Cimg%3E"),
    ],
)
def test_a_nested_unknown_path_becomes_one_segment(path, query, target):
    assert redirect_target(path, query, SERVED) == target


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/a",
        "/Step_through_time",
        "/a%2Fb",  # the target itself: never redirected again
        "/_stcore/health",
        "/_stcore/x/y",
        "/Step_through_time/_stcore/health",  # the client's probe under a page
        "/Train/_stcore/host-config",
        "/static/js/index.js",
        "/media/abc.png",
        "/component/x/index.html",
        "//evil.example/x",
        "/%5Cevil.example/x",
        "/a/../b",
        "/a/%2E%2E/b",
    ],
)
def test_paths_streamlit_answers_are_left_alone(path):
    assert redirect_target(path, b"", SERVED) is None


def test_a_base_url_path_is_kept():
    assert redirect_target("/base/a/b", b"", SERVED, "base") == "/base/a%2Fb"
    assert redirect_target("/base/a", b"", SERVED, "base") is None
    assert redirect_target("/other/a/b", b"", SERVED, "base") is None
    assert redirect_target("/base/_stcore/x", b"", SERVED, "base") is None


# --------------------------------------------------------------------------------------
# A real server


def _get(url: str) -> tuple[str, int, str, str]:
    """(final URL after redirects, status, content type, body) of a GET."""
    with urllib.request.urlopen(url, timeout=30) as answer:
        body = answer.read().decode("utf-8", errors="replace")
        return answer.url, answer.status, answer.headers["Content-Type"], body


@pytest.mark.browser
@pytest.mark.parametrize("path", NESTED)
def test_a_nested_path_leads_to_a_page_whose_scripts_load(server, path):
    final, status, kind, html = _get(server + path)
    assert status == 200
    assert kind.startswith("text/html")
    scripts = re.findall(r'<script type="module"[^>]*src="([^"]+)"', html)
    assert scripts, html[:500]
    for src in scripts:
        # Resolved as the browser resolves it, against the page's final URL: on a
        # blank page this was index.html again, which no browser runs as a script.
        _, status, kind, _ = _get(urljoin(final, src))
        assert status == 200
        assert "javascript" in kind, (path, final, src, kind)
    if "?" in path:
        assert final.endswith("?" + path.split("?", 1)[1])  # the link's settings


@pytest.mark.browser
def test_streamlit_s_own_paths_are_not_redirected(server):
    assert _get(server + "/_stcore/health")[3].strip() == "ok"
    with pytest.raises(urllib.error.HTTPError) as error:
        _get(server + "/media/x/y.png")
    assert error.value.code == 404


@pytest.mark.browser
@pytest.mark.parametrize("path", ["/a/b", "/Step_through_time/x?units=3"])
def test_opening_a_nested_path_shows_page_not_found_over_the_home_page(
    browser, server, path
):
    context = browser.new_context(viewport=test_browser.VIEWPORT)
    page = context.new_page()
    console: list[tuple[str, str]] = []  # (text, URL) of each console error
    page.on(
        "console",
        lambda m: (
            console.append((m.text, m.location.get("url", "")))
            if m.type == "error"
            else None
        ),
    )
    page.on("pageerror", lambda error: console.append((f"uncaught: {error}", "")))
    try:
        page.goto(server + path)
        page.wait_for_selector(APP_IDLE, timeout=FIRST_RUN_MS)
        dialog = page.get_by_role("dialog").filter(has_text="Page not found")
        dialog.wait_for()
        assert "does not seem to exist" in dialog.inner_text()
        page.locator("h1").filter(has_text="RNN Stepper").wait_for()
        assert_no_exception(page)
        body = page.locator("body").inner_text()
        assert "Keras and the formula agree" in body  # the home page, drawn
        SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"\W+", "_", path).strip("_")
        page.screenshot(path=SCREENSHOT_DIR / f"unknown-path-{name}.png")
        # Closed, the notice leaves the home page, working: its chart and code.
        page.keyboard.press("Escape")
        dialog.wait_for(state="hidden")
        wait_for_run(page, MIN_CHARTS[""])
        assert "import keras" in code_text(page)
        page.screenshot(path=SCREENSHOT_DIR / f"unknown-path-{name}-closed.png")
        if "?" in path:
            assert page.url.endswith("?units=3")  # the link's settings stay
        unexpected = [(t, u) for t, u in console if not _expected(t, u)]
        assert not unexpected, unexpected
    finally:
        context.close()
