"""The one module of rnn_core that imports TensorFlow and Keras.

It is imported only when first needed (by `init_weights`, `keras_forward` or `trace`),
so the NumPy side works without loading TensorFlow. Layers are built once per
(spec, input features) and reused; each is guarded by a lock because its weights are
set before every call and a server runs many users' calls in threads.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from rnn_core.gradients import Gradients, Readout, check_gradient_call
from rnn_core.manual import LayerCall, Output, check_call
from rnn_core.spec import LayerSpec

# TensorFlow's Python logger warns about tf.function retracing each time a new spec
# compiles its own function; that is expected here, not a problem to report.
tf.get_logger().setLevel("ERROR")

MAX_CACHED_LAYERS = 64
# Up to this many timesteps the layer and its cells run eagerly: tracing their
# tf.functions costs about 0.1 s per new layer, several times what the eager steps
# take on such short sequences (bench/engine.py); longer inputs run compiled.
EAGER_MAX_TIMESTEPS = 8


def build_layer(spec: LayerSpec) -> keras.layers.Layer:
    """A new, unbuilt Keras layer with exactly the spec's settings."""
    options: dict[str, object] = {
        "units": spec.units,
        "activation": spec.activation,
        "use_bias": spec.use_bias,
        "return_sequences": spec.return_sequences,
        "return_state": spec.return_state,
        "go_backwards": spec.go_backwards,
    }
    if spec.cell == "simple_rnn":
        layer = keras.layers.SimpleRNN(**options)
    elif spec.cell == "lstm":
        layer = keras.layers.LSTM(
            recurrent_activation=spec.recurrent_activation,
            unit_forget_bias=spec.unit_forget_bias,
            **options,
        )
    else:
        layer = keras.layers.GRU(
            recurrent_activation=spec.recurrent_activation,
            reset_after=spec.reset_after,
            **options,
        )
    if spec.bidirectional:
        return keras.layers.Bidirectional(layer, merge_mode=spec.merge_mode)
    return layer


@dataclass
class _CachedLayer:
    """A built layer, its compiled call and per-direction steppers, and its lock."""

    layer: keras.layers.Layer
    call: Callable
    cells: list[keras.layers.Layer]
    steppers: list[Callable]
    lock: threading.Lock


_cache: OrderedDict[tuple[LayerSpec, int], _CachedLayer] = OrderedDict()
_cache_lock = threading.Lock()


def _make_stepper(cell: keras.layers.Layer, n_states: int) -> Callable:
    """A compiled loop that steps the real Keras cell and records every state."""

    @tf.function(reduce_retracing=True)
    def step_all(x_steps: tf.Tensor, valid_steps: tf.Tensor, states: list) -> list:
        # x_steps: (timesteps, batch, features) in processing order;
        # valid_steps: (timesteps, batch) bool; states: n_states × (batch, units).
        timesteps = tf.shape(x_steps)[0]
        records = [tf.TensorArray(tf.float32, size=timesteps) for _ in range(n_states)]
        states = list(states)
        for s in tf.range(timesteps):
            _, new_states = cell(x_steps[s], states, training=False)
            if not isinstance(new_states, list | tuple):
                new_states = [new_states]
            valid = tf.expand_dims(valid_steps[s], -1)  # (batch, 1)
            states = [
                tf.where(valid, new, old)
                for new, old in zip(new_states, states, strict=True)
            ]
            records = [
                r.write(s, state) for r, state in zip(records, states, strict=True)
            ]
        return [r.stack() for r in records]  # each (timesteps, batch, units)

    return step_all


def _cached_layer(spec: LayerSpec, input_dim: int) -> _CachedLayer:
    key = (spec, input_dim)
    with _cache_lock:
        entry = _cache.get(key)
        if entry is not None:
            _cache.move_to_end(key)
            return entry
    layer = build_layer(spec)
    layer.build((None, None, input_dim))
    if spec.bidirectional:
        cells = [layer.forward_layer.cell, layer.backward_layer.cell]
    else:
        cells = [layer.cell]
    n_states = len(spec.state_names)

    @tf.function(reduce_retracing=True)
    def call(
        x: tf.Tensor, mask: tf.Tensor | None, initial_state: list | None
    ) -> object:
        return layer(x, mask=mask, initial_state=initial_state, training=False)

    entry = _CachedLayer(
        layer=layer,
        call=call,
        cells=cells,
        steppers=[_make_stepper(cell, n_states) for cell in cells],
        lock=threading.Lock(),
    )
    with _cache_lock:
        entry = _cache.setdefault(key, entry)
        _cache.move_to_end(key)
        while len(_cache) > MAX_CACHED_LAYERS:
            _cache.popitem(last=False)
    return entry


def _derived_seed(seed: int, direction: int, role: int) -> int:
    """A distinct 31-bit seed per (seed, direction, weight role)."""
    return int(
        np.random.SeedSequence([seed, direction, role]).generate_state(1)[0] >> 1
    )


def init_weights(spec: LayerSpec, input_dim: int, seed: int = 0) -> list[np.ndarray]:
    """Weights drawn with Keras' own default initializers, seeded.

    kernel: GlorotUniform; recurrent_kernel: Orthogonal; bias: zeros (LSTM with
    `unit_forget_bias`: ones in the forget block). The order and shapes are those of
    `layer.get_weights()`; Bidirectional: forward then backward, drawn independently.
    """
    if isinstance(input_dim, bool) or not isinstance(input_dim, int) or input_dim < 1:
        raise ValueError(f"`input_dim` must be a positive integer; got {input_dim!r}.")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**32:
        raise ValueError(f"`seed` must be an integer from 0 to 2**32-1; got {seed!r}.")
    per_direction = spec.weight_shapes(input_dim)[: 3 if spec.use_bias else 2]
    weights: list[np.ndarray] = []
    for direction in range(len(spec.directions) if spec.bidirectional else 1):
        kernel_init = keras.initializers.GlorotUniform(
            _derived_seed(seed, direction, 0)
        )
        recurrent_init = keras.initializers.Orthogonal(
            seed=_derived_seed(seed, direction, 1)
        )
        weights.append(np.asarray(kernel_init(per_direction[0]), np.float32))
        weights.append(np.asarray(recurrent_init(per_direction[1]), np.float32))
        if spec.use_bias:
            bias = np.zeros(per_direction[2], np.float32)
            if spec.cell == "lstm" and spec.unit_forget_bias:
                bias[spec.units : 2 * spec.units] = 1.0
            weights.append(bias)
    return weights


def _to_numpy(result: object) -> Output:
    if isinstance(result, list | tuple):
        return tuple(np.asarray(r) for r in result)
    return np.asarray(result)


def _set_weights(entry: _CachedLayer, weights: Sequence[np.ndarray]) -> None:
    """Load `weights` into the cached layer; the caller holds `entry.lock`."""
    entry.layer.set_weights([np.asarray(w, np.float32) for w in weights])


def _call_layer(entry: _CachedLayer, call: LayerCall) -> Output:
    """The whole layer on the checked call; weights set, lock held."""
    eager = call.x.shape[1] <= EAGER_MAX_TIMESTEPS
    result = (entry.call.python_function if eager else entry.call)(
        tf.constant(call.x),
        None if call.mask is None else tf.constant(call.mask),
        None
        if call.initial_state is None
        else [tf.constant(s) for s in call.initial_state],
    )
    return _to_numpy(result)


def _step_cells(
    entry: _CachedLayer, spec: LayerSpec, call: LayerCall
) -> list[dict[str, np.ndarray]]:
    """Every state after every step of every direction; weights set, lock held."""
    batch, timesteps, _ = call.x.shape
    n_states = len(spec.state_names)
    valid = np.ones((batch, timesteps), bool) if call.mask is None else call.mask
    eager = timesteps <= EAGER_MAX_TIMESTEPS
    results: list[dict[str, np.ndarray]] = []
    for k, direction in enumerate(spec.directions):
        order = slice(None, None, -1) if direction == "backward" else slice(None)
        x_steps = np.ascontiguousarray(call.x.transpose(1, 0, 2)[order])  # (T, B, F)
        valid_steps = np.ascontiguousarray(valid.T[order])  # (T, B)
        if call.initial_state is None:
            start = [np.zeros((batch, spec.units), np.float32)] * n_states
        else:
            start = call.initial_state[k * n_states : (k + 1) * n_states]
        stepper = entry.steppers[k]
        recorded = (stepper.python_function if eager else stepper)(
            tf.constant(x_steps),
            tf.constant(valid_steps),
            [tf.constant(s) for s in start],
        )
        results.append(
            {
                name: np.asarray(r).transpose(1, 0, 2)  # (batch, timesteps, units)
                for name, r in zip(spec.state_names, recorded, strict=True)
            }
        )
    return results


def keras_forward(
    spec: LayerSpec,
    weights: Sequence[np.ndarray],
    x: np.ndarray,
    initial_state: Sequence[np.ndarray] | None = None,
    mask: np.ndarray | None = None,
) -> Output:
    """The same call as `manual_forward`, through the real Keras layer.

    Returns exactly what Keras returns, converted to NumPy (a list becomes a tuple).
    """
    call = check_call(spec, weights, x, initial_state, mask)
    entry = _cached_layer(spec, call.x.shape[2])
    with entry.lock:
        _set_weights(entry, weights)
        return _call_layer(entry, call)


def keras_step_states(
    spec: LayerSpec,
    weights: Sequence[np.ndarray],
    x: np.ndarray,
    initial_state: Sequence[np.ndarray] | None = None,
    mask: np.ndarray | None = None,
) -> list[dict[str, np.ndarray]]:
    """Every state after every step, from stepping the real Keras cell.

    Keras' layers return only the final states (never c_t per step), so this calls
    `cell(x_t, states)` step by step, carrying states over masked steps as Keras does.

    Returns:
        One dict per direction (forward first): "h" (and "c") of shape
        (batch, timesteps, units), indexed by processing step like `DirectionRun`.
    """
    call = check_call(spec, weights, x, initial_state, mask)
    entry = _cached_layer(spec, call.x.shape[2])
    with entry.lock:
        _set_weights(entry, weights)
        return _step_cells(entry, spec, call)


def keras_run(
    spec: LayerSpec,
    weights: Sequence[np.ndarray],
    x: np.ndarray,
    initial_state: Sequence[np.ndarray] | None = None,
    mask: np.ndarray | None = None,
) -> tuple[Output, list[dict[str, np.ndarray]]]:
    """`keras_forward` and `keras_step_states` together: one check, one weight load."""
    call = check_call(spec, weights, x, initial_state, mask)
    entry = _cached_layer(spec, call.x.shape[2])
    with entry.lock:
        _set_weights(entry, weights)
        return _call_layer(entry, call), _step_cells(entry, spec, call)


# --- gradients (issue 9) ---


@dataclass
class _GradientRun:
    """A compiled loss-and-gradients function over one cached layer (+ readout)."""

    entry: _CachedLayer  # whose lock guards this function too
    readout: keras.layers.Dense | None
    run: Callable


_gradient_runs: OrderedDict[tuple, _GradientRun] = OrderedDict()


def _step_with_offsets(
    cell: keras.layers.Layer,
    x: tf.Tensor,
    offsets: tf.Tensor,
    units: int,
    n_states: int,
    backwards: bool,
) -> tf.Tensor:
    """Step the real Keras cell over `x` (batch, timesteps, features) from zero states,
    adding `offsets[s]` (batch, units) to h after step s; returns h per step,
    (timesteps, batch, units) in processing order."""
    x_steps = tf.transpose(x, [1, 0, 2])  # (T, B, F)
    if backwards:
        x_steps = tf.reverse(x_steps, [0])
    timesteps = tf.shape(x_steps)[0]
    states = [tf.zeros((tf.shape(x)[0], units)) for _ in range(n_states)]
    record = tf.TensorArray(tf.float32, size=timesteps)
    for s in tf.range(timesteps):
        _, new_states = cell(x_steps[s], states, training=False)
        if not isinstance(new_states, list | tuple):
            new_states = [new_states]
        h = new_states[0] + offsets[s]  # the watched zero: dL/d offset = dL/dh
        states = [h, *new_states[1:]]
        record = record.write(s, h)
    return record.stack()


def _merge_tf(mode: str, y: tf.Tensor, y_reverse: tf.Tensor) -> tf.Tensor:
    if mode == "concat":
        return keras.ops.concatenate([y, y_reverse], axis=-1)
    if mode == "sum":
        return y + y_reverse
    if mode == "ave":
        return (y + y_reverse) / 2
    return y * y_reverse  # mul


def _make_gradient_run(
    entry: _CachedLayer, spec: LayerSpec, loss: str, readout: keras.layers.Dense | None
) -> Callable:
    """Two tapes: the whole Keras layer (+ Dense) for dL/dW, and the stepped cells with
    a watched zero added to every h_t for the total dL/dh_t."""
    mean_squared_error = keras.losses.MeanSquaredError()
    n_states = len(spec.state_names)
    layer_variables = list(entry.layer.weights)  # layer.get_weights() order
    readout_variables = [] if readout is None else [readout.kernel, readout.bias]

    def predict(output: tf.Tensor) -> tf.Tensor:
        return output if readout is None else readout(output)

    @tf.function(reduce_retracing=True)
    def run(x: tf.Tensor, target: tf.Tensor, offsets: list) -> tuple:
        with tf.GradientTape() as tape:
            prediction = predict(entry.layer(x, training=False))
            loss_value = mean_squared_error(target, prediction)
        weight_grads = tape.gradient(loss_value, layer_variables + readout_variables)
        with tf.GradientTape() as step_tape:
            step_tape.watch(offsets)
            emitted = []
            for k, direction in enumerate(spec.directions):
                steps = _step_with_offsets(
                    entry.cells[k],
                    x,
                    offsets[k],
                    spec.units,
                    n_states,
                    direction == "backward",
                )  # (T, B, units) in processing order
                if loss == "last":
                    emitted.append(steps[-1])
                elif spec.bidirectional and k == 1:  # flipped back into input time
                    emitted.append(tf.transpose(tf.reverse(steps, [0]), [1, 0, 2]))
                else:
                    emitted.append(tf.transpose(steps, [1, 0, 2]))
            if spec.bidirectional:
                output = _merge_tf(spec.merge_mode, emitted[0], emitted[1])
            else:
                output = emitted[0]
            step_loss = mean_squared_error(target, predict(output))
        hidden_grads = step_tape.gradient(step_loss, offsets)
        return loss_value, prediction, weight_grads, hidden_grads

    return run


def _gradient_run(
    spec: LayerSpec, input_dim: int, loss: str, readout_shape: tuple[int, int] | None
) -> _GradientRun:
    entry = _cached_layer(spec, input_dim)
    key = (spec, input_dim, loss, readout_shape)
    with _cache_lock:
        found = _gradient_runs.get(key)
        if found is not None and found.entry is entry:
            _gradient_runs.move_to_end(key)
            return found
    readout = None
    if readout_shape is not None:
        readout = keras.layers.Dense(readout_shape[1])
        readout.build((None, readout_shape[0]))
    found = _GradientRun(entry, readout, _make_gradient_run(entry, spec, loss, readout))
    with _cache_lock:
        current = _gradient_runs.get(key)
        if current is not None and current.entry is entry:
            found = current
        _gradient_runs[key] = found
        _gradient_runs.move_to_end(key)
        while len(_gradient_runs) > MAX_CACHED_LAYERS:
            _gradient_runs.popitem(last=False)
    return found


def keras_gradients(
    spec: LayerSpec,
    weights: Sequence[np.ndarray],
    x: np.ndarray,
    target: np.ndarray,
    loss: str = "last",
    readout: Readout | None = None,
) -> Gradients:
    """`rnn_core.gradients.manual_gradients` through the real Keras layer.

    tf.GradientTape over the layer (return_sequences set by `loss`) and a
    keras.layers.Dense for the readout gives dL/dW; stepping the layer's own cells
    with a watched zero added to each h_t gives the total dL/dh_t. The loss is
    keras.losses.MeanSquaredError. Arrays are returned as float64 (computed in
    float32).
    """
    call = check_gradient_call(spec, weights, x, target, loss, readout)
    batch, timesteps, features = call.x.shape
    readout_shape = None if call.readout is None else call.readout.kernel.shape
    gradient_run = _gradient_run(call.spec, features, loss, readout_shape)
    offsets = [
        tf.zeros((timesteps, batch, call.spec.units)) for _ in call.spec.directions
    ]
    with gradient_run.entry.lock:
        _set_weights(gradient_run.entry, weights)
        if gradient_run.readout is not None:
            gradient_run.readout.set_weights(
                [
                    np.asarray(call.readout.kernel, np.float32),
                    np.asarray(call.readout.bias, np.float32),
                ]
            )
        loss_value, prediction, weight_grads, hidden_grads = gradient_run.run(
            tf.constant(call.x, tf.float32),
            tf.constant(call.target, tf.float32),
            offsets,
        )
    grads = [np.asarray(g, np.float64) for g in weight_grads]
    n_layer = len(call.weight_names)
    return Gradients(
        loss=float(loss_value),
        prediction=np.asarray(prediction, np.float64),
        weights=tuple(grads[:n_layer]),
        weight_names=call.weight_names,
        readout=None if call.readout is None else (grads[n_layer], grads[n_layer + 1]),
        hidden={
            direction: np.asarray(d_h, np.float64).transpose(1, 0, 2)  # (B, T, units)
            for direction, d_h in zip(call.spec.directions, hidden_grads, strict=True)
        },
        time_index={
            direction: np.arange(timesteps)[::-1]
            if direction == "backward"
            else np.arange(timesteps)
            for direction in call.spec.directions
        },
    )


# --- training (issue 9) ---


class KerasAdam:
    """Keras' own `keras.optimizers.Adam`, stepping NumPy parameters.

    The trainer computes the gradients in NumPy (rnn_core.gradients); this keeps the
    parameters in `keras.Variable`s, applies Adam's update to them and hands back
    NumPy copies. One instance per training run (it holds Adam's moments).
    """

    def __init__(self, learning_rate: float, parameters: Sequence[np.ndarray]) -> None:
        self._variables = [
            keras.Variable(np.asarray(p, np.float32), dtype="float32")
            for p in parameters
        ]
        self._optimizer = keras.optimizers.Adam(learning_rate=float(learning_rate))
        self._optimizer.build(self._variables)
        # Compiled once per run: an eager apply_gradients costs ~15 ms a step, this ~1.
        self._apply = tf.function(self._apply_gradients)

    def _apply_gradients(self, gradients: list[tf.Tensor]) -> None:
        self._optimizer.apply_gradients(zip(gradients, self._variables, strict=True))

    def step(self, gradients: Sequence[np.ndarray]) -> list[np.ndarray]:
        """One Adam update with these gradients (same order and shapes as the
        parameters); returns the new parameters as NumPy arrays."""
        self._apply([tf.constant(np.asarray(g, np.float32)) for g in gradients])
        return [np.array(v.numpy()) for v in self._variables]
