"""Size limits shared by the command line, the input parsers and the app.

Every size is checked against these before anything is allocated, so an absurd request
fails fast with a message instead of exhausting the server's memory.
"""

from __future__ import annotations

from rnn_core.errors import CoreError
from rnn_core.spec import MAX_UNITS, LayerSpec

MAX_BATCH = 256
MAX_TIMESTEPS = 500
MAX_FEATURES = 128
# batch × timesteps × features of one input; keeps one trace well under 100 MB.
MAX_INPUT_ELEMENTS = 200_000
# The one upload limit, in bytes: 5 MB (decimal), for a CSV, .npy or weights .npz file.
# The app's `server.maxUploadSize = 5` (.streamlit/config.toml, megabytes) is the same
# limit in Streamlit's browser check, and its server check (5 MiB) lets every file of
# this size through; ui/upload_guard.py says more, tests/test_upload_limit.py checks it.
MAX_UPLOAD_BYTES = 5_000_000
# batch × timesteps × units (× 2 for Bidirectional) of one state array. A trace holds
# several such arrays per state (Keras, NumPy, residual, the NumPy run's outputs; h and
# c for LSTM), 8 MB each in float32 at this size, so this caps one trace near 100 MB.
MAX_STATE_ELEMENTS = 2_000_000

__all__ = [
    "MAX_BATCH",
    "MAX_FEATURES",
    "MAX_INPUT_ELEMENTS",
    "MAX_STATE_ELEMENTS",
    "MAX_TIMESTEPS",
    "MAX_UNITS",
    "MAX_UPLOAD_BYTES",
    "check_input_shape",
    "check_trace_size",
]


def check_input_shape(batch: int, timesteps: int, features: int) -> None:
    """Raise ValueError naming the first size out of range."""
    for name, value, limit in (
        ("batch", batch, MAX_BATCH),
        ("timesteps", timesteps, MAX_TIMESTEPS),
        ("features", features, MAX_FEATURES),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise CoreError(
                "core.err.limit_whole", name=name, limit=limit, value=repr(value)
            )
        if value > limit:
            raise CoreError("core.err.limit_above", name=name, limit=limit, value=value)
    elements = batch * timesteps * features
    if elements > MAX_INPUT_ELEMENTS:
        raise CoreError(
            "core.err.input_elements",
            batch=batch,
            timesteps=timesteps,
            features=features,
            elements=f"{elements:,}",
            most=f"{MAX_INPUT_ELEMENTS:,}",
        )


def check_trace_size(spec: LayerSpec, batch: int, timesteps: int) -> None:
    """Raise ValueError if one state array of a trace would exceed MAX_STATE_ELEMENTS.

    One state array holds batch × timesteps × units values per direction (two
    directions for Bidirectional).

    Args:
        spec: the layer.
        batch: items in the input batch.
        timesteps: timesteps of the input.
    """
    if not isinstance(spec, LayerSpec):
        raise ValueError(f"`spec` must be a LayerSpec; got {type(spec).__name__}.")
    for name, value in (("batch", batch), ("timesteps", timesteps)):
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(
                f"`{name}` must be a positive whole number; got {value!r}."
            )
    directions = len(spec.directions)
    elements = batch * timesteps * spec.units * directions
    if elements > MAX_STATE_ELEMENTS:
        raise CoreError(
            "core.err.trace_elements",
            batch=batch,
            timesteps=timesteps,
            units=spec.units,
            directions=directions,
            elements=f"{elements:,}",
            most=f"{MAX_STATE_ELEMENTS:,}",
        )
