"""The walkthrough page through AppTest: every step, Next and Back, live numbers.

The numbers on the page are compared with `rnn_core` run here directly on the same
cases (`rnn_core.walkthrough.WALK_CASES`), so a stale or wrong value fails.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from rnn_core import trace, walkthrough
from tests.arrays import decode
from ui.i18n import translate

pytestmark = [pytest.mark.app, pytest.mark.keras]

TIMEOUT = 90
ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "pages" / "5_Walkthrough.py"
STEP_IDS = ["input", "layer", "weights", "hand", "agree", "state", "seq", "tanh"]


@pytest.fixture(scope="module")
def traces():
    """Every case of the walkthrough, computed here (Keras and NumPy)."""
    return {
        key: trace(case.spec, case.inputs(seed=walkthrough.SEED), seed=walkthrough.SEED)
        for key, case in walkthrough.WALK_CASES.items()
    }


def open_walkthrough(**state: object) -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=TIMEOUT)
    for key, value in state.items():
        at.session_state[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def go_to(at: AppTest, step: int) -> AppTest:
    at.radio(key="walk.step").set_value(step).run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def step_header(at: AppTest) -> str:
    return at.main.header[0].value


def cells(at: AppTest, index: int = 0) -> dict[str, list[str]]:
    frame = at.table[index].value
    return {str(column): [str(v) for v in frame[column]] for column in frame.columns}


def number(value: float) -> str:
    return f"{float(value):.6g}"


def test_next_and_back_visit_every_step_in_order():
    at = open_walkthrough()
    titles = [translate(f"walk.{step}.title", "en") for step in STEP_IDS]
    assert at.button(key="walk.back").disabled
    seen = []
    for k in range(len(STEP_IDS)):
        assert at.session_state["walk.step"] == k
        assert not at.error, [e.value for e in at.error]
        seen.append(step_header(at))
        assert at.get("progress")[0].proto.text == f"Step {k + 1} of {len(STEP_IDS)}"
        if k < len(STEP_IDS) - 1:
            at.button(key="walk.next").click().run()
            assert not at.exception
    assert seen == titles
    assert at.button(key="walk.next").disabled
    for k in reversed(range(len(STEP_IDS) - 1)):
        at.button(key="walk.back").click().run()
        assert at.session_state["walk.step"] == k
        assert step_header(at) == titles[k]
    assert at.button(key="walk.back").disabled


def test_the_step_list_jumps_and_survives_reruns():
    at = go_to(open_walkthrough(), 5)
    assert step_header(at) == translate("walk.state.title", "en")
    at.run()
    assert at.session_state["walk.step"] == 5


def test_input_step_shows_the_notebooks_shape_and_values(traces):
    at = open_walkthrough(**{"walk.batch": 3})
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"batch": "32", "timesteps": "1", "features": "8"}
    row = cells(at)
    x = traces["basic"].x[3, 0]  # (features,)
    assert [row[f"feature {j}"][0] for j in range(8)] == [number(v) for v in x]
    assert "np.random.random([32, 1, 8])" in at.code[0].value


def test_layer_step_shows_keras_output(traces):
    at = go_to(open_walkthrough(), 1)
    assert "keras.layers.SimpleRNN(4, activation=None)" in at.code[0].value
    assert cells(at) == {"returned array": ["output"], "shape": ["(32, 4)"]}
    output = traces["basic"].keras_outputs[0][0]  # (units,)
    latex = at.latex[0].value
    for value in output:
        assert f"{float(value):.7g}" in latex


def test_weights_step_has_three_heatmaps_of_the_weights(traces):
    at = go_to(open_walkthrough(), 2)
    table = cells(at)
    assert table["name"] == ["Wx", "Wh", "b"]
    assert table["shape"] == ["(8, 4)", "(4, 4)", "(4,)"]
    charts = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    assert len(charts) == 3
    weights = traces["basic"].weights
    for chart, name in zip(charts, ("Wx", "Wh", "b"), strict=True):
        z = decode(chart["data"][0]["z"]).astype(np.float64)
        np.testing.assert_allclose(z, np.atleast_2d(weights[name]), rtol=1e-6)
        assert chart["layout"]["xaxis"]["title"]["text"] == "unit k"


def test_by_hand_step_fills_in_the_first_step(traces):
    at = go_to(open_walkthrough(**{"walk.batch": 7}), 3)
    latex = "\n".join(item.value for item in at.latex)
    expected = walkthrough.first_step_latex(traces["basic"], 7)
    for line in expected.values():
        assert line in latex
    assert walkthrough.unit_sum_latex(traces["basic"], 0, 7) in latex
    at.radio(key="walk.unit").set_value(2).run()
    latex = "\n".join(item.value for item in at.latex)
    assert walkthrough.unit_sum_latex(traces["basic"], 2, 7) in latex


def test_agree_step_shows_the_gap_and_both_computations(traces):
    at = go_to(open_walkthrough(), 4)
    basic = traces["basic"]
    metrics = {m.label: m.value for m in at.metric}
    gap = walkthrough.first_step_gap(basic)
    assert gap < 1e-5
    assert metrics["max |by hand − Keras|, first step"] == f"{gap:.1e}"
    assert metrics["max |NumPy − Keras|, every step"] == f"{basic.max_abs_residual:.1e}"
    table = cells(at)
    by_hand = walkthrough.by_hand_first_step(basic)[0]
    keras = basic.keras_outputs[0][0]
    for unit in range(4):
        assert table[f"unit {unit}"] == [number(by_hand[unit]), number(keras[unit])]


def test_return_state_step_checks_output_equals_state(traces):
    at = go_to(open_walkthrough(), 5)
    assert walkthrough.outputs_identical(traces["return_state"], "output", "state_h")
    assert cells(at) == {
        "returned array": ["output", "state_h"],
        "shape": ["(32, 4)", "(32, 4)"],
    }
    assert [s.value for s in at.success] == [
        translate("walk.state.equal", "en", shape="(32, 4)")
    ]


@pytest.mark.parametrize(("step", "case"), [(6, "return_sequences"), (7, "tanh")])
def test_sequence_steps_show_every_state_and_the_first_step(traces, step, case):
    at = go_to(open_walkthrough(**{"walk.batch": 2}), step)
    sequence = traces[case].keras_outputs[0][2]  # (timesteps, units)
    table = cells(at)
    assert table["state"] == [f"h_{k}" for k in range(1, 6)]
    for unit in range(4):
        assert table[f"unit {unit}"] == [number(v) for v in sequence[:, unit]]
    gap = walkthrough.first_step_gap(traces[case])
    assert gap < 1e-5
    gaps = [m.value for m in at.metric if m.label.startswith("max |by hand")]
    assert gaps == [f"{gap:.1e}"]
    latex = "\n".join(item.value for item in at.latex)
    assert walkthrough.first_step_latex(traces[case], 2)["keras"] in latex
    if case == "tanh":
        assert np.all(np.abs(sequence) < 1)
        assert r"\tanh(a_1)" in latex
        last = cells(at, 1)
        linear = traces["return_sequences"].keras_outputs[0][2, -1]
        assert last["unit 0"] == [number(linear[0]), number(sequence[-1, 0])]


def test_the_first_steps_share_their_sum():
    """Cases 3 and 4 have the same weights and input: tanh only squashes a_1."""
    linear = walkthrough.WALK_CASES["return_sequences"]
    tanh = walkthrough.WALK_CASES["tanh"]
    assert linear.spec.replace(activation="tanh") == tanh.spec
    assert linear.input_shape == tanh.input_shape


def test_sidebar_settings_are_kept_while_visiting():
    at = open_walkthrough(**{"cfg.cell": "lstm", "cfg.units": 7})
    at.button(key="walk.next").click().run()
    assert at.session_state["cfg.cell"] == "lstm"
    assert at.session_state["cfg.units"] == 7


def test_home_offers_the_notebook_download():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    assert not at.exception
    labels = [button.label for button in at.get("download_button")]
    assert "Jupyter notebook that checks it" in labels
