"""Benchmark: cold start of the server against a bare TensorFlow import.

Cold start: from starting the server process (the `make run` command, or SERVER_CMD)
to the Home page fully rendered in Chromium (its Plotly heatmap drawn and the script
state "notRunning"). The browser is already open, as a user's would be; the page is
requested as soon as the server answers its health check. Reference: the wall time
of `python -c "import tensorflow"` with the same interpreter, and, as the floor of any
one-process server, the time of importing what the server needs (TensorFlow, Keras,
Streamlit, Plotly). Runs alternate between them; each figure is the median. Target:
cold start ≤ 1.5 × the bare import.

Env: QUICK=1 (one run each), REPEATS (default 5), SERVER_CMD.
Writes bench/results/cold_start.json.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from typing import Any

import common as c
from playwright.async_api import async_playwright

REPEATS = int(os.environ.get("REPEATS", 1 if c.QUICK else 5))
TARGET_RATIO = 1.5
RENDERED_JS = """
([idle, charts]) => document.querySelector(idle) !== null
    && document.querySelector(charts) !== null
"""


# What one server process must import before it can answer a first page: the floor
# of any cold start in one Python process (imports hold the GIL, so TensorFlow's and
# Streamlit's do not overlap even in two threads).
SERVER_IMPORTS = (
    "import tensorflow, keras, streamlit.web.bootstrap, plotly.graph_objects"
)


def tensorflow_import_seconds(code: str = "import tensorflow") -> float:
    """Wall time of a fresh `python -c "import tensorflow"` (or other `code`)."""
    env = {**os.environ, **c.SERVER_ENV}
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-c", code],
        cwd=c.REPO,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return time.perf_counter() - started


async def cold_start(browser: Any) -> dict[str, float]:
    """Seconds from the server's start to healthy, to the title, to fully rendered."""
    context = await browser.new_context(viewport=c.VIEWPORT)
    await context.add_init_script(c.INIT_SCRIPT)
    page = await context.new_page()
    try:
        with c.server(poll_seconds=0.02) as server:
            await page.goto(server.url + "/")
            await page.get_by_role("heading", name="RNN Stepper").wait_for(
                timeout=c.FIRST_RUN_MS
            )
            title = time.perf_counter() - server.started
            await page.wait_for_function(
                RENDERED_JS,
                arg=[c.APP_IDLE, c.CHARTS],
                timeout=c.FIRST_RUN_MS,
                polling=20,
            )
            rendered = time.perf_counter() - server.started
            page_times = await page.evaluate(
                "({origin: performance.timeOrigin, bench: window.__bench})"
            )
            origin, bench = page_times["origin"], page_times["bench"]
            finished = (origin + bench["received"][0]["t"]) / 1e3 - server.started_epoch
            command = server.command
            exceptions = await c.exceptions(page)
    finally:
        await context.close()
    if exceptions:
        raise RuntimeError(f"the home page shows an exception: {exceptions}")
    return {
        "healthy_s": server.healthy_after,
        "title_s": title,
        "run_finished_s": finished,
        "rendered_s": rendered,
        "command": command,
    }


async def main() -> None:
    """Alternate bare imports and cold starts; print the medians and the ratio."""
    tensorflow_import_seconds()  # warm the file cache; not counted
    imports: list[float] = []
    server_imports: list[float] = []
    starts: list[dict[str, Any]] = []
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(c.CHROMIUM), args=c.CHROMIUM_ARGS
        )
        try:
            for i in range(REPEATS):
                imports.append(tensorflow_import_seconds())
                server_imports.append(tensorflow_import_seconds(SERVER_IMPORTS))
                starts.append(await cold_start(browser))
                print(
                    f"run {i + 1}/{REPEATS}: import tensorflow {imports[-1]:.2f} s, "
                    f"cold start {starts[-1]['rendered_s']:.2f} s",
                    flush=True,
                )
        finally:
            await browser.close()

    def med(key: str) -> float:
        return statistics.median(s[key] for s in starts)

    tf_s = statistics.median(imports)
    floor_s = statistics.median(server_imports)
    ratio = med("rendered_s") / tf_s
    results = {
        "repeats": REPEATS,
        "server_command": starts[0]["command"],
        "tensorflow_import_s": tf_s,
        "server_imports_s": floor_s,
        "server_imports": SERVER_IMPORTS,
        "floor_ratio": floor_s / tf_s,
        "healthy_s": med("healthy_s"),
        "title_s": med("title_s"),
        "run_finished_s": med("run_finished_s"),
        "rendered_s": med("rendered_s"),
        "ratio": ratio,
        "target_ratio": TARGET_RATIO,
        "met": ratio <= TARGET_RATIO,
        "runs": {
            "tensorflow_import_s": imports,
            "server_imports_s": server_imports,
            "cold_starts": starts,
        },
    }
    c.print_table(
        [f"measure (median of {REPEATS})", "seconds"],
        [
            ['python -c "import tensorflow"', f"{tf_s:.2f}"],
            [
                "the server's imports alone (TF, Keras, Streamlit, Plotly)",
                f"{floor_s:.2f} ({floor_s / tf_s:.2f}×)",
            ],
            ["server start → health check answers", f"{med('healthy_s'):.2f}"],
            ["server start → Home title shown", f"{med('title_s'):.2f}"],
            [
                "server start → first run finished (wire)",
                f"{med('run_finished_s'):.2f}",
            ],
            ["server start → Home fully rendered", f"{med('rendered_s'):.2f}"],
            ["ratio (rendered / import)", f"{ratio:.2f}×"],
        ],
    )
    print(f"server command: {starts[0]['command']}")
    print(f"target ≤ {TARGET_RATIO}×: {'met' if results['met'] else 'NOT met'}")
    c.write_results("cold_start", results)


if __name__ == "__main__":
    c.run(main)
