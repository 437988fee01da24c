"""Debian's Chromium as every browser check of the project launches it.

One place for the browser tests (tests/test_browser.py), the benchmarks
(bench/common.py) and the container's page check (scripts/container_page_check.py):
the system Chromium (never a downloaded one), headless, without the sandbox (root in
CI), and with every background network feature off (no network here but the
package registries).
"""

CHROMIUM_PATH = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 800}  # the classroom projector
