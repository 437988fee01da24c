"""rnn_core.walkthrough: the walkthrough's cases and the checks its page shows."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_core import LayerSpec, trace, walkthrough
from rnn_core.notebook import NOTEBOOK_CASES


@pytest.fixture(scope="module")
def traces():
    return {
        key: trace(case.spec, case.inputs(seed=walkthrough.SEED), seed=walkthrough.SEED)
        for key, case in walkthrough.WALK_CASES.items()
    }


def test_the_cases_are_the_notebooks_then_tanh():
    cases = walkthrough.WALK_CASES
    assert list(cases) == ["basic", "return_state", "return_sequences", "tanh"]
    for case in NOTEBOOK_CASES:
        assert cases[case.key] is case
    assert cases["tanh"].spec == LayerSpec(units=4, return_sequences=True)
    assert cases["tanh"].input_shape == (32, 5, 8)


def test_matrix_latex():
    assert walkthrough.matrix_latex(np.array([1.0, -0.5])) == (
        r"\begin{bmatrix} 1 & -0.5 \end{bmatrix}"
    )
    assert walkthrough.matrix_latex(np.eye(2)) == (
        r"\begin{bmatrix} 1 & 0 \\ 0 & 1 \end{bmatrix}"
    )


def test_the_module_stays_light(assert_stays_light):
    assert_stays_light(
        """
        from rnn_core import walkthrough
        assert walkthrough.WALK_CASES["basic"].inputs(0).shape == (32, 1, 8)
        """
    )


@pytest.mark.keras
def test_by_hand_first_step_is_what_keras_returned(traces):
    for key, result in traces.items():
        by_hand = walkthrough.by_hand_first_step(result)  # (batch, units)
        keras = walkthrough.keras_first_step(result)
        assert by_hand.shape == keras.shape == (32, 4)
        np.testing.assert_allclose(by_hand, keras, atol=1e-6)
        gap = walkthrough.first_step_gap(result)
        assert gap == float(np.abs(by_hand.astype(np.float64) - keras).max())
        assert gap < 1e-5, key
    # Same weights and input: tanh squashes the linear layer's first step.
    np.testing.assert_allclose(
        walkthrough.by_hand_first_step(traces["tanh"]),
        np.tanh(walkthrough.by_hand_first_step(traces["return_sequences"])),
        atol=1e-7,
    )


@pytest.mark.keras
def test_return_state_output_is_the_state(traces):
    assert walkthrough.outputs_identical(traces["return_state"], "output", "state_h")


@pytest.mark.keras
def test_first_step_latex_has_every_part(traces):
    lines = walkthrough.first_step_latex(traces["basic"], batch_index=4)
    assert list(lines) == ["x", "x_Wx", "h_prev", "h_Wh", "b", "pre", "h", "keras"]
    assert lines["h_prev"] == r"h_0 = \begin{bmatrix} 0 & 0 & 0 & 0 \end{bmatrix}"
    x = traces["basic"].x[4, 0]
    assert lines["x"].count("&") == len(x) - 1
    assert r"\tanh(a_1)" in walkthrough.first_step_latex(traces["tanh"])["h"]


@pytest.mark.keras
def test_unit_sum_ends_with_the_numpy_value(traces):
    result = traces["basic"]
    latex = walkthrough.unit_sum_latex(result, unit=3, batch_index=1)
    assert latex.count(r"\cdot") == 8  # one product per feature
    pre = result.step_parts(batch_index=1)["pre"][0, 3]
    assert latex.endswith(rf"&= {pre:.4g} \end{{aligned}}")
    with pytest.raises(ValueError, match="`unit`"):
        walkthrough.unit_sum_latex(result, unit=4)


@pytest.mark.keras
def test_other_layers_are_refused():
    x = np.zeros((2, 3, 4), np.float32)
    lstm = trace(LayerSpec(cell="lstm", units=2, return_sequences=True), x)
    with pytest.raises(ValueError, match="SimpleRNN"):
        walkthrough.by_hand_first_step(lstm)
    last_only = trace(LayerSpec(units=2), x)
    with pytest.raises(ValueError, match="one timestep"):
        walkthrough.keras_first_step(last_only)
