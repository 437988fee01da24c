"""Keras 3 activations written out in NumPy, by the name Keras gives them.

Each function follows the definition in `keras.activations` (Keras 3) with its default
arguments and keeps float32 as float32 (NumPy 2 does not promote for Python scalars);
`tests/test_activations.py` checks every one, value and dtype, against the real Keras.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np
from scipy import special

from rnn_core.spec import ACTIVATIONS

Activation = Callable[[np.ndarray], np.ndarray]

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def _sigmoid(x: np.ndarray) -> np.ndarray:
    # 1 / (1 + e^-x), written through the identity σ(x) = (1 + tanh(x/2)) / 2: it never
    # overflows and costs a third of scipy's expit on the (batch, units) arrays here.
    return 0.5 * (np.tanh(0.5 * x) + 1)


def _hard_sigmoid(x: np.ndarray) -> np.ndarray:
    # Keras 3: relu6(x + 3) / 6 (Keras 2 used 0.2·x + 0.5).
    return np.clip(x / 6.0 + 0.5, 0.0, 1.0).astype(x.dtype)


def _softplus(x: np.ndarray) -> np.ndarray:
    return np.logaddexp(np.zeros((), x.dtype), x)


def _elu(x: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0))).astype(x.dtype)


def _softmax(x: np.ndarray) -> np.ndarray:
    return special.softmax(x, axis=-1).astype(x.dtype)


def _log_softmax(x: np.ndarray) -> np.ndarray:
    return special.log_softmax(x, axis=-1).astype(x.dtype)


def _sparsemax(x: np.ndarray) -> np.ndarray:
    """Sparsemax over the last axis, computed exactly as Keras 3.15 does.

    Keras' threshold is (sum of the cumulative sums over the support - 1) / k, not the
    paper's (cumulative sum at k - 1) / k (Martins & Astudillo, 2016); the two agree
    when the support has one element. We mirror Keras, since Keras is the reference.
    """
    logits_sorted = -np.sort(-x, axis=-1)  # descending
    cumulative = np.cumsum(logits_sorted, axis=-1)
    ranks = np.arange(1, x.shape[-1] + 1, dtype=x.dtype)
    in_support = logits_sorted - (cumulative - 1) / ranks > 0
    support_size = np.sum(in_support, axis=-1, keepdims=True).astype(x.dtype)
    support_sum = np.sum(np.where(in_support, cumulative, 0), axis=-1, keepdims=True)
    threshold = (support_sum - 1) / support_size
    return np.maximum(x - threshold, 0).astype(x.dtype)


def _sparse_plus(x: np.ndarray) -> np.ndarray:
    middle = (x + 1) ** 2 / 4
    return np.where(x <= -1, 0, np.where(x >= 1, x, middle)).astype(x.dtype)


def _sparse_sigmoid(x: np.ndarray) -> np.ndarray:
    middle = 0.5 * (x + 1)
    return np.where(x <= -1, 0, np.where(x >= 1, 1, middle)).astype(x.dtype)


def _soft_shrink(x: np.ndarray, threshold: float = 0.5) -> np.ndarray:
    shrunk = np.where(x > threshold, x - threshold, 0)
    return np.where(x < -threshold, x + threshold, shrunk).astype(x.dtype)


_ACTIVATIONS: dict[str, Activation] = {
    "tanh": np.tanh,
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0),
    "sigmoid": _sigmoid,
    "hard_sigmoid": _hard_sigmoid,
    "elu": _elu,
    "selu": lambda x: _SELU_SCALE * _elu(x, _SELU_ALPHA),
    "celu": lambda x: np.maximum(x, 0) + np.minimum(np.expm1(np.minimum(x, 0)), 0),
    "gelu": lambda x: 0.5 * x * (1 + special.erf(x / np.sqrt(2).astype(x.dtype))),
    "softsign": lambda x: x / (1 + np.abs(x)),
    "softplus": _softplus,
    "swish": lambda x: x * _sigmoid(x),
    "silu": lambda x: x * _sigmoid(x),
    "hard_silu": lambda x: x * _hard_sigmoid(x),
    "hard_swish": lambda x: x * _hard_sigmoid(x),
    "mish": lambda x: x * np.tanh(_softplus(x)),
    "exponential": np.exp,
    "leaky_relu": lambda x: np.where(x >= 0, x, 0.2 * x),
    "relu6": lambda x: np.clip(x, 0, 6),
    "log_sigmoid": lambda x: -_softplus(-x),
    "hard_tanh": lambda x: np.clip(x, -1, 1),
    "tanh_shrink": lambda x: x - np.tanh(x),
    "hard_shrink": lambda x: np.where(np.abs(x) > 0.5, x, 0),
    "soft_shrink": _soft_shrink,
    "sparse_plus": _sparse_plus,
    "sparse_sigmoid": _sparse_sigmoid,
    "squareplus": lambda x: (x + np.sqrt(x * x + 4)) / 2,
    "softmax": _softmax,
    "log_softmax": _log_softmax,
    "sparsemax": _sparsemax,
}

# Written as LaTeX for the formulas the app shows.
LATEX: dict[str, str] = {
    "tanh": r"\tanh",
    "linear": r"\mathrm{id}",
    "sigmoid": r"\sigma",
}

assert set(_ACTIVATIONS) == set(ACTIVATIONS), "every allowed name needs a function"


def is_elementwise(name: str | None) -> bool:
    """True unless the activation mixes the units (softmax, log_softmax, sparsemax)."""
    return name not in ("softmax", "log_softmax", "sparsemax")


@cache
def get_activation(name: str | None) -> Activation:
    """The NumPy function for a Keras activation name (None means linear).

    Raises:
        ValueError: the name is not one of `rnn_core.spec.ACTIVATIONS`.
    """
    key = "linear" if name is None else name
    if key not in _ACTIVATIONS:
        raise ValueError(
            f"Unknown activation {name!r}; expected one of {', '.join(ACTIVATIONS)}."
        )
    return _ACTIVATIONS[key]


def latex_name(name: str | None) -> str:
    """How formulas write the activation: `\\tanh`, `\\sigma`, `\\mathrm{relu}`..."""
    key = "linear" if name is None else name
    return LATEX.get(key, r"\mathrm{" + key.replace("_", r"\_") + "}")
