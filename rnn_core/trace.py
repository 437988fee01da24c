"""Both computations of one layer, timestep by timestep, with their residuals."""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from rnn_core.manual import (
    DirectionRun,
    Output,
    check_initial_state,
    check_x,
    output_names,
    run_layer,
    split_weights,
    step_parts,
)
from rnn_core.spec import LayerSpec
from rnn_core.weights import name_weights

# The floor of the denominator of a relative residual: float32's smallest normal
# number, so |manual − keras| / max(|keras|, tiny) is 0 where both are exactly 0 and
# stays finite where only Keras is 0.
RELATIVE_FLOOR = float(np.finfo(np.float32).tiny)  # about 1.2e-38
FLOAT32_MAX = float(np.finfo(np.float32).max)  # about 3.4e38


@dataclass(frozen=True)
class Trace:
    """What Keras and the NumPy formulas computed for one layer and one input.

    State arrays are keyed "h" and "c" (LSTM) for a one-directional layer, and
    "forward/h", "backward/h", ... for Bidirectional. Each is (batch, timesteps, units)
    indexed by processing step s: the s-th call of the cell, which reads input
    timestep `time_index[direction][s]` (reversed under `go_backwards` and for the
    backward half of Bidirectional), the order Keras returns sequences in.
    """

    spec: LayerSpec
    x: np.ndarray  # (batch, timesteps, features)
    raw_weights: tuple[np.ndarray, ...]  # as layer.get_weights()
    weights: dict[str, np.ndarray]  # named: Wx, Wh, b, per-gate slices
    initial_state: tuple[np.ndarray, ...] | None
    mask: np.ndarray | None  # (batch, timesteps) bool
    output_names: tuple[str, ...]  # e.g. ("output", "state_h")
    keras_outputs: tuple[np.ndarray, ...]  # what the Keras layer returned
    manual_outputs: tuple[np.ndarray, ...]  # what manual_forward returned
    output_residuals: tuple[np.ndarray, ...]  # manual minus Keras
    keras_states: dict[str, np.ndarray]  # (batch, timesteps, units) each
    manual_states: dict[str, np.ndarray]  # (batch, timesteps, units) each
    residuals: dict[str, np.ndarray]  # manual minus Keras, same keys and shapes
    max_abs_residual: float  # over every state and output, finite entries only
    nonfinite_mismatches: int  # entries where only one side is NaN/inf (see compare)
    time_index: dict[str, np.ndarray]  # direction -> (timesteps,) input index per step
    runs: tuple[DirectionRun, ...]  # the NumPy side's record, one per direction
    seconds: dict[str, float] = field(default_factory=dict)  # "keras", "manual"

    def step_parts(
        self, direction: str | None = None, batch_index: int | None = None
    ) -> dict[str, np.ndarray]:
        """The NumPy intermediates of every step of one direction.

        Keys: "x_Wx", "h_Wh", the pre-activations and gates of the cell (see
        `rnn_core.cells`), the new states, and "h_prev" (and "c_prev"): the states
        going into each step. Arrays are (batch, timesteps, ...), or (timesteps, ...)
        for one `batch_index`; cheap for one batch item, so the app asks for that.
        """
        direction = direction or self.spec.directions[0]
        if direction not in self.spec.directions:
            raise ValueError(
                f"`direction` must be one of {self.spec.directions}; got {direction!r}."
            )
        if batch_index is not None and not 0 <= batch_index < self.x.shape[0]:
            raise ValueError(
                f"`batch_index` must be from 0 to {self.x.shape[0] - 1}; "
                f"got {batch_index}."
            )
        k = self.spec.directions.index(direction)
        cell_weights = split_weights(self.spec, self.raw_weights)[k]
        return step_parts(self.spec, cell_weights, self.x, self.runs[k], batch_index)

    @cached_property
    def steps(self) -> dict[str, dict[str, np.ndarray]]:
        """direction -> intermediate -> (batch, timesteps, ...), all batch items."""
        return {d: self.step_parts(d) for d in self.spec.directions}

    def relative_residual(self, key: str, batch_index: int) -> np.ndarray:
        """|manual − Keras| / max(|Keras|, tiny) of one state of one batch item.

        Args:
            key: a key of `residuals`, e.g. "h" or "forward/c".
            batch_index: which item of the batch.

        Returns:
            float64 (timesteps, units); NaN where either side is NaN or ±inf.
        """
        return relative_residual(
            self.manual_states[key][batch_index], self.keras_states[key][batch_index]
        )

    @cached_property
    def max_relative_residual(self) -> float:
        """max |manual − Keras| / max(|Keras|, tiny) over every state and output,
        finite entries only (0.0 when there are none)."""
        largest = 0.0
        pairs = [
            *zip(self.manual_outputs, self.keras_outputs, strict=True),
            *((self.manual_states[k], self.keras_states[k]) for k in self.residuals),
        ]
        for manual, keras in pairs:
            if manual.shape != keras.shape:
                return math.inf
            relative = relative_residual(manual, keras)
            finite = relative[np.isfinite(relative)]
            if finite.size:
                largest = max(largest, float(finite.max()))
        return largest

    @cached_property
    def nonfinite_counts(self) -> dict[str, dict[str, int]]:
        """How many state values are NaN or ±inf: source ("keras", "manual") ->
        state key -> count. All zeros when nothing overflowed."""
        return {
            source: {
                k: int(states[k].size - np.count_nonzero(np.isfinite(states[k])))
                for k in states
            }
            for source, states in (
                ("keras", self.keras_states),
                ("manual", self.manual_states),
            )
        }

    @cached_property
    def first_nonfinite_step(self) -> int | None:
        """The first processing step at which any state of either computation is NaN
        or ±inf, or None."""
        first: int | None = None
        for states in (self.keras_states, self.manual_states):
            for array in states.values():  # (batch, timesteps, units)
                bad_steps = np.flatnonzero(~np.isfinite(array).all(axis=(0, 2)))
                if bad_steps.size:
                    step = int(bad_steps[0])
                    first = step if first is None else min(first, step)
        return first


def _as_tuple(result: Output) -> tuple[np.ndarray, ...]:
    return result if isinstance(result, tuple) else (result,)


def _state_key(spec: LayerSpec, direction: str, name: str) -> str:
    return f"{direction}/{name}" if spec.bidirectional else name


def compare(manual: np.ndarray, keras: np.ndarray) -> tuple[float, int]:
    """How far apart two results are: (max |manual − keras|, non-finite mismatches).

    The maximum is taken over the entries finite in both (0.0 when there are none);
    the count is of entries where one side is NaN or infinite and the other is not the
    same value (NaN vs a number, inf vs −inf): exploding states must explode alike.
    """
    if manual.shape != keras.shape:
        return math.inf, max(manual.size, keras.size)
    finite = np.isfinite(manual) & np.isfinite(keras)
    same_special = (manual == keras) | (np.isnan(manual) & np.isnan(keras))
    mismatched = int(np.count_nonzero(~finite & ~same_special))
    difference = np.abs(manual[finite].astype(np.float64) - keras[finite])
    return (float(difference.max()) if difference.size else 0.0), mismatched


def relative_residual(manual: np.ndarray, keras: np.ndarray) -> np.ndarray:
    """|manual − keras| / max(|keras|, tiny), elementwise, in float64.

    `tiny` is `RELATIVE_FLOOR` (float32's smallest normal number): where both are 0
    the result is 0. NaN where either side is NaN or ±inf: no relative error is
    defined there, and a NaN is drawn as a gap, never as a misleading 0.

    Args:
        manual: what the NumPy formulas computed.
        keras: what Keras computed, same shape.
    """
    manual = np.asarray(manual, dtype=np.float64)
    keras = np.asarray(keras, dtype=np.float64)
    if manual.shape != keras.shape:
        raise ValueError(
            f"`manual` and `keras` must have the same shape; got {manual.shape} and "
            f"{keras.shape}."
        )
    finite = np.isfinite(manual) & np.isfinite(keras)
    with np.errstate(invalid="ignore", over="ignore"):
        relative = np.abs(manual - keras) / np.maximum(np.abs(keras), RELATIVE_FLOOR)
    return np.where(finite, relative, np.nan)


def overflow_warning(trace: Trace, language: str = "en") -> str | None:
    """Why some states are NaN or ±inf, for students; None when none is.

    Names how many values of each computation overflowed and from which step, what
    float32 can hold, and, from the recurrent weights' spectral radius and the
    activation, why the states grew. In `language`, "en" or "es".
    """
    from rnn_core.explain import BOUNDED_ACTIVATIONS, recurrent_spectral_radii
    from rnn_core.texts import text

    def part(message_id: str, **fields: object) -> str:
        return text(f"core.overflow.{message_id}", language, **fields)

    counts = trace.nonfinite_counts
    keras_bad = sum(counts["keras"].values())
    manual_bad = sum(counts["manual"].values())
    outputs_bad = sum(
        int(out.size - np.count_nonzero(np.isfinite(out)))
        for out in (*trace.keras_outputs, *trace.manual_outputs)
    )
    if not keras_bad and not manual_bad and not outputs_bad:
        return None
    total = sum(a.size for a in trace.keras_states.values())
    spec = trace.spec
    if keras_bad or manual_bad:
        overflowed = part(
            "states",
            keras_bad=f"{keras_bad:,}",
            total=f"{total:,}",
            manual_bad=f"{manual_bad:,}",
            step=trace.first_nonfinite_step,
        )
    else:
        overflowed = part("outputs", count=f"{outputs_bad:,}", mode=spec.merge_mode)
    parts = [part("float_range", overflowed=overflowed, most=f"{FLOAT32_MAX:.1e}")]
    radii = [
        r
        for r in recurrent_spectral_radii(spec, trace.raw_weights).values()
        if math.isfinite(r)
    ]
    name = spec.activation_name
    unbounded = name not in BOUNDED_ACTIVATIONS
    if radii and max(radii) > 1 and unbounded:
        parts.append(part("exploding", radius=f"{max(radii):.3g}", name=name))
    elif unbounded:
        parts.append(part("unbounded", name=name))
    else:
        parts.append(part("intermediate"))
    if trace.nonfinite_mismatches:
        parts.append(part("one_side", count=f"{trace.nonfinite_mismatches:,}"))
    else:
        parts.append(part("same"))
    parts.append(part("advice"))
    return " ".join(parts)


def trace(
    spec: LayerSpec,
    x: np.ndarray,
    weights: Sequence[np.ndarray] | None = None,
    seed: int = 0,
    initial_state: Sequence[np.ndarray] | None = None,
    mask: np.ndarray | None = None,
) -> Trace:
    """Run the layer through Keras and through NumPy, and compare them step by step.

    Args:
        spec: the layer.
        x: input of shape (batch, timesteps, features).
        weights: arrays as `layer.get_weights()`; drawn by `init_weights(spec,
            features, seed)` when None.
        seed: seed for the weights when they are drawn.
        initial_state: optional states, in Keras' order.
        mask: optional bool (batch, timesteps).
    """
    from rnn_core import keras_backend  # imported on first need: loads TensorFlow

    x = check_x(x)
    initial_state = check_initial_state(spec, initial_state, x.shape[0])
    if weights is None:
        weights = keras_backend.init_weights(spec, x.shape[2], seed)
    weights = tuple(np.asarray(w, np.float32) for w in weights)

    started = time.perf_counter()
    manual_result, runs = run_layer(spec, weights, x, initial_state, mask)
    manual_seconds = time.perf_counter() - started

    started = time.perf_counter()
    keras_result, keras_directions = keras_backend.keras_run(
        spec, weights, x, initial_state, mask
    )
    keras_seconds = time.perf_counter() - started

    manual_outputs = _as_tuple(manual_result)
    keras_outputs = _as_tuple(keras_result)
    with np.errstate(invalid="ignore"):  # inf − inf is NaN: a residual to show
        output_residuals = tuple(
            m - k for m, k in zip(manual_outputs, keras_outputs, strict=True)
        )
    manual_states: dict[str, np.ndarray] = {}
    keras_states: dict[str, np.ndarray] = {}
    run: DirectionRun
    for run, keras_run in zip(runs, keras_directions, strict=True):
        for name in spec.state_names:
            key = _state_key(spec, run.direction, name)
            manual_states[key] = run.states[name]
            keras_states[key] = keras_run[name]
    with np.errstate(invalid="ignore"):
        residuals = {k: manual_states[k] - keras_states[k] for k in manual_states}
    comparisons = [
        compare(manual, keras)
        for manual, keras in [
            *zip(manual_outputs, keras_outputs, strict=True),
            *((manual_states[k], keras_states[k]) for k in manual_states),
        ]
    ]
    return Trace(
        spec=spec,
        x=x,
        raw_weights=weights,
        weights=name_weights(spec, weights),
        initial_state=None if initial_state is None else tuple(initial_state),
        mask=None if mask is None else np.asarray(mask, bool),
        output_names=output_names(spec),
        keras_outputs=keras_outputs,
        manual_outputs=manual_outputs,
        output_residuals=output_residuals,
        keras_states=keras_states,
        manual_states=manual_states,
        residuals=residuals,
        max_abs_residual=max(c[0] for c in comparisons),
        nonfinite_mismatches=sum(c[1] for c in comparisons),
        time_index={run.direction: run.time_index for run in runs},
        runs=tuple(runs),
        seconds={"manual": manual_seconds, "keras": keras_seconds},
    )
