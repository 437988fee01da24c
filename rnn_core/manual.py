"""The whole layer in NumPy: the time loop, masking, direction, Bidirectional, outputs.

Never imports TensorFlow or Keras. It reproduces what Keras' TensorFlow backend does:
- `go_backwards` reads the inputs from the last timestep to the first, and a sequence
  output stays in that processing order;
- at a masked step the states are carried over unchanged and the output repeats the
  previous output (zeros before the first valid step);
- Bidirectional runs a forward and a go_backwards copy, flips the backward sequence
  back into input time, merges the two, and, with `return_sequences`, outputs zeros at
  masked steps (Keras sets `zero_output_for_mask` there).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rnn_core.cells import CELL_STEPS, CellWeights
from rnn_core.spec import LayerSpec

Output = np.ndarray | tuple[np.ndarray, ...]


@dataclass(frozen=True)
class DirectionRun:
    """Everything one direction of the layer computed, step by step.

    Step s is the s-th call of the cell; it reads input timestep `time_index[s]`
    (s itself going forwards, T-1-s going backwards).
    """

    direction: str
    time_index: np.ndarray  # (timesteps,) the input timestep read at each step
    initial_states: tuple[np.ndarray, ...]  # each (batch, units)
    states: dict[str, np.ndarray]  # "h" (and "c"): (batch, timesteps, units)
    outputs: np.ndarray  # (batch, timesteps, units) what the layer emits per step

    @property
    def final_states(self) -> tuple[np.ndarray, ...]:
        """The states after the last step, each (batch, units)."""
        return tuple(states[:, -1] for states in self.states.values())


def split_weights(spec: LayerSpec, weights: Sequence[np.ndarray]) -> list[CellWeights]:
    """Group `layer.get_weights()` into one `CellWeights` per direction.

    Raises:
        ValueError: the number or shapes of the arrays do not fit the spec.
    """
    weights = [np.asarray(w, dtype=np.float32) for w in weights]
    per_direction = 3 if spec.use_bias else 2
    expected = per_direction * (2 if spec.bidirectional else 1)
    if len(weights) != expected:
        names = "kernel, recurrent_kernel" + (", bias" if spec.use_bias else "")
        per = " per direction" if spec.bidirectional else ""
        raise ValueError(
            f"Expected {expected} weight arrays for this layer ({names}{per}); "
            f"got {len(weights)}."
        )
    input_dim = weights[0].shape[0] if weights[0].ndim == 2 else -1
    shapes = spec.weight_shapes(input_dim)
    names = ["kernel", "recurrent_kernel", "bias"][:per_direction]
    names = names * len(spec.directions)
    for name, array, shape in zip(names, weights, shapes, strict=True):
        if array.shape != shape:
            raise ValueError(
                f"Weight `{name}` must have shape {shape} for this layer; "
                f"got {array.shape}."
            )
    groups = [weights[i : i + per_direction] for i in range(0, expected, per_direction)]
    return [
        CellWeights(group[0], group[1], group[2] if spec.use_bias else None)
        for group in groups
    ]


def check_x(x: np.ndarray, input_dim: int | None = None) -> np.ndarray:
    """The input as float32 (batch, timesteps, features), or a ValueError."""
    x = np.asarray(x)
    if x.ndim != 3:
        raise ValueError(
            "The input must have shape (batch, timesteps, features): 3 axes; "
            f"got shape {x.shape}."
        )
    if 0 in x.shape:
        raise ValueError(f"The input must not be empty; got shape {x.shape}.")
    if input_dim is not None and x.shape[2] != input_dim:
        raise ValueError(
            f"The input has {x.shape[2]} features but the weights expect {input_dim}."
        )
    return np.ascontiguousarray(x, dtype=np.float32)


def check_mask(mask: np.ndarray | None, x: np.ndarray) -> np.ndarray | None:
    """The mask as bool (batch, timesteps), or a ValueError."""
    if mask is None:
        return None
    mask = np.asarray(mask)
    if mask.shape != x.shape[:2]:
        raise ValueError(
            f"`mask` must have shape (batch, timesteps) = {x.shape[:2]}; "
            f"got {mask.shape}."
        )
    return mask.astype(bool)


def check_initial_state(
    spec: LayerSpec, initial_state: Sequence[np.ndarray] | None, batch: int
) -> list[np.ndarray] | None:
    """The initial states as float32 (batch, units) arrays, or a ValueError.

    Keras' order: h (and c for LSTM), forward states first for Bidirectional.
    """
    if initial_state is None:
        return None
    if isinstance(initial_state, np.ndarray):
        initial_state = [initial_state]
    names = [
        f"{direction} {name}" if spec.bidirectional else name
        for direction in spec.directions
        for name in spec.state_names
    ]
    if len(initial_state) != len(names):
        raise ValueError(
            f"`initial_state` must hold {len(names)} arrays ({', '.join(names)}); "
            f"got {len(initial_state)}."
        )
    states = [np.asarray(s, dtype=np.float32) for s in initial_state]
    for name, state in zip(names, states, strict=True):
        if state.shape != (batch, spec.units):
            raise ValueError(
                f"`initial_state` {name} must have shape (batch, units) = "
                f"{(batch, spec.units)}; got {state.shape}."
            )
    return states


@dataclass(frozen=True)
class LayerCall:
    """The checked arguments of one call of the layer (see `check_call`)."""

    cell_weights: list[CellWeights]  # one per direction
    x: np.ndarray  # (batch, timesteps, features) float32
    mask: np.ndarray | None  # (batch, timesteps) bool
    initial_state: list[np.ndarray] | None  # each (batch, units) float32


def check_call(
    spec: LayerSpec,
    weights: Sequence[np.ndarray],
    x: np.ndarray,
    initial_state: Sequence[np.ndarray] | None = None,
    mask: np.ndarray | None = None,
) -> LayerCall:
    """Check a layer call's arguments against the spec and each other (ValueError)."""
    cell_weights = split_weights(spec, weights)
    x = check_x(x, cell_weights[0].kernel.shape[0])
    return LayerCall(
        cell_weights=cell_weights,
        x=x,
        mask=check_mask(mask, x),
        initial_state=check_initial_state(spec, initial_state, x.shape[0]),
    )


def run_direction(
    spec: LayerSpec,
    weights: CellWeights,
    x: np.ndarray,
    initial_state: Sequence[np.ndarray] | None = None,
    mask: np.ndarray | None = None,
    backwards: bool = False,
    zero_output_for_mask: bool = False,
) -> DirectionRun:
    """Run one direction of the layer over `x` (batch, timesteps, features)."""
    batch, timesteps, _ = x.shape
    step = CELL_STEPS[spec.cell]
    time_index = np.arange(timesteps)[::-1] if backwards else np.arange(timesteps)
    x_steps = np.ascontiguousarray(x.transpose(1, 0, 2)[time_index])  # (T, B, F)
    # x_t · Wx for every step in one matmul: it does not depend on the state.
    x_wx_steps = x_steps @ weights.kernel  # (T, B, units·g)
    valid_steps = None if mask is None else mask.T[time_index, :, None]  # (T, B, 1)
    if initial_state is None:
        states = [np.zeros((batch, spec.units), np.float32) for _ in spec.state_names]
    else:
        states = [np.asarray(s, np.float32) for s in initial_state]
    initial_states = tuple(states)
    previous_output = np.zeros((batch, spec.units), np.float32)
    # Time-major buffers, filled step by step and returned batch-major (a view).
    state_buffers = np.empty((len(states), timesteps, batch, spec.units), np.float32)
    output_buffer = np.empty((timesteps, batch, spec.units), np.float32)
    for s in range(timesteps):
        new_states, _ = step(spec, weights, x_steps[s], states, x_wx_steps[s])
        output = new_states[0]
        if valid_steps is not None:
            valid = valid_steps[s]  # (batch, 1)
            carried = np.zeros_like(output) if zero_output_for_mask else previous_output
            output = np.where(valid, output, carried)
            new_states = [
                np.where(valid, new, old)
                for new, old in zip(new_states, states, strict=True)
            ]
        states = new_states
        previous_output = output
        state_buffers[:, s] = states
        output_buffer[s] = output
    return DirectionRun(
        direction="backward" if backwards else "forward",
        time_index=time_index,
        initial_states=initial_states,
        states={
            name: state_buffers[k].transpose(1, 0, 2)  # (batch, timesteps, units)
            for k, name in enumerate(spec.state_names)
        },
        outputs=output_buffer.transpose(1, 0, 2),  # (batch, timesteps, units)
    )


def step_parts(
    spec: LayerSpec,
    weights: CellWeights,
    x: np.ndarray,
    run: DirectionRun,
    batch_index: int | None = None,
) -> dict[str, np.ndarray]:
    """Every intermediate of every step of a run: x_t·Wx, h_{t-1}·Wh, gates...

    The cell is a pure function of (x_t, states_{t-1}), so this calls the same cell
    function once on all steps at once, fed the states the run carried into each
    step. At a masked step the values are what the cell computed before the mask
    discarded them.

    Returns:
        name -> (batch, timesteps, ...) or, for one `batch_index`, (timesteps, ...),
        indexed by processing step like `run.states`.
    """
    rows = slice(None) if batch_index is None else slice(batch_index, batch_index + 1)
    x_steps = x[rows][:, run.time_index]  # (b, T, F) in processing order
    batch, timesteps, features = x_steps.shape
    previous = [
        np.concatenate([initial[rows, None], run.states[name][rows, :-1]], axis=1)
        for name, initial in zip(spec.state_names, run.initial_states, strict=True)
    ]  # each (b, T, units): the states going into each step
    flat_previous = [p.reshape(batch * timesteps, spec.units) for p in previous]
    flat_x = x_steps.reshape(batch * timesteps, features)
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        _, parts = CELL_STEPS[spec.cell](spec, weights, flat_x, flat_previous)
    shaped = {
        name: value.reshape(batch, timesteps, *value.shape[1:])
        for name, value in parts.items()
    }
    shaped.update(
        {f"{name}_prev": p for name, p in zip(spec.state_names, previous, strict=True)}
    )
    if batch_index is not None:
        return {name: value[0] for name, value in shaped.items()}
    return shaped


def run_layer(
    spec: LayerSpec,
    weights: Sequence[np.ndarray],
    x: np.ndarray,
    initial_state: Sequence[np.ndarray] | None = None,
    mask: np.ndarray | None = None,
) -> tuple[Output, list[DirectionRun]]:
    """The layer's Keras-shaped result and the step-by-step record of each direction.

    States that explode (relu with large weights, an exponential activation) become
    inf or NaN here exactly as in Keras, silently: that is a result to show, not an
    error, so NumPy's overflow warnings are turned off for the run.
    """
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _run_layer(spec, weights, x, initial_state, mask)


def _run_layer(
    spec: LayerSpec,
    weights: Sequence[np.ndarray],
    x: np.ndarray,
    initial_state: Sequence[np.ndarray] | None,
    mask: np.ndarray | None,
) -> tuple[Output, list[DirectionRun]]:
    call = check_call(spec, weights, x, initial_state, mask)
    n_states = len(spec.state_names)
    # Keras' Bidirectional sets zero_output_for_mask = return_sequences on both halves.
    zero_output = spec.bidirectional and spec.return_sequences
    runs = [
        run_direction(
            spec,
            call.cell_weights[k],
            call.x,
            None
            if call.initial_state is None
            else call.initial_state[k * n_states : (k + 1) * n_states],
            call.mask,
            backwards=direction == "backward",
            zero_output_for_mask=zero_output,
        )
        for k, direction in enumerate(spec.directions)
    ]
    final_states = [state for run in runs for state in run.final_states]
    if not spec.bidirectional:
        (run,) = runs
        output = run.outputs if spec.return_sequences else run.outputs[:, -1]
        return ((output, *final_states) if spec.return_state else output), runs

    forward, backward = runs
    if spec.return_sequences:
        y = forward.outputs  # (batch, timesteps, units)
        y_reverse = backward.outputs[:, ::-1]  # back into input time
    else:
        y = forward.outputs[:, -1]  # (batch, units)
        y_reverse = backward.outputs[:, -1]
    merged = merge(spec.merge_mode, y, y_reverse)
    if not spec.return_state:
        return merged, runs
    outputs = merged if isinstance(merged, tuple) else (merged,)
    return (*outputs, *final_states), runs


def merge(mode: str | None, y: np.ndarray, y_reverse: np.ndarray) -> Output:
    """Join the two directions of a Bidirectional layer as Keras' `merge_mode` says."""
    if mode == "concat":
        return np.concatenate([y, y_reverse], axis=-1)
    if mode == "sum":
        return y + y_reverse
    if mode == "ave":
        return (y + y_reverse) / 2
    if mode == "mul":
        return y * y_reverse
    return (y, y_reverse)


def manual_forward(
    spec: LayerSpec,
    weights: Sequence[np.ndarray],
    x: np.ndarray,
    initial_state: Sequence[np.ndarray] | None = None,
    mask: np.ndarray | None = None,
) -> Output:
    """The layer computed with the written-out formulas in NumPy.

    Args:
        spec: the layer.
        weights: arrays in the order and shapes of the Keras layer's `get_weights()`.
        x: input of shape (batch, timesteps, features).
        initial_state: optional list of (batch, units) arrays, in Keras' order.
        mask: optional bool array (batch, timesteps); False marks a skipped step.

    Returns:
        Exactly what the Keras layer returns, as NumPy float32: one array, or a tuple
        `(output, *states)` with `return_state` (see `describe_output` for shapes).
    """
    result, _ = run_layer(spec, weights, x, initial_state, mask)
    return result


def describe_output(
    spec: LayerSpec, input_shape: tuple[int, int, int]
) -> tuple[int, ...] | tuple[tuple[int, ...], ...]:
    """The shape(s) Keras returns for `spec` on `input_shape`, without running it.

    Returns:
        A tuple of ints when the layer returns one array, else a tuple of such tuples,
        in the order Keras returns them.

    Example:
        >>> describe_output(LayerSpec(return_state=True), (32, 5, 8))
        ((32, 4), (32, 4))
    """
    if len(input_shape) != 3:
        raise ValueError(
            "`input_shape` must be (batch, timesteps, features); "
            f"got {tuple(input_shape)}."
        )
    batch, timesteps, _ = (int(n) for n in input_shape)
    units = spec.units
    width = 2 * units if spec.bidirectional and spec.merge_mode == "concat" else units
    output = (batch, timesteps, width) if spec.return_sequences else (batch, width)
    if spec.bidirectional and spec.merge_mode is None:
        one_direction = (*output[:-1], units)
        outputs: list[tuple[int, ...]] = [one_direction, one_direction]
    else:
        outputs = [output]
    if spec.return_state:
        outputs += [(batch, units)] * (len(spec.state_names) * len(spec.directions))
    return outputs[0] if len(outputs) == 1 else tuple(outputs)


def output_names(spec: LayerSpec) -> tuple[str, ...]:
    """Names for the arrays Keras returns, e.g. ("output", "state_h", "state_c")."""
    if spec.bidirectional and spec.merge_mode is None:
        names = ["output_forward", "output_backward"]
    else:
        names = ["output"]
    if spec.return_state:
        for direction in spec.directions:
            for state in spec.state_names:
                prefix = f"{direction}_" if spec.bidirectional else ""
                names.append(f"{prefix}state_{state}")
    return tuple(names)
