"""Benchmark: rerun latency from a widget change to the finished rerun, in Chromium.

One server (started as `make run` does, or SERVER_CMD, through bench/timed_server.py
when it is `PYTHON -m MODULE …`), one browser session per size. Kinds of change, each
timed in the page (input event → script state "notRunning"), inside the server (rerun
request in → script_finished out) and on the wire (Chromium's timestamps of the
BackMsg rerun_script frame and the ForwardMsg script_finished frame):

- step: one key on the Step page's slider (a fragment rerun);
- flag, new spec: a Gray-code walk over return_sequences, return_state, go_backwards,
  use_bias and the cell (SimpleRNN ↔ GRU): every change is a layer this server has
  not seen (new Keras layer, new trace, new figures); at most 31 changes;
- flag, seen spec: return_sequences toggled back and forth (cached trace);
- seed: "New input" (a new input: a new trace of a known layer).

Sizes: "default" (the notebook's (32, 1, 8) → 4 units; its one timestep has no step
slider, so the step is timed with 10 timesteps) and "largest" ((32, 500, 12) → 125).
Env: QUICK=1 (a few changes each), SIZES=default,largest, REPEATS (default 30).
Writes bench/results/rerun.json.
"""

from __future__ import annotations

import os
import time
from typing import Any

import common as c
from playwright.async_api import async_playwright

REPEATS = int(os.environ.get("REPEATS", 4 if c.QUICK else 30))
SIZES = os.environ.get("SIZES", "default,largest").split(",")
FLAG_BITS = ["return_sequences", "return_state", "go_backwards", "use_bias", "cell"]
CELLS = ("SimpleRNN", "GRU")
STEP_TIMESTEPS_AT_DEFAULT = 10


async def flag_walk(session: c.Session, changes: int) -> list[c.Timing]:
    """`changes` steps of a Gray code over FLAG_BITS: each a spec not seen before."""
    timings = []
    flipped = dict.fromkeys(FLAG_BITS, False)
    for i in range(1, changes + 1):
        bit = (i & -i).bit_length() - 1  # the bit a Gray code flips at step i
        name = FLAG_BITS[bit % len(FLAG_BITS)]
        flipped[name] = not flipped[name]
        if name == "cell":
            timing = await c.choose(session, "Cell", CELLS[flipped[name]])
        else:
            timing = await c.click_checkbox(session, name)
        timings.append(timing)
        await c.wait_idle(session.page, 1)
    for name in [name for name, on in flipped.items() if on]:  # back to the start
        if name == "cell":
            await c.choose(session, "Cell", CELLS[0])
        else:
            await c.click_checkbox(session, name)
        await c.wait_idle(session.page, 1)
    return timings


async def toggles(session: c.Session, changes: int) -> list[c.Timing]:
    """return_sequences toggled `changes` times (after two untimed toggles)."""
    for _ in range(2):
        await c.click_checkbox(session, "return_sequences")
    timings = []
    for _ in range(changes):
        timings.append(await c.click_checkbox(session, "return_sequences"))
        await c.wait_idle(session.page, 1)
    if changes % 2:
        await c.click_checkbox(session, "return_sequences")
    return timings


async def seeds(session: c.Session, changes: int) -> list[c.Timing]:
    """`changes` clicks of "New input"."""
    timings = []
    for _ in range(changes):
        timings.append(await c.click_button(session, "New input"))
        await c.wait_idle(session.page, 1)
    return timings


async def steps(session: c.Session, changes: int) -> list[c.Timing]:
    """`changes` one-key moves of the Step slider, turning round at the ends."""
    await c.go_to(session, "Step_through_time")
    label = await c.step_slider_label(session.page)
    low, value, high = await c.slider_range(session.page, label)
    direction = 1
    timings = []
    for _ in range(changes):
        if not low <= value + direction <= high:
            direction = -direction
        key = "ArrowRight" if direction > 0 else "ArrowLeft"
        timings.append(await c.press_slider(session, label, key))
        value += direction
        await c.wait_idle(session.page, 1)
    if await c.slider_value(session.page, label) != value:
        raise RuntimeError("the step slider missed a key")
    await c.go_to(session, "")
    return timings


async def measure_size(browser: Any, url: str, name: str) -> dict[str, Any]:
    """Every kind of change at one size, in a fresh session."""
    size = c.DEFAULT_SIZE if name == "default" else c.LARGEST_SIZE
    session = await c.open_session(browser, url)
    await c.first_load(session)
    if size != c.DEFAULT_SIZE:
        await c.set_size(session, size)
    kinds: dict[str, list[c.Timing]] = {}
    started = time.perf_counter()
    kinds["flag, new spec"] = await flag_walk(session, min(REPEATS, 31))
    kinds["flag, seen spec"] = await toggles(session, REPEATS)
    kinds["seed"] = await seeds(session, REPEATS)
    note = ""
    if size["timesteps"] == 1:
        await c.set_slider(session, "Timesteps", STEP_TIMESTEPS_AT_DEFAULT)
        note = f"step timed at {STEP_TIMESTEPS_AT_DEFAULT} timesteps"
    kinds["step"] = await steps(session, REPEATS)
    errors = [*session.console.errors, *await c.exceptions(session.page)]
    await session.context.close()
    return {
        "size": size,
        "note": note,
        "seconds": round(time.perf_counter() - started, 1),
        "errors": errors,
        "kinds": kinds,
    }


def summarise(timings: list[c.Timing]) -> dict[str, Any]:
    """p50/p95 of each measure, and the samples."""
    inside = [t.inside_ms for t in timings if t.inside_ms is not None]
    return {
        "client_ms": c.summary([t.client_ms for t in timings]),
        "server_ms": c.summary(inside),
        "wire_ms": c.summary([t.server_ms for t in timings if t.server_ms is not None]),
        "request_ms": c.summary([t.request_ms for t in timings]),
        "batched": sum(t.batched for t in timings),
        "received_bytes_p50": c.percentile([t.received for t in timings], 50),
        "samples_page_server_wire_ms": [
            [
                round(t.client_ms, 1),
                None if t.inside_ms is None else round(t.inside_ms, 1),
                None if t.server_ms is None else round(t.server_ms, 1),
            ]
            for t in timings
        ],
    }


def print_results(results: dict[str, Any]) -> None:
    """The table: one row per size and kind."""
    rows = []
    for name, size_result in results["sizes"].items():
        label = f"{name} {c.describe_size(size_result['size'])}"
        for kind, r in size_result["kinds"].items():
            rows.append(
                [
                    f"{label}: {kind}",
                    r["client_ms"]["n"],
                    c.fmt(r["client_ms"]["p50"]),
                    c.fmt(r["client_ms"]["p95"]),
                    c.fmt(r["server_ms"]["p50"]),
                    c.fmt(r["server_ms"]["p95"]),
                    c.fmt(r["wire_ms"]["p50"]),
                    c.fmt(r["request_ms"]["p50"]),
                    c.fmt((r["received_bytes_p50"] or 0) / 1024, 1),
                ]
            )
    c.print_table(
        [
            "size: change",
            "n",
            "page p50 ms",
            "page p95 ms",
            "server p50",
            "server p95",
            "wire p50",
            "input→send p50",
            "KiB/rerun",
        ],
        rows,
    )
    print(
        "page = input event to script state notRunning in Chromium; server = the "
        "run timed inside the server (rerun request in → script_finished out); wire = "
        "rerun_script sent → script_finished received, Chromium's network timestamps; "
        "input→send = input event → the rerun request leaving the page."
    )
    for name, size_result in results["sizes"].items():
        if size_result["note"]:
            print(f"{name}: {size_result['note']}")
        if size_result["errors"]:
            print(f"{name}: ERRORS {size_result['errors']}")


async def main() -> None:
    """Start the server and the browser, measure every size, print and write."""
    results: dict[str, Any] = {"repeats": REPEATS, "sizes": {}}
    with c.server(timed=True) as server:
        results["server_command"] = server.command
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=str(c.CHROMIUM), args=c.CHROMIUM_ARGS
            )
            try:
                for name in SIZES:
                    print(f"measuring {name} …", flush=True)
                    results["sizes"][name] = await measure_size(
                        browser, server.url, name
                    )
            finally:
                await browser.close()
        runs = server.runs()
    for size_result in results["sizes"].values():
        for kind, timings in size_result["kinds"].items():
            c.add_server_times(timings, runs)
            size_result["kinds"][kind] = summarise(timings)
    print_results(results)
    c.write_results("rerun", results)


if __name__ == "__main__":
    c.run(main)
