"""Benchmark: a classroom, SESSIONS browser sessions on one server for SECONDS.

One server on 127.0.0.1 (the `make run` command, or SERVER_CMD); one headless
Chromium, run under `nice` so that the two cores go to the server first, with one
context (one Streamlit session) per student. Sessions open in turn; the server's
memory (RSS of its process tree) is read with no session, and with 1, 10 and all of
them open and idle. Each session then sets 51 timesteps (one PageUp on the slider)
and, for SECONDS, changes a widget every THINK seconds: the Step page's slider
(fragment reruns), a flag (return_sequences, return_state, go_backwards), a new
input seed, or another page of the sidebar's navigation. Every change is timed
inside the server (through bench/timed_server.py: rerun request in → script_finished
out; the p95 target is judged on it), on the wire (Chromium's timestamps of the two
frames) and in the page (input event → script state notRunning); the last two
include the starved browser.

Errors (must be zero): a Streamlit exception box, a console error, an uncaught page
error, a change that started no rerun, a wait that timed out.
Env: SESSIONS (30), SECONDS (60), THINK ("1-3" seconds between changes), NICE (19),
QUICK=1 (3 sessions, 15 s), DEBUG_DIR (a screenshot and the page's text per error).
Writes bench/results/classroom.json.
"""

from __future__ import annotations

import asyncio
import os
import random
import time
from dataclasses import dataclass, field
from typing import Any

import common as c
import psutil
from playwright.async_api import async_playwright

SESSIONS = int(os.environ.get("SESSIONS", 3 if c.QUICK else 30))
SECONDS = float(os.environ.get("SECONDS", 15 if c.QUICK else 60))
THINK = tuple(float(v) for v in os.environ.get("THINK", "1-3").split("-"))
NICE = int(os.environ.get("NICE", 19))  # 10 left the server a quarter of a core
OPEN_AT_ONCE = 5  # sessions loading their first page together
ACTION_TIMEOUT_MS = 30_000
CHECKPOINTS = sorted({1, min(10, SESSIONS), SESSIONS})
WEIGHTS = {"step": 0.45, "flag": 0.2, "seed": 0.1, "page": 0.25}
FLAGS = ["return_sequences", "return_state", "go_backwards"]
EXTRA_ARGS = [  # every page is someone's foreground tab
    "--disable-background-timer-throttling",
    "--disable-renderer-backgrounding",
    "--disable-backgrounding-occluded-windows",
]
TARGETS = {"p95_ms": 1000, "mb_per_session": 20}


@dataclass
class Student:
    """One session and what happened in it."""

    number: int
    session: c.Session
    page_name: str = ""
    timings: list[tuple[str, c.Timing]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    step_label: str = ""
    step_direction: int = 1
    history: list[str] = field(default_factory=list)
    pages: list[str] = field(default_factory=list)  # URL names of the sidebar's pages


async def open_student(browser: Any, url: str, number: int) -> Student:
    """A session on the home page, first run finished."""
    session = await c.open_session(browser, url)
    await c.first_load(session)
    return Student(number, session, pages=list(await c.nav_links(session.page)))


async def act(student: Student, rng: random.Random) -> None:
    """One change, timed; errors recorded."""
    kind = rng.choices(list(WEIGHTS), weights=list(WEIGHTS.values()))[0]
    session = student.session
    if kind == "step" and student.page_name != "Step_through_time":
        kind, target = "page", "Step_through_time"
    elif kind == "page":
        target = rng.choice([p for p in student.pages if p != student.page_name])
    student.history.append(kind + (f" {target}" if kind == "page" else ""))
    try:
        if kind == "page":
            timing = await c.go_to(session, target)
            student.page_name = target
            if target == "Step_through_time":
                student.step_label = await c.step_slider_label(session.page)
        elif kind == "step":
            label = student.step_label
            low, value, high = await c.slider_range(session.page, label)
            if not low <= value + student.step_direction <= high:
                student.step_direction = -student.step_direction
            key = "ArrowRight" if student.step_direction > 0 else "ArrowLeft"
            timing = await c.press_slider(session, label, key)
        elif kind == "flag":
            timing = await c.click_checkbox(session, rng.choice(FLAGS))
        else:
            timing = await c.click_button(session, "New input")
        student.timings.append((kind, timing))
        boxes = await c.exceptions(session.page)
        if boxes:
            student.errors.append(f"session {student.number} {kind}: {boxes}")
    except Exception as error:
        student.errors.append(
            f"session {student.number} {kind}: {type(error).__name__}: "
            f"{str(error).splitlines()[0] if str(error) else ''}"
        )
        if os.environ.get("DEBUG_DIR"):
            path = f"{os.environ['DEBUG_DIR']}/session{student.number}.png"
            await session.page.screenshot(path=path)
            text = await session.page.get_by_test_id("stMain").inner_text()
            print(f"DEBUG {student.number} {student.history} {path}:\n{text[:300]}")
        try:  # carry on from the home page with more than one timestep
            await c.wait_idle(session.page, 0, ACTION_TIMEOUT_MS)
            await recover(student)
        except Exception:
            student.errors.append(f"session {student.number}: stuck, stopped")
            raise


async def more_timesteps(student: Student) -> None:
    """On the home page: one PageUp on Timesteps (1 → 51) when it shows one."""
    page = student.session.page
    if await c.slider_value(page, "Timesteps") > 1:
        return
    thumb = c.slider_thumb(page, "Timesteps")
    await thumb.focus()
    await c.timed_rerun(student.session, lambda: thumb.press("PageUp"))
    await c.wait_idle(page, 1)
    if await c.slider_value(page, "Timesteps") < 2:
        raise RuntimeError("PageUp did not raise the timesteps")


async def recover(student: Student) -> None:
    """After an error: back to the home page, with timesteps to step through."""
    if student.page_name != "":
        await c.go_to(student.session, "")
        student.page_name = ""
    await more_timesteps(student)


async def lesson(student: Student, until: float) -> None:
    """Set 51 timesteps, then change widgets until `until`."""
    rng = random.Random(student.number)
    try:
        await more_timesteps(student)
        await asyncio.sleep(rng.uniform(*THINK))
        while time.monotonic() < until:
            await act(student, rng)
            await asyncio.sleep(rng.uniform(*THINK))
    except Exception as error:
        if not student.errors:
            student.errors.append(f"session {student.number}: {error!r}"[:300])


async def settled_rss(server: c.Server, seconds: float = 3.0) -> int:
    """The server's RSS after `seconds` of quiet."""
    await asyncio.sleep(seconds)
    return server.rss_bytes()


def cpu_seconds(server: c.Server) -> float:
    """CPU seconds used so far by the server's process tree."""
    root = psutil.Process(server.process.pid)
    total = 0.0
    for proc in [root, *root.children(recursive=True)]:
        times = proc.cpu_times()
        total += times.user + times.system
    return total


async def run_classroom(browser: Any, server: c.Server) -> dict[str, Any]:
    """Open the sessions (RSS at the checkpoints), run the lesson, collect."""
    memory = {"0": await settled_rss(server)}
    students: list[Student] = []
    while len(students) < SESSIONS:
        batch = min(OPEN_AT_ONCE, SESSIONS - len(students))
        next_checkpoint = min(n for n in CHECKPOINTS if n > len(students))
        batch = min(batch, next_checkpoint - len(students))
        students += await asyncio.gather(
            *(
                open_student(browser, server.url, len(students) + i)
                for i in range(batch)
            )
        )
        if len(students) in CHECKPOINTS:
            memory[str(len(students))] = await settled_rss(server)
            print(
                f"{len(students)} sessions open: server RSS "
                f"{memory[str(len(students))] / 2**20:.0f} MiB",
                flush=True,
            )
    cpu_before = cpu_seconds(server)
    started = time.monotonic()
    await asyncio.gather(*(lesson(s, started + SECONDS) for s in students))
    elapsed = time.monotonic() - started
    cpu_used = cpu_seconds(server) - cpu_before
    memory["after lesson"] = await settled_rss(server)
    errors = []
    for student in students:
        errors += student.errors
        errors += [
            f"session {student.number}: {e}" for e in student.session.console.errors
        ]
    for student in students:
        await student.session.context.close()
    memory["after closing"] = await settled_rss(server, 5.0)
    timings = [t for s in students for t in s.timings]
    c.add_server_times([t for _, t in timings], server.runs())
    return {
        "memory": memory,
        "timings": timings,
        "errors": errors,
        "lesson_seconds": elapsed,
        "server_cpu_seconds": cpu_used,
    }


def analyse(run: dict[str, Any]) -> dict[str, Any]:
    """Latency per kind and overall, memory per extra session, targets."""
    timings = run["timings"]
    memory = run["memory"]
    kinds = {}
    for kind in [*WEIGHTS, "all"]:
        chosen = [t for k, t in timings if kind in (k, "all")]
        kinds[kind] = {
            "server_ms": c.summary([t.inside_ms for t in chosen if t.inside_ms]),
            "wire_ms": c.summary([t.server_ms for t in chosen if t.server_ms]),
            "client_ms": c.summary([t.client_ms for t in chosen]),
            "batched": sum(t.batched for t in chosen),
        }
    n = SESSIONS
    per_session = (memory[str(n)] - memory["1"]) / (n - 1) / 2**20 if n > 1 else None
    after = (memory["after lesson"] - memory["1"]) / (n - 1) / 2**20 if n > 1 else None
    p95 = kinds["all"]["server_ms"]["p95"]
    return {
        "sessions": n,
        "seconds": SECONDS,
        "think_seconds": THINK,
        "nice": NICE,
        "changes": len(timings),
        "changes_per_second": len(timings) / run["lesson_seconds"],
        "server_cpu_seconds": run["server_cpu_seconds"],
        "server_cpu_share": run["server_cpu_seconds"] / run["lesson_seconds"],
        "kinds": kinds,
        "memory_mib": {k: v / 2**20 for k, v in memory.items()},
        "mib_per_extra_session_idle": per_session,
        "mib_per_session_after_lesson": after,
        "errors": run["errors"],
        "targets": {
            "zero errors": not run["errors"],
            "p95 < 1 s (server)": p95 is not None and p95 < TARGETS["p95_ms"],
            "< 20 MB per extra session": per_session is not None
            and per_session * 2**20 < TARGETS["mb_per_session"] * 1e6,
        },
    }


def print_results(results: dict[str, Any]) -> None:
    """Tables of latency, memory and the targets."""
    rows = []
    for kind, r in results["kinds"].items():
        rows.append(
            [
                kind,
                r["client_ms"]["n"],
                c.fmt(r["server_ms"]["p50"]),
                c.fmt(r["server_ms"]["p95"]),
                c.fmt(r["wire_ms"]["p50"]),
                c.fmt(r["wire_ms"]["p95"]),
                c.fmt(r["client_ms"]["p50"]),
                c.fmt(r["client_ms"]["p95"]),
            ]
        )
    print(
        f"\n{results['sessions']} sessions for {results['seconds']:.0f} s: "
        f"{results['changes']} changes ({results['changes_per_second']:.1f}/s), "
        f"server CPU {results['server_cpu_share']:.2f} cores"
    )
    c.print_table(
        [
            "change",
            "n",
            "server p50",
            "server p95",
            "wire p50",
            "wire p95",
            "page p50",
            "page p95",
        ],
        rows,
    )
    print()
    c.print_table(
        ["server RSS", "MiB"],
        [[k, f"{v:.0f}"] for k, v in results["memory_mib"].items()],
    )
    per = results["mib_per_extra_session_idle"]
    print(f"per extra open session (1 → {results['sessions']}): {c.fmt(per, 1)} MiB")
    after = c.fmt(results["mib_per_session_after_lesson"], 1)
    print(f"per extra session after the lesson: {after} MiB (caches included)")
    print(f"errors: {len(results['errors'])}")
    for error in results["errors"][:20]:
        print(f"  {error}")
    for name, met in results["targets"].items():
        print(f"target {name}: {'met' if met else 'NOT met'}")


async def main() -> None:
    """Server, niced browser, classroom; print and write."""
    with c.server(timed=True) as server, c.niced_chromium(NICE) as chromium:
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(
                executable_path=chromium, args=[*c.CHROMIUM_ARGS, *EXTRA_ARGS]
            )
            try:
                run = await run_classroom(browser, server)
            finally:
                await browser.close()
        command = server.command
    results = analyse(run)
    results["server_command"] = command
    print_results(results)
    c.write_results("classroom", results)


if __name__ == "__main__":
    c.POLL_MS = 100  # thirty pages polling: keep the browser's share small
    c.run(main)
