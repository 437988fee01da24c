"""Run the benchmarks and print one summary table with the issues' targets.

The five of the performance issue (engine, rerun, cold start, page weight,
classroom), then the gradients' (manual against Keras backpropagation through time),
then heavy load (a flag change while the largest runs train, issue 14).

    python bench/run_all.py                 # all five, then the summary
    python bench/run_all.py engine rerun    # some of them, then the summary
    python bench/run_all.py --summary       # only the summary, from bench/results/

Each benchmark runs as its own process (its table printed as it goes) and writes
bench/results/<name>.json (bench/results/quick/ under QUICK=1); the summary reads
those files. QUICK=1 and the other variables pass through. Exits 1 when a benchmark
failed to run; unmet targets are reported, not failed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
QUICK = os.environ.get("QUICK", "") not in ("", "0")
RESULTS = BENCH / ("results/quick" if QUICK else "results")  # as common.RESULTS
NAMES = [
    "engine",
    "rerun",
    "cold_start",
    "page_weight",
    "classroom",
    "gradients",
    "heavy_load",
]


def load(name: str) -> dict[str, Any] | None:
    """bench/results/<name>.json, or None."""
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else None


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.0f} ms"


def _row(target: str, measured: str, met: bool | None, source: dict | None) -> list:
    when = ""
    if source:
        machine = source["machine"]
        when = machine["date"][:16] + (" QUICK" if machine.get("quick") else "")
    verdict = "–" if met is None else ("met" if met else "NOT met")
    return [target, measured, verdict, when]


def engine_rows(r: dict | None) -> list[list]:
    """NumPy at least as fast as the Keras call everywhere; aim ≥ 10× eager."""
    if not r:
        return [_row("NumPy ≥ Keras call at every size", "not run", None, None)]
    cases = r["cases"]
    low = min(cases, key=lambda k: cases[k]["speedup_vs_keras_call"])
    eager = min(cases, key=lambda k: cases[k]["speedup_vs_keras_eager"])
    low_v = cases[low]["speedup_vs_keras_call"]
    eager_v = cases[eager]["speedup_vs_keras_eager"]
    return [
        _row(
            "NumPy ≥ Keras call at every size",
            f"lowest {low_v:.2f}× ({low})",
            low_v >= 1,
            r,
        ),
        _row(
            "(aim) NumPy ≥ 10× eager Keras",
            f"lowest {eager_v:.1f}× ({eager})",
            eager_v >= 10,
            r,
        ),
    ]


def rerun_rows(r: dict | None) -> list[list]:
    """Step p50 < 100 ms (every size); flag change p50 < 300 ms at the default size."""
    if not r:
        return [_row("step / flag rerun latency", "not run", None, None)]
    rows = []
    for name, size in r["sizes"].items():
        step = size["kinds"]["step"]
        p50 = step["client_ms"]["p50"]
        rows.append(
            _row(
                f"step p50 < 100 ms ({name})",
                f"{_ms(p50)} (server {_ms(step['server_ms']['p50'])})",
                p50 is not None and p50 < 100,
                r,
            )
        )
    default = r["sizes"].get("default")
    if default:
        for kind in ("flag, new spec", "flag, seen spec"):
            flag = default["kinds"][kind]
            p50 = flag["client_ms"]["p50"]
            rows.append(
                _row(
                    f"{kind} p50 < 300 ms (default)",
                    f"{_ms(p50)} (server {_ms(flag['server_ms']['p50'])})",
                    p50 is not None and p50 < 300,
                    r,
                )
            )
    return rows


def cold_start_rows(r: dict | None) -> list[list]:
    """Cold start ≤ 1.5 × the bare TensorFlow import."""
    if not r:
        return [_row("cold start ≤ 1.5 × import tensorflow", "not run", None, None)]
    return [
        _row(
            "cold start ≤ 1.5 × import tensorflow",
            f"{r['rendered_s']:.1f} s / {r['tensorflow_import_s']:.1f} s = "
            f"{r['ratio']:.2f}×",
            r["met"],
            r,
        ),
        _row(
            "(report) the server's imports alone / import tensorflow",
            "–"
            if "floor_ratio" not in r
            else f"{r['server_imports_s']:.1f} s = {r['floor_ratio']:.2f}×",
            None,
            r,
        ),
    ]


def page_weight_rows(r: dict | None) -> list[list]:
    """No page over 2 MB at the largest size."""
    if not r:
        return [_row("no page > 2 MB at the largest size", "not run", None, None)]
    largest = r["largest_page_bytes"]
    return [
        _row(
            "no page > 2 MB at the largest size",
            f"heaviest {largest / 1e6:.2f} MB",
            largest is not None and largest <= r["limit_bytes"],
            r,
        )
    ]


def classroom_rows(r: dict | None) -> list[list]:
    """30 sessions: zero errors, p95 < 1 s, < 20 MB per extra session."""
    if not r:
        return [_row("classroom", "not run", None, None)]
    n = r["sessions"]
    p95 = r["kinds"]["all"]["server_ms"]["p95"]
    per = r["mib_per_extra_session_idle"]
    return [
        _row(
            f"{n} sessions: zero errors",
            f"{len(r['errors'])} errors",
            not r["errors"],
            r,
        ),
        _row(
            f"{n} sessions: rerun p95 < 1 s",
            f"{_ms(p95)} server (page {_ms(r['kinds']['all']['client_ms']['p95'])})",
            p95 is not None and p95 < 1000,
            r,
        ),
        _row(
            f"{n} sessions: < 20 MB per extra session",
            "–" if per is None else f"{per * 2**20 / 1e6:.1f} MB",
            per is not None and per * 2**20 < 20e6,
            r,
        ),
    ]


def gradients_rows(r: dict | None) -> list[list]:
    """Manual gradients agree with Keras' within the tolerance; how fast they are."""
    if not r:
        return [_row("gradients: NumPy = Keras", "not run", None, None)]
    cases = r["cases"]
    slowest = min(cases, key=lambda k: cases[k]["keras_over_numpy"])
    return [
        _row(
            f"gradients: NumPy = Keras within {r['tolerance']:g}",
            f"largest relative error {r['max_relative_error']:.1e}",
            r["tolerance_met"],
            r,
        ),
        _row(
            "(report) gradients: Keras time / NumPy time",
            f"lowest {cases[slowest]['keras_over_numpy']:.2f}× ({slowest})",
            None,
            r,
        ),
    ]


def heavy_load_rows(r: dict | None) -> list[list]:
    """Another user's flag change under the heaviest work: p50 ≤ 1.5 × idle, ≤ 1.1 s."""
    if not r:
        return [_row("heavy load: flag p50 ≤ 1.5 × idle", "not run", None, None)]
    idle, load = r["idle"], r["load"]
    return [
        _row(
            "heavy load: flag p50 ≤ 1.5 × idle",
            f"{_ms(load['p50'])} / {_ms(idle['p50'])} = {r['ratio_p50']}×",
            r["ratio_p50"] is not None and r["ratio_p50"] <= 1.5,
            r,
        ),
        _row(
            "heavy load: every flag rerun ≤ 1.1 s",
            f"max {_ms(load['max'])} (p95 {_ms(load['p95'])})",
            load["max"] is not None and load["max"] <= 1100,
            r,
        ),
        _row(
            "heavy load: extra runs queue, closed tabs free slots",
            ", ".join(k for k, met in r["targets"].items() if not met) or "both",
            all(r["targets"].values()),
            r,
        ),
    ]


def summary() -> None:
    """The table of every target from bench/results/."""
    rows = [
        *engine_rows(load("engine")),
        *rerun_rows(load("rerun")),
        *cold_start_rows(load("cold_start")),
        *page_weight_rows(load("page_weight")),
        *classroom_rows(load("classroom")),
        *gradients_rows(load("gradients")),
        *heavy_load_rows(load("heavy_load")),
    ]
    headers = ["target", "measured", "verdict", "measured at (UTC)"]
    cells = [headers, *rows]
    widths = [max(len(str(row[i])) for row in cells) for i in range(len(headers))]
    print(f"\nSummary ({RESULTS.relative_to(BENCH.parent)}/*.json)")
    for i, row in enumerate(cells):
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)))
        if i == 0:
            print("  ".join("-" * w for w in widths))


def main(argv: list[str]) -> int:
    """Run the chosen benchmarks, then print the summary."""
    if argv == ["--summary"]:
        summary()
        return 0
    unknown = [name for name in argv if name not in NAMES]
    if unknown:
        print(f"unknown benchmark(s) {unknown}; choose from {NAMES}", file=sys.stderr)
        return 2
    failed = []
    for name in argv or NAMES:
        print(f"\n=== bench/{name}.py ===", flush=True)
        started = time.perf_counter()
        code = subprocess.run([sys.executable, str(BENCH / f"{name}.py")]).returncode
        print(f"=== {name}: exit {code} in {time.perf_counter() - started:.0f} s ===")
        if code:
            failed.append(name)
    summary()
    if failed:
        print(f"\nfailed to run: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
