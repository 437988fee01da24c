"""The seed notebook, reproduced: its three experiments and its by-hand checks."""

import numpy as np
import pytest

from rnn_core import init_weights, keras_forward, manual_forward, trace
from rnn_core.notebook import NOTEBOOK_CASES

pytestmark = pytest.mark.keras

CASES = {case.key: case for case in NOTEBOOK_CASES}


def test_cases_are_the_notebooks() -> None:
    assert [c.input_shape for c in NOTEBOOK_CASES] == [
        (32, 1, 8),
        (32, 1, 8),
        (32, 5, 8),
    ]
    for case in NOTEBOOK_CASES:
        assert case.spec.cell == "simple_rnn"
        assert case.spec.units == 4
        assert case.spec.activation is None
    x = CASES["basic"].inputs(seed=0)
    expected = np.random.default_rng(0).random((32, 1, 8)).astype(np.float32)
    np.testing.assert_array_equal(x, expected)


@pytest.mark.parametrize("case", NOTEBOOK_CASES, ids=lambda c: c.key)
def test_manual_agrees_with_keras(case) -> None:
    result = trace(case.spec, case.inputs(seed=0), seed=0)
    assert result.max_abs_residual < 1e-5


def test_basic_by_hand_as_in_the_notebook() -> None:
    """`np.dot(inputs, Wx) + np.dot(h0, Wh) + bh` equals Keras' output (32, 4)."""
    case = CASES["basic"]
    x = case.inputs(seed=0)
    weights = init_weights(case.spec, 8, seed=0)
    wx, wh, bh = weights
    assert (wx.shape, wh.shape, bh.shape) == ((8, 4), (4, 4), (4,))
    output = keras_forward(case.spec, weights, x)
    assert output.shape == (32, 4)
    h0 = np.zeros(4, np.float32)
    by_hand = np.dot(x, wx) + np.dot(h0, wh) + bh  # (32, 1, 4)
    assert by_hand.shape == (32, 1, 4)
    np.testing.assert_allclose(by_hand[:, 0], output, atol=1e-5)


def test_return_state_output_equals_state() -> None:
    case = CASES["return_state"]
    x = case.inputs(seed=1)
    weights = init_weights(case.spec, 8, seed=1)
    keras_output, keras_state = keras_forward(case.spec, weights, x)
    np.testing.assert_array_equal(keras_output, keras_state)
    manual_output, manual_state = manual_forward(case.spec, weights, x)
    np.testing.assert_array_equal(manual_output, manual_state)
    np.testing.assert_allclose(manual_output, keras_output, atol=1e-5)


def test_return_sequences_first_step_by_hand() -> None:
    case = CASES["return_sequences"]
    x = case.inputs(seed=2)
    weights = init_weights(case.spec, 8, seed=2)
    wx, wh, bh = weights
    output = keras_forward(case.spec, weights, x)
    assert output.shape == (32, 5, 4)
    h0 = np.zeros(4, np.float32)
    first = np.dot(x[:, 0, :], wx) + np.dot(h0, wh) + bh  # (32, 4)
    np.testing.assert_allclose(first, output[:, 0], atol=1e-5)
    second = np.dot(x[:, 1, :], wx) + np.dot(output[:, 0], wh) + bh
    np.testing.assert_allclose(second, output[:, 1], atol=1e-5)
