"""Benchmark: backpropagation through time, NumPy (`manual_gradients`) vs Keras
(`keras_gradients`, tf.GradientTape through the compiled layer and stepped cells).

The sizes of bench/engine.py: for each cell (SimpleRNN, LSTM, GRU), the seed notebook's
(32, 1, 8) → 4 units with loss "last", (32, 100, 16) → 64 units and the app's largest
allowed size (32, 500, 12) → 125 units with loss "sequence" (an MSE on every output).
Measured, each the median of several warm runs: the NumPy forward + backward pass and
the Keras one (which computes the weight gradients through the whole layer and dL/dh_t
through the stepped cells: two tapes); the first Keras call per spec (building and
tracing) separately; and the largest relative error between the two, which must stay
below rnn_core.gradients.GRADIENT_TOLERANCE. Ratios above 1 mean NumPy is faster.

Runs under the app server's thread caps (ui/serve.py SERVER_ENVIRONMENT) unless the
environment sets them. Env: QUICK=1 (2 runs each, written under bench/results/quick/).
Writes bench/results/gradients.json.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
# The server's thread caps (one BLAS thread, TF intra-op 1), set before NumPy and
# TensorFlow load, unless the caller set them: NumPy's many small matmuls slow down
# several-fold when two BLAS threads fight over two shared cores.
from ui.serve import SERVER_ENVIRONMENT  # noqa: I001 (sets them on import)

import common as c
import engine
import numpy as np

from rnn_core import LayerSpec, init_weights
from rnn_core import keras_backend as kb
from rnn_core.gradients import GRADIENT_TOLERANCE, compare_gradients, manual_gradients

REPEATS = 2 if c.QUICK else 7


def loss_for(spec: LayerSpec) -> str:
    """The engine benchmark returns sequences at the larger sizes: loss "sequence"."""
    return "sequence" if spec.return_sequences else "last"


def measure(spec: LayerSpec, shape: tuple[int, int, int]) -> dict[str, float]:
    """Seconds of each side, their ratio and the relative error between them."""
    rng = np.random.default_rng(0)
    x = rng.random(shape).astype(np.float32)
    weights = init_weights(spec, shape[2], seed=0)
    loss = loss_for(spec)
    target_shape = (
        (shape[0], spec.units) if loss == "last" else (*shape[:2], spec.units)
    )
    target = rng.normal(size=target_shape).astype(np.float32)
    started = time.perf_counter()
    keras = kb.keras_gradients(spec, weights, x, target, loss)
    first_keras = time.perf_counter() - started
    manual = manual_gradients(spec, weights, x, target, loss)
    numpy_s = c.median_seconds(
        lambda: manual_gradients(spec, weights, x, target, loss), REPEATS
    )
    keras_s = c.median_seconds(
        lambda: kb.keras_gradients(spec, weights, x, target, loss), REPEATS
    )
    return {
        "loss": loss,
        "numpy_s": numpy_s,
        "keras_s": keras_s,
        "keras_first_call_s": first_keras,
        "keras_over_numpy": keras_s / numpy_s,
        "max_relative_error": compare_gradients(spec, manual, keras).max_relative_error,
    }


def print_results(results: dict[str, Any]) -> None:
    """The table, milliseconds and ratios."""
    rows = [
        [
            name,
            str(tuple(r["input"])),
            r["spec"]["units"],
            r["loss"],
            f"{r['numpy_s'] * 1e3:.2f}",
            f"{r['keras_s'] * 1e3:.2f}",
            f"{r['keras_over_numpy']:.1f}×",
            f"{r['keras_first_call_s'] * 1e3:.0f}",
            f"{r['max_relative_error']:.1e}",
        ]
        for name, r in results["cases"].items()
    ]
    c.print_table(
        [
            "case",
            "input",
            "units",
            "loss",
            "NumPy ms",
            "Keras ms",
            "Keras/NumPy",
            "first call",
            "rel. error",
        ],
        rows,
    )
    print(
        "NumPy = manual_gradients (float64 forward + backward); Keras = "
        "keras_gradients (compiled GradientTape over the layer and over the stepped "
        "cells); above 1: "
        "NumPy faster. rel. error = max |NumPy − Keras| / max |Keras| per array, "
        f"tolerance {GRADIENT_TOLERANCE:g} "
        f"({'met' if results['tolerance_met'] else 'NOT met'} at every size)."
    )


def main() -> None:
    """Run every case, print the table, write the JSON."""
    threads = {name: os.environ.get(name) for name in SERVER_ENVIRONMENT}
    results: dict[str, Any] = {"repeats": REPEATS, "threads": threads, "cases": {}}
    for name, spec, shape in engine.cases():
        print(f"measuring {name} …", flush=True)
        row = measure(spec, shape)
        results["cases"][name] = {"spec": spec.to_dict(), "input": shape, **row}
    errors = [r["max_relative_error"] for r in results["cases"].values()]
    results["max_relative_error"] = max(errors)
    results["tolerance"] = GRADIENT_TOLERANCE
    results["tolerance_met"] = max(errors) < GRADIENT_TOLERANCE
    print_results(results)
    c.write_results("gradients", results)


if __name__ == "__main__":
    main()
