"""The seed notebook's story, step by step: its cases and the numbers it checks.

The app's walkthrough page tells the notebook's story with live numbers; everything
it shows is computed here from `Trace`s of the cases below, never in the page:

1. `SimpleRNN(4, activation=None)` on a random (32, 1, 8) input ("basic");
2. the same layer with `return_state=True` ("return_state");
3. `return_sequences=True` on (32, 5, 8) ("return_sequences");
4. the same with the default tanh activation ("tanh").

Every case uses the same weights seed, so cases 3 and 4 share their weights and
differ only in the activation. NumPy only: never imports TensorFlow or Streamlit.
"""

from __future__ import annotations

import numpy as np

from rnn_core.activations import get_activation, latex_name
from rnn_core.explain import format_number, format_vector
from rnn_core.notebook import NOTEBOOK_CASES, NotebookCase
from rnn_core.spec import LayerSpec
from rnn_core.trace import Trace

__all__ = [
    "SEED",
    "WALK_CASES",
    "by_hand_first_step",
    "first_step_gap",
    "first_step_latex",
    "keras_first_step",
    "matrix_latex",
    "outputs_identical",
    "unit_sum_latex",
]

SEED = 0  # of the inputs and of the weights of every case
WALK_CASES: dict[str, NotebookCase] = {
    **{case.key: case for case in NOTEBOOK_CASES},
    "tanh": NotebookCase(
        "tanh",
        "return_sequences=True with the default tanh activation",
        LayerSpec(units=4, return_sequences=True),
        (32, 5, 8),
    ),
}

# The notebook's computation by hand, as the walkthrough shows it (code, not run here).
BY_HAND_CODE = (
    "h0 = np.zeros(4)\nby_hand = np.dot(x, Wx) + np.dot(h0, Wh) + b  # (32, 1, 4)"
)


def _check_simple(trace: Trace) -> None:
    spec = trace.spec
    if spec.cell != "simple_rnn" or spec.bidirectional or spec.go_backwards:
        raise ValueError(
            "The walkthrough's checks are for a one-directional SimpleRNN read "
            f"forwards; got {spec.keras_code()}."
        )


def matrix_latex(array: np.ndarray, digits: int = 4) -> str:
    """A 1-D (one row) or 2-D array as a LaTeX bmatrix, `digits` significant digits."""
    matrix = np.atleast_2d(np.asarray(array))  # (rows, columns)
    rows = [" & ".join(format_number(v, digits) for v in row) for row in matrix]
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"


def by_hand_first_step(trace: Trace) -> np.ndarray:
    """The first step as the notebook computes it: act(x[:, 0]·Wx + h0·Wh + b).

    Written out with NumPy on the trace's weights, h0 = 0; (batch, units).
    """
    _check_simple(trace)
    weights = trace.weights
    batch = trace.x.shape[0]
    h0 = np.zeros((batch, trace.spec.units), np.float32)  # the initial state
    pre = trace.x[:, 0, :] @ weights["Wx"] + h0 @ weights["Wh"]  # (batch, units)
    if "b" in weights:
        pre = pre + weights["b"]
    return get_activation(trace.spec.activation)(pre)


def keras_first_step(trace: Trace) -> np.ndarray:
    """The first step as the Keras layer returned it, (batch, units).

    That is `output[:, 0]` with return_sequences, else `output` (the input then has
    a single timestep).
    """
    keras_output = trace.keras_outputs[0]
    if trace.spec.return_sequences:
        return keras_output[:, 0]
    if trace.x.shape[1] != 1:
        raise ValueError(
            "Without return_sequences Keras returns only the last step; the first "
            "step is in the output only when there is one timestep."
        )
    return keras_output


def first_step_gap(trace: Trace) -> float:
    """max |by hand − Keras| of the first step over the batch and the units."""
    by_hand = by_hand_first_step(trace).astype(np.float64)  # (batch, units)
    return float(np.abs(by_hand - keras_first_step(trace)).max())


def outputs_identical(trace: Trace, first: str, second: str) -> bool:
    """Whether two arrays Keras returned are equal bit for bit (output, state_h)."""
    arrays = dict(zip(trace.output_names, trace.keras_outputs, strict=True))
    a, b = arrays[first], arrays[second]
    return a.shape == b.shape and bool(np.array_equal(a, b))


def first_step_latex(trace: Trace, batch_index: int = 0) -> dict[str, str]:
    """The first step of one batch item, filled in with its numbers (LaTeX).

    Keys: "x" (x_1), "x_Wx", "h_prev" (h_0 = 0), "h_Wh", "b", "pre" (their sum),
    "h" (after the activation, NumPy), "keras" (the same h from Keras).
    """
    _check_simple(trace)
    parts = trace.step_parts(batch_index=batch_index)  # name -> (timesteps, ...)
    at = {name: value[0] for name, value in parts.items()}  # name -> (units,)
    units = trace.spec.units
    keras = keras_first_step(trace)[batch_index]  # (units,)
    act = trace.spec.activation_name

    def vec(values: np.ndarray) -> str:
        return format_vector(values, max_entries=max(units, trace.x.shape[2]))

    lines = {
        "x": rf"x_1 = {vec(trace.x[batch_index, 0])}",
        "x_Wx": rf"x_1 W_x = {vec(at['x_Wx'])}",
        "h_prev": rf"h_0 = {vec(at['h_prev'])}",
        "h_Wh": rf"h_0 W_h = {vec(at['h_Wh'])}",
    }
    if "b" in trace.weights:
        lines["b"] = rf"b = {vec(trace.weights['b'])}"
    lines["pre"] = rf"a_1 = x_1 W_x + h_0 W_h + b = {vec(at['pre'])}"
    if act == "linear":
        lines["h"] = rf"h_1 = a_1 = {vec(at['h'])}"
    else:
        lines["h"] = rf"h_1 = {latex_name(act)}(a_1) = {vec(at['h'])}"
    lines["keras"] = rf"h_1^{{\text{{Keras}}}} = {vec(keras)}"
    return lines


def unit_sum_latex(trace: Trace, unit: int = 0, batch_index: int = 0) -> str:
    """One unit's pre-activation at the first step, term by term (LaTeX).

    a_1[k] = x_1[0]·Wx[0, k] + ... + x_1[F−1]·Wx[F−1, k] + b[k] (h_0 = 0 adds
    nothing), equal to the NumPy run's value shown at the end.
    """
    _check_simple(trace)
    if not 0 <= unit < trace.spec.units:
        raise ValueError(
            f"Received an invalid value for `unit`: expected 0 to "
            f"{trace.spec.units - 1}; got {unit!r}."
        )
    x1 = trace.x[batch_index, 0]  # (features,)
    column = trace.weights["Wx"][:, unit]  # (features,)
    terms = [
        rf"{format_number(x, 3)} \cdot ({format_number(w, 3)})"
        for x, w in zip(x1, column, strict=True)
    ]
    if "b" in trace.weights:
        terms.append(f"({format_number(trace.weights['b'][unit], 3)})")
    pre = trace.step_parts(batch_index=batch_index)["pre"][0, unit]
    rows = [
        rf"a_1[{unit}] &= {' + '.join(terms[:4])}",
        *(rf"&\quad + {' + '.join(terms[k : k + 4])}" for k in range(4, len(terms), 4)),
        rf"&= {format_number(pre)}",
    ]
    return r"\begin{aligned} " + r" \\ ".join(rows) + r" \end{aligned}"
