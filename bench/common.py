"""Shared by the benchmarks: machine info, results, the server and the browser.

The browser scripts start the app's server as `make run` does (or as SERVER_CMD says,
in SERVER_CWD) on a free port of 127.0.0.1 in its own process group, drive Debian's
Chromium through Playwright (async API), and time each rerun three ways:

- page: from the input event (keydown / pointerdown) to `stApp`'s
  `data-test-script-state` returning to "notRunning" (a MutationObserver records every
  change; when React commits a whole run at once, the script_finished message's
  arrival in the page stands in);
- server: inside the server, from the rerun request's arrival to its script_finished
  message being queued (bench/timed_server.py wraps a `PYTHON -m MODULE …` command);
- wire: from the frame carrying the BackMsg `rerun_script` to the ForwardMsg
  `script_finished`, with Chromium's network timestamps (DevTools protocol); this
  includes a busy browser's delay in reading its socket.

QUICK=1 runs write to bench/results/quick/, never over the real figures.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime
import json
import os
import platform
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:  # `python bench/x.py` puts only bench/ on the path
    sys.path.append(str(REPO))
# CHROMIUM_ARGS is for the bench scripts (`c.CHROMIUM_ARGS`).
from scripts.chromium import CHROMIUM_ARGS, CHROMIUM_PATH, VIEWPORT  # noqa: E402, F401

QUICK = os.environ.get("QUICK", "") not in ("", "0")
# QUICK runs (smoke tests) never overwrite the real figures.
RESULTS = Path(__file__).resolve().parent / ("results/quick" if QUICK else "results")
CHROMIUM = Path(os.environ.get("CHROMIUM", CHROMIUM_PATH))
SERVER_ENV = {"TF_CPP_MIN_LOG_LEVEL": "3", "TF_ENABLE_ONEDNN_OPTS": "0"}
SERVER_START_SECONDS = 120
FIRST_RUN_MS = 120_000
RUN_MS = 60_000
APP_IDLE = (
    '[data-testid="stApp"][data-test-script-state="notRunning"]'
    '[data-test-connection-state="CONNECTED"]'
)
CHARTS = '[data-testid="stPlotlyChart"] .js-plotly-plot'
# The app's sizes: the default (the seed notebook's) and the largest the limits allow
# (rnn_core.limits: input ≤ 200,000 values, one state array ≤ 2,000,000 values).
DEFAULT_SIZE = {"batch": 32, "timesteps": 1, "features": 8, "units": 4}
LARGEST_SIZE = {"batch": 32, "timesteps": 500, "features": 12, "units": 125}


# --------------------------------------------------------------------------------------
# Machine, results, tables


def _cpu_model() -> str:
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def _version(*names: str) -> str | None:
    for name in names:
        with contextlib.suppress(metadata.PackageNotFoundError):
            return metadata.version(name)
    return None


def _chromium_version() -> str | None:
    try:
        out = subprocess.run(
            [str(CHROMIUM), "--version"], capture_output=True, text=True, timeout=30
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None


def machine_info() -> dict[str, Any]:
    """CPU, cores, RAM, versions, date and load: what the figures were measured on."""
    import psutil

    return {
        "cpu_model": _cpu_model(),
        "cores_logical": os.cpu_count(),
        "cores_physical": psutil.cpu_count(logical=False),
        "ram_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "tensorflow": _version("tensorflow", "tensorflow-cpu"),
        "keras": _version("keras"),
        "numpy": _version("numpy"),
        "streamlit": _version("streamlit"),
        "plotly": _version("plotly"),
        "playwright": _version("playwright"),
        "chromium": _chromium_version(),
        "thread_env": {
            name: os.environ.get(name)
            for name in (
                "OPENBLAS_NUM_THREADS",
                "OMP_NUM_THREADS",
                "OPENBLAS_CORETYPE",
                "TF_NUM_INTRAOP_THREADS",
                "TF_NUM_INTEROP_THREADS",
            )
        },
        "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "loadavg_at_start": os.getloadavg(),
        "quick": QUICK,
    }


def write_results(name: str, results: dict[str, Any]) -> Path:
    """Write bench/results/<name>.json (machine info first) and say where."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    data = {"machine": machine_info(), **results}
    data["machine"]["loadavg_at_end"] = os.getloadavg()
    path.write_text(json.dumps(data, indent=2, default=str) + "\n")
    print(f"wrote {path.relative_to(REPO)}")
    return path


def print_table(headers: list[str], rows: list[list[Any]]) -> None:
    """Print rows under headers, the first column left-aligned, the others right."""
    cells = [[str(c) for c in row] for row in [headers, *rows]]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]

    def line(row: list[str]) -> str:
        return "  ".join(
            c.ljust(w) if i == 0 else c.rjust(w)
            for i, (c, w) in enumerate(zip(row, widths, strict=True))
        )

    print(line(cells[0]))
    print("  ".join("-" * w for w in widths))
    for row in cells[1:]:
        print(line(row))


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0–100, linear interpolation); None when empty."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def summary(values: list[float]) -> dict[str, Any]:
    """n, p50, p95, max and mean of a list of milliseconds (rounded)."""

    def r(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    return {
        "n": len(values),
        "p50": r(percentile(values, 50)),
        "p95": r(percentile(values, 95)),
        "max": r(max(values) if values else None),
        "mean": r(statistics.fmean(values) if values else None),
    }


def fmt(value: float | None, digits: int = 0) -> str:
    """A number for a table, '–' for None."""
    return "–" if value is None else f"{value:.{digits}f}"


def median_seconds(function: Callable[[], object], repeats: int) -> float:
    """Median wall time of `repeats` calls of `function`."""
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


# --------------------------------------------------------------------------------------
# The server


def free_port() -> int:
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def server_command(port: int, address: str = "127.0.0.1") -> str:
    """The shell command that starts the app's server.

    SERVER_CMD (with {port} and {address}) when set; otherwise what `make run` runs,
    read from the Makefile now (`make -n`, its setup prerequisite taken as done).
    It runs in SERVER_CWD (default: this repository), e.g. another checkout to compare.
    """
    template = os.environ.get("SERVER_CMD")
    if template:
        return template.format(port=port, address=address)
    out = subprocess.run(
        [
            *("make", "--no-print-directory", "-s", "-n"),
            *("-o", ".venv/.installed", "run"),
            f"ADDRESS={address}",
            f"PORT={port}",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    lines = [line for line in out.stdout.splitlines() if line.strip()]
    if not lines:
        raise RuntimeError("`make -n run` printed no command")
    return "\n".join(lines)


def timed_command(command: str) -> str | None:
    """`command` run through bench/timed_server.py, when it is `PYTHON -m MODULE …`."""
    words = shlex.split(command) if "\n" not in command else []
    if len(words) < 3 or words[1] != "-m" or "=" in words[0]:
        return None
    launcher = Path(__file__).resolve().parent / "timed_server.py"
    return shlex.join([words[0], str(launcher), *words[1:]])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as answer:
            return answer.read().decode().strip() == "ok"
    except OSError:
        return False


@dataclass
class Server:
    """A running server: its process (group leader), URL, command and log."""

    process: subprocess.Popen
    url: str
    command: str
    started: float  # time.perf_counter() just before Popen
    started_epoch: float  # time.time() just before Popen
    healthy_after: float = 0.0  # seconds from start to the first healthy answer
    log: Any = None
    timing_file: Path | None = None  # bench/timed_server.py's records, when timed

    def runs(self) -> list[dict[str, Any]]:
        """The script runs timed inside the server so far (none when not timed)."""
        if self.timing_file is None or not self.timing_file.exists():
            return []
        lines = self.timing_file.read_text().splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def rss_bytes(self) -> int:
        """Resident memory of the server's process and all its children."""
        import psutil

        try:
            root = psutil.Process(self.process.pid)
            procs = [root, *root.children(recursive=True)]
        except psutil.NoSuchProcess:
            return 0
        total = 0
        for proc in procs:
            with contextlib.suppress(psutil.NoSuchProcess):
                total += proc.memory_info().rss
        return total

    def log_text(self) -> str:
        """What the server printed so far."""
        self.log.flush()
        self.log.seek(0)
        return self.log.read()


def _stop(process: subprocess.Popen) -> None:
    """Stop the server's whole process group (TERM, then KILL)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


@contextlib.contextmanager
def server(poll_seconds: float = 0.05, timed: bool = False) -> Iterator[Server]:
    """Start the server on a free port in its own process group; always stop it.

    timed: run it through bench/timed_server.py, which times every script run inside
    the server (only for a `PYTHON -m MODULE …` command; otherwise not timed).
    """
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    command = server_command(port)
    env = {**os.environ, **SERVER_ENV}
    with contextlib.ExitStack() as stack:
        log = stack.enter_context(tempfile.TemporaryFile(mode="w+"))
        timing_file = None
        wrapped = timed_command(command) if timed else None
        if wrapped:
            folder = stack.enter_context(tempfile.TemporaryDirectory())
            timing_file = Path(folder) / "runs.jsonl"
            env["BENCH_TIMING_FILE"] = str(timing_file)
        server_command_shown = command
        command = wrapped or command
        started_epoch, started = time.time(), time.perf_counter()
        process = subprocess.Popen(
            ["sh", "-c", command],
            cwd=os.environ.get("SERVER_CWD", REPO),
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        running = Server(
            process,
            url,
            server_command_shown,
            started,
            started_epoch,
            log=log,
            timing_file=timing_file,
        )
        try:
            deadline = started + SERVER_START_SECONDS
            while not _healthy(url):
                if process.poll() is not None:
                    raise RuntimeError(
                        f"server exited with {process.returncode}:\n"
                        + running.log_text()
                    )
                if time.perf_counter() > deadline:
                    raise RuntimeError(
                        f"server not healthy after {deadline - started}s"
                    )
                time.sleep(poll_seconds)
            running.healthy_after = time.perf_counter() - started
            yield running
        finally:
            _stop(process)


# --------------------------------------------------------------------------------------
# The browser


def _finished_status(name: str) -> int:
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    return ForwardMsg.ScriptFinishedStatus.Value(name)


def _field_number(message: str, name: str) -> int:
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    return (
        {"BackMsg": BackMsg, "ForwardMsg": ForwardMsg}[message]
        .DESCRIPTOR.fields_by_name[name]
        .number
    )


# In the page: input events, every change of stApp's script state, and which websocket
# messages were sent and received when (the top-level protobuf fields of each frame
# tell a BackMsg rerun_script and a ForwardMsg script_finished). Page time (ms).
INIT_SCRIPT = """
(() => {
  const bench = (window.__bench = {inputs: [], states: [], sent: [], received: []});
  for (const type of ["keydown", "pointerdown"]) {
    document.addEventListener(type, (e) => bench.inputs.push({type, t: e.timeStamp}),
                              true);
  }
  const record = () => {
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app) return;
    const state = app.getAttribute("data-test-script-state");
    const last = bench.states[bench.states.length - 1];
    if (!last || last.state !== state) bench.states.push({state, t: performance.now()});
  };
  new MutationObserver(record).observe(document, {
    subtree: true, attributes: true, childList: true,
    attributeFilter: ["data-test-script-state"],
  });
  // The top-level fields of a protobuf message: [number, value of a varint or null].
  const fields = (data) => {
    let bytes;
    if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
    else if (ArrayBuffer.isView(data))
      bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
    else return [];
    const out = [];
    let i = 0;
    const varint = () => {
      let value = 0, shift = 1;
      while (i < bytes.length) {
        const b = bytes[i++];
        value += (b & 127) * shift;
        if (b < 128) break;
        shift *= 128;
      }
      return value;
    };
    while (i < bytes.length) {
      const tag = varint(), type = tag % 8;
      const number = Math.floor(tag / 8);
      if (type === 0) out.push([number, varint()]);
      else out.push([number, null]);
      if (type === 0) continue;
      else if (type === 1) i += 8;
      else if (type === 2) {
        const length = varint();  // read before i: `i += varint()` reads i first
        i += length;
      }
      else if (type === 5) i += 4;
      else break;
    }
    return out;
  };
  const Native = window.WebSocket;
  class Recorded extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (e) => {
        if (!(e.data instanceof ArrayBuffer)) return;
        const finished = fields(e.data).find(([number]) => number === FINISHED);
        if (finished) bench.received.push({status: finished[1], t: performance.now()});
      });
    }
    send(data) {
      if (fields(data).some(([number]) => number === RERUN))
        bench.sent.push({rerun: true, t: performance.now()});
      return super.send(data);
    }
  }
  window.WebSocket = Recorded;
})();
""".replace("FINISHED", str(_field_number("ForwardMsg", "script_finished"))).replace(
    "RERUN", str(_field_number("BackMsg", "rerun_script"))
)
# A run stopped for the rerun it asked for (st.rerun, or a newer widget change): the
# change is finished only with the run after it.
EARLY = "FINISHED_EARLY_FOR_RERUN"

# The rerun after `mark`, once finished: {input, sent, done, batched}, page time (ms).
# Finished: the first script_finished after the request that is not a run stopped for
# a rerun (st.rerun(scope="app") from a fragment makes one change two runs); done:
# the script state's return to "notRunning" after it, or, when React committed that
# run at once (no state change seen), the message's own arrival.
# {error} when no rerun request left the page within NO_RERUN_MS.
RERUN_DONE_JS = """
([mark, noRerunMs, early]) => {
  const b = window.__bench;
  const now = performance.now();
  const app = document.querySelector('[data-testid="stApp"]');
  const connected =
    app && app.getAttribute("data-test-connection-state") === "CONNECTED";
  const idle = connected && app.getAttribute("data-test-script-state") === "notRunning";
  const input = b.inputs.find((e) => e.t >= mark);
  const t0 = input ? input.t : mark;
  const sent = b.sent.find((m) => m.t >= mark);
  if (!sent) return now - mark > noRerunMs ? {error: "no rerun request sent"} : null;
  const last = b.received.find((m) => m.t >= sent.t && m.status !== early);
  if (!last || !connected) return null;
  const done = b.states.find((s) => s.t >= last.t && s.state === "notRunning");
  if (done) return {input: t0, sent: sent.t, done: done.t, batched: false};
  const latest = b.states[b.states.length - 1];
  if (idle && (!latest || latest.t < last.t) && now - last.t > 50)
    return {input: t0, sent: sent.t, done: last.t, batched: true};
  return null;
}
"""
NO_RERUN_MS = 10_000


@contextlib.contextmanager
def niced_chromium(nice: int) -> Iterator[str]:
    """The Chromium executable to launch, wrapped in `nice -n <nice>` when nice > 0."""
    if nice <= 0:
        yield str(CHROMIUM)
        return
    with tempfile.TemporaryDirectory() as folder:
        wrapper = Path(folder) / "chromium"
        wrapper.write_text(f'#!/bin/sh\nexec nice -n {nice} {CHROMIUM} "$@"\n')
        wrapper.chmod(0o755)
        yield str(wrapper)


@dataclass
class Frame:
    """One websocket frame: direction, Chromium's timestamp (s), size, message type."""

    sent: bool
    t: float
    size: int
    kind: str  # ForwardMsg / BackMsg type, e.g. "delta", "script_finished"
    detail: str = ""  # delta's element type or script_finished's status


def _decode(sent: bool, payload: bytes) -> tuple[str, str]:
    """The Streamlit message type in a frame (and a detail)."""
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    try:
        if sent:
            back = BackMsg()
            back.ParseFromString(payload)
            return back.WhichOneof("type") or "?", ""
        msg = ForwardMsg()
        msg.ParseFromString(payload)
    except Exception:
        return "?", ""
    kind = msg.WhichOneof("type") or "?"
    if kind == "delta":
        delta = msg.delta
        sub = delta.WhichOneof("type") or ""
        if sub == "new_element":
            sub = delta.new_element.WhichOneof("type") or sub
        return kind, sub
    if kind == "script_finished":
        return kind, ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished)
    if kind == "new_session":
        return kind, msg.new_session.initialize.session_id
    return kind, ""


@dataclass
class Wire:
    """Websocket frames and HTTP bytes of one page, from the DevTools protocol."""

    frames: list[Frame] = field(default_factory=list)
    http: list[tuple[float, int, str]] = field(default_factory=list)  # t, bytes, url
    urls: dict[str, str] = field(default_factory=dict)

    def on_sent(self, event: dict[str, Any]) -> None:
        self._frame(True, event)

    def on_received(self, event: dict[str, Any]) -> None:
        self._frame(False, event)

    def _frame(self, sent: bool, event: dict[str, Any]) -> None:
        response = event["response"]
        data = response.get("payloadData", "")
        payload = base64.b64decode(data) if response.get("opcode") == 2 else data
        if isinstance(payload, str):
            payload = payload.encode()
        kind, detail = _decode(sent, payload)
        self.frames.append(Frame(sent, event["timestamp"], len(payload), kind, detail))

    def on_response(self, event: dict[str, Any]) -> None:
        self.urls[event["requestId"]] = event["response"].get("url", "")

    def on_finished(self, event: dict[str, Any]) -> None:
        url = self.urls.get(event["requestId"], "")
        self.http.append((event["timestamp"], int(event["encodedDataLength"]), url))

    @property
    def session_id(self) -> str:
        """The Streamlit session id (from the last new_session message)."""
        ids = [f.detail for f in self.frames if f.kind == "new_session" and f.detail]
        return ids[-1] if ids else ""

    def received_bytes(self, start: int = 0, end: int | None = None) -> int:
        """Bytes of the frames received in frames[start:end]."""
        return sum(f.size for f in self.frames[start:end] if not f.sent)

    def server_ms(self, start: int) -> float | None:
        """Wire time of the first rerun after frame `start`: rerun_script → finished."""
        sent = next(
            (i for i in range(start, len(self.frames)) if self._is_rerun(i)), None
        )
        if sent is None:
            return None
        for frame in self.frames[sent + 1 :]:
            if frame.sent or frame.kind != "script_finished" or frame.detail == EARLY:
                continue
            return (frame.t - self.frames[sent].t) * 1e3
        return None

    def _is_rerun(self, i: int) -> bool:
        frame = self.frames[i]
        return frame.sent and frame.kind == "rerun_script"

    async def wait_finished(self, start: int, seconds: float = 5.0) -> float | None:
        """server_ms(start), waiting a little for the CDP events to arrive."""
        deadline = time.monotonic() + seconds
        while True:
            value = self.server_ms(start)
            if value is not None or time.monotonic() > deadline:
                return value
            await asyncio.sleep(0.02)


async def attach_wire(page: Any) -> Wire:
    """Record the page's websocket frames and HTTP bytes (DevTools protocol)."""
    wire = Wire()
    cdp = await page.context.new_cdp_session(page)
    cdp.on("Network.webSocketFrameSent", wire.on_sent)
    cdp.on("Network.webSocketFrameReceived", wire.on_received)
    cdp.on("Network.responseReceived", wire.on_response)
    cdp.on("Network.loadingFinished", wire.on_finished)
    await cdp.send("Network.enable")
    return wire


class Console:
    """Console errors and uncaught exceptions of one page."""

    # Opening a page's URL directly logs two harmless 404s (testing-notes.md).
    HARMLESS = ("/_stcore/health", "/_stcore/host-config")

    def __init__(self) -> None:
        self.errors: list[str] = []

    def on_console(self, message: Any) -> None:
        if message.type != "error":
            return
        where = message.location.get("url", "")
        if "404" in message.text and where.endswith(self.HARMLESS):
            return
        self.errors.append(f"{message.text} ({where})")

    def on_page_error(self, error: Any) -> None:
        self.errors.append(f"uncaught: {error}")


@dataclass
class Session:
    """One browser context on the app: its page, wire record and console."""

    context: Any
    page: Any
    wire: Wire
    console: Console


async def open_session(browser: Any, url: str, path: str = "/") -> Session:
    """A fresh context (a fresh Streamlit session) with the recorders installed."""
    context = await browser.new_context(viewport=VIEWPORT)
    context.set_default_timeout(RUN_MS)
    await context.add_init_script(INIT_SCRIPT)
    page = await context.new_page()
    console = Console()
    page.on("console", console.on_console)
    page.on("pageerror", console.on_page_error)
    wire = await attach_wire(page)
    await page.goto(url + path)
    return Session(context, page, wire, console)


async def wait_idle(page: Any, charts: int = 0, timeout: float = RUN_MS) -> None:
    """Wait for the run to finish and at least `charts` Plotly charts."""
    await page.wait_for_selector(APP_IDLE, timeout=timeout)
    await page.wait_for_function(
        "([selector, n]) => document.querySelectorAll(selector).length >= n",
        arg=[CHARTS, charts],
        timeout=timeout,
    )


async def first_load(session: Session) -> None:
    """Wait for the first page of a session (charts drawn); say what it shows if not."""
    try:
        await wait_idle(session.page, 1, FIRST_RUN_MS)
    except Exception as error:
        page = session.page
        try:
            text = (await page.locator("body").inner_text(timeout=5_000))[:1500]
            state = await page.locator('[data-testid="stApp"]').get_attribute(
                "data-test-script-state", timeout=5_000
            )
        except Exception:
            text, state = "(unreadable)", "?"
        raise RuntimeError(
            f"the first page did not finish with a chart: {type(error).__name__}; "
            f"script state {state}; console {session.console.errors}; page:\n{text}"
        ) from error


@dataclass
class Timing:
    """One timed rerun: page-side and wire-side milliseconds, bytes received."""

    client_ms: float
    server_ms: float | None
    received: int = 0
    batched: bool = False  # the page never showed "running" (one React commit)
    request_ms: float = 0.0  # input event → rerun request sent (the widget's share)
    session_id: str = ""
    start_epoch: float = 0.0  # time.time() before the action
    end_epoch: float = 0.0  # time.time() once the run was seen finished
    inside_ms: float | None = None  # the run timed inside the server (timed servers)


class NoRerunError(RuntimeError):
    """A widget change that sent no rerun request (a lost click or key)."""


POLL_MS = 25  # how often the page checks for the end of a run (not a resolution)


async def timed_rerun(
    session: Session, action: Callable[[], Any], timeout: float = RUN_MS
) -> Timing:
    """Do `action` (an async callable) and time the rerun it starts."""
    page = session.page
    mark = await page.evaluate("performance.now()")
    start = len(session.wire.frames)
    start_epoch = time.time()
    await action()
    handle = await page.wait_for_function(
        RERUN_DONE_JS,
        arg=[mark, NO_RERUN_MS, _finished_status(EARLY)],
        timeout=timeout,
        polling=POLL_MS,
    )
    times = await handle.json_value()
    if "error" in times:
        raise NoRerunError(times["error"])
    server_ms = await session.wire.wait_finished(start)
    received = session.wire.received_bytes(start)
    return Timing(
        client_ms=times["done"] - times["input"],
        server_ms=server_ms,
        received=received,
        batched=times["batched"],
        request_ms=times["sent"] - times["input"],
        session_id=session.wire.session_id,
        start_epoch=start_epoch,
        end_epoch=time.time(),
    )


def add_server_times(timings: list[Timing], runs: list[dict[str, Any]]) -> None:
    """Give each timing the run timed inside the server that it started, if any."""
    by_session: dict[str, list[dict[str, Any]]] = {}
    for run in runs:
        by_session.setdefault(run["session"], []).append(run)
    for timing in timings:
        for run in by_session.get(timing.session_id, []):
            if timing.start_epoch - 0.01 <= run["start"] <= timing.end_epoch:
                timing.inside_ms = run["ms"]
                break


async def exceptions(page: Any) -> list[str]:
    """The texts of Streamlit exception boxes on the page."""
    boxes = page.get_by_test_id("stException")
    return await boxes.all_inner_texts()


# --------------------------------------------------------------------------------------
# Driving the app's widgets


def widget(page: Any, testid: str, label: str) -> Any:
    """The widget of this kind whose label is exactly `label`."""
    return page.get_by_test_id(testid).filter(
        has=page.get_by_test_id("stWidgetLabel").get_by_text(label, exact=True)
    )


def slider_thumb(page: Any, label: str) -> Any:
    """The thumb of the slider labelled `label`."""
    return widget(page, "stSlider", label).get_by_role("slider")


async def slider_range(page: Any, label: str) -> tuple[int, int, int]:
    """(min, value, max) of a slider."""
    thumb = slider_thumb(page, label)
    values = await thumb.evaluate("e => [e.min, e.value, e.max].map(Number)")
    return int(values[0]), int(values[1]), int(values[2])


async def slider_value(page: Any, label: str) -> int:
    """The current value of a slider."""
    return (await slider_range(page, label))[1]


async def press_slider(session: Session, label: str, key: str) -> Timing:
    """Press one key on a slider and time the rerun."""
    thumb = slider_thumb(session.page, label)
    await thumb.focus()
    return await timed_rerun(session, lambda: thumb.press(key))


async def set_slider(session: Session, label: str, target: int) -> None:
    """Move a slider to `target`, one key (one rerun) at a time; End or Home at ends."""
    page = session.page
    low, _, high = await slider_range(page, label)
    while (value := await slider_value(page, label)) != target:
        if target == high:
            key = "End"
        elif target == low:
            key = "Home"
        else:
            key = "ArrowRight" if target > value else "ArrowLeft"
        await press_slider(session, label, key)
        await wait_idle(page)


async def step_slider_label(page: Any) -> str:
    """The label of the Step page's slider, "Step (0 to N)", once it is drawn."""
    slider = page.get_by_test_id("stSlider").filter(has_text="Step (0 to").first
    await slider.wait_for(timeout=10_000)
    label = await slider.get_by_test_id("stWidgetLabel").inner_text()
    return label.strip()


async def click_checkbox(session: Session, label: str) -> Timing:
    """Toggle the checkbox labelled `label` and time the rerun."""
    box = widget(session.page, "stCheckbox", label).locator("label")
    return await timed_rerun(session, box.click)


async def choose(session: Session, label: str, option: str) -> Timing:
    """Pick `option` in the selectbox labelled `label`; time the rerun."""
    page = session.page
    target = page.get_by_role("option", name=option, exact=True)
    for attempt in range(3):  # a click that lands as the list re-renders can close it
        await widget(page, "stSelectbox", label).get_by_role("combobox").click()
        try:
            await target.wait_for(timeout=5_000)
            break
        except Exception:
            await page.keyboard.press("Escape")
            if attempt == 2:
                raise
    return await timed_rerun(session, target.click)


async def set_number(session: Session, label_start: str, value: int) -> Timing:
    """Type `value` into the number input whose label starts with `label_start`."""
    page = session.page
    box = (
        page.get_by_test_id("stNumberInput")
        .filter(has_text=label_start)
        .locator("input")
    )
    await box.fill(str(value))
    return await timed_rerun(session, lambda: box.press("Enter"))


async def click_button(session: Session, name: str) -> Timing:
    """Click the button named `name` and time the rerun."""
    button = session.page.get_by_role("button", name=name, exact=True)
    return await timed_rerun(session, button.click)


async def nav_links(page: Any) -> dict[str, str]:
    """The sidebar's page links: URL name ('' for home) -> href."""
    links = page.locator('[data-testid="stSidebarNav"] a')
    hrefs = [
        await links.nth(i).get_attribute("href") for i in range(await links.count())
    ]
    return {
        href.rstrip("/").rsplit("/", 1)[-1] if i else "": href
        for i, href in enumerate(hrefs)
    }


async def go_to(session: Session, name: str) -> Timing:
    """Open a page by its sidebar link (same Streamlit session); time the run."""
    page = session.page
    href = (await nav_links(page))[name]
    link = page.locator(f'[data-testid="stSidebarNav"] a[href="{href}"]')
    timing = await timed_rerun(session, link.click)
    await wait_idle(page)
    return timing


async def set_size(session: Session, size: dict[str, int], cell: str = "") -> Timing:
    """Set the layer and input size in the sidebar, from the defaults, in a safe order.

    Timesteps, then features, then units: every intermediate size is within limits.
    Returns the timing of the last rerun (the page drawn at this size).
    """
    if cell:
        await choose(session, "Cell", cell)
        await wait_idle(session.page)
    await set_slider(session, "Batch", size["batch"])
    await set_slider(session, "Timesteps", size["timesteps"])
    await set_slider(session, "Features", size["features"])
    timing = await set_number(session, "Units", size["units"])
    await wait_idle(session.page)
    label = await session.page.get_by_test_id("stMain").inner_text()
    shape = f"({size['batch']}, {size['timesteps']}, {size['features']})"
    if shape not in label or f"({size['units']}" not in label:
        raise RuntimeError(f"size not set: no {shape} → {size['units']} on the page")
    return timing


def describe_size(size: dict[str, int]) -> str:
    """'(32, 500, 12) → 125 units'."""
    return (
        f"({size['batch']}, {size['timesteps']}, {size['features']}) → {size['units']}"
    )


def run(main: Callable[[], Any]) -> None:
    """Run an async main (Ctrl-C exits 130; servers stop in their finally)."""
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(130)
