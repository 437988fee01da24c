"""Weights named for people: Wx, Wh, b and their per-gate slices."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rnn_core.manual import split_weights
from rnn_core.spec import LayerSpec
from rnn_core.texts import text

GATE_MEANINGS: dict[str, str] = {
    "i": "input gate",
    "f": "forget gate",
    "c": "cell candidate",
    "o": "output gate",
    "z": "update gate",
    "r": "reset gate",
    "h": "candidate state",
}


@dataclass(frozen=True)
class WeightInfo:
    """One named weight: what Keras calls it, its shape and what it does."""

    name: str  # e.g. "Wx", "Wh_f", "forward/b"
    keras_name: str  # "kernel", "recurrent_kernel" or "bias"
    shape: tuple[int, ...]
    description: str


def _prefix(spec: LayerSpec, direction: str) -> str:
    return f"{direction}/" if spec.bidirectional else ""


def name_weights(
    spec: LayerSpec, weights: Sequence[np.ndarray]
) -> dict[str, np.ndarray]:
    """`layer.get_weights()` as a dict named for people.

    Whole arrays: "Wx" (kernel, (features, units·g)), "Wh" (recurrent_kernel,
    (units, units·g)), "b" (bias). For LSTM/GRU also per-gate slices in Keras' order,
    e.g. "Wx_i", "Wh_f", "b_o" (LSTM) or "Wx_z", "Wh_r", "b_h" (GRU). A GRU with
    `reset_after` has two bias rows: "bx" (added to x·Wx) and "bh" (added to h·Wh),
    sliced as "bx_z", "bh_z", ... Bidirectional names start with "forward/" or
    "backward/".
    """
    named: dict[str, np.ndarray] = {}
    units = spec.units
    gated = spec.gate_count > 1
    for direction, cell in zip(
        spec.directions, split_weights(spec, weights), strict=True
    ):
        p = _prefix(spec, direction)
        named[p + "Wx"] = cell.kernel
        named[p + "Wh"] = cell.recurrent_kernel
        if cell.bias is not None:
            named[p + "b"] = cell.bias
            if cell.bias.ndim == 2:
                named[p + "bx"] = cell.bias[0]
                named[p + "bh"] = cell.bias[1]
        if not gated:
            continue
        for k, gate in enumerate(spec.gate_names):
            block = slice(k * units, (k + 1) * units)
            named[f"{p}Wx_{gate}"] = cell.kernel[:, block]
            named[f"{p}Wh_{gate}"] = cell.recurrent_kernel[:, block]
            if cell.bias is None:
                continue
            if cell.bias.ndim == 2:
                named[f"{p}bx_{gate}"] = cell.bias[0, block]
                named[f"{p}bh_{gate}"] = cell.bias[1, block]
            else:
                named[f"{p}b_{gate}"] = cell.bias[block]
    return named


def describe_weights(
    spec: LayerSpec, input_dim: int, language: str = "en"
) -> list[WeightInfo]:
    """The arrays of `layer.get_weights()`, in order, with people's names and shapes
    (descriptions in `language`, "en" or "es")."""
    shapes = spec.weight_shapes(input_dim)
    keras_names = ["kernel", "recurrent_kernel", "bias"][: 3 if spec.use_bias else 2]
    gates = ", ".join(
        f"{g} ({text(f'core.gate.{g}', language)})"
        for g in spec.gate_names
        if spec.gate_count > 1
    )
    stacked = text("core.weights.stacked", language, gates=gates) if gates else ""
    texts = {
        "kernel": ("Wx", text("core.weights.kernel", language, stacked=stacked)),
        "recurrent_kernel": (
            "Wh",
            text("core.weights.recurrent_kernel", language, stacked=stacked),
        ),
        "bias": ("b", text("core.weights.bias", language, stacked=stacked)),
    }
    if spec.cell == "gru" and spec.reset_after and spec.use_bias:
        texts["bias"] = (
            "b",
            text("core.weights.bias_two_rows", language, stacked=stacked),
        )
    infos = []
    for k, shape in enumerate(shapes):
        keras_name = keras_names[k % len(keras_names)]
        name, description = texts[keras_name]
        direction = spec.directions[k // len(keras_names)]
        infos.append(
            WeightInfo(_prefix(spec, direction) + name, keras_name, shape, description)
        )
    return infos
