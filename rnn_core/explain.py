"""What a recurrent layer computes, written out for people: formulas, numbers, flags.

- `formula_lines`: the cell's general formulas in LaTeX (row vectors, as Keras stores
  the weights: x_t W_x with W_x of shape (features, units·g)).
- `step_equations`: one processing step of a `Trace` with its real numbers.
- `spectral_radius`, `recurrent_spectral_radii`, `spectral_note`: how the recurrent
  weights stretch or shrink the state from one step to the next.
- `output_combinations`: every combination of return_sequences × return_state ×
  go_backwards run through the real Keras layer, with the equalities between the
  returned arrays that hold exactly; `flag_explanations`: one line per flag.

The LaTeX is KaTeX-compatible (Streamlit's `st.latex`). Only `output_combinations`
runs Keras (imported on first use through `rnn_core.keras_forward`); the rest is NumPy.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from rnn_core.activations import latex_name
from rnn_core.limits import check_input_shape
from rnn_core.manual import check_x, output_names
from rnn_core.spec import LayerSpec
from rnn_core.texts import text
from rnn_core.trace import Trace
from rnn_core.weights import name_weights

__all__ = [
    "Equation",
    "OutputCombination",
    "flag_explanations",
    "format_number",
    "format_scientific",
    "format_vector",
    "formula_lines",
    "output_combinations",
    "recurrent_spectral_radii",
    "spectral_note",
    "spectral_radius",
    "step_equations",
]

SIGNIFICANT_DIGITS = 4
# |ρ − 1| up to this counts as "about 1" in `spectral_note`.
NEAR_ONE = 0.01
# Activations that stay within a bounded range: a large state saturates them instead
# of growing. Every other allowed activation is unbounded on at least one side.
BOUNDED_ACTIVATIONS: frozenset[str] = frozenset(
    {
        "tanh",
        "sigmoid",
        "hard_sigmoid",
        "softsign",
        "relu6",
        "hard_tanh",
        "sparse_sigmoid",
        "softmax",
        "sparsemax",
    }
)


@dataclass(frozen=True)
class Equation:
    """One line to show: a plain-text label and its LaTeX (for `st.latex`)."""

    label: str  # e.g. "x_t · Wx"
    latex: str  # e.g. r"x_t W_x = \begin{bmatrix} 0.1 & 0.2 \end{bmatrix}"


# --- number formatting --------------------------------------------------------------


def _special(value: float) -> str | None:
    if math.isnan(value):
        return r"\mathrm{NaN}"
    if math.isinf(value):
        return r"\infty" if value > 0 else r"-\infty"
    return None


def _power_of_ten(text: str) -> str:
    """Python's "1.235e-07" as LaTeX "1.235 \\times 10^{-7}"; other text unchanged."""
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    return rf"{mantissa} \times 10^{{{int(exponent)}}}"


def format_number(value: float, digits: int = SIGNIFICANT_DIGITS) -> str:
    """One number as LaTeX with `digits` significant digits.

    Large and small magnitudes use a power of ten (`1.235 \\times 10^{-7}`); NaN and
    infinities are written `\\mathrm{NaN}`, `\\infty`, `-\\infty`.
    """
    value = float(value)
    return _special(value) or _power_of_ten(f"{value:.{digits}g}")


def format_scientific(value: float, digits: int = 3) -> str:
    """One number in scientific notation (`1.19 \\times 10^{-7}`); 0 is "0"."""
    value = float(value)
    special = _special(value)
    if special is not None:
        return special
    if value == 0:
        return "0"
    return _power_of_ten(f"{value:.{digits - 1}e}")


def format_vector(
    values: np.ndarray,
    max_entries: int = 6,
    number: Callable[[float], str] = format_number,
) -> str:
    """A row vector as a LaTeX bmatrix of at most `max_entries` entries.

    Longer vectors show their first `max_entries` entries, then `\\cdots` and a note
    "(first 6 of 16)".
    """
    entries = np.asarray(values).ravel()  # (n,)
    cells = [number(v) for v in entries[:max_entries]]
    if entries.size > max_entries:
        cells.append(r"\cdots")
    latex = r"\begin{bmatrix} " + " & ".join(cells) + r" \end{bmatrix}"
    if entries.size > max_entries:
        latex += rf"\ \text{{(first {max_entries} of {entries.size})}}"
    return latex


# --- the general formulas -----------------------------------------------------------


def _act(name: str | None) -> str:
    """The activation's LaTeX name; linear (None) is written \\mathrm{linear}."""
    if name in (None, "linear"):
        return r"\mathrm{linear}"
    return latex_name(name)


def _gate_inputs(spec: LayerSpec, gate: str) -> str:
    """x_t W_{x,g} + h_{t-1} W_{h,g} (+ biases) for an LSTM or GRU gate."""
    terms = [rf"x_t W_{{x,{gate}}}", rf"h_{{t-1}} W_{{h,{gate}}}"]
    if spec.use_bias:
        if spec.cell == "gru" and spec.reset_after:
            terms[1:1] = [rf"b_{{x,{gate}}}"]
            terms.append(rf"b_{{h,{gate}}}")
        else:
            terms.append(rf"b_{{{gate}}}")
    return " + ".join(terms)


def _gru_candidate_inputs(spec: LayerSpec) -> str:
    """What GRU's candidate activation is applied to, for either reset_after."""
    if spec.reset_after:
        inner = r"h_{t-1} W_{h,h}" + (r" + b_{h,h}" if spec.use_bias else "")
        bias = r" + b_{x,h}" if spec.use_bias else ""
        return rf"x_t W_{{x,h}}{bias} + r_t \odot \left({inner}\right)"
    bias = r" + b_{h}" if spec.use_bias else ""
    return rf"x_t W_{{x,h}} + \left(r_t \odot h_{{t-1}}\right) W_{{h,h}}{bias}"


def _simple_rnn_inputs(spec: LayerSpec) -> str:
    return r"x_t W_x + h_{t-1} W_h" + (" + b" if spec.use_bias else "")


def _applied(name: str | None, argument: str) -> str:
    """`\\tanh(argument)`; a linear activation is written out: linear(a) = a."""
    if name in (None, "linear"):
        return rf"\mathrm{{linear}}\left({argument}\right) = {argument}"
    return rf"{_act(name)}\left({argument}\right)"


def formula_lines(spec: LayerSpec, language: str = "en") -> list[Equation]:
    """The cell's formulas, row-vector convention, with the spec's real activations.

    SimpleRNN: h_t. LSTM: i, f, c̃, o, c_t, h_t. GRU: z, r, h̃ (reset_after=True or
    False, as Keras computes it), h_t = z ⊙ h_{t-1} + (1 − z) ⊙ h̃. Bias terms only
    with use_bias; under go_backwards a line on the reading order; for Bidirectional
    the reading order of each direction and the merge. Labels in `language` ("en" or
    "es"; the LaTeX is the same).
    """
    act, rec = spec.activation, spec.recurrent_activation

    def say(message_id: str, **fields: object) -> str:
        return text(message_id, language, **fields)

    lines: list[Equation] = []
    if spec.cell == "simple_rnn":
        lines.append(
            Equation(
                f"h_t = {spec.activation_name}(x_t · Wx + h_(t-1) · Wh"
                + (" + b)" if spec.use_bias else ")"),
                "h_t = " + _applied(act, _simple_rnn_inputs(spec)),
            )
        )
    elif spec.cell == "lstm":
        for gate in ("i", "f"):
            lines.append(
                Equation(
                    say(
                        "core.formula.gate", gate=gate, meaning=say(f"core.gate.{gate}")
                    ),
                    rf"{gate}_t = {_act(rec)}\left({_gate_inputs(spec, gate)}\right)",
                )
            )
        lines.append(
            Equation(
                say("core.formula.cell_candidate"),
                r"\tilde{c}_t = " + _applied(act, _gate_inputs(spec, "c")),
            )
        )
        lines.append(
            Equation(
                say("core.formula.gate", gate="o", meaning=say("core.gate.o")),
                rf"o_t = {_act(rec)}\left({_gate_inputs(spec, 'o')}\right)",
            )
        )
        lines.append(
            Equation(
                say("core.formula.cell_state"),
                r"c_t = f_t \odot c_{t-1} + i_t \odot \tilde{c}_t",
            )
        )
        if act in (None, "linear"):  # o_t ⊙ linear(c_t) = o_t ⊙ c_t
            h_of_c = r"\mathrm{linear}\left(c_t\right) = o_t \odot c_t"
        else:
            h_of_c = _applied(act, "c_t")
        lines.append(
            Equation(say("core.formula.hidden_state"), r"h_t = o_t \odot " + h_of_c)
        )
    else:
        for gate in ("z", "r"):
            lines.append(
                Equation(
                    say(
                        "core.formula.gate", gate=gate, meaning=say(f"core.gate.{gate}")
                    ),
                    rf"{gate}_t = {_act(rec)}\left({_gate_inputs(spec, gate)}\right)",
                )
            )
        after = say("core.formula.after" if spec.reset_after else "core.formula.before")
        lines.append(
            Equation(
                say(
                    "core.formula.gru_candidate",
                    reset_after=spec.reset_after,
                    after=after,
                ),
                r"\tilde{h}_t = " + _applied(act, _gru_candidate_inputs(spec)),
            )
        )
        lines.append(
            Equation(
                say("core.formula.gru_new"),
                r"h_t = z_t \odot h_{t-1} + (1 - z_t) \odot \tilde{h}_t",
            )
        )
    if spec.cell != "simple_rnn":
        columns = "W_{x,g}, W_{h,g}" + (", b_g" if spec.use_bias else "")
        lines.append(
            Equation(
                say(
                    "core.formula.odot",
                    columns=columns,
                    of="Wx, Wh" + (", b" if spec.use_bias else ""),
                ),
                r"u \odot v = \begin{bmatrix} u_1 v_1 & u_2 v_2 & \cdots "
                r"\end{bmatrix}",
            )
        )
    if spec.go_backwards:
        lines.append(
            Equation(
                say("core.formula.go_backwards"),
                r"\text{step } s \text{ reads } x_{T-1-s}",
            )
        )
    if spec.bidirectional:
        lines.append(
            Equation(
                say("core.formula.bidirectional"),
                r"\overrightarrow{h}_t \text{ reads } x_0, \ldots, x_t; \quad "
                r"\overleftarrow{h}_t \text{ reads } x_{T-1}, \ldots, x_t",
            )
        )
        lines.append(_merge_line(spec.merge_mode, language))
    return lines


def _merge_line(merge_mode: str | None, language: str = "en") -> Equation:
    forward, backward = r"\overrightarrow{h}_t", r"\overleftarrow{h}_t"
    formulas = {
        "concat": rf"\begin{{bmatrix}} {forward} & {backward} \end{{bmatrix}}",
        "sum": rf"{forward} + {backward}",
        "ave": rf"\tfrac{{1}}{{2}}\left({forward} + {backward}\right)",
        "mul": rf"{forward} \odot {backward}",
        None: rf"\left({forward},\ {backward}\right)",
    }
    label = text("core.formula.merge", language, mode=repr(merge_mode))
    return Equation(label, "y_t = " + formulas[merge_mode])


# --- one step with its numbers ------------------------------------------------------


def _check_index(name: str, value: object, count: int) -> int:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | np.integer)
        or not 0 <= value < count
    ):
        raise ValueError(
            f"Received an invalid value for `{name}`: expected an integer from 0 to "
            f"{count - 1}; got {value!r}."
        )
    return int(value)


def _check_direction(spec: LayerSpec, direction: str | None) -> str:
    if direction is None:
        return spec.directions[0]
    if not isinstance(direction, str) or direction not in spec.directions:
        allowed = ", ".join(repr(d) for d in spec.directions)
        raise ValueError(
            f"Received an invalid value for `direction`: expected one of {allowed} "
            f"(or None) for this layer; got {direction!r}."
        )
    return direction


def step_equations(
    trace: Trace,
    step: int,
    batch_index: int = 0,
    direction: str | None = None,
    max_entries: int = 6,
    language: str = "en",
) -> list[Equation]:
    """Processing step `step` of one direction, filled in with the trace's numbers.

    x_t (and which input timestep it reads), x_t·Wx, h_{t-1}, h_{t-1}·Wh, the biases,
    the pre-activation and the activation (SimpleRNN) or each gate (LSTM, GRU), c_t
    (LSTM) and h_t; then h_t (and c_t) as the NumPy run and the Keras cell produced
    them, and their difference. A masked step adds a line saying the state is carried
    over. Values come from the NumPy intermediates (`trace.step_parts`), except the
    lines marked Keras.

    Args:
        trace: what `rnn_core.trace` returned.
        step: processing step s, 0 to timesteps − 1 (reads input timestep
            `trace.time_index[direction][step]`).
        batch_index: which item of the batch.
        direction: "forward" or "backward" (Bidirectional); the layer's own
            direction if None.
        max_entries: at most this many entries of each vector are written out.
        language: "en" or "es", for the labels (the LaTeX is the same).

    Returns:
        The equations in reading order.
    """
    spec = trace.spec
    batch, timesteps, _ = trace.x.shape
    direction = _check_direction(spec, direction)
    step = _check_index("step", step, timesteps)
    batch_index = _check_index("batch_index", batch_index, batch)
    if (
        isinstance(max_entries, bool)
        or not isinstance(max_entries, int)
        or max_entries < 1
    ):
        raise ValueError(
            "Received an invalid value for `max_entries`: expected a positive "
            f"integer; got {max_entries!r}."
        )

    def vec(values: np.ndarray) -> str:
        return format_vector(values, max_entries)

    def say(message_id: str, **fields: object) -> str:
        return text(message_id, language, **fields)

    parts = trace.step_parts(direction, batch_index)  # name -> (timesteps, ...)
    at = {name: value[step] for name, value in parts.items()}  # name -> (width,)
    prefix = f"{direction}/" if spec.bidirectional else ""
    weights = trace.weights
    t = int(trace.time_index[direction][step])
    x_t = trace.x[batch_index, t]  # (features,)

    reading = say("core.step.reading", step=step, t=t)
    if spec.bidirectional:
        reading = say(
            "core.step.reading_direction",
            direction=say(f"core.direction.{direction}"),
            reading=reading,
        )
    elif spec.go_backwards:
        reading = say("core.step.reading_backwards", reading=reading)
    initial = say("core.step.initial") if step == 0 else ""
    gates = (
        ""
        if spec.cell == "simple_rnn"
        else say("core.step.gate_blocks", gates=_gate_list(spec))
    )
    lines = [
        Equation(
            say("core.step.x", reading=reading),
            rf"\text{{step }} {step}:\ x_t = x_{{{t}}} = {vec(x_t)}",
        ),
        Equation(f"x_t · Wx{gates}", rf"x_t W_x = {vec(at['x_Wx'])}"),
        Equation(f"h_(t-1){initial}", rf"h_{{t-1}} = {vec(at['h_prev'])}"),
    ]
    if spec.cell == "lstm":
        lines.append(Equation(f"c_(t-1){initial}", rf"c_{{t-1}} = {vec(at['c_prev'])}"))
    lines.append(
        Equation(f"h_(t-1) · Wh{gates}", rf"h_{{t-1}} W_h = {vec(at['h_Wh'])}")
    )
    if spec.use_bias:
        if spec.cell == "gru" and spec.reset_after:
            lines.append(
                Equation(say("core.step.bx"), rf"b_x = {vec(weights[prefix + 'bx'])}")
            )
            lines.append(
                Equation(say("core.step.bh"), rf"b_h = {vec(weights[prefix + 'bh'])}")
            )
        else:
            lines.append(Equation(f"b{gates}", rf"b = {vec(weights[prefix + 'b'])}"))

    if spec.cell == "simple_rnn":
        lines.append(
            Equation(
                say("core.step.pre"),
                _chain("a_t", _simple_rnn_inputs(spec), vec(at["pre"])),
            )
        )
        lines.append(
            Equation(
                say("core.step.activation", name=spec.activation_name),
                _chain("h_t", _applied(spec.activation, "a_t"), vec(at["h"])),
            )
        )
    elif spec.cell == "lstm":
        lines += _lstm_lines(spec, at, vec, language)
    else:
        lines += _gru_lines(spec, at, vec, language)

    masked = trace.mask is not None and not bool(trace.mask[batch_index, t])
    if masked:
        carried = r"h_t = h_{t-1}" + (
            r",\ c_t = c_{t-1}" if spec.cell == "lstm" else ""
        )
        if spec.bidirectional and spec.return_sequences:
            output_note = say("core.step.masked_zeros")
        else:
            output_note = say("core.step.masked_repeat")
        lines.append(
            Equation(
                say("core.step.masked", item=batch_index, t=t, note=output_note),
                rf"\text{{mask}}[{batch_index}, {t}] = \text{{False}} \Rightarrow "
                + carried,
            )
        )

    for state in spec.state_names:
        key = prefix + state
        manual = trace.manual_states[key][batch_index, step]  # (units,)
        keras = trace.keras_states[key][batch_index, step]  # (units,)
        residual = trace.residuals[key][batch_index, step]  # (units,)
        finite = residual[np.isfinite(residual)]
        largest = float(np.abs(finite).max()) if finite.size else math.nan
        difference = rf"{state}_t^{{\text{{NumPy}}}} - {state}_t^{{\text{{Keras}}}}"
        lines += [
            Equation(
                f"{state}_t (NumPy)", rf"{state}_t^{{\text{{NumPy}}}} = {vec(manual)}"
            ),
            Equation(
                f"{state}_t (Keras)", rf"{state}_t^{{\text{{Keras}}}} = {vec(keras)}"
            ),
            Equation(
                say("core.step.difference", state=state),
                r"\begin{aligned} "
                rf"{difference} &= "
                + format_vector(residual, max_entries, format_scientific)
                + rf" \\ \max_k \left\lvert {difference} \right\rvert &= "
                + format_scientific(largest)
                + r" \end{aligned}",
            ),
        ]
    return lines


def _chain(symbol: str, *steps: str) -> str:
    """`symbol = step_1 = step_2 ...`, one step per line (KaTeX `aligned`)."""
    rows = [rf"{symbol} &= {steps[0]}"] + [rf"&= {step}" for step in steps[1:]]
    return r"\begin{aligned} " + r" \\ ".join(rows) + r" \end{aligned}"


def _gate_list(spec: LayerSpec) -> str:
    return ", ".join(spec.gate_names)


def _lstm_lines(
    spec: LayerSpec,
    at: dict[str, np.ndarray],
    vec: Callable[[np.ndarray], str],
    language: str = "en",
) -> list[Equation]:
    units = spec.units
    pre = {
        gate: at["pre"][k * units : (k + 1) * units]  # (units,)
        for k, gate in enumerate(spec.gate_names)
    }
    rec, act = _act(spec.recurrent_activation), _act(spec.activation)
    lines = []
    for gate in ("i", "f", "c", "o"):
        if gate == "c":
            symbol, value, function = r"\tilde{c}_t", at["c_tilde"], act
            label = text("core.formula.cell_candidate", language)
        else:
            symbol, value, function = f"{gate}_t", at[gate], rec
            meaning = text(f"core.gate.{gate}", language)
            label = text("core.formula.gate", language, gate=gate, meaning=meaning)
        lines.append(
            Equation(
                label,
                _chain(
                    symbol,
                    rf"{function}\left({_gate_inputs(spec, gate)}\right)",
                    rf"{function}\left({vec(pre[gate])}\right)",
                    vec(value),
                ),
            )
        )
    lines.append(
        Equation(
            text("core.formula.cell_state", language),
            _chain("c_t", r"f_t \odot c_{t-1} + i_t \odot \tilde{c}_t", vec(at["c"])),
        )
    )
    lines.append(
        Equation(
            text("core.formula.hidden_state", language),
            _chain("h_t", rf"o_t \odot {act}\left(c_t\right)", vec(at["h"])),
        )
    )
    return lines


def _gru_lines(
    spec: LayerSpec,
    at: dict[str, np.ndarray],
    vec: Callable[[np.ndarray], str],
    language: str = "en",
) -> list[Equation]:
    rec, act = _act(spec.recurrent_activation), _act(spec.activation)
    lines = []
    for gate in ("z", "r"):
        meaning = text(f"core.gate.{gate}", language)
        lines.append(
            Equation(
                text("core.formula.gate", language, gate=gate, meaning=meaning),
                _chain(
                    f"{gate}_t",
                    rf"{rec}\left({_gate_inputs(spec, gate)}\right)",
                    rf"{rec}\left({vec(at['pre_' + gate])}\right)",
                    vec(at[gate]),
                ),
            )
        )
    if spec.reset_after:
        inner = r"h_{t-1} W_{h,h}" + (r" + b_{h,h}" if spec.use_bias else "")
        recurrent = rf"r_t \odot \left({inner}\right)"
        label = text("core.step.reset_after", language)
    else:
        recurrent = r"\left(r_t \odot h_{t-1}\right) W_{h,h}"
        label = text("core.step.reset_before", language)
    lines.append(Equation(label, rf"{recurrent} = {vec(at['recurrent_h'])}"))
    lines.append(
        Equation(
            text("core.step.gru_candidate", language),
            _chain(
                r"\tilde{h}_t",
                rf"{act}\left({_gru_candidate_inputs(spec)}\right)",
                rf"{act}\left({vec(at['pre_h'])}\right)",
                vec(at["h_tilde"]),
            ),
        )
    )
    lines.append(
        Equation(
            text("core.step.gru_new", language),
            _chain(
                "h_t",
                r"z_t \odot h_{t-1} + (1 - z_t) \odot \tilde{h}_t",
                vec(at["h"]),
            ),
        )
    )
    return lines


# --- spectral radius of the recurrent weights ---------------------------------------


def spectral_radius(matrix: np.ndarray) -> float:
    """The largest |eigenvalue| of a square matrix, computed in float64.

    Returns NaN when the matrix holds NaN or infinity.

    Raises:
        ValueError: `matrix` is not a non-empty square 2-D array.
    """
    array = np.asarray(matrix, dtype=np.float64)
    if array.ndim != 2 or array.shape[0] != array.shape[1] or array.size == 0:
        raise ValueError(
            "Received an invalid value for `matrix`: expected a non-empty square "
            f"2-D array; got shape {array.shape}."
        )
    if not np.isfinite(array).all():
        return math.nan
    return float(np.max(np.abs(np.linalg.eigvals(array))))


def recurrent_spectral_radii(
    spec: LayerSpec, weights: Sequence[np.ndarray]
) -> dict[str, float]:
    """The spectral radius of each square block of the recurrent weights.

    Keys are `name_weights` names: "Wh" (SimpleRNN), "Wh_i", "Wh_f", "Wh_c", "Wh_o"
    (LSTM), "Wh_z", "Wh_r", "Wh_h" (GRU), prefixed "forward/" or "backward/" for
    Bidirectional. Each block is (units, units).

    Args:
        spec: the layer.
        weights: arrays as `layer.get_weights()`.
    """
    named = name_weights(spec, weights)
    radii: dict[str, float] = {}
    for direction in spec.directions:
        prefix = f"{direction}/" if spec.bidirectional else ""
        if spec.cell == "simple_rnn":
            keys = [prefix + "Wh"]
        else:
            keys = [f"{prefix}Wh_{gate}" for gate in spec.gate_names]
        for key in keys:
            radii[key] = spectral_radius(named[key])
    return radii


def spectral_note(radius: float, activation: str | None, language: str = "en") -> str:
    """One line for students on what a recurrent spectral radius means.

    Args:
        radius: the spectral radius ρ of a recurrent weight block.
        activation: the activation applied after it (None means linear): for a
            SimpleRNN `spec.activation`; for a gate, `spec.recurrent_activation`.
        language: "en" or "es".
    """
    radius = float(radius)
    name = "linear" if activation is None else activation
    if math.isnan(radius):
        return text("core.spectral.nan", language)
    shown = f"ρ = {radius:.3g}"
    if radius < 1 - NEAR_ONE:
        return text("core.spectral.below", language, shown=shown)
    if radius <= 1 + NEAR_ONE:
        return text("core.spectral.near", language, shown=shown)
    if name in BOUNDED_ACTIVATIONS:
        return text("core.spectral.bounded", language, shown=shown, name=name)
    return text("core.spectral.unbounded", language, shown=shown, name=name)


# --- return_sequences × return_state × go_backwards ---------------------------------


@dataclass(frozen=True)
class OutputCombination:
    """What one combination of the output flags makes the real Keras layer return.

    `equalities` lists only relations verified on the arrays (exactly, bit for bit),
    e.g. "output[:, -1] == state_h".
    """

    return_sequences: bool
    return_state: bool
    go_backwards: bool
    keras_code: str  # e.g. 'keras.layers.SimpleRNN(4, return_state=True)'
    names: tuple[str, ...]  # e.g. ("output", "state_h")
    shapes: tuple[tuple[int, ...], ...]  # one per name
    equalities: tuple[str, ...]


def flag_explanations(language: str = "en") -> dict[str, str]:
    """One line for each of return_sequences, return_state and go_backwards."""
    return {
        flag: text(f"core.flag.{flag}", language)
        for flag in ("return_sequences", "return_state", "go_backwards")
    }


def _output_views(
    spec: LayerSpec, name: str, array: np.ndarray
) -> list[tuple[str, np.ndarray]]:
    """Slices of one returned output worth comparing with a state: the first and
    last timestep of a sequence, and each direction's half of a concat output."""
    views: list[tuple[str, np.ndarray]] = []
    if spec.return_sequences:
        picks = [(":, -1", array[:, -1]), (":, 0", array[:, 0])]  # (batch, width)
    else:
        picks = [("", array)]  # (batch, width)
    halves = spec.bidirectional and spec.merge_mode == "concat"
    for index, picked in picks:
        views.append((f"{name}[{index}]" if index else name, picked))
        if halves:
            lead = f"{index}, " if index else ":, "
            views.append((f"{name}[{lead}:units]", picked[..., : spec.units]))
            views.append((f"{name}[{lead}units:]", picked[..., spec.units :]))
    return views


def _state_targets(
    spec: LayerSpec, arrays: dict[str, np.ndarray]
) -> list[tuple[str, np.ndarray]]:
    """The returned states, and for Bidirectional the merges of the two final h."""
    targets = [(name, a) for name, a in arrays.items() if "state_" in name]
    if spec.bidirectional and "forward_state_h" in arrays:
        forward, backward = arrays["forward_state_h"], arrays["backward_state_h"]
        targets += [
            ("forward_state_h + backward_state_h", forward + backward),
            ("(forward_state_h + backward_state_h) / 2", (forward + backward) / 2),
            ("forward_state_h * backward_state_h", forward * backward),
        ]
    return targets


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.array_equal(a, b, equal_nan=True))


def output_combinations(
    spec: LayerSpec, x: np.ndarray, weights: Sequence[np.ndarray]
) -> list[OutputCombination]:
    """Run every return_sequences × return_state × go_backwards through real Keras.

    Each combination is `spec.replace(...)` with the same weights and input
    (go_backwards stays False for Bidirectional, which refuses it). Equalities are
    chosen from systematically generated candidates and listed only when they hold
    exactly on the arrays Keras returned:
    - an output slice (last or first timestep; each half of a concat) against each
      returned state, and for Bidirectional against the sum, mean and product of the
      two final h;
    - without return_sequences: the output against slices of the same layer's
      return_sequences=True output;
    - under go_backwards: each array against the go_backwards=False layer run on
      x[:, ::-1] (it is the same computation), and a sequence reversed against the
      go_backwards=False sequence on x (which holds only when T = 1).

    Loads TensorFlow on first use.

    Args:
        spec: the layer; its three flags are replaced.
        x: input (batch, timesteps, features).
        weights: arrays as `layer.get_weights()`.
    """
    from rnn_core import keras_forward  # loads TensorFlow on first use

    x = check_x(x)  # (batch, timesteps, features) float32
    check_input_shape(*x.shape)
    go_backwards_options = (False,) if spec.bidirectional else (False, True)
    flags = [
        (rs, rst, gb)
        for rs in (False, True)
        for rst in (False, True)
        for gb in go_backwards_options
    ]
    returned: dict[tuple[bool, bool, bool], dict[str, np.ndarray]] = {}
    specs: dict[tuple[bool, bool, bool], LayerSpec] = {}
    for rs, rst, gb in flags:
        combo = spec.replace(return_sequences=rs, return_state=rst, go_backwards=gb)
        result = keras_forward(combo, weights, x)
        arrays = result if isinstance(result, tuple) else (result,)
        specs[rs, rst, gb] = combo
        returned[rs, rst, gb] = dict(zip(output_names(combo), arrays, strict=True))
    reversed_runs: dict[tuple[bool, bool], dict[str, np.ndarray]] = {}
    if not spec.bidirectional:
        x_reversed = np.ascontiguousarray(x[:, ::-1])  # (batch, timesteps, features)
        for rs, rst, _ in flags:
            forward_spec = specs[rs, rst, False]
            result = keras_forward(forward_spec, weights, x_reversed)
            arrays = result if isinstance(result, tuple) else (result,)
            reversed_runs[rs, rst] = dict(
                zip(output_names(forward_spec), arrays, strict=True)
            )

    combinations = []
    for rs, rst, gb in flags:
        combo = specs[rs, rst, gb]
        arrays = returned[rs, rst, gb]
        outputs = [(n, a) for n, a in arrays.items() if "state_" not in n]
        equalities: list[str] = []
        # Within the combination: output slices against the states.
        for name, array in outputs:
            for view_name, view in _output_views(combo, name, array):
                for target_name, target in _state_targets(combo, arrays):
                    if _same(view, target):
                        equalities.append(f"{view_name} == {target_name}")
        # The output without return_sequences against the sequence's slices.
        if not rs:
            sequences = returned[True, rst, gb]
            sequence_spec = specs[True, rst, gb]
            for name, array in outputs:
                for view_name, view in _output_views(combo, name, array):
                    for other_name, other in _output_views(
                        sequence_spec, name, sequences[name]
                    ):
                        if _same(view, other):
                            equalities.append(
                                f"{view_name} == {other_name} of return_sequences=True"
                            )
        # go_backwards: the forward layer on the time-reversed input, and the
        # tempting but wrong "the forward sequence, flipped".
        if gb:
            forward_on_reversed = reversed_runs[rs, rst]
            forward = returned[rs, rst, False]
            for name, array in arrays.items():
                if _same(array, forward_on_reversed[name]):
                    equalities.append(
                        f"{name} == {name} of go_backwards=False on x[:, ::-1]"
                    )
            if rs:
                for name, array in outputs:
                    if _same(array[:, ::-1], forward[name]):
                        equalities.append(
                            f"{name}[:, ::-1] == {name} of go_backwards=False on x"
                        )
        combinations.append(
            OutputCombination(
                return_sequences=rs,
                return_state=rst,
                go_backwards=gb,
                keras_code=combo.keras_code(),
                names=tuple(arrays),
                shapes=tuple(tuple(int(n) for n in a.shape) for a in arrays.values()),
                equalities=tuple(dict.fromkeys(equalities)),
            )
        )
    return combinations
