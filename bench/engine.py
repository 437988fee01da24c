"""Benchmark: time of `trace` split into its Keras part and its NumPy part.

Prints a table and writes bench/results/engine.json. Run with `make bench`.
Each figure is the median of several warm runs (the first call per spec compiles
the Keras functions and is reported separately as "first call").
"""

from __future__ import annotations

import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np

from rnn_core import LayerSpec, init_weights
from rnn_core import keras_backend as kb
from rnn_core.manual import run_layer

REPEATS = 15
CASES = [
    # name, spec, (batch, timesteps, features)
    ("notebook", LayerSpec(units=4, activation=None), (32, 1, 8)),
    ("simple_rnn 64", LayerSpec(units=64, return_sequences=True), (32, 100, 16)),
    ("lstm 64", LayerSpec(cell="lstm", units=64, return_sequences=True), (32, 100, 16)),
    ("gru 64", LayerSpec(cell="gru", units=64, return_sequences=True), (32, 100, 16)),
]


def median_seconds(function, repeats: int = REPEATS) -> float:
    """Median wall time of `repeats` calls, after one warm-up call."""
    function()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(spec: LayerSpec, shape: tuple[int, int, int]) -> dict[str, float]:
    """Seconds for the NumPy run, the Keras layer call and the Keras per-step states."""
    x = np.random.default_rng(0).random(shape).astype(np.float32)
    weights = init_weights(spec, shape[2], seed=0)
    started = time.perf_counter()
    kb.keras_forward(spec, weights, x)
    kb.keras_step_states(spec, weights, x)
    first_keras = time.perf_counter() - started
    numpy_s = median_seconds(lambda: run_layer(spec, weights, x))
    keras_call_s = median_seconds(lambda: kb.keras_forward(spec, weights, x))
    keras_steps_s = median_seconds(lambda: kb.keras_step_states(spec, weights, x))
    layer = kb._cached_layer(spec, shape[2]).layer  # weights set by the calls above
    keras_eager_s = median_seconds(lambda: layer(x), repeats=3)
    return {
        "numpy_s": numpy_s,
        "keras_call_s": keras_call_s,
        "keras_steps_s": keras_steps_s,
        "keras_total_s": keras_call_s + keras_steps_s,
        "keras_eager_s": keras_eager_s,
        "keras_first_call_s": first_keras,
        "speedup_vs_keras_call": keras_call_s / numpy_s,
        "speedup_vs_keras_total": (keras_call_s + keras_steps_s) / numpy_s,
        "speedup_vs_keras_eager": keras_eager_s / numpy_s,
    }


def main() -> None:
    """Run every case, print the table, write the JSON."""
    import tensorflow as tf

    results = {
        "machine": {
            "cpus": os.cpu_count(),
            "platform": platform.platform(),
            "python": platform.python_version(),
            "tensorflow": tf.__version__,
            "numpy": np.__version__,
        },
        "cases": {},
    }
    header = (
        f"{'case':<15}{'input':>14}{'NumPy ms':>10}{'Keras call':>12}"
        f"{'Keras steps':>13}{'Keras/NumPy':>13}{'eager Keras':>13}{'eager/NumPy':>13}"
    )
    print(header)
    print("-" * len(header))
    for name, spec, shape in CASES:
        row = measure(spec, shape)
        results["cases"][name] = {"spec": spec.to_dict(), "input": shape, **row}
        print(
            f"{name:<15}{shape!s:>14}{row['numpy_s'] * 1e3:>10.2f}"
            f"{row['keras_call_s'] * 1e3:>12.2f}{row['keras_steps_s'] * 1e3:>13.2f}"
            f"{row['speedup_vs_keras_call']:>12.1f}×"
            f"{row['keras_eager_s'] * 1e3:>13.1f}"
            f"{row['speedup_vs_keras_eager']:>12.0f}×"
        )
    print(
        "\nKeras/NumPy = compiled (tf.function) Keras layer call time / NumPy time;"
        "\neager/NumPy = the same layer called eagerly / NumPy (above 1: NumPy faster)."
    )
    out = Path(__file__).resolve().parent / "results" / "engine.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
