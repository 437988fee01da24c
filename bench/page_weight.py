"""Benchmark: bytes sent to the browser for each page, at the default and largest size.

Every page of the sidebar's navigation is measured, in one browser session per
configuration. The first load's HTTP bytes are the static bundle (JavaScript, CSS,
fonts: cached afterwards). Each page is then opened from the sidebar and its
websocket bytes (every ForwardMsg, Plotly figure JSON included) and any HTTP bytes
are counted, on its first visit at this size and on a revisit (when Streamlit may
send a reference to a message the browser already has). The home page's first visit
at a size is the rerun that drew it at that size. Byte counts come from Chromium's
DevTools protocol: websocket frame payloads, HTTP encoded (wire) lengths.

Configurations: default (SimpleRNN(4) on (32, 1, 8)), largest (32, 500, 12) → 125
units with SimpleRNN, and with LSTM (more charts; skipped under QUICK=1).
Target: no page over 2 MB (2,000,000 bytes) at the largest size.
Writes bench/results/page_weight.json.
"""

from __future__ import annotations

import asyncio
from typing import Any

import common as c
from playwright.async_api import async_playwright

MIN_CHARTS = {"": 1, "Step_through_time": 1, "Weights": 3, "Hidden_states": 4}
LIMIT_BYTES = 2_000_000
CONFIGS = [
    ("default", c.DEFAULT_SIZE, ""),
    ("largest", c.LARGEST_SIZE, ""),
    ("largest LSTM", c.LARGEST_SIZE, "LSTM"),
]
if c.QUICK:
    CONFIGS = CONFIGS[:2]
SETTLE_SECONDS = 0.5  # for late HTTP requests (lazy chunks, fonts) after a run


def _plotly_bytes(frames: list[c.Frame]) -> int:
    return sum(f.size for f in frames if not f.sent and f.detail == "plotly_chart")


def _http_bytes(wire: c.Wire, start: int) -> tuple[int, list[str]]:
    entries = wire.http[start:]
    return sum(size for _, size, _ in entries), [url for _, _, url in entries]


async def visit(session: c.Session, name: str) -> dict[str, Any]:
    """Open page `name` from the sidebar; its websocket, Plotly and HTTP bytes."""
    wire = session.wire
    frames, http = len(wire.frames), len(wire.http)
    await c.go_to(session, name)
    await c.wait_idle(session.page, MIN_CHARTS.get(name, 0))
    await asyncio.sleep(SETTLE_SECONDS)
    http_bytes, urls = _http_bytes(wire, http)
    return {
        "ws_bytes": wire.received_bytes(frames),
        "plotly_bytes": _plotly_bytes(wire.frames[frames:]),
        "http_bytes": http_bytes,
        "http_urls": urls,
        "charts": await session.page.locator(c.CHARTS).count(),
    }


async def measure(browser: Any, url: str, size: dict[str, int], cell: str) -> dict:
    """Static bundle and every page's bytes for one configuration."""
    session = await c.open_session(browser, url)
    await c.first_load(session)
    await asyncio.sleep(SETTLE_SECONDS)
    wire = session.wire
    static_bytes, static_urls = _http_bytes(wire, 0)
    home = {
        "ws_bytes": wire.received_bytes(),
        "plotly_bytes": _plotly_bytes(wire.frames),
        "http_bytes": 0,
        "http_urls": [],
    }
    if size != c.DEFAULT_SIZE or cell:
        frames = len(wire.frames)
        await c.set_size(session, size, cell)
        # The last rerun drew the home page at this size; find where it started.
        reruns = [
            i
            for i in range(frames, len(wire.frames))
            if wire.frames[i].kind == "rerun_script"
        ]
        home["ws_bytes"] = wire.received_bytes(reruns[-1])
        home["plotly_bytes"] = _plotly_bytes(wire.frames[reruns[-1] :])
    pages = [name for name in await c.nav_links(session.page) if name]  # not home
    first = {"": home}
    for name in pages:
        first[name] = await visit(session, name)
    revisit = {name: await visit(session, name) for name in [*pages, ""]}
    errors = [*session.console.errors, *await c.exceptions(session.page)]
    await session.context.close()
    return {
        "size": size,
        "cell": cell or "SimpleRNN",
        "static_bytes": static_bytes,
        "static_requests": len(static_urls),
        "first_visit": first,
        "revisit": revisit,
        "errors": errors,
    }


def print_results(results: dict[str, Any]) -> None:
    """One row per configuration and page."""
    rows = []
    for label, r in results["configs"].items():
        for name in r["first_visit"]:
            first, again = r["first_visit"][name], r["revisit"][name]
            total = first["ws_bytes"] + first["http_bytes"]
            rows.append(
                [
                    f"{label}: {name or 'Home'}",
                    f"{first['ws_bytes'] / 1024:.1f}",
                    f"{first['plotly_bytes'] / 1024:.1f}",
                    f"{first['http_bytes'] / 1024:.1f}",
                    f"{again['ws_bytes'] / 1024:.1f}",
                    f"{total / 1e6:.2f}",
                    "yes" if total <= LIMIT_BYTES else "NO",
                ]
            )
    c.print_table(
        [
            "configuration: page",
            "websocket KiB",
            "of it Plotly KiB",
            "HTTP KiB",
            "revisit ws KiB",
            "first visit MB",
            "≤ 2 MB",
        ],
        rows,
    )
    for label, r in results["configs"].items():
        print(
            f"{label}: static bundle {r['static_bytes'] / 1024:.0f} KiB in "
            f"{r['static_requests']} requests (first load only, then cached)"
        )
        if r["errors"]:
            print(f"{label}: ERRORS {r['errors']}")


async def main() -> None:
    """Measure every configuration with one server and one browser."""
    results: dict[str, Any] = {"limit_bytes": LIMIT_BYTES, "configs": {}}
    with c.server() as server:
        results["server_command"] = server.command
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(c.CHROMIUM), args=c.CHROMIUM_ARGS
            )
            try:
                for label, size, cell in CONFIGS:
                    print(f"measuring {label} …", flush=True)
                    results["configs"][label] = await measure(
                        browser, server.url, size, cell
                    )
            finally:
                await browser.close()
    largest = [
        r["first_visit"][name]["ws_bytes"] + r["first_visit"][name]["http_bytes"]
        for label, r in results["configs"].items()
        if label.startswith("largest")
        for name in r["first_visit"]
    ]
    results["largest_page_bytes"] = max(largest, default=None)
    print_results(results)
    c.write_results("page_weight", results)


if __name__ == "__main__":
    c.run(main)
