"""The "Gradients through time" page in Streamlit's AppTest (real TensorFlow).

Renders for every cell, its controls change the numbers shown, a layer the gradients
cannot take is an st.error (never a traceback), and the page in Spanish.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_i18n import assert_spanish

PAGE = str(
    Path(__file__).resolve().parents[1] / "pages" / "7_Gradients_through_time.py"
)
TIMEOUT = 60

pytestmark = [pytest.mark.app, pytest.mark.keras]


def open_page(**settings: object) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    for name, value in settings.items():
        at.session_state[name if "." in name else f"cfg.{name}"] = value
    at.run()
    return at


def charts(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def measured_ratio(at: AppTest) -> float:
    line = next(m.value for m in at.markdown if m.value.startswith("Measured here"))
    return float(re.search(r"\*\*([0-9.e+-]+)\*\*", line).group(1))


@pytest.mark.parametrize("cell", ["simple_rnn", "lstm", "gru"])
def test_renders_for_every_cell_with_keras_and_manual_agreeing(cell):
    at = open_page(cell=cell, activation="tanh")
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert at.title[0].value == "Gradients through time"
    error = float(metric(at, "max relative error, manual vs Keras"))
    assert error <= float(metric(at, "Tolerance"))
    assert at.success[0].value.startswith("Keras and the manual BPTT agree")
    figures = charts(at)
    assert len(figures) == 5  # norms, dL/dWx, dL/dWh, dL/db, the three cells
    norms = figures[0]
    assert norms["layout"]["yaxis"]["type"] == "log"
    assert norms["data"][0]["name"] == "Keras (GradientTape)"
    gates = {"simple_rnn": 1, "lstm": 4, "gru": 3}[cell]
    assert len(figures[1]["data"]) == 2 * gates
    assert len(figures[4]["data"]) == 6  # three panels, Keras and manual
    assert [line for line in at.latex if r"W_h^{\top}" in line.value]


def test_the_spectral_radius_control_turns_vanishing_into_exploding():
    at = open_page(**{"gradients.rescale": True, "gradients.radius": 0.5})
    assert "vanishes" in at.info[0].value
    vanishing = measured_ratio(at)
    at.slider(key="gradients.radius").set_value(1.5).run()
    assert not at.error, [e.value for e in at.error]
    assert "explodes" in at.info[0].value
    exploding = measured_ratio(at)
    # The default layer is linear: the first step's gradient is ρ^29 × the last's.
    assert vanishing < 1e-6
    assert exploding > 1e3


def test_sequence_length_and_target_change_the_numbers():
    at = open_page()
    loss = metric(at, "Loss L (Keras)")
    at.slider(key="gradients.timesteps").set_value(60).run()
    assert metric(at, "Loss L (Keras)") != loss
    norms = charts(at)[0]
    assert norms["layout"]["xaxis2"]["title"]["text"] == "processing step s"
    assert len(norms["data"][2]["x"]["bdata"]) > 0
    at.selectbox(key="gradients.target").set_value("zero").run()
    assert not at.error, [e.value for e in at.error]
    assert any("set in the sidebar" in c.value for c in at.caption)
    at.radio(key="gradients.loss").set_value("sequence").run()
    title = charts(at)[0]["layout"]["title"]["text"]
    assert title.endswith("loss on every output")


def test_comparison_controls_change_the_lstm_panel():
    at = open_page()
    before = charts(at)[4]["layout"]["annotations"]
    at.slider(key="gradients.lstm_bias").set_value(1.0).run()
    after = charts(at)[4]["layout"]["annotations"]
    lstm = [a["text"] for a in before if a["text"].startswith("LSTM")]
    assert lstm
    assert lstm != [a["text"] for a in after if a["text"].startswith("LSTM")]
    assert any("forget gate" in m.value for m in at.markdown)


@pytest.mark.parametrize(
    ("settings", "words"),
    [
        ({"bidirectional": True, "merge_mode": "None"}, "merge_mode"),
        ({"cell": "lstm", "activation": "sparsemax"}, "sparsemax"),
    ],
)
def test_a_layer_the_gradients_cannot_take_is_an_error(settings, words):
    at = open_page(**settings)
    assert not at.exception, [e.value for e in at.exception]
    assert any(words in e.value for e in at.error), [e.value for e in at.error]


@pytest.mark.parametrize(
    ("settings", "spanish"),
    [
        (
            {"bidirectional": True, "merge_mode": "None"},
            "Los gradientes necesitan una sola salida: Bidirectional con merge_mode "
            "None devuelve dos",
        ),
        (
            {"cell": "lstm", "activation": "sparsemax"},
            "Los gradientes no están disponibles para la activación 'sparsemax'",
        ),
    ],
)
def test_a_layer_the_gradients_cannot_take_is_an_error_in_spanish(settings, spanish):
    at = open_page(language="es", **settings)
    assert not at.exception, [e.value for e in at.exception]
    assert any(e.value.startswith(spanish) for e in at.error), [
        e.value for e in at.error
    ]
    assert_spanish(at)


def test_in_spanish():
    at = open_page(language="es", cell="gru")
    assert not at.error, [e.value for e in at.error]
    assert_spanish(at)
    assert at.title[0].value == "Gradientes en el tiempo"
    assert at.success[0].value.startswith("Keras y la BPTT manual coinciden")
    figures = charts(at)
    assert figures[0]["layout"]["title"]["text"].startswith(
        "‖∂L/∂h_t‖ en cada paso de procesamiento"
    )
    assert figures[4]["layout"]["title"]["text"].startswith(
        "‖∂L/∂h_t‖ en la tarea de eco"
    )
