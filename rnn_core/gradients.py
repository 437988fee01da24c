"""Backpropagation through time, written out in NumPy (never imports TensorFlow).

The forward pass reuses the cells of `rnn_core.cells` step by step (in float64, storing
what the backward pass needs); the backward pass walks the steps in reverse, carrying
dL/dh (and dL/dc for LSTM) into the previous step. Row-vector convention as Keras
stores the weights: pre = x_t · Wx + h_{t-1} · Wh + b, so dL/dWx = Σ_t x_tᵀ · dL/dpre_t.

The loss is the mean squared error over every element of the prediction, as
`keras.losses.MeanSquaredError` computes it: on the last output ("last", the output of
`return_sequences=False`) or on every output ("sequence", in the order Keras returns
them), optionally after a `Readout` (a Dense layer). dL/dh_t is the TOTAL derivative of
the loss with respect to the state after processing step s: through the output at that
step and through every later step.

Everything is computed in float64, so the manual gradients are the exact ones (to about
1e-15) of the weights and inputs given; Keras computes in float32, which is what
`trace_gradients` measures against `GRADIENT_TOLERANCE`.

Example:
    >>> import numpy as np
    >>> from rnn_core import LayerSpec
    >>> spec = LayerSpec(cell="gru", units=3)
    >>> rng = np.random.default_rng(0)
    >>> weights = [rng.normal(size=s) * 0.5 for s in spec.weight_shapes(2)]
    >>> x = rng.normal(size=(4, 6, 2))  # (batch, timesteps, features)
    >>> g = manual_gradients(spec, weights, x, np.zeros((4, 3)), loss="last")
    >>> [w.shape for w in g.weights], g.hidden["forward"].shape
    ([(2, 9), (3, 9), (2, 9)], (4, 6, 3))
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import special

from rnn_core.activations import get_activation, is_elementwise
from rnn_core.cells import CELL_STEPS, CellWeights
from rnn_core.errors import CoreError
from rnn_core.limits import MAX_STATE_ELEMENTS, check_input_shape, check_trace_size
from rnn_core.manual import check_x, merge, split_weights
from rnn_core.spec import ACTIVATIONS, LayerSpec
from rnn_core.weights import describe_weights

LOSSES: tuple[str, ...] = ("last", "sequence")
# Keras computes its gradients in float32; the manual ones are float64. Measured over
# the tests' grid the largest difference, relative to the largest magnitude of the
# same array, is below 1e-6; 1e-4 leaves room for longer sequences (rounding grows with
# the number of steps) while still catching any wrong term, which shows as 1e-2 or more.
# It cannot hold where the gradients explode chaotically (SimpleRNN with a spectral
# radius of Wh well above 1 over tens of steps): there a change of the weights by
# float32's rounding (1e-7) already moves the exact gradients by 1e-3 or more, so
# float32 Keras and float64 NumPy part ways; the test suite shows this too.
GRADIENT_TOLERANCE = 1e-4
# Sparsemax's derivative through Keras' own threshold formula is not written out here.
UNSUPPORTED_ACTIVATIONS: tuple[str, ...] = ("sparsemax",)
SUPPORTED_ACTIVATIONS: tuple[str, ...] = tuple(
    a for a in ACTIVATIONS if a not in UNSUPPORTED_ACTIVATIONS
)

_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


@dataclass(frozen=True, eq=False)
class Readout:
    """An optional Dense layer after the recurrent one.

    prediction = output · kernel + bias, applied to every step for loss "sequence".
    """

    kernel: np.ndarray  # (layer_output_width, targets)
    bias: np.ndarray  # (targets,)


@dataclass(frozen=True, eq=False)
class Gradients:
    """The loss of one call and its gradients (NumPy float64 arrays)."""

    loss: float  # mean squared error, mean over every element
    prediction: np.ndarray  # (batch, targets) "last"; (batch, timesteps, targets)
    weights: tuple[np.ndarray, ...]  # dL/dW, layer.get_weights() order and shapes
    weight_names: tuple[str, ...]  # "Wx", "Wh", "b" or "forward/Wx", ...
    readout: tuple[np.ndarray, np.ndarray] | None  # dL/dkernel, dL/dbias
    hidden: dict[str, np.ndarray]  # direction -> total dL/dh (batch, timesteps, units)
    time_index: dict[str, np.ndarray]  # direction -> (timesteps,) input t of step s


@dataclass(frozen=True, eq=False)
class GradientTrace:
    """Manual and Keras gradients of one call, with their residuals."""

    spec: LayerSpec
    manual: Gradients
    keras: Gradients
    residuals: dict[str, np.ndarray]  # name -> manual minus keras
    max_relative_error: float  # max over arrays of max|residual| / max|keras|
    tolerance: float  # GRADIENT_TOLERANCE


# --------------------------------------------------------------------------------------
# Derivatives of the activations


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (np.tanh(0.5 * x) + 1)


def _inside(x: np.ndarray, low: float, high: float) -> np.ndarray:
    return ((x > low) & (x < high)).astype(x.dtype)


def _mish_slope(x: np.ndarray) -> np.ndarray:
    tanh_softplus = np.tanh(np.logaddexp(0, x))
    return tanh_softplus + x * (1 - tanh_softplus**2) * _sigmoid(x)


def _positive(x: np.ndarray) -> np.ndarray:
    return (x > 0).astype(x.dtype)


# d act(x) / dx for every elementwise activation, as TensorFlow differentiates Keras'
# definition (at a kink, the side TensorFlow takes; a kink is hit with probability 0).
_SLOPES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "tanh": lambda x: 1 - np.tanh(x) ** 2,
    "linear": np.ones_like,
    "relu": _positive,
    "sigmoid": lambda x: _sigmoid(x) * (1 - _sigmoid(x)),
    "hard_sigmoid": lambda x: _inside(x, -3, 3) / 6,
    "elu": lambda x: np.where(x > 0, 1, np.exp(np.minimum(x, 0))),
    "selu": lambda x: (
        _SELU_SCALE * np.where(x > 0, 1, _SELU_ALPHA * np.exp(np.minimum(x, 0)))
    ),
    "celu": lambda x: np.where(x > 0, 1, np.exp(np.minimum(x, 0))),
    "gelu": lambda x: (
        0.5 * (1 + special.erf(x / np.sqrt(2)))
        + x * np.exp(-0.5 * x * x) / np.sqrt(2 * np.pi)
    ),
    "softsign": lambda x: 1 / (1 + np.abs(x)) ** 2,
    "softplus": _sigmoid,
    "swish": lambda x: _sigmoid(x) * (1 + x * (1 - _sigmoid(x))),
    "silu": lambda x: _sigmoid(x) * (1 + x * (1 - _sigmoid(x))),
    "hard_silu": lambda x: np.clip(x / 6 + 0.5, 0, 1) + x * _inside(x, -3, 3) / 6,
    "hard_swish": lambda x: np.clip(x / 6 + 0.5, 0, 1) + x * _inside(x, -3, 3) / 6,
    "mish": _mish_slope,
    "exponential": np.exp,
    "leaky_relu": lambda x: np.where(x > 0, 1.0, 0.2),
    "relu6": lambda x: _inside(x, 0, 6),
    "log_sigmoid": lambda x: _sigmoid(-x),
    "hard_tanh": lambda x: _inside(x, -1, 1),
    "tanh_shrink": lambda x: np.tanh(x) ** 2,
    "hard_shrink": lambda x: (np.abs(x) > 0.5).astype(x.dtype),
    "soft_shrink": lambda x: (np.abs(x) > 0.5).astype(x.dtype),
    "sparse_plus": lambda x: np.where(x <= -1, 0, np.where(x >= 1, 1, (x + 1) / 2)),
    "sparse_sigmoid": lambda x: _inside(x, -1, 1) / 2,
    "squareplus": lambda x: 0.5 * (1 + x / np.sqrt(x * x + 4)),
}


def activation_slope(name: str | None, pre: np.ndarray) -> np.ndarray:
    """d act(pre) / d pre, elementwise, for an elementwise activation (float64)."""
    key = "linear" if name is None else name
    with np.errstate(over="ignore", invalid="ignore"):
        return np.asarray(_SLOPES[key](np.asarray(pre, np.float64)), np.float64)


def activation_vjp(name: str | None, pre: np.ndarray, grad: np.ndarray) -> np.ndarray:
    """dL/dpre from dL/dact(pre): grad times the Jacobian of the activation.

    For softmax and log_softmax, which mix the units of the last axis, this is the
    full Jacobian product: s ⊙ (g − Σ g ⊙ s), and g − softmax ⊙ Σ g.
    """
    if is_elementwise(name):
        return grad * activation_slope(name, pre)
    with np.errstate(over="ignore", invalid="ignore"):
        soft = special.softmax(pre, axis=-1)
        if name == "softmax":
            return soft * (grad - np.sum(grad * soft, axis=-1, keepdims=True))
        if name == "log_softmax":
            return grad - soft * np.sum(grad, axis=-1, keepdims=True)
    raise _unsupported(name)


def _unsupported(name: str | None) -> CoreError:
    return CoreError(
        "core.err.grad_activation",
        name=repr(name),
        supported=", ".join(SUPPORTED_ACTIVATIONS),
    )


class _Backprop:
    """dL/dpre_s from dL/dact_s for one activation over a whole run (T, B, n).

    An elementwise slope is computed once for all steps; a mixing activation
    (softmax) takes its Jacobian product step by step.
    """

    def __init__(self, name: str | None, pre: np.ndarray) -> None:
        self.name = name
        self.pre = pre  # (T, B, n)
        self.slope = activation_slope(name, pre) if is_elementwise(name) else None

    def __call__(self, s: int, grad: np.ndarray) -> np.ndarray:
        if self.slope is not None:
            return grad * self.slope[s]
        return activation_vjp(self.name, self.pre[s], grad)


# --------------------------------------------------------------------------------------
# Checking a call


@dataclass(frozen=True, eq=False)
class GradientCall:
    """The checked arguments of a gradient computation, in float64."""

    spec: LayerSpec  # with return_sequences = (loss == "sequence"), no return_state
    cell_weights: list[CellWeights]  # one per direction, float64
    x: np.ndarray  # (batch, timesteps, features) float64
    target: np.ndarray  # (batch, targets) or (batch, timesteps, targets)
    loss: str
    readout: Readout | None  # float64 arrays
    output_width: int  # units, or 2·units for Bidirectional concat
    weight_names: tuple[str, ...]


def _float64_cells(spec: LayerSpec, weights: Sequence[np.ndarray]) -> list[CellWeights]:
    split_weights(spec, weights)  # checks the count and the shapes (ValueError)
    arrays = [np.asarray(w, np.float64) for w in weights]
    per_direction = 3 if spec.use_bias else 2
    groups = [
        arrays[i : i + per_direction] for i in range(0, len(arrays), per_direction)
    ]
    return [CellWeights(g[0], g[1], g[2] if spec.use_bias else None) for g in groups]


def check_gradient_call(
    spec: LayerSpec,
    weights: Sequence[np.ndarray],
    x: np.ndarray,
    target: np.ndarray,
    loss: str = "last",
    readout: Readout | None = None,
) -> GradientCall:
    """Check the arguments of `manual_gradients` / `keras_gradients` (ValueError)."""
    if not isinstance(spec, LayerSpec):
        raise ValueError(f"`spec` must be a LayerSpec; got {type(spec).__name__}.")
    if not isinstance(loss, str) or loss not in LOSSES:
        raise CoreError(
            "core.err.one_of", name="loss", allowed=", ".join(LOSSES), value=repr(loss)
        )
    if spec.bidirectional and spec.merge_mode is None:
        raise CoreError("core.err.grad_merge_none")
    used = [spec.activation]
    if spec.cell != "simple_rnn":
        used.append(spec.recurrent_activation)
    for name in used:
        if name in UNSUPPORTED_ACTIVATIONS:
            raise _unsupported(name)
    cell_weights = _float64_cells(spec, weights)
    features = cell_weights[0].kernel.shape[0]
    x = np.asarray(x)
    check_x(x, features)  # (batch, timesteps, features), or ValueError
    batch, timesteps, _ = x.shape
    check_input_shape(batch, timesteps, features)
    check_trace_size(spec, batch, timesteps)
    x64 = x.astype(np.float64)  # not through float32: finite differences need it
    spec = spec.replace(return_sequences=loss == "sequence", return_state=False)
    width = spec.units * (
        2 if spec.bidirectional and spec.merge_mode == "concat" else 1
    )
    readout = _check_readout(readout, width)
    targets = width if readout is None else readout.kernel.shape[1]
    expected = (batch, targets) if loss == "last" else (batch, timesteps, targets)
    elements = int(np.prod(expected))
    if elements > MAX_STATE_ELEMENTS:
        raise CoreError(
            "core.err.prediction_elements",
            elements=f"{elements:,}",
            most=f"{MAX_STATE_ELEMENTS:,}",
        )
    target = np.asarray(target)
    if target.shape != expected:
        what = "(batch, targets)" if loss == "last" else "(batch, timesteps, targets)"
        raise ValueError(
            f"`target` must have shape {what} = {expected} for loss {loss!r}; "
            f"got {target.shape}."
        )
    if not np.issubdtype(target.dtype, np.number) or target.dtype.kind == "c":
        raise ValueError(f"`target` must hold real numbers; got dtype {target.dtype}.")
    names = tuple(info.name for info in describe_weights(spec, features))
    return GradientCall(
        spec=spec,
        cell_weights=cell_weights,
        x=x64,
        target=target.astype(np.float64),
        loss=loss,
        readout=readout,
        output_width=width,
        weight_names=names,
    )


def _check_readout(readout: Readout | None, width: int) -> Readout | None:
    if readout is None:
        return None
    if not isinstance(readout, Readout):
        raise ValueError(f"`readout` must be a Readout; got {type(readout).__name__}.")
    kernel = np.asarray(readout.kernel)
    bias = np.asarray(readout.bias)
    if kernel.ndim != 2 or kernel.shape[0] != width or kernel.shape[1] < 1:
        raise ValueError(
            f"`readout.kernel` must have shape (layer output width, targets) = "
            f"({width}, targets); got {kernel.shape}."
        )
    if bias.shape != (kernel.shape[1],):
        raise ValueError(
            f"`readout.bias` must have shape (targets,) = ({kernel.shape[1]},); "
            f"got {bias.shape}."
        )
    return Readout(kernel.astype(np.float64), bias.astype(np.float64))


# --------------------------------------------------------------------------------------
# Forward, storing what the backward pass needs


@dataclass(frozen=True, eq=False)
class _DirectionRecord:
    """One direction's forward pass, time-major in processing order."""

    direction: str
    time_index: np.ndarray  # (T,)
    x_steps: np.ndarray  # (T, B, F)
    h_prev: np.ndarray  # (T, B, units) the h going into each step
    c_prev: np.ndarray | None  # (T, B, units) LSTM
    h: np.ndarray  # (T, B, units) the h after each step (the outputs)
    parts: dict[str, np.ndarray]  # the cell's intermediates, (T, B, ...)


# The intermediates each cell's backward pass reads.
_KEPT_PARTS = {
    "simple_rnn": ("pre",),
    "lstm": ("pre", "i", "f", "c_tilde", "o", "c"),
    "gru": ("pre_z", "pre_r", "pre_h", "z", "r", "h_tilde", "h_Wh"),
}


def _forward_direction(
    spec: LayerSpec,
    weights: CellWeights,
    x: np.ndarray,
    backwards: bool,
    h_offset: np.ndarray | None = None,
) -> _DirectionRecord:
    """Run the cell over every step from zero states (float64).

    `h_offset` (T, B, units), if given, is added to h after each step: the same
    perturbation Keras' side watches to get dL/dh (used by the finite differences).
    """
    batch, timesteps, _ = x.shape
    step = CELL_STEPS[spec.cell]
    time_index = np.arange(timesteps)[::-1] if backwards else np.arange(timesteps)
    x_steps = np.ascontiguousarray(x.transpose(1, 0, 2)[time_index])  # (T, B, F)
    x_wx_steps = x_steps @ weights.kernel  # (T, B, units·g)
    states = [np.zeros((batch, spec.units)) for _ in spec.state_names]
    kept = {name: [] for name in _KEPT_PARTS[spec.cell]}
    h_prev, c_prev, h_after = [], [], []
    for s in range(timesteps):
        h_prev.append(states[0])
        if spec.cell == "lstm":
            c_prev.append(states[1])
        states, parts = step(spec, weights, x_steps[s], states, x_wx_steps[s])
        if h_offset is not None:
            states = [states[0] + h_offset[s], *states[1:]]
        h_after.append(states[0])
        for name, values in kept.items():
            values.append(parts[name])
    return _DirectionRecord(
        direction="backward" if backwards else "forward",
        time_index=time_index,
        x_steps=x_steps,
        h_prev=np.stack(h_prev),
        c_prev=np.stack(c_prev) if c_prev else None,
        h=np.stack(h_after),
        parts={name: np.stack(values) for name, values in kept.items()},
    )


@dataclass(frozen=True, eq=False)
class _Forward:
    records: list[_DirectionRecord]
    y: np.ndarray  # (B, units) or (B, T, units) forward output in input time
    y_reverse: np.ndarray | None  # the same for the backward half of Bidirectional
    output: np.ndarray  # (B, width) or (B, T, width) what the layer returns
    prediction: np.ndarray  # (B, targets) or (B, T, targets)
    loss: float


def _forward(
    call: GradientCall, h_offsets: dict[str, np.ndarray] | None = None
) -> _Forward:
    spec = call.spec
    records = [
        _forward_direction(
            spec,
            call.cell_weights[k],
            call.x,
            direction == "backward",
            None if h_offsets is None else h_offsets.get(direction),
        )
        for k, direction in enumerate(spec.directions)
    ]

    def emitted(record: _DirectionRecord, to_input_time: bool) -> np.ndarray:
        if call.loss == "last":
            return record.h[-1]  # (B, units)
        sequence = record.h[::-1] if to_input_time else record.h
        return sequence.transpose(1, 0, 2)  # (B, T, units)

    if spec.bidirectional:
        y = emitted(records[0], False)
        y_reverse = emitted(records[1], True)  # back into input time
        output = merge(spec.merge_mode, y, y_reverse)
    else:
        y, y_reverse = emitted(records[0], False), None  # go_backwards keeps its order
        output = y
    prediction = output
    if call.readout is not None:
        prediction = output @ call.readout.kernel + call.readout.bias
    loss = float(np.mean((prediction - call.target) ** 2))
    return _Forward(records, y, y_reverse, output, prediction, loss)


# --------------------------------------------------------------------------------------
# Backward


def _backward_simple_rnn(
    spec: LayerSpec, weights: CellWeights, record: _DirectionRecord, d_out: np.ndarray
) -> tuple[list[np.ndarray], np.ndarray]:
    timesteps = d_out.shape[0]
    backprop = _Backprop(spec.activation, record.parts["pre"])
    d_pre = np.empty_like(d_out)  # (T, B, units)
    d_h = np.empty_like(d_out)  # (T, B, units) total dL/dh per step
    carry = np.zeros_like(d_out[0])
    recurrent_t = weights.recurrent_kernel.T
    for s in range(timesteps - 1, -1, -1):
        d_h[s] = d_out[s] + carry
        d_pre[s] = backprop(s, d_h[s])
        carry = d_pre[s] @ recurrent_t
    return _weight_sums(weights, record, d_pre, d_pre), d_h


def _backward_lstm(
    spec: LayerSpec, weights: CellWeights, record: _DirectionRecord, d_out: np.ndarray
) -> tuple[list[np.ndarray], np.ndarray]:
    timesteps, batch, units = d_out.shape
    p = record.parts
    blocks = [slice(k * units, (k + 1) * units) for k in range(4)]  # i, f, c, o
    gate_backprops = [
        _Backprop(spec.recurrent_activation, p["pre"][..., blocks[k]])
        for k in (0, 1, 3)
    ]
    candidate_backprop = _Backprop(spec.activation, p["pre"][..., blocks[2]])
    cell_backprop = _Backprop(spec.activation, p["c"])
    with np.errstate(over="ignore", invalid="ignore"):
        activated_c = get_activation(spec.activation)(p["c"])  # (T, B, units)
    d_pre = np.empty((timesteps, batch, 4 * units))
    d_h = np.empty_like(d_out)
    carry_h = np.zeros((batch, units))
    carry_c = np.zeros((batch, units))
    recurrent_t = weights.recurrent_kernel.T
    for s in range(timesteps - 1, -1, -1):
        d_h[s] = d_out[s] + carry_h
        d_c = carry_c + cell_backprop(s, d_h[s] * p["o"][s])
        d_pre[s, :, blocks[0]] = gate_backprops[0](s, d_c * p["c_tilde"][s])
        d_pre[s, :, blocks[1]] = gate_backprops[1](s, d_c * record.c_prev[s])
        d_pre[s, :, blocks[2]] = candidate_backprop(s, d_c * p["i"][s])
        d_pre[s, :, blocks[3]] = gate_backprops[2](s, d_h[s] * activated_c[s])
        carry_c = d_c * p["f"][s]
        carry_h = d_pre[s] @ recurrent_t
    return _weight_sums(weights, record, d_pre, d_pre), d_h


def _backward_gru(
    spec: LayerSpec, weights: CellWeights, record: _DirectionRecord, d_out: np.ndarray
) -> tuple[list[np.ndarray], np.ndarray]:
    timesteps, batch, units = d_out.shape
    p = record.parts
    zr, candidate = slice(0, 2 * units), slice(2 * units, 3 * units)
    z_backprop = _Backprop(spec.recurrent_activation, p["pre_z"])
    r_backprop = _Backprop(spec.recurrent_activation, p["pre_r"])
    h_backprop = _Backprop(spec.activation, p["pre_h"])
    if spec.reset_after:
        inner_h = p["h_Wh"][..., candidate]  # h_{t-1}·Wh_h (+ bh_h): (T, B, units)
        if weights.recurrent_bias is not None:
            inner_h = inner_h + weights.recurrent_bias[candidate]
    d_input = np.empty((timesteps, batch, 3 * units))  # dL/d(x·Wx + bx) per step
    d_inner = np.empty((timesteps, batch, 3 * units))  # dL/d(h·Wh [+ bh]) per step
    d_h = np.empty_like(d_out)
    carry = np.zeros((batch, units))
    wh = weights.recurrent_kernel
    wh_t, wh_zr_t, wh_h_t = wh.T, wh[:, zr].T, wh[:, candidate].T
    for s in range(timesteps - 1, -1, -1):
        d_h[s] = d_out[s] + carry
        z, r, h_prev = p["z"][s], p["r"][s], record.h_prev[s]
        d_pre_z = z_backprop(s, d_h[s] * (h_prev - p["h_tilde"][s]))
        d_pre_h = h_backprop(s, d_h[s] * (1 - z))
        if spec.reset_after:
            d_pre_r = r_backprop(s, d_pre_h * inner_h[s])
            d_input[s] = np.concatenate([d_pre_z, d_pre_r, d_pre_h], axis=1)
            d_inner[s] = np.concatenate([d_pre_z, d_pre_r, d_pre_h * r], axis=1)
            carry = d_h[s] * z + d_inner[s] @ wh_t
        else:
            d_reset_h = d_pre_h @ wh_h_t  # dL/d(r ⊙ h_{t-1})
            d_pre_r = r_backprop(s, d_reset_h * h_prev)
            d_input[s] = np.concatenate([d_pre_z, d_pre_r, d_pre_h], axis=1)
            carry = d_h[s] * z + d_reset_h * r + d_input[s, :, zr] @ wh_zr_t
    if spec.reset_after:
        return _weight_sums(weights, record, d_input, d_inner), d_h
    grads = _weight_sums(weights, record, d_input, d_input)
    # The candidate block of Wh multiplies r ⊙ h_{t-1}, not h_{t-1}.
    reset_h = (p["r"] * record.h_prev).reshape(-1, units)
    grads[1][:, candidate] = reset_h.T @ d_input[..., candidate].reshape(-1, units)
    return grads, d_h


def _weight_sums(
    weights: CellWeights,
    record: _DirectionRecord,
    d_input: np.ndarray,
    d_inner: np.ndarray,
) -> list[np.ndarray]:
    """dL/dWx, dL/dWh (and dL/db) summed over every step and batch item at once.

    d_input: (T, B, units·g) dL/d(x_t·Wx + bx); d_inner: dL/d(h_{t-1}·Wh [+ bh]).
    """
    gated = d_input.shape[-1]
    flat_input = d_input.reshape(-1, gated)
    flat_inner = d_inner.reshape(-1, gated)
    grads = [
        record.x_steps.reshape(-1, record.x_steps.shape[-1]).T @ flat_input,
        record.h_prev.reshape(-1, record.h_prev.shape[-1]).T @ flat_inner,
    ]
    if weights.bias is not None:
        if weights.bias.ndim == 2:  # GRU reset_after: input row, recurrent row
            grads.append(np.stack([flat_input.sum(axis=0), flat_inner.sum(axis=0)]))
        else:
            grads.append(flat_input.sum(axis=0))
    return grads


_BACKWARD = {
    "simple_rnn": _backward_simple_rnn,
    "lstm": _backward_lstm,
    "gru": _backward_gru,
}


def _output_gradients(
    call: GradientCall, forward: _Forward
) -> tuple[list[np.ndarray], tuple[np.ndarray, np.ndarray] | None]:
    """dL/d(output of each step) per direction, (T, B, units) in processing order."""
    d_prediction = 2 * (forward.prediction - call.target) / call.target.size
    readout_grads = None
    d_output = d_prediction
    if call.readout is not None:
        width, targets = call.readout.kernel.shape
        flat_output = forward.output.reshape(-1, width)
        flat_d = d_prediction.reshape(-1, targets)
        readout_grads = (flat_output.T @ flat_d, flat_d.sum(axis=0))
        d_output = d_prediction @ call.readout.kernel.T
    spec = call.spec
    if not spec.bidirectional:
        d_emitted = [d_output]
    elif spec.merge_mode == "concat":
        d_emitted = [d_output[..., : spec.units], d_output[..., spec.units :]]
    elif spec.merge_mode == "sum":
        d_emitted = [d_output, d_output]
    elif spec.merge_mode == "ave":
        d_emitted = [d_output / 2, d_output / 2]
    else:  # mul
        d_emitted = [d_output * forward.y_reverse, d_output * forward.y]
    timesteps = call.x.shape[1]
    per_step = []
    for k, d in enumerate(d_emitted):
        if call.loss == "last":
            steps = np.zeros((timesteps, *d.shape))
            steps[-1] = d
        else:
            steps = d.transpose(1, 0, 2)  # (T, B, units)
            if k == 1:  # the backward half was flipped into input time
                steps = steps[::-1]
        per_step.append(np.ascontiguousarray(steps))
    return per_step, readout_grads


def _gradients(call: GradientCall) -> Gradients:
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        forward = _forward(call)
        d_steps, readout_grads = _output_gradients(call, forward)
        weight_grads: list[np.ndarray] = []
        hidden: dict[str, np.ndarray] = {}
        for k, record in enumerate(forward.records):
            grads, d_h = _BACKWARD[call.spec.cell](
                call.spec, call.cell_weights[k], record, d_steps[k]
            )
            weight_grads += grads
            hidden[record.direction] = np.ascontiguousarray(d_h.transpose(1, 0, 2))
    return Gradients(
        loss=forward.loss,
        prediction=forward.prediction,
        weights=tuple(weight_grads),
        weight_names=call.weight_names,
        readout=readout_grads,
        hidden=hidden,
        time_index={r.direction: r.time_index.copy() for r in forward.records},
    )


# --------------------------------------------------------------------------------------
# Public API


def manual_gradients(
    spec: LayerSpec,
    weights: Sequence[np.ndarray],
    x: np.ndarray,
    target: np.ndarray,
    loss: str = "last",
    readout: Readout | None = None,
) -> Gradients:
    """Backpropagation through time in NumPy: dL/dW for every weight and dL/dh_t.

    Args:
        spec: the layer (return_sequences / return_state do not matter here).
        weights: arrays in `layer.get_weights()` order.
        x: input (batch, timesteps, features).
        target: (batch, targets) for loss "last", (batch, timesteps, targets) for
            "sequence"; targets = readout.kernel.shape[1], or without a readout the
            layer's output width (units, or 2·units for Bidirectional concat).
        loss: "last" (MSE on the output after the last processing step) or
            "sequence" (MSE on every output, in the order Keras returns them).
        readout: an optional Dense layer after the recurrent one.

    Raises:
        CoreError: (a ValueError, in English and Spanish) what a user of the app can
            choose: an unsupported activation (sparsemax), Bidirectional with
            merge_mode None, a loss name not in LOSSES, or sizes above
            rnn_core.limits.
        ValueError: what only code can get wrong: argument types, and weights,
            target or readout shapes that do not fit.
    """
    return _gradients(check_gradient_call(spec, weights, x, target, loss, readout))


def manual_loss(
    spec: LayerSpec,
    weights: Sequence[np.ndarray],
    x: np.ndarray,
    target: np.ndarray,
    loss: str = "last",
    readout: Readout | None = None,
    h_offsets: dict[str, np.ndarray] | None = None,
) -> float:
    """The loss alone (float64 forward pass), as `manual_gradients` computes it.

    `h_offsets` (direction -> (batch, timesteps, units), by processing step) is added
    to h after each step: d loss / d offset is the total dL/dh_t (finite differences).
    """
    call = check_gradient_call(spec, weights, x, target, loss, readout)
    offsets = None
    if h_offsets is not None:
        offsets = {
            d: np.asarray(v, np.float64).transpose(1, 0, 2)
            for d, v in h_offsets.items()
        }
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"):
        return _forward(call, offsets).loss


def hidden_norms(gradients: Gradients, direction: str | None = None) -> np.ndarray:
    """(timesteps,) Euclidean norm of dL/dh_t per processing step, over batch and units.

    `direction` defaults to the layer's first ("forward", or "backward" for a
    go_backwards layer).
    """
    if direction is None:
        direction = next(iter(gradients.hidden))
    if direction not in gradients.hidden:
        raise CoreError(
            "core.err.one_of",
            name="direction",
            allowed=", ".join(gradients.hidden),
            value=repr(direction),
        )
    d_h = gradients.hidden[direction]  # (batch, timesteps, units)
    return np.sqrt(np.sum(np.square(d_h, dtype=np.float64), axis=(0, 2)))


def _named_arrays(gradients: Gradients) -> dict[str, np.ndarray]:
    named = dict(zip(gradients.weight_names, gradients.weights, strict=True))
    if gradients.readout is not None:
        named["readout/kernel"], named["readout/bias"] = gradients.readout
    named.update({f"dh/{d}": v for d, v in gradients.hidden.items()})
    return named


def relative_error(manual: np.ndarray, keras: np.ndarray) -> float:
    """max |manual − keras| / max |keras| over one array (finite entries).

    0.0 when both are all zero; inf when they differ where Keras is all zero, or
    where one side is NaN/inf and the other is not.
    """
    manual = np.asarray(manual, np.float64)
    keras = np.asarray(keras, np.float64)
    finite = np.isfinite(manual) & np.isfinite(keras)
    if np.any(np.isfinite(manual) != np.isfinite(keras)):
        return float("inf")
    if not finite.any():
        return 0.0
    difference = float(np.max(np.abs(manual[finite] - keras[finite])))
    scale = float(np.max(np.abs(keras[finite])))
    if difference == 0.0:
        return 0.0
    return difference / scale if scale > 0 else float("inf")


def compare_gradients(
    spec: LayerSpec, manual: Gradients, keras: Gradients
) -> GradientTrace:
    """Residuals (manual minus Keras) and the largest relative error of any array."""
    manual_named, keras_named = _named_arrays(manual), _named_arrays(keras)
    residuals = {name: manual_named[name] - keras_named[name] for name in manual_named}
    errors = [relative_error(manual_named[n], keras_named[n]) for n in manual_named]
    return GradientTrace(
        spec=spec,
        manual=manual,
        keras=keras,
        residuals=residuals,
        max_relative_error=max(errors),
        tolerance=GRADIENT_TOLERANCE,
    )


def trace_gradients(
    spec: LayerSpec,
    weights: Sequence[np.ndarray],
    x: np.ndarray,
    target: np.ndarray,
    loss: str = "last",
    readout: Readout | None = None,
) -> GradientTrace:
    """Manual and Keras gradients of the same call, with residuals (loads TensorFlow).

    `max_relative_error` is, over every array (each weight, the readout, dL/dh per
    direction), max |manual − Keras| / max |Keras| of that array: Keras works in
    float32, so an error is measured against the array's scale, not entry by entry.
    """
    from rnn_core import keras_backend

    manual = manual_gradients(spec, weights, x, target, loss, readout)
    keras = keras_backend.keras_gradients(spec, weights, x, target, loss, readout)
    return compare_gradients(spec, manual, keras)
