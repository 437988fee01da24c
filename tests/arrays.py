"""Arrays the tests share: seeded random inputs and weights, Plotly's shipped data."""

from __future__ import annotations

import base64

import numpy as np

from rnn_core import LayerSpec


def random_normal(shape: tuple[int, ...], seed: int, scale: float = 1.0) -> np.ndarray:
    """Seeded normal values times `scale`, float32."""
    return (np.random.default_rng(seed).normal(size=shape) * scale).astype(np.float32)


def random_weights(spec: LayerSpec, features: int, seed: int = 0) -> list[np.ndarray]:
    """Seeded normal weights (× 0.5) of the layer's shapes, in Keras' order, float32."""
    rng = np.random.default_rng(seed)
    return [
        (rng.normal(size=shape) * 0.5).astype(np.float32)
        for shape in spec.weight_shapes(features)
    ]


def decode(value: object) -> np.ndarray:
    """A data array as shipped: a list, or Plotly's {"dtype", "bdata", "shape"}."""
    if isinstance(value, dict) and "bdata" in value:
        raw = base64.b64decode(value["bdata"])
        flat = np.frombuffer(raw, np.dtype(value["dtype"]))  # little-endian, as sent
        shape = value.get("shape")
        if shape:
            flat = flat.reshape([int(n) for n in str(shape).split(",")])
        return flat
    return np.asarray(value)
