"""Set-ups for the gradients page: rescaled Wh, opened carry gates, a readout.

NumPy only (never TensorFlow, Keras or Streamlit). What the "Gradients through time"
page changes before it asks `rnn_core.gradients` for dL/dh_t and dL/dW:

- `rescale_recurrent`: every (units, units) block of Wh scaled to a chosen spectral
  radius ρ, the knob that makes gradients vanish (ρ < 1) or explode (ρ > 1).
- `set_gate_bias`: the bias of LSTM's forget gate or GRU's update gate, the gate that
  lets the state (and the error flowing back) pass a step unchanged.
- `make_readout`: a seeded Dense layer (Glorot uniform, zero bias) from the layer's
  output to the task's targets.
- `decay_line` / `carry_line`: one line for students in English or Spanish.

Example:
    >>> import numpy as np
    >>> from rnn_core import LayerSpec
    >>> spec = LayerSpec(units=2)
    >>> weights = [np.ones((1, 2)), np.eye(2) * 3, np.zeros(2)]
    >>> rescale_recurrent(spec, weights, 0.5)[1]
    array([[0.5, 0. ],
           [0. , 0.5]], dtype=float32)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from rnn_core.errors import CoreError
from rnn_core.explain import spectral_radius
from rnn_core.gradient_texts import text
from rnn_core.gradients import Readout
from rnn_core.spec import LayerSpec

__all__ = [
    "CARRY_GATES",
    "COMPARISON_CELLS",
    "MAX_GATE_BIAS",
    "MAX_RADIUS",
    "TARGETS",
    "GradientProblem",
    "bptt_latex",
    "build_problem",
    "carry_line",
    "comparison_problems",
    "decay_line",
    "layer_output_width",
    "make_readout_arrays",
    "rescale_recurrent",
    "set_gate_bias",
]

MAX_RADIUS = 10.0  # largest spectral radius the page offers
MAX_GATE_BIAS = 10.0  # |bias| of a carry gate
# The gate whose bias decides how much of the state passes a step unchanged:
# LSTM c_t = f_t ⊙ c_{t-1} + ...; GRU h_t = z_t ⊙ h_{t-1} + (1 − z_t) ⊙ h̃_t.
CARRY_GATES: dict[str, str] = {"lstm": "f", "gru": "z"}


def _check_number(name: str, value: object, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.number):
        raise CoreError(
            "core.err.number_range", name=name, low=low, high=high, value=repr(value)
        )
    number = float(value)
    if not (math.isfinite(number) and low <= number <= high):
        raise CoreError("core.err.range", name=name, low=low, high=high, value=number)
    return number


def _recurrent_indices(spec: LayerSpec) -> list[int]:
    """Positions of the recurrent kernels in `layer.get_weights()`."""
    per_direction = 3 if spec.use_bias else 2
    return [per_direction * k + 1 for k in range(len(spec.directions))]


def rescale_recurrent(
    spec: LayerSpec, weights: Sequence[np.ndarray], radius: float
) -> list[np.ndarray]:
    """The weights with every (units, units) block of Wh scaled to spectral radius ρ.

    One block for SimpleRNN, one per gate for LSTM (i, f, c, o) and GRU (z, r, h), in
    each direction. A block of radius 0 (all eigenvalues zero) stays as it is.

    Args:
        spec: the layer.
        weights: arrays as `layer.get_weights()` (not changed).
        radius: the spectral radius wanted, 0 to `MAX_RADIUS`.

    Returns:
        New float32 arrays in the same order.

    Raises:
        ValueError: a radius outside 0 to `MAX_RADIUS`, or weights that do not fit.
    """
    radius = _check_number("radius", radius, 0.0, MAX_RADIUS)
    arrays = [np.array(w, dtype=np.float32) for w in weights]
    units = spec.units
    for index in _recurrent_indices(spec):
        if index >= len(arrays) or arrays[index].shape != (
            units,
            units * spec.gate_count,
        ):
            raise ValueError(
                f"Weights do not fit {spec.keras_class_name}({units}): expected a "
                f"recurrent kernel of shape {(units, units * spec.gate_count)}."
            )
        kernel = arrays[index]  # (units, units·g)
        for k in range(spec.gate_count):
            block = kernel[:, k * units : (k + 1) * units]  # (units, units), a view
            current = spectral_radius(block)
            if math.isfinite(current) and current > 0:
                block *= np.float32(radius / current)
    return arrays


def set_gate_bias(
    spec: LayerSpec, weights: Sequence[np.ndarray], value: float
) -> list[np.ndarray]:
    """The weights with the carry gate's bias set to `value` in every unit.

    The carry gate is LSTM's forget gate f (Keras starts it at 1 with
    `unit_forget_bias`) or GRU's update gate z (Keras starts it at 0). For a GRU with
    `reset_after` the input row gets `value` and the recurrent row 0, so their sum is
    `value`.

    Raises:
        ValueError: a SimpleRNN (no gate), a layer without bias, or |value| >
            `MAX_GATE_BIAS`.
    """
    value = _check_number("gate bias", value, -MAX_GATE_BIAS, MAX_GATE_BIAS)
    if spec.cell not in CARRY_GATES:
        raise ValueError("`gate bias` needs an LSTM or GRU; a SimpleRNN has no gate.")
    if not spec.use_bias:
        raise ValueError("`gate bias` needs use_bias=True; this layer has no bias.")
    arrays = [np.array(w, dtype=np.float32) for w in weights]
    block = spec.gate_names.index(CARRY_GATES[spec.cell])
    columns = slice(block * spec.units, (block + 1) * spec.units)
    for index in _recurrent_indices(spec):
        bias = arrays[index + 1]  # (units·g,) or (2, units·g) for GRU reset_after
        if bias.ndim == 2:
            bias[0, columns] = value
            bias[1, columns] = 0.0
        else:
            bias[columns] = value
    return arrays


def layer_output_width(spec: LayerSpec) -> int:
    """Width of the layer's output: units, or 2·units for a concatenated
    Bidirectional layer."""
    if spec.bidirectional and spec.merge_mode == "concat":
        return 2 * spec.units
    return spec.units


def make_readout_arrays(
    inputs: int, targets: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """A seeded Dense layer's kernel (Glorot uniform, as Keras draws it) and zero bias.

    Returns:
        kernel (inputs, targets) float32 and bias (targets,) float32.
    """
    if inputs < 1 or targets < 1:
        raise ValueError(
            f"A readout needs at least one input and target; got {inputs}, {targets}."
        )
    limit = math.sqrt(6.0 / (inputs + targets))
    rng = np.random.default_rng(seed)
    kernel = rng.uniform(-limit, limit, (inputs, targets)).astype(np.float32)
    return kernel, np.zeros(targets, np.float32)


def decay_line(
    radius: float, activation: str | None, steps: int, language: str = "en"
) -> str:
    """One line: going back `steps` steps multiplies dL/dh by about ρ^steps.

    Args:
        radius: the spectral radius ρ of Wh (SimpleRNN) or its largest block.
        activation: the layer's activation (None: linear, whose derivative is 1).
        steps: how many steps the error travels back (timesteps − 1).
        language: "en" or "es".
    """
    if not math.isfinite(radius) or steps < 1:
        return text("grad.decay.none", language)
    with np.errstate(over="ignore", under="ignore"):
        factor = float(np.float64(radius) ** steps)
    shown = f"{factor:.1e}" if math.isfinite(factor) else "∞"
    name = "linear" if activation is None else activation
    derivative = (
        text("grad.decay.linear", language)
        if name == "linear"
        else text("grad.decay.derivative", language, name=name)
    )
    kind = "vanish" if radius < 0.99 else "explode" if radius > 1.01 else "keep"
    return text(
        f"grad.decay.{kind}",
        language,
        radius=f"{radius:.3g}",
        steps=steps,
        factor=shown,
        derivative=derivative,
    )


def carry_line(cell: str, language: str = "en") -> str:
    """Why this cell can (LSTM, GRU) or cannot (SimpleRNN) carry an error far back."""
    if cell not in ("simple_rnn", "lstm", "gru"):
        raise CoreError(
            "core.err.one_of",
            name="cell",
            allowed="simple_rnn, lstm, gru",
            value=repr(cell),
        )
    return text(f"grad.carry.{cell}", language)


# --- what the page computes gradients of -------------------------------------------

TARGETS: tuple[str, ...] = ("echo", "sum", "sine", "zero", "random")
TASK_BATCH = 16  # sequences of a toy task on the page
COMPARISON_CELLS: tuple[str, ...] = ("simple_rnn", "lstm", "gru")
COMPARISON_MARGIN = 10  # steps of the comparison's echo sequence after the echoed input


@dataclass(frozen=True, eq=False)
class GradientProblem:
    """Everything `rnn_core.gradients.trace_gradients` takes, and the step to mark."""

    spec: LayerSpec
    weights: tuple[np.ndarray, ...]  # as layer.get_weights()
    x: np.ndarray  # (batch, timesteps, features) float32
    target: (
        np.ndarray
    )  # (batch, targets) "last"; (batch, timesteps, targets) "sequence"
    loss: str
    readout: Readout | None
    mark_step: int | None  # the processing step holding the echoed input, if any


def _processing_step(spec: LayerSpec, input_timestep: int, timesteps: int) -> int:
    """The processing step that reads `input_timestep` (reversed under go_backwards)."""
    return timesteps - 1 - input_timestep if spec.go_backwards else input_timestep


def build_problem(
    spec: LayerSpec,
    target: str,
    *,
    weights: Sequence[np.ndarray] | None,
    x: np.ndarray | None = None,
    timesteps: int = 30,
    delay: int = 20,
    loss: str = "last",
    radius: float | None = None,
    seed: int = 0,
    weights_seed: int = 0,
) -> GradientProblem:
    """The call whose gradients the page shows.

    A toy task ("echo", "sum", "sine" of `rnn_core.tasks`, one feature) gets the
    layer's seeded Keras weights for one feature (`weights` is ignored: it belongs to
    the sidebar's input) and a seeded readout to the task's one target; the task sets
    the loss. "zero" or "random" keeps the sidebar's input `x` and `weights` and asks
    the layer's own output to match zeros or seeded normal values, with `loss`.

    Args:
        spec: the layer.
        target: one of TARGETS.
        weights: the sidebar's weights (layer.get_weights() order), or None to draw
            Keras' seeded ones.
        x: the sidebar's input (batch, timesteps, features), for "zero" and "random".
        timesteps, delay: the task's sequence length and echo delay.
        loss: "last" or "sequence", for "zero" and "random".
        radius: rescale every block of Wh to this spectral radius (None: as drawn).
        seed: the task's (or the random target's) seed.
        weights_seed: the seed of the drawn weights and of the readout.

    Raises:
        ValueError: one line naming the setting and what is allowed.
    """
    from rnn_core import init_weights  # Keras' initializers (loads TensorFlow)
    from rnn_core.tasks import make_task

    if target not in TARGETS:
        raise CoreError(
            "core.err.one_of",
            name="target",
            allowed=", ".join(TARGETS),
            value=repr(target),
        )
    readout = None
    mark_step = None
    if target in ("zero", "random"):
        if x is None:
            raise ValueError("A zero or random target needs the sidebar's input `x`.")
        x = np.asarray(x, np.float32)
        batch, steps, features = x.shape
        if weights is None:
            weights = init_weights(spec, features, weights_seed)
        width = layer_output_width(spec)
        shape = (batch, width) if loss == "last" else (batch, steps, width)
        if target == "zero":
            goal = np.zeros(shape, np.float32)
        else:
            goal = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    else:
        task = make_task(target, TASK_BATCH, timesteps, seed, delay=delay)
        x, goal, loss = task.x, task.target, task.loss
        weights = init_weights(spec, 1, weights_seed)
        kernel, bias = make_readout_arrays(layer_output_width(spec), 1, weights_seed)
        readout = Readout(kernel, bias)
        if target == "echo" and not spec.bidirectional:
            mark_step = _processing_step(spec, timesteps - 1 - task.delay, timesteps)
    arrays = [np.asarray(w, np.float32) for w in weights]
    if radius is not None:
        arrays = rescale_recurrent(spec, arrays, radius)
    return GradientProblem(spec, tuple(arrays), x, goal, loss, readout, mark_step)


def comparison_problems(
    units: int,
    delay: int,
    *,
    lstm_forget_bias: float,
    gru_update_bias: float,
    seed: int = 0,
    weights_seed: int = 0,
) -> dict[str, GradientProblem]:
    """SimpleRNN, LSTM and GRU (Keras' defaults: tanh, sigmoid gates, Keras' seeded
    initial weights) on the same echo task, `delay` steps back, sequences of
    delay + COMPARISON_MARGIN steps; the LSTM's forget-gate and the GRU's
    update-gate biases set as given."""
    timesteps = delay + COMPARISON_MARGIN
    problems = {}
    for cell in COMPARISON_CELLS:
        spec = LayerSpec(cell=cell, units=units)
        problem = build_problem(
            spec,
            "echo",
            weights=None,
            timesteps=timesteps,
            delay=delay,
            seed=seed,
            weights_seed=weights_seed,
        )
        if cell != "simple_rnn":
            bias = lstm_forget_bias if cell == "lstm" else gru_update_bias
            arrays = set_gate_bias(spec, problem.weights, bias)
            problem = GradientProblem(
                spec,
                tuple(arrays),
                problem.x,
                problem.target,
                problem.loss,
                problem.readout,
                problem.mark_step,
            )
        problems[cell] = problem
    return problems


def bptt_latex(cell: str) -> list[str]:
    """Backpropagation through time in LaTeX, row vectors as Keras stores weights.

    SimpleRNN: the forward step, the recursion for dL/dh_{t-1} and the weight sums.
    LSTM and GRU add the line that carries the error past the gates.
    """
    grad = r"\frac{\partial L}{\partial h_t}"
    delta = r"\Big(" + grad + r" \odot \mathrm{act}'(a_t)\Big)"
    lines = [
        r"a_t = x_t W_x + h_{t-1} W_h + b, \qquad h_t = \mathrm{act}(a_t)",
        r"\frac{\partial L}{\partial h_{t-1}} = " + delta + r" \, W_h^{\top}"
        r" \; + \; \frac{\partial \ell_{t-1}}{\partial h_{t-1}}",
        r"\frac{\partial L}{\partial W_h} = \sum_t h_{t-1}^{\top} "
        + delta
        + r", \quad \frac{\partial L}{\partial W_x} = \sum_t x_t^{\top} "
        + delta
        + r", \quad \frac{\partial L}{\partial b} = \sum_t "
        + delta,
    ]
    if cell == "lstm":
        lines.append(
            r"c_t = f_t \odot c_{t-1} + i_t \odot \tilde c_t \;\Rightarrow\; "
            r"\frac{\partial L}{\partial c_{t-1}} = \frac{\partial L}{\partial c_t}"
            r" \odot f_t + \ldots"
        )
    elif cell == "gru":
        lines.append(
            r"h_t = z_t \odot h_{t-1} + (1 - z_t) \odot \tilde h_t \;\Rightarrow\; "
            r"\frac{\partial L}{\partial h_{t-1}} = " + grad + r" \odot z_t + \ldots"
        )
    return lines
