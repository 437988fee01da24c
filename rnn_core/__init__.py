"""rnn_core: Keras recurrent layers computed twice, by Keras and by the formulas.

`import rnn_core` loads NumPy only. TensorFlow and Keras are imported, once, by the
first call that needs them (`init_weights`, `keras_forward`, `trace`,
`keras_gradients`, `trace_gradients`).

Example:
    >>> import numpy as np
    >>> from rnn_core import LayerSpec, init_weights, manual_forward, keras_forward
    >>> spec = LayerSpec(units=4, activation=None)  # SimpleRNN(4, activation=None)
    >>> x = np.random.default_rng(0).random((32, 1, 8)).astype(np.float32)
    >>> weights = init_weights(spec, input_dim=8, seed=0)
    >>> manual_forward(spec, weights, x).shape  # the last h_t: (batch, units)
    (32, 4)
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

from collections.abc import Sequence

import numpy as np

from rnn_core.gradients import (
    Gradients,
    GradientTrace,
    Readout,
    hidden_norms,
    manual_gradients,
    trace_gradients,
)
from rnn_core.manual import Output, describe_output, manual_forward
from rnn_core.spec import LayerSpec
from rnn_core.trace import Trace, trace
from rnn_core.weights import describe_weights, name_weights

__all__ = [
    "GradientTrace",
    "Gradients",
    "LayerSpec",
    "Readout",
    "Trace",
    "describe_output",
    "describe_weights",
    "hidden_norms",
    "init_weights",
    "keras_forward",
    "keras_gradients",
    "manual_forward",
    "manual_gradients",
    "name_weights",
    "trace",
    "trace_gradients",
]


def init_weights(spec: LayerSpec, input_dim: int, seed: int = 0) -> list[np.ndarray]:
    """Weights from Keras' own initializers, seeded, in `layer.get_weights()` order.

    Loads TensorFlow on first use. See `rnn_core.keras_backend.init_weights`.
    """
    from rnn_core import keras_backend

    return keras_backend.init_weights(spec, input_dim, seed)


def keras_forward(
    spec: LayerSpec,
    weights: Sequence[np.ndarray],
    x: np.ndarray,
    initial_state: Sequence[np.ndarray] | None = None,
    mask: np.ndarray | None = None,
) -> Output:
    """`manual_forward`'s call through the real Keras layer (loads TensorFlow)."""
    from rnn_core import keras_backend

    return keras_backend.keras_forward(spec, weights, x, initial_state, mask)


def keras_gradients(
    spec: LayerSpec,
    weights: Sequence[np.ndarray],
    x: np.ndarray,
    target: np.ndarray,
    loss: str = "last",
    readout: Readout | None = None,
) -> Gradients:
    """`manual_gradients` through the real Keras layer and tf.GradientTape (loads
    TensorFlow). See `rnn_core.keras_backend.keras_gradients`."""
    from rnn_core import keras_backend

    return keras_backend.keras_gradients(spec, weights, x, target, loss, readout)
