"""Load the containerised app in headless Chromium, as a student's browser would.

Usage: python scripts/container_page_check.py URL [--timeout SECONDS] [--screenshot PNG]

Opens URL, waits until the script run has finished and the websocket is connected
(`[data-testid="stApp"]` with data-test-script-state="notRunning" and
data-test-connection-state="CONNECTED"), then fails if the page shows an exception.
Opens every page of the sidebar navigation the same way. Prints one line per page.
Exit status: 0 when every page rendered, 1 otherwise, 2 when Playwright or Chromium
is missing (the caller may skip this check then).
"""

import argparse
import shutil
import sys
import time

from chromium import CHROMIUM_ARGS
from chromium import CHROMIUM_PATH as CHROMIUM

APP = '[data-testid="stApp"]'
DONE = (
    f'{APP}[data-test-script-state="notRunning"]'
    '[data-test-connection-state="CONNECTED"]'
)


def wait_rendered(page, url: str, timeout_s: float) -> float:  # noqa: ANN001
    """Open url and return seconds until its first script run finished cleanly."""
    start = time.monotonic()
    page.goto(url, wait_until="domcontentloaded", timeout=timeout_s * 1000)
    page.wait_for_selector(APP, timeout=timeout_s * 1000)
    # "notRunning" is also the state before the first run starts: wait for a run to
    # have produced content (any element in the main block) and then for it to end.
    page.wait_for_selector(
        '[data-testid="stMain"] [data-testid="stElementContainer"]',
        timeout=timeout_s * 1000,
    )
    page.wait_for_selector(DONE, timeout=timeout_s * 1000)
    elapsed = time.monotonic() - start
    exceptions = page.locator('[data-testid="stException"]').count()
    if exceptions:
        text = page.locator('[data-testid="stException"]').first.inner_text()
        raise RuntimeError(f"{url}: {exceptions} exception(s) shown: {text[:300]}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--timeout", type=float, default=120.0)
    parser.add_argument("--screenshot", default=None)
    args = parser.parse_args()

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("page check skipped: playwright is not installed", file=sys.stderr)
        return 2
    if not shutil.which(CHROMIUM):
        print(f"page check skipped: {CHROMIUM} is missing", file=sys.stderr)
        return 2

    base = args.url.rstrip("/")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1800})
            seconds = wait_rendered(page, base + "/", args.timeout)
            print(f"page / rendered in {seconds:.1f} s, no exception")
            if args.screenshot:
                page.screenshot(path=args.screenshot)
            links = page.locator('[data-testid="stSidebarNav"] a')
            hrefs = [links.nth(i).get_attribute("href") for i in range(links.count())]
            for href in hrefs:
                if not href or href.rstrip("/") in ("", base):
                    continue
                url = href if href.startswith("http") else base + "/" + href.lstrip("/")
                seconds = wait_rendered(page, url, args.timeout)
                print(f"page {url.removeprefix(base)} rendered in {seconds:.1f} s")
        except Exception as exc:
            print(f"page check FAILED: {exc}", file=sys.stderr)
            return 1
        finally:
            browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
