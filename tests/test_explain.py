"""rnn_core.explain: formulas, one step with its real numbers, spectral radii, and the
output flag combinations checked against the real Keras layer."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import math
import re

import numpy as np
import pytest

from rnn_core import LayerSpec, describe_output, keras_forward, name_weights, trace
from rnn_core.explain import (
    Equation,
    flag_explanations,
    format_number,
    format_scientific,
    format_vector,
    formula_lines,
    output_combinations,
    recurrent_spectral_radii,
    spectral_note,
    spectral_radius,
    step_equations,
)
from rnn_core.manual import output_names
from rnn_core.spec import ACTIVATIONS
from tests.arrays import random_normal as _random
from tests.arrays import random_weights as _weights

TOL = 1e-5


def entries(latex: str, which: int = -1) -> list[str]:
    """The cells of the `which`-th bmatrix of a LaTeX string."""
    matrices = re.findall(r"\\begin\{bmatrix\} (.*?) \\end\{bmatrix\}", latex)
    return [cell.strip() for cell in matrices[which].split("&")]


def formatted(values: np.ndarray) -> list[str]:
    return [format_number(v) for v in np.asarray(values).ravel()]


def by_label(equations: list[Equation], start: str) -> Equation:
    found = [e for e in equations if e.label.startswith(start)]
    assert len(found) == 1, (start, [e.label for e in equations])
    return found[0]


# --- number formatting ---------------------------------------------------------------


def test_numbers_have_four_significant_digits_and_readable_specials():
    assert format_number(0.123456) == "0.1235"
    assert format_number(-2.0) == "-2"
    assert format_number(1234567.0) == r"1.235 \times 10^{6}"
    assert format_number(1.5e-7) == r"1.5 \times 10^{-7}"
    assert format_number(float("nan")) == r"\mathrm{NaN}"
    assert format_number(float("inf")) == r"\infty"
    assert format_number(-np.inf) == r"-\infty"
    assert format_scientific(1.192e-7) == r"1.19 \times 10^{-7}"
    assert format_scientific(0.0) == "0"
    assert format_scientific(float("nan")) == r"\mathrm{NaN}"


def test_vectors_show_at_most_max_entries():
    short = format_vector(np.array([1.0, 2.0, 3.0]), max_entries=6)
    assert short == r"\begin{bmatrix} 1 & 2 & 3 \end{bmatrix}"
    long = format_vector(np.arange(10, dtype=np.float32), max_entries=4)
    assert entries(long) == ["0", "1", "2", "3", r"\cdots"]
    assert r"\text{(first 4 of 10)}" in long


# --- formulas ------------------------------------------------------------------------


def test_simple_rnn_formula_names_the_activation():
    (line,) = formula_lines(LayerSpec(activation="relu"))
    assert line.latex == r"h_t = \mathrm{relu}\left(x_t W_x + h_{t-1} W_h + b\right)"
    (tanh,) = formula_lines(LayerSpec())
    assert tanh.latex.startswith(r"h_t = \tanh\left(")
    (linear,) = formula_lines(LayerSpec(activation=None))
    assert r"\mathrm{linear}" in linear.latex
    assert linear.latex.endswith(r"= x_t W_x + h_{t-1} W_h + b")
    (no_bias,) = formula_lines(LayerSpec(use_bias=False))
    assert "b" not in no_bias.latex.replace(r"\tanh", "")


def test_every_allowed_activation_is_written_by_name():
    for name in ACTIVATIONS:
        (line,) = formula_lines(LayerSpec(activation=name))
        if name == "linear":
            assert r"\mathrm{linear}" in line.latex
        elif name not in ("tanh", "sigmoid"):
            assert name.replace("_", r"\_") in line.latex, name


def test_lstm_formulas_mention_every_gate():
    lines = formula_lines(LayerSpec(cell="lstm", recurrent_activation="hard_sigmoid"))
    text = "\n".join(e.latex for e in lines)
    for gate in ("i", "f", "c", "o"):
        assert f"W_{{x,{gate}}}" in text, gate
        assert f"W_{{h,{gate}}}" in text, gate
        assert f"b_{{{gate}}}" in text, gate
    assert r"i_t = \mathrm{hard\_sigmoid}" in text
    assert r"\tilde{c}_t = \tanh" in text
    assert r"c_t = f_t \odot c_{t-1} + i_t \odot \tilde{c}_t" in text
    assert r"h_t = o_t \odot \tanh\left(c_t\right)" in text
    no_bias = "\n".join(
        e.latex for e in formula_lines(LayerSpec("lstm", use_bias=False))
    )
    assert "b_" not in no_bias


def test_gru_formulas_differ_exactly_by_reset_after():
    after = "\n".join(e.latex for e in formula_lines(LayerSpec(cell="gru")))
    before = "\n".join(
        e.latex for e in formula_lines(LayerSpec(cell="gru", reset_after=False))
    )
    for text in (after, before):
        for gate in ("z", "r", "h"):
            assert f"W_{{x,{gate}}}" in text, gate
            assert f"W_{{h,{gate}}}" in text, gate
        # Keras' update: z keeps the old state.
        assert r"h_t = z_t \odot h_{t-1} + (1 - z_t) \odot \tilde{h}_t" in text
    # reset_after=True: two biases per gate, r applied after the recurrent matmul.
    assert r"r_t \odot \left(h_{t-1} W_{h,h} + b_{h,h}\right)" in after
    assert (
        r"z_t = \sigma\left(x_t W_{x,z} + b_{x,z} + h_{t-1} W_{h,z} + b_{h,z}" in after
    )
    # reset_after=False: one bias, r applied to h_{t-1} before the matmul.
    assert r"\left(r_t \odot h_{t-1}\right) W_{h,h} + b_{h}" in before
    assert "b_{x," not in before
    assert "b_{h,z}" not in before


def test_reading_order_and_merge_lines():
    backwards = formula_lines(LayerSpec(go_backwards=True))
    assert any("T-1-s" in e.latex for e in backwards)
    merges = {
        "concat": r"\begin{bmatrix} \overrightarrow{h}_t & \overleftarrow{h}_t",
        "sum": r"\overrightarrow{h}_t + \overleftarrow{h}_t",
        "ave": r"\tfrac{1}{2}",
        "mul": r"\overrightarrow{h}_t \odot \overleftarrow{h}_t",
        None: r"\left(\overrightarrow{h}_t,\ \overleftarrow{h}_t\right)",
    }
    for mode, expected in merges.items():
        lines = formula_lines(LayerSpec(bidirectional=True, merge_mode=mode))
        assert expected in lines[-1].latex, mode
        assert f"merge_mode={mode!r}" in lines[-1].label


def test_flag_explanations():
    texts = flag_explanations()
    assert set(texts) == {"return_sequences", "return_state", "go_backwards"}
    assert "last timestep" in texts["return_sequences"]
    assert "not the last layer" in texts["return_sequences"]
    assert "state_c" in texts["return_state"]
    assert "reversed in time" in texts["go_backwards"]


# --- spectral radius -----------------------------------------------------------------


def test_spectral_radius_of_a_scaled_rotation():
    angle = 0.7
    rotation = np.array(
        [[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]]
    )
    matrix = 0.5 * rotation  # eigenvalues 0.5·e^{±i·0.7}
    assert spectral_radius(matrix) == pytest.approx(0.5, abs=1e-12)
    assert spectral_radius(matrix) == float(np.max(np.abs(np.linalg.eigvals(matrix))))
    random = _random((5, 5), seed=3)
    assert spectral_radius(random) == pytest.approx(
        np.max(np.abs(np.linalg.eigvals(random.astype(np.float64)))), rel=1e-12
    )


def test_spectral_radius_refuses_non_square_and_tolerates_nan():
    with pytest.raises(ValueError, match=r"`matrix`.*square"):
        spectral_radius(np.ones((2, 3)))
    with pytest.raises(ValueError, match="`matrix`"):
        spectral_radius(np.ones(4))
    assert math.isnan(spectral_radius(np.array([[np.nan, 0.0], [0.0, 1.0]])))
    assert math.isnan(spectral_radius(np.array([[np.inf]])))


@pytest.mark.parametrize(
    ("spec", "keys"),
    [
        (LayerSpec(units=3), ["Wh"]),
        (LayerSpec(cell="lstm", units=3), ["Wh_i", "Wh_f", "Wh_c", "Wh_o"]),
        (LayerSpec(cell="gru", units=3, use_bias=False), ["Wh_z", "Wh_r", "Wh_h"]),
        (
            LayerSpec(cell="gru", units=3, bidirectional=True),
            [f"{d}/Wh_{g}" for d in ("forward", "backward") for g in "zrh"],
        ),
        (LayerSpec(units=3, bidirectional=True), ["forward/Wh", "backward/Wh"]),
    ],
)
def test_recurrent_spectral_radii_use_the_weight_names(spec, keys):
    weights = _weights(spec, features=2)
    radii = recurrent_spectral_radii(spec, weights)
    assert list(radii) == keys
    named = name_weights(spec, weights)
    for key, radius in radii.items():
        block = named[key]
        assert block.shape == (3, 3)
        assert radius == spectral_radius(block)


def test_spectral_notes():
    assert "vanishing" in spectral_note(0.5, "tanh")
    assert "fades" in spectral_note(0.5, None)
    assert "≈ 1" in spectral_note(1.0, "tanh")
    exploding = spectral_note(1.8, "relu")
    assert "without bound" in exploding
    assert "exploding" in exploding
    assert "without bound" in spectral_note(1.8, None)  # linear
    saturating = spectral_note(1.8, "tanh")
    assert "saturate" in saturating
    assert "without bound" not in saturating
    assert "saturate" in spectral_note(1.8, "sigmoid")
    assert "undefined" in spectral_note(float("nan"), "tanh")
    for note in (exploding, saturating):
        assert "\n" not in note


# --- one step with its numbers (real Keras) ------------------------------------------


@pytest.mark.keras
def test_notebook_case_pre_activation_equals_h_t():
    """SimpleRNN(4, activation=None) on (32, 1, 8): h_t is the pre-activation."""
    spec = LayerSpec(units=4, activation=None)
    x = np.random.default_rng(0).random((32, 1, 8)).astype(np.float32)
    t = trace(spec, x, seed=0)
    equations = step_equations(t, step=0, batch_index=5)
    pre = by_label(equations, "pre-activation")
    numpy_h = by_label(equations, "h_t (NumPy)")
    keras_h = by_label(equations, "h_t (Keras)")
    assert entries(pre.latex) == entries(numpy_h.latex)
    assert entries(numpy_h.latex) == formatted(t.manual_states["h"][5, 0])
    assert entries(keras_h.latex) == formatted(t.keras_states["h"][5, 0])
    assert r"\mathrm{linear}" in by_label(equations, "activation").latex
    x_line = by_label(equations, "x_t:")
    assert "step 0 reads input timestep 0" in x_line.label
    assert entries(x_line.latex) == [*formatted(x[5, 0, :6]), r"\cdots"]
    assert r"\text{(first 6 of 8)}" in x_line.latex
    # h_{t-1} is the zero initial state, and b is Keras' zero bias.
    assert by_label(equations, "h_(t-1) (the initial state)")
    assert entries(by_label(equations, "h_(t-1) ·").latex) == ["0"] * 4
    assert entries(by_label(equations, "b").latex) == formatted(t.weights["b"])
    difference = by_label(equations, "h_t: NumPy − Keras").latex
    assert entries(difference) == [format_scientific(v) for v in t.residuals["h"][5, 0]]
    assert r"\max_k" in difference


@pytest.mark.keras
def test_lstm_step_under_go_backwards_with_a_mask():
    spec = LayerSpec(cell="lstm", units=3, go_backwards=True, return_sequences=True)
    x = _random((2, 5, 4), seed=1)
    mask = np.ones((2, 5), bool)
    mask[1, 3] = False
    t = trace(spec, x, _weights(spec, 4, seed=2), mask=mask)
    assert t.max_abs_residual < TOL
    parts = t.step_parts("backward", 1)
    step = 1  # reads input timestep 5 - 1 - 1 = 3, masked for batch item 1
    equations = step_equations(t, step, batch_index=1, max_entries=8)
    x_line = by_label(equations, "x_t:")
    assert "step 1 reads input timestep 3" in x_line.label
    assert "go_backwards" in x_line.label
    assert entries(x_line.latex) == formatted(x[1, 3])
    for gate, symbol in (("i", "i_t"), ("f", "f_t"), ("o", "o_t")):
        line = by_label(equations, symbol)
        assert entries(line.latex) == formatted(parts[gate][step]), gate
        pre = parts["pre"][step, "ifco".index(gate) * 3 : "ifco".index(gate) * 3 + 3]
        assert entries(line.latex, -2) == formatted(pre), gate
    assert entries(by_label(equations, "c̃_t").latex) == formatted(parts["c_tilde"][1])
    assert entries(by_label(equations, "c_t: cell").latex) == formatted(parts["c"][1])
    assert entries(by_label(equations, "h_t: hidden").latex) == formatted(parts["h"][1])
    assert entries(by_label(equations, "c_(t-1)").latex) == formatted(
        parts["c_prev"][1]
    )
    masked = by_label(equations, "masked step")
    assert r"h_t = h_{t-1},\ c_t = c_{t-1}" in masked.latex
    # The state was carried over: NumPy's and Keras' h_t are h_{t-1}.
    carried = formatted(t.manual_states["h"][1, 0])
    assert entries(by_label(equations, "h_t (NumPy)").latex) == carried
    assert entries(by_label(equations, "c_t (Keras)").latex) == formatted(
        t.keras_states["c"][1, 1]
    )
    # The other batch item is not masked at that step.
    assert not any(e.label.startswith("masked") for e in step_equations(t, 1, 0))


@pytest.mark.keras
@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_step_shows_where_the_reset_gate_acts(reset_after):
    spec = LayerSpec(cell="gru", units=4, reset_after=reset_after)
    x = _random((1, 3, 2), seed=4)
    t = trace(spec, x, _weights(spec, 2, seed=5))
    parts = t.step_parts(batch_index=0)
    equations = step_equations(t, 2)
    reset = by_label(equations, "reset applied")
    assert f"reset_after={reset_after}" in reset.label
    assert entries(reset.latex) == formatted(parts["recurrent_h"][2])
    for name, key in (
        ("z_t", "z"),
        ("r_t", "r"),
        ("h̃_t", "h_tilde"),
        ("h_t: new", "h"),
    ):
        assert entries(by_label(equations, name).latex) == formatted(parts[key][2])
    labels = [e.label for e in equations]
    if reset_after:
        assert "bx: input bias" in labels
        assert "bh: recurrent bias" in labels
    else:
        assert "b (gate blocks z, r, h)" in labels


@pytest.mark.keras
def test_bidirectional_backward_direction():
    spec = LayerSpec(units=2, bidirectional=True, merge_mode="sum")
    x = _random((1, 4, 3), seed=6)
    t = trace(spec, x, _weights(spec, 3, seed=7))
    equations = step_equations(t, 0, direction="backward")
    x_line = by_label(equations, "x_t:")
    assert "backward direction, step 0 reads input timestep 3" in x_line.label
    assert entries(x_line.latex) == formatted(x[0, 3])
    assert entries(by_label(equations, "h_t (Keras)").latex) == formatted(
        t.keras_states["backward/h"][0, 0]
    )
    assert entries(by_label(equations, "b").latex) == formatted(t.weights["backward/b"])
    forward = step_equations(t, 0, direction="forward")
    assert "reads input timestep 0" in by_label(forward, "x_t:").label


@pytest.mark.keras
def test_exploding_states_print_infinity_and_nan():
    spec = LayerSpec(units=2, activation="relu", return_sequences=True)
    x = np.ones((1, 3, 2), np.float32)
    weights = [np.full(s, 1e20, np.float32) for s in spec.weight_shapes(2)]
    t = trace(spec, x, weights)
    equations = step_equations(t, 2)
    assert entries(by_label(equations, "h_t (Keras)").latex) == [r"\infty"] * 2
    assert r"\mathrm{NaN}" in by_label(equations, "h_t: NumPy − Keras").latex


@pytest.mark.keras
def test_step_equations_reject_bad_arguments():
    spec = LayerSpec(units=2)
    t = trace(spec, _random((2, 3, 2), seed=8), _weights(spec, 2))
    with pytest.raises(ValueError, match=r"`step`.*0 to 2.*got 3"):
        step_equations(t, 3)
    with pytest.raises(ValueError, match="`step`"):
        step_equations(t, -1)
    with pytest.raises(ValueError, match=r"`batch_index`.*0 to 1"):
        step_equations(t, 0, batch_index=2)
    with pytest.raises(ValueError, match=r"`direction`.*'forward'"):
        step_equations(t, 0, direction="backward")
    with pytest.raises(ValueError, match="`max_entries`"):
        step_equations(t, 0, max_entries=0)


# --- return_sequences × return_state × go_backwards (real Keras) ---------------------


def _namespace(spec: LayerSpec, result: object) -> dict[str, object]:
    arrays = result if isinstance(result, tuple) else (result,)
    return {"units": spec.units, **dict(zip(output_names(spec), arrays, strict=True))}


def _holds(equality: str, combo_spec: LayerSpec, x, weights) -> bool:
    """Evaluate a listed equality independently, with fresh Keras runs."""
    left, right = equality.split(" == ")
    here = _namespace(combo_spec, keras_forward(combo_spec, weights, x))
    lhs = eval(left, {}, here)  # our own expression strings
    other_spec, other_x, expression = combo_spec, x, right
    if " of " in right:
        expression, where = right.split(" of ")
        if where == "return_sequences=True":
            other_spec = combo_spec.replace(return_sequences=True)
        elif where == "go_backwards=False on x[:, ::-1]":
            other_spec, other_x = combo_spec.replace(go_backwards=False), x[:, ::-1]
        elif where == "go_backwards=False on x":
            other_spec = combo_spec.replace(go_backwards=False)
        else:
            raise AssertionError(f"unknown reference {where!r}")
    there = _namespace(other_spec, keras_forward(other_spec, weights, other_x))
    rhs = eval(expression, {}, there)
    return lhs.shape == rhs.shape and bool(np.array_equal(lhs, rhs))


SPECS = [
    LayerSpec(units=3, activation=None),
    LayerSpec(cell="lstm", units=3),
    LayerSpec(cell="gru", units=3, reset_after=False),
    LayerSpec(units=2, bidirectional=True),
    LayerSpec(cell="lstm", units=2, bidirectional=True, merge_mode="sum"),
    LayerSpec(cell="gru", units=2, bidirectional=True, merge_mode=None),
]


@pytest.mark.keras
@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.keras_code())
def test_output_combinations_match_keras_and_verify(spec):
    x = _random((3, 5, 4), seed=9)
    weights = _weights(spec, 4, seed=10)
    combos = output_combinations(spec, x, weights)
    expected_flags = [
        (rs, rst, gb)
        for rs in (False, True)
        for rst in (False, True)
        for gb in ((False,) if spec.bidirectional else (False, True))
    ]
    assert [(c.return_sequences, c.return_state, c.go_backwards) for c in combos] == (
        expected_flags
    )
    for combo in combos:
        combo_spec = spec.replace(
            return_sequences=combo.return_sequences,
            return_state=combo.return_state,
            go_backwards=combo.go_backwards,
        )
        assert combo.keras_code == combo_spec.keras_code()
        assert combo.names == output_names(combo_spec)
        described = describe_output(combo_spec, x.shape)
        if isinstance(described[0], int):
            described = (described,)
        assert combo.shapes == described
        for equality in combo.equalities:  # c_t is never part of the output
            left, right = equality.split(" == ")
            assert "state_c" not in right or "state_c" in left, equality
        for equality in combo.equalities:
            assert _holds(equality, combo_spec, x, weights), equality


@pytest.mark.keras
def test_output_combinations_list_the_teaching_equalities_and_no_false_one():
    spec = LayerSpec(units=3)
    x = _random((2, 5, 4), seed=11)
    weights = _weights(spec, 4, seed=12)
    combos = {
        (c.return_sequences, c.return_state, c.go_backwards): c.equalities
        for c in output_combinations(spec, x, weights)
    }
    assert "output == state_h" in combos[False, True, False]
    assert "output[:, -1] == state_h" in combos[True, True, False]
    assert "output[:, 0] == state_h" not in combos[True, True, False]
    assert (
        "output == output[:, -1] of return_sequences=True"
        in combos[False, False, False]
    )
    # go_backwards: the same as the forward layer on the time-reversed input...
    backwards = combos[True, True, True]
    assert "output[:, -1] == state_h" in backwards
    assert "output == output of go_backwards=False on x[:, ::-1]" in backwards
    # ...but not the forward layer's sequence reversed: that candidate is refused.
    flipped = "output[:, ::-1] == output of go_backwards=False on x"
    assert flipped not in backwards
    assert not _holds(
        flipped, spec.replace(return_sequences=True, go_backwards=True), x, weights
    )


@pytest.mark.keras
def test_the_flipped_candidate_is_listed_when_it_holds_one_timestep():
    spec = LayerSpec(units=3)
    x = _random((2, 1, 4), seed=13)
    combos = output_combinations(spec, x, _weights(spec, 4, seed=14))
    (backwards_sequence,) = [
        c for c in combos if c.return_sequences and c.go_backwards and c.return_state
    ]
    assert (
        "output[:, ::-1] == output of go_backwards=False on x"
        in backwards_sequence.equalities
    )


@pytest.mark.keras
def test_bidirectional_equalities():
    x = _random((2, 4, 3), seed=15)
    concat = LayerSpec(cell="lstm", units=2, bidirectional=True)
    combos = {
        (c.return_sequences, c.return_state): c.equalities
        for c in output_combinations(concat, x, _weights(concat, 3, seed=16))
    }
    assert set(combos[True, True]) == {
        "output[:, -1, :units] == forward_state_h",
        "output[:, 0, units:] == backward_state_h",
    }
    assert "output[:, :units] == forward_state_h" in combos[False, True]
    assert "output[:, units:] == backward_state_h" in combos[False, True]
    # Without return_sequences the backward half is NOT the sequence's last step.
    assert (
        "output == output[:, -1] of return_sequences=True" not in combos[False, False]
    )
    assert (
        "output[:, units:] == output[:, 0, units:] of return_sequences=True"
        in combos[False, False]
    )
    total = LayerSpec(units=2, bidirectional=True, merge_mode="sum")
    (summed,) = [
        c.equalities
        for c in output_combinations(total, x, _weights(total, 3, seed=17))
        if c.return_state and not c.return_sequences
    ]
    assert summed == ("output == forward_state_h + backward_state_h",)


def test_explain_and_export_never_import_tensorflow(assert_stays_light):
    assert_stays_light(
        """
import numpy as np
from rnn_core import LayerSpec
from rnn_core.explain import flag_explanations, formula_lines, spectral_note
from rnn_core.explain import recurrent_spectral_radii
from rnn_core.export import standalone_script
spec = LayerSpec(cell="gru", units=3)
weights = [np.ones(s, np.float32) for s in spec.weight_shapes(2)]
formula_lines(spec)
flag_explanations()
spectral_note(max(recurrent_spectral_radii(spec, weights).values()), "tanh")
standalone_script(spec, np.ones((1, 2, 2), np.float32), weights)
"""
    )


def test_lstm_linear_formula_keeps_the_output_gate():
    lines = formula_lines(LayerSpec(cell="lstm", units=2, activation=None))
    h_line = next(line for line in lines if line.latex.startswith("h_t"))
    assert h_line.latex.endswith(r"= o_t \odot c_t")
