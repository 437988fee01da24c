"""The seed notebook's three experiments, as specs and seeded inputs.

The notebook builds `SimpleRNN(4, activation=None)` on `random([32, 1, 8])`, checks
that `x·Wx + h0·Wh + b` reproduces the output, then turns on `return_state` (the
state equals the output), then `return_sequences` on `random([32, 5, 8])`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnn_core.inputs import generate
from rnn_core.spec import LayerSpec


@dataclass(frozen=True)
class NotebookCase:
    """One experiment of the notebook: the layer and the shape of its random input."""

    key: str
    title: str
    spec: LayerSpec
    input_shape: tuple[int, int, int]  # (batch, timesteps, features)

    def inputs(self, seed: int = 0) -> np.ndarray:
        """The notebook's `np.random.random(shape)` input, seeded; float32."""
        return generate("uniform", *self.input_shape, seed=seed)


NOTEBOOK_CASES: tuple[NotebookCase, ...] = (
    NotebookCase(
        "basic",
        "SimpleRNN(4, activation=None) on one timestep",
        LayerSpec(units=4, activation=None),
        (32, 1, 8),
    ),
    NotebookCase(
        "return_state",
        "The same layer with return_state=True: (output, state)",
        LayerSpec(units=4, activation=None, return_state=True),
        (32, 1, 8),
    ),
    NotebookCase(
        "return_sequences",
        "return_sequences=True on five timesteps: h_t for every t",
        LayerSpec(units=4, activation=None, return_sequences=True),
        (32, 5, 8),
    ),
)
