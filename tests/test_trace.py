"""`trace()`: Keras and the NumPy formulas side by side, step by step.

Starts from the seed notebook (`SimpleRNN(4, activation=None)` on
`np.random.default_rng(0).random((32, 1, 8))`), then checks each cell's step records
against its formulas, the step order under `go_backwards` and Bidirectional, masks,
initial states, residuals (including what happens when both engines overflow) and the
seeded weights.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import warnings

import numpy as np
import pytest

from rnn_core import LayerSpec, Trace, init_weights, keras_forward, trace
from rnn_core.trace import compare
from tests.arrays import random_normal as _random
from tests.arrays import random_weights as _random_weights

pytestmark = pytest.mark.keras

TOL = 1e-5


def notebook_input(timesteps: int) -> np.ndarray:
    """The notebook's input: `np.random.default_rng(0).random((32, T, 8))`."""
    x = np.random.default_rng(0).random((32, timesteps, 8)).astype(np.float32)
    try:
        from rnn_core.inputs import generate
    except ImportError:  # the generator module is optional here
        return x
    generated = generate("uniform", 32, timesteps, 8, seed=0)
    np.testing.assert_array_equal(generated, x)
    return generated


def assert_consistent(t: Trace) -> None:
    """The bookkeeping every trace must satisfy."""
    with np.errstate(invalid="ignore"):  # inf - inf in the overflow test
        _assert_consistent(t)


def _assert_consistent(t: Trace) -> None:
    assert set(t.residuals) == set(t.manual_states) == set(t.keras_states)
    for key, residual in t.residuals.items():
        np.testing.assert_array_equal(
            residual, t.manual_states[key] - t.keras_states[key]
        )
    assert len(t.output_residuals) == len(t.keras_outputs) == len(t.manual_outputs)
    assert len(t.output_names) == len(t.keras_outputs)
    for residual, m, k in zip(
        t.output_residuals, t.manual_outputs, t.keras_outputs, strict=True
    ):
        np.testing.assert_array_equal(residual, m - k)
    # max_abs_residual: the largest |manual - Keras| over every output and state
    # entry that is finite on both sides (0.0 if none is); nonfinite_mismatches: the
    # entries where only one side is NaN/inf, or the infinities differ in sign.
    pairs = [
        *zip(t.manual_outputs, t.keras_outputs, strict=True),
        *((t.manual_states[key], t.keras_states[key]) for key in t.manual_states),
    ]
    largest, mismatches = 0.0, 0
    for m, k in pairs:
        both = np.isfinite(m) & np.isfinite(k)
        if both.any():
            gap = np.abs(m[both].astype(np.float64) - k[both].astype(np.float64))
            largest = max(largest, float(gap.max()))
        alike = (m == k) | (np.isnan(m) & np.isnan(k))
        mismatches += int(np.count_nonzero(~both & ~alike))
    assert t.max_abs_residual == pytest.approx(largest, rel=1e-12, abs=0)
    assert t.nonfinite_mismatches == mismatches


# --------------------------------------------------------------------------------------
# The seed notebook


NOTEBOOK = LayerSpec(cell="simple_rnn", units=4, activation=None)


def test_notebook_case():
    x = notebook_input(1)
    t = trace(NOTEBOOK, x, seed=0)
    assert_consistent(t)
    assert t.max_abs_residual < TOL
    assert t.output_names == ("output",)
    assert t.keras_outputs[0].shape == (32, 4)
    assert t.keras_states["h"].shape == (32, 1, 4)
    np.testing.assert_allclose(
        t.keras_states["h"][:, -1], t.keras_outputs[0], atol=1e-6
    )
    np.testing.assert_allclose(t.manual_outputs[0], t.keras_outputs[0], atol=TOL)


def test_notebook_return_state():
    x = notebook_input(1)
    t = trace(NOTEBOOK.replace(return_state=True), x, seed=0)
    assert_consistent(t)
    assert t.output_names == ("output", "state_h")
    output, state_h = t.keras_outputs
    np.testing.assert_array_equal(output, state_h)  # as Keras returns them
    np.testing.assert_array_equal(*t.manual_outputs)
    assert t.max_abs_residual < TOL
    # The same weights as without return_state: the same numbers.
    plain = trace(NOTEBOOK, x, seed=0)
    np.testing.assert_array_equal(plain.keras_outputs[0], output)


def test_notebook_return_sequences_and_first_step_by_hand():
    x = notebook_input(5)
    t = trace(NOTEBOOK.replace(return_sequences=True), x, seed=0)
    assert_consistent(t)
    assert t.max_abs_residual < TOL
    sequence = t.keras_outputs[0]
    assert sequence.shape == (32, 5, 4)
    np.testing.assert_allclose(sequence, t.keras_states["h"], atol=1e-6)
    np.testing.assert_array_equal(t.time_index["forward"], np.arange(5))
    # The notebook's check: h_0 = x_0·Wx + b (h_{-1} = 0, no activation).
    Wx, b = t.weights["Wx"], t.weights["b"]
    np.testing.assert_allclose(x[:, 0] @ Wx + b, sequence[:, 0], atol=TOL)
    # And the step record says the same.
    steps = t.steps["forward"]
    np.testing.assert_allclose(steps["x_Wx"][:, 0], x[:, 0] @ Wx, atol=TOL)
    np.testing.assert_array_equal(steps["h_Wh"][:, 0], np.zeros((32, 4)))


def test_trace_accepts_a_single_initial_state_array():
    """`check_initial_state` accepts one (batch, units) array for a one-state cell;
    Trace.initial_state must then hold that one array, not its rows."""
    x = notebook_input(3)
    h0 = _random((32, 4), seed=9)
    t = trace(NOTEBOOK.replace(return_sequences=True), x, initial_state=h0)
    assert t.max_abs_residual < TOL
    assert t.initial_state is not None
    assert len(t.initial_state) == 1, (
        f"Trace.initial_state holds {len(t.initial_state)} arrays: "
        f"shapes {[np.shape(s) for s in t.initial_state]}"
    )
    np.testing.assert_array_equal(t.initial_state[0], h0)


# --------------------------------------------------------------------------------------
# LSTM and GRU step records


@pytest.mark.parametrize("masked", [False, True], ids=["no_mask", "mask"])
def test_lstm_cell_state_and_gates(masked: bool):
    spec = LayerSpec(cell="lstm", units=3, return_sequences=True, return_state=True)
    x = _random((4, 6, 5), seed=1)
    weights = _random_weights(spec, 5, seed=2)
    h0, c0 = _random((4, 3), seed=3), _random((4, 3), seed=4)
    mask = None
    if masked:
        mask = np.ones((4, 6), bool)
        mask[0, 0] = mask[1, :] = mask[2, 3] = False
    t = trace(spec, x, weights, initial_state=[h0, c0], mask=mask)
    assert_consistent(t)
    assert t.max_abs_residual < TOL
    assert set(t.keras_states) == {"h", "c"}
    np.testing.assert_allclose(t.manual_states["c"], t.keras_states["c"], atol=TOL)
    # The last c stepped out of the Keras cell is the state_c the layer returns.
    output, state_h, state_c = t.keras_outputs
    np.testing.assert_allclose(t.keras_states["c"][:, -1], state_c, atol=1e-6)
    np.testing.assert_allclose(t.keras_states["h"][:, -1], state_h, atol=1e-6)

    steps = t.steps["forward"]
    for gate in ("i", "f", "o"):
        assert steps[gate].shape == (4, 6, 3)
        assert ((steps[gate] >= 0) & (steps[gate] <= 1)).all(), gate
    assert ((steps["c_tilde"] >= -1) & (steps["c_tilde"] <= 1)).all()
    c_states = t.manual_states["c"]  # carried over masked steps
    h_states = t.manual_states["h"]
    for s in range(6):
        c_prev = c0 if s == 0 else c_states[:, s - 1]
        expected_c = (
            steps["f"][:, s] * c_prev + steps["i"][:, s] * steps["c_tilde"][:, s]
        )
        np.testing.assert_allclose(steps["c"][:, s], expected_c, atol=1e-6)
        np.testing.assert_allclose(
            steps["h"][:, s], steps["o"][:, s] * np.tanh(steps["c"][:, s]), atol=1e-6
        )
        valid = np.ones(4, bool) if mask is None else mask[:, s]
        np.testing.assert_allclose(c_states[valid, s], steps["c"][valid, s], atol=1e-6)
        np.testing.assert_array_equal(
            h_states[~valid, s], (h0 if s == 0 else h_states[:, s - 1])[~valid]
        )
    if masked:
        # Row 1 is fully masked: states stay at the initial state, output is zero.
        np.testing.assert_array_equal(c_states[1], np.broadcast_to(c0[1], (6, 3)))
        np.testing.assert_array_equal(output[1], np.zeros((6, 3)))


@pytest.mark.parametrize("reset_after", [True, False])
def test_gru_update_rule(reset_after: bool):
    spec = LayerSpec(
        cell="gru", units=3, return_sequences=True, reset_after=reset_after
    )
    x = _random((2, 5, 4), seed=5)
    h0 = _random((2, 3), seed=6)
    t = trace(spec, x, _random_weights(spec, 4, seed=7), initial_state=[h0])
    assert_consistent(t)
    assert t.max_abs_residual < TOL
    steps, h_states = t.steps["forward"], t.manual_states["h"]
    for gate in ("z", "r"):
        assert ((steps[gate] >= 0) & (steps[gate] <= 1)).all(), gate
    for s in range(5):
        h_prev = h0 if s == 0 else h_states[:, s - 1]
        z = steps["z"][:, s]
        expected = z * h_prev + (1 - z) * steps["h_tilde"][:, s]
        np.testing.assert_allclose(steps["h"][:, s], expected, atol=1e-6)
        np.testing.assert_allclose(t.keras_states["h"][:, s], expected, atol=TOL)
    np.testing.assert_allclose(t.keras_outputs[0], t.keras_states["h"], atol=1e-6)


# --------------------------------------------------------------------------------------
# Step order


def test_go_backwards_step_order():
    spec = LayerSpec(units=3, return_sequences=True, go_backwards=True)
    x = _random((2, 5, 4), seed=8)
    t = trace(spec, x, seed=1)
    assert_consistent(t)
    assert t.max_abs_residual < TOL
    assert list(t.time_index) == ["backward"]
    np.testing.assert_array_equal(t.time_index["backward"], [4, 3, 2, 1, 0])
    Wx, Wh, b = t.weights["Wx"], t.weights["Wh"], t.weights["b"]
    h = t.keras_states["h"]
    # Step 0 reads the last timestep; step 1 the one before it.
    np.testing.assert_allclose(h[:, 0], np.tanh(x[:, 4] @ Wx + b), atol=TOL)
    np.testing.assert_allclose(
        h[:, 1], np.tanh(x[:, 3] @ Wx + h[:, 0] @ Wh + b), atol=TOL
    )
    # Keras' sequence output stays in processing order, like the states.
    np.testing.assert_allclose(t.keras_outputs[0], h, atol=1e-6)
    # Backwards on x is forwards on x reversed in time.
    forward = trace(spec.replace(go_backwards=False), x[:, ::-1], t.raw_weights)
    np.testing.assert_allclose(forward.keras_states["h"], h, atol=1e-6)


def test_go_backwards_mask_follows_input_time():
    spec = LayerSpec(cell="gru", units=3, return_sequences=True, go_backwards=True)
    x = _random((2, 4, 3), seed=10)
    mask = np.array([[True, True, True, False], [False, True, True, True]])
    t = trace(spec, x, seed=2, mask=mask)
    assert_consistent(t)
    assert t.max_abs_residual < TOL
    h = t.keras_states["h"]
    # Row 0: input step 3 is masked and read first, so the state stays at zero.
    np.testing.assert_array_equal(h[0, 0], np.zeros(3))
    assert np.abs(h[0, 1]).max() > 0
    # Row 1: input step 0 is masked and read last: the state is carried over.
    np.testing.assert_array_equal(h[1, 3], h[1, 2])
    assert (t.keras_outputs[0][0, 0] == 0).all()


@pytest.mark.parametrize("cell", ["simple_rnn", "lstm", "gru"])
def test_bidirectional_keys_and_order(cell: str):
    spec = LayerSpec(
        cell=cell,
        units=2,
        return_sequences=True,
        return_state=True,
        bidirectional=True,
        merge_mode=None,
    )
    x = _random((3, 4, 5), seed=11)
    t = trace(spec, x, seed=3)
    assert_consistent(t)
    assert t.max_abs_residual < TOL
    names = spec.state_names
    assert set(t.keras_states) == {
        f"{d}/{n}" for d in ("forward", "backward") for n in names
    }
    np.testing.assert_array_equal(t.time_index["forward"], [0, 1, 2, 3])
    np.testing.assert_array_equal(t.time_index["backward"], [3, 2, 1, 0])
    out_f, out_b = t.keras_outputs[:2]
    # Forward output in input time; backward output flipped back into input time.
    np.testing.assert_allclose(out_f, t.keras_states["forward/h"], atol=1e-6)
    np.testing.assert_allclose(out_b, t.keras_states["backward/h"][:, ::-1], atol=1e-6)
    # Final states: forward first, then backward, as Keras returns them.
    finals = t.keras_outputs[2:]
    keys = [f"{d}/{n}" for d in ("forward", "backward") for n in names]
    for key, final in zip(keys, finals, strict=True):
        np.testing.assert_allclose(t.keras_states[key][:, -1], final, atol=1e-6)
    assert set(t.steps) == {"forward", "backward"}
    assert t.weights["forward/Wx"].shape == (5, 2 * spec.gate_count)
    assert not np.array_equal(t.weights["forward/Wx"], t.weights["backward/Wx"])


@pytest.mark.parametrize("merge_mode", ["concat", "sum", "ave", "mul", None])
def test_bidirectional_mask_and_initial_state(merge_mode: str | None):
    spec = LayerSpec(
        cell="lstm",
        units=2,
        return_sequences=True,
        return_state=True,
        bidirectional=True,
        merge_mode=merge_mode,
    )
    x = _random((3, 4, 5), seed=12)
    mask = np.array([[False, True, True, True], [False] * 4, [True, True, False, True]])
    states = [_random((3, 2), seed=20 + k) for k in range(4)]  # h_f, c_f, h_b, c_b
    t = trace(spec, x, seed=4, initial_state=states, mask=mask)
    assert_consistent(t)
    assert t.max_abs_residual < TOL
    assert t.initial_state is not None
    assert len(t.initial_state) == 4
    np.testing.assert_array_equal(t.mask, mask)
    # Row 1 is fully masked: every state stays at its initial value...
    for key, state in zip(
        ["forward/h", "forward/c", "backward/h", "backward/c"], states, strict=True
    ):
        np.testing.assert_array_equal(t.keras_states[key][1], np.tile(state[1], (4, 1)))
        np.testing.assert_array_equal(
            t.manual_states[key][1], np.tile(state[1], (4, 1))
        )
    # ...and Bidirectional outputs zeros at masked steps with return_sequences.
    outputs = t.keras_outputs[:2] if merge_mode is None else t.keras_outputs[:1]
    for output in outputs:
        np.testing.assert_array_equal(output[~mask], 0)
        assert (output[mask] != 0).any()


# --------------------------------------------------------------------------------------
# Residuals and overflow


def test_residuals_are_manual_minus_keras():
    spec = LayerSpec(cell="gru", units=3, return_sequences=True, return_state=True)
    t = trace(spec, _random((2, 4, 3), seed=13), seed=5)
    assert_consistent(t)
    assert set(t.residuals) == {"h"}
    assert t.residuals["h"].shape == (2, 4, 3)
    assert 0 <= t.max_abs_residual < TOL
    assert set(t.seconds) == {"manual", "keras"}
    assert all(s >= 0 for s in t.seconds.values())


def test_overflow_to_inf_and_nan():
    """relu with huge weights overflows in both engines; the trace still works.

    Observed (TF 2.21 / Keras 3.15, float32): h grows ~100x per step, reaches inf
    after ~21 steps and NaN (inf - inf in h·Wh) right after; Keras and NumPy have
    inf and NaN at exactly the same places and the finite entries agree exactly (0.0
    even at 1e37). `max_abs_residual` looks at entries finite on both sides only, so
    it stays a finite number, and `nonfinite_mismatches` is 0.
    """
    spec = LayerSpec(
        activation="relu", units=4, return_sequences=True, return_state=True
    )
    rng = np.random.default_rng(0)
    x = rng.normal(size=(2, 40, 3)).astype(np.float32)
    weights = [
        (rng.normal(size=(3, 4)) * 100).astype(np.float32),
        (rng.normal(size=(4, 4)) * 100).astype(np.float32),
        np.zeros(4, np.float32),
    ]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # trace() stays quiet
        t = trace(spec, x, weights)
    keras_h, manual_h = t.keras_states["h"], t.manual_states["h"]
    assert np.isinf(keras_h).any()
    assert np.isnan(keras_h).any()
    assert np.isfinite(keras_h).any()
    np.testing.assert_array_equal(np.isnan(manual_h), np.isnan(keras_h))
    np.testing.assert_array_equal(np.isposinf(manual_h), np.isposinf(keras_h))
    np.testing.assert_array_equal(np.isneginf(manual_h), np.isneginf(keras_h))
    for m, k in zip(t.manual_outputs, t.keras_outputs, strict=True):
        np.testing.assert_array_equal(np.isnan(m), np.isnan(k))
    assert not np.isfinite(t.residuals["h"]).all()
    assert np.isfinite(t.max_abs_residual)
    assert t.max_abs_residual < TOL
    assert t.nonfinite_mismatches == 0
    assert_consistent(t)


def test_all_entries_non_finite():
    """Every value is +inf on both sides: nothing to compare, nothing mismatched."""
    spec = LayerSpec(activation="exponential", units=1, use_bias=False)
    x = np.full((1, 3, 1), 1.0, np.float32)
    weights = [np.full((1, 1), 200.0, np.float32), np.full((1, 1), 1.0, np.float32)]
    t = trace(spec, x, weights)
    assert np.isposinf(t.keras_outputs[0]).all()
    assert np.isposinf(t.manual_outputs[0]).all()
    assert np.isnan(t.residuals["h"]).all()  # inf - inf
    assert t.max_abs_residual == 0.0
    assert t.nonfinite_mismatches == 0
    assert_consistent(t)


def test_compare_counts_one_sided_non_finite_entries():
    """A NaN on one side only must not hide behind a small finite maximum."""
    manual = np.array([1.0, np.nan, np.inf, np.inf, np.nan, 5.0], np.float32)
    keras = np.array([1.5, 2.0, np.inf, -np.inf, np.nan, np.inf], np.float32)
    largest, mismatches = compare(manual, keras)
    assert largest == 0.5
    assert mismatches == 3  # nan vs 2, inf vs -inf, 5 vs inf


# --------------------------------------------------------------------------------------
# Seeded weights


@pytest.mark.parametrize(
    "spec",
    [
        LayerSpec(cell="lstm", units=3, return_sequences=True),
        LayerSpec(cell="gru", units=2, bidirectional=True, merge_mode="ave"),
    ],
    ids=["lstm", "bidi_gru"],
)
def test_seeded_weights_are_init_weights(spec: LayerSpec):
    x = _random((2, 3, 4), seed=14)
    first = trace(spec, x, weights=None, seed=123)
    again = trace(spec, x, seed=123)
    other = trace(spec, x, seed=124)
    expected = init_weights(spec, 4, 123)
    assert len(first.raw_weights) == len(expected)
    for got, want, repeat in zip(
        first.raw_weights, expected, again.raw_weights, strict=True
    ):
        np.testing.assert_array_equal(got, want)
        np.testing.assert_array_equal(repeat, want)
    for a, b in zip(first.keras_outputs, again.keras_outputs, strict=True):
        np.testing.assert_array_equal(a, b)
    for key in first.keras_states:
        np.testing.assert_array_equal(first.keras_states[key], again.keras_states[key])
        np.testing.assert_array_equal(
            first.manual_states[key], again.manual_states[key]
        )
    assert not np.array_equal(first.raw_weights[0], other.raw_weights[0])
    # The same arrays passed explicitly give the same trace.
    explicit = trace(spec, x, weights=expected)
    np.testing.assert_array_equal(
        explicit.keras_outputs[0], keras_forward(spec, expected, x)
    )
    np.testing.assert_array_equal(explicit.keras_outputs[0], first.keras_outputs[0])
