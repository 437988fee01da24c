"""Benchmark: time of `trace` split into its Keras part and its NumPy part.

For each cell (SimpleRNN, LSTM, GRU) at three sizes: the seed notebook's (32, 1, 8)
→ 4 units (activation=None for SimpleRNN, as the notebook), (32, 100, 16) → 64 units
with return_sequences, and the app's largest allowed size, (32, 500, 12) → 125 units
(rnn_core.limits: 192,000 input values ≤ 200,000; 2,000,000 values per state array).
Measured, each the median of several warm runs: the NumPy run (`run_layer`), the
Keras layer call as `keras_forward` runs it (eager up to
`keras_backend.EAGER_MAX_TIMESTEPS` timesteps, compiled with tf.function beyond), the
Keras per-step states (`keras_step_states`), the same layer called eagerly, and
`trace` as a whole with its own Keras / NumPy split. The first Keras call per spec
(building, and tracing when compiled) is reported separately. Ratios above 1 mean
NumPy is faster.

Threads as the app server caps them (`ui.serve.SERVER_ENVIRONMENT`) unless the
environment sets them. Env: QUICK=1 (3 runs each, 1 eager). Writes
bench/results/engine.json.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# The server's thread caps (one BLAS thread; TensorFlow intra-op 1, inter-op 2), set
# before NumPy and TensorFlow load unless the caller set them: both sides are measured
# as the app runs them.
from ui.serve import SERVER_ENVIRONMENT  # noqa: F401, I001 (sets them on import)

import common as c
import numpy as np

from rnn_core import LayerSpec, init_weights
from rnn_core import keras_backend as kb
from rnn_core.limits import check_input_shape, check_trace_size
from rnn_core.manual import run_layer
from rnn_core.trace import trace

REPEATS = 3 if c.QUICK else 15
EAGER_REPEATS = 1 if c.QUICK else 3
CELLS = ("simple_rnn", "lstm", "gru")
SIZES = {
    "notebook": ((32, 1, 8), 4),
    "medium": ((32, 100, 16), 64),
    "largest": ((32, 500, 12), 125),
}


def cases() -> list[tuple[str, LayerSpec, tuple[int, int, int]]]:
    """(name, spec, input shape) for every size and cell, all within the limits."""
    out = []
    for size, (shape, units) in SIZES.items():
        for cell in CELLS:
            if size == "notebook":
                activation = None if cell == "simple_rnn" else "tanh"
                spec = LayerSpec(cell=cell, units=units, activation=activation)
            else:
                spec = LayerSpec(cell=cell, units=units, return_sequences=True)
            check_input_shape(*shape)
            check_trace_size(spec, shape[0], shape[1])
            out.append((f"{size} {cell}", spec, shape))
    return out


def median_seconds(function, repeats: int = REPEATS) -> float:
    """Median wall time of `repeats` calls, after one warm-up call."""
    function()
    return c.median_seconds(function, repeats)


def measure(spec: LayerSpec, shape: tuple[int, int, int]) -> dict[str, float]:
    """Seconds of each part, and the ratios to the NumPy run."""
    x = np.random.default_rng(0).random(shape).astype(np.float32)
    weights = init_weights(spec, shape[2], seed=0)
    started = time.perf_counter()
    kb.keras_forward(spec, weights, x)
    kb.keras_step_states(spec, weights, x)
    first_keras = time.perf_counter() - started
    numpy_s = median_seconds(lambda: run_layer(spec, weights, x))
    keras_call_s = median_seconds(lambda: kb.keras_forward(spec, weights, x))
    keras_steps_s = median_seconds(lambda: kb.keras_step_states(spec, weights, x))
    traces = [trace(spec, x, weights) for _ in range(REPEATS + 1)][1:]
    trace_s = median_seconds(lambda: trace(spec, x, weights))
    layer = kb._cached_layer(spec, shape[2]).layer  # weights set by the calls above
    keras_eager_s = median_seconds(lambda: layer(x), repeats=EAGER_REPEATS)
    trace_keras_s = statistics.median(t.seconds["keras"] for t in traces)
    trace_numpy_s = statistics.median(t.seconds["manual"] for t in traces)
    return {
        "numpy_s": numpy_s,
        "keras_call_s": keras_call_s,
        "keras_steps_s": keras_steps_s,
        "keras_total_s": keras_call_s + keras_steps_s,
        "keras_eager_s": keras_eager_s,
        "keras_first_call_s": first_keras,
        "trace_s": trace_s,
        "trace_keras_s": trace_keras_s,
        "trace_numpy_s": trace_numpy_s,
        "speedup_vs_keras_call": keras_call_s / numpy_s,
        "speedup_vs_keras_total": (keras_call_s + keras_steps_s) / numpy_s,
        "speedup_vs_keras_eager": keras_eager_s / numpy_s,
        "trace_keras_over_numpy": trace_keras_s / trace_numpy_s,
    }


def print_results(results: dict[str, Any]) -> None:
    """The table, milliseconds and ratios."""
    rows = []
    for name, r in results["cases"].items():
        rows.append(
            [
                name,
                str(tuple(r["input"])),
                r["spec"]["units"],
                f"{r['numpy_s'] * 1e3:.2f}",
                f"{r['keras_call_s'] * 1e3:.2f}",
                f"{r['keras_steps_s'] * 1e3:.2f}",
                f"{r['keras_eager_s'] * 1e3:.1f}",
                f"{r['trace_s'] * 1e3:.1f}",
                f"{r['trace_keras_s'] * 1e3:.1f}/{r['trace_numpy_s'] * 1e3:.1f}",
                f"{r['speedup_vs_keras_call']:.1f}×",
                f"{r['speedup_vs_keras_eager']:.0f}×",
                f"{r['keras_first_call_s'] * 1e3:.0f}",
            ]
        )
    c.print_table(
        [
            "case",
            "input",
            "units",
            "NumPy ms",
            "Keras call",
            "Keras steps",
            "eager",
            "trace ms",
            "trace K/N ms",
            "call/NumPy",
            "eager/NumPy",
            "first call",
        ],
        rows,
    )
    print(
        "call/NumPy = the Keras layer call as keras_forward runs it (eager up to "
        f"{kb.EAGER_MAX_TIMESTEPS} timesteps, tf.function beyond) / NumPy run; "
        "eager/NumPy = the same layer called eagerly / NumPy (above 1: NumPy faster).\n"
        "trace K/N = the Keras part / the NumPy part inside `trace` (Keras part = "
        "layer call + per-step states); first call = building and tracing a new spec."
    )
    slowest = min(results["cases"].items(), key=lambda i: i[1]["speedup_vs_keras_call"])
    print(
        f"lowest call/NumPy: {slowest[0]} {slowest[1]['speedup_vs_keras_call']:.2f}× "
        f"(target ≥ 1 at every size: {'met' if results['met'] else 'NOT met'})"
    )


def main() -> None:
    """Run every case, print the table, write the JSON."""
    results: dict[str, Any] = {"repeats": REPEATS, "cases": {}}
    for name, spec, shape in cases():
        print(f"measuring {name} …", flush=True)
        row = measure(spec, shape)
        results["cases"][name] = {"spec": spec.to_dict(), "input": shape, **row}
    ratios = [r["speedup_vs_keras_call"] for r in results["cases"].values()]
    results["min_speedup_vs_keras_call"] = min(ratios)
    results["met"] = min(ratios) >= 1
    print_results(results)
    c.write_results("engine", results)


if __name__ == "__main__":
    main()
