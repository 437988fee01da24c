"""The Train page in Streamlit's AppTest: renders, runs a short training to the end,
keeps a stopped run, refuses bad settings with st.error, compares the cells, Spanish.

Runs here are a few dozen steps of plain gradient descent (no TensorFlow) except the
one Adam run, so no test waits more than a few seconds for training.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from rnn_core.trainer import PRESETS, TrainConfig, iter_training
from tests.arrays import decode
from tests.test_i18n import assert_spanish
from ui.train_compute import LiveRun

PAGE = str(Path(__file__).resolve().parents[1] / "pages" / "8_Train.py")
TIMEOUT = 60
SHORT = {
    "train.preset": "custom",
    "train.task": "sum",
    "train.cell": "simple_rnn",
    "train.units": 4,
    "train.optimizer": "sgd",
    "train.learning_rate": 0.05,
    "train.clip_norm": 1.0,
    "train.steps": 20,
    "train.batch": 8,
    "train.timesteps": 6,
    "train.frame_every": 5,
}

pytestmark = pytest.mark.app


def open_page(**state: object) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    for name, value in state.items():
        at.session_state[name] = value
    at.run()
    return at


def charts(at: AppTest) -> list[dict]:
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def titles(at: AppTest) -> list[str]:
    return [figure["layout"]["title"]["text"] for figure in charts(at)]


def no_problem(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]


def test_renders_with_the_lstm_echo_preset_and_nothing_run_yet():
    at = open_page()
    no_problem(at)
    assert at.title[0].value == "Train a recurrent layer on a toy task"
    assert at.selectbox(key="train.preset").value == "echo_lstm"
    assert at.selectbox(key="train.cell").value == "lstm"
    assert at.number_input(key="train.delay").value == 20
    assert at.info[0].value == "Choose the settings and press Run."
    assert charts(at) == []
    assert any("Row vectors" in c.value for c in at.caption)


def test_a_preset_fills_the_settings_and_a_change_makes_them_custom():
    at = open_page()
    at.selectbox(key="train.preset").set_value("sum_sgd").run()
    preset = PRESETS["sum_sgd"]
    assert at.selectbox(key="train.task").value == "sum"
    assert at.selectbox(key="train.optimizer").value == "sgd"
    assert at.number_input(key="train.steps").value == preset.steps
    assert at.number_input(key="train.clip_norm").value == preset.clip_norm
    at.number_input(key="train.units").set_value(5).run()
    assert at.selectbox(key="train.preset").value == "custom"
    no_problem(at)


def test_a_short_run_finishes_and_shows_the_loss_chart():
    at = open_page(**SHORT)
    at.button(key="train.run_button").click().run()
    no_problem(at)
    assert at.get("progress")[0].proto.text == "Finished: 20 of 20 steps"
    assert next(m.value for m in at.metric) == "20 / 20"
    figures = charts(at)
    loss = figures[0]
    assert loss["layout"]["yaxis"]["type"] == "log"
    assert decode(loss["data"][0]["y"]).shape == (20,)  # one loss per step
    assert loss["layout"]["title"]["text"].startswith("Loss per step")
    assert figures[1]["layout"]["yaxis"]["type"] == "log"  # gradient norms
    names = {trace["name"] for trace in figures[1]["data"]}
    assert {"Wx", "Wh", "b", "readout/kernel", "readout/bias"} <= names
    assert "after step 20" in titles(at)[2]  # the watched sequence
    hidden = figures[3]
    assert decode(hidden["data"][0]["z"]).shape == (4, 6)  # (units, timesteps)


def test_frames_replay_after_the_run():
    at = open_page(**SHORT)
    at.button(key="train.run_button").click().run()
    slider = at.get("select_slider")[0]
    assert list(slider.options) == ["0", "5", "10", "15", "20"]
    slider.set_value(0).run()
    no_problem(at)
    assert "after step 0" in titles(at)[3]


def test_a_stopped_run_keeps_its_steps():
    """What the page finds after Stop interrupted it: a run still marked running."""
    fields = {k.split(".")[1]: v for k, v in SHORT.items() if k != "train.preset"}
    config = TrainConfig(**fields)
    steps = list(itertools.islice(iter_training(config), 7))
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    for name, value in SHORT.items():
        at.session_state[name] = value
    at.session_state["train.run"] = LiveRun(1, config, steps, "running")
    at.run()
    no_problem(at)
    assert at.get("progress")[0].proto.text == "Stopped after 7 of 20 steps"
    assert decode(charts(at)[0]["data"][0]["y"]).shape == (7,)
    at.button(key="train.stop_button").click().run()  # nothing running: no change
    assert at.get("progress")[0].proto.text == "Stopped after 7 of 20 steps"


@pytest.mark.parametrize(
    ("state", "message"),
    [
        ({"train.task": "echo", "train.delay": 6}, "Echo delay k = 6"),
        ({"train.frame_every": 30}, "Draw every 30 steps"),
        (
            {
                "train.steps": 2000,
                "train.batch": 128,
                "train.timesteps": 100,
                "train.units": 64,
            },
            "Steps × batch × timesteps × units",
        ),
    ],
)
def test_bad_settings_are_an_error_and_run_is_disabled(state, message):
    at = open_page(**{**SHORT, **state})
    assert not at.exception
    assert at.error[0].value.startswith(message)
    assert at.button(key="train.run_button").disabled


def test_the_memory_comparison_draws_the_three_cells():
    at = open_page(**{**SHORT, "train.steps": 3, "train.frame_every": 1})
    at.button(key="train.memory_button").click().run()
    no_problem(at)
    memory = charts(at)[-1]
    assert memory["layout"]["title"]["text"].startswith("How far back each cell")
    assert [t["name"] for t in memory["data"]] == ["SimpleRNN", "LSTM", "GRU"]
    # each delay after the same 14 inputs, whatever the page's timesteps
    assert decode(memory["data"][0]["x"]).tolist() == [1, 5, 10, 20]


# Fine for one run of the page's 6 timesteps, too much work for the memory
# comparison's longer runs (MEMORY_LEAD + 1 + delay timesteps: 25 for a delay of 10,
# the first refused).
BIG_MEMORY = {"train.steps": 1000, "train.batch": 128, "train.units": 64}


@pytest.mark.parametrize(
    ("language", "message"),
    [
        ("en", "steps × batch × timesteps × units = 1,000 × 128 × 25 × 64"),
        ("es", "pasos × lote × pasos de tiempo × unidades = 1,000 × 128 × 25 × 64"),
    ],
)
def test_a_memory_comparison_over_the_limits_is_refused_before_training(
    language, message
):
    at = open_page(**{**SHORT, **BIG_MEMORY, "cfg.language": language})
    assert not at.exception, [e.value for e in at.exception]
    assert not at.button(key="train.run_button").disabled  # one run is fine
    assert [e.value for e in at.error] == [at.error[0].value]
    assert at.error[0].value.startswith(message)
    assert "train.memory_button" not in [b.key for b in at.button]
    if language == "es":
        assert_spanish(at)


@pytest.mark.keras
def test_a_short_adam_run_finishes():
    at = open_page(**{**SHORT, "train.optimizer": "adam", "train.steps": 10})
    at.button(key="train.run_button").click().run()
    no_problem(at)
    assert at.get("progress")[0].proto.text == "Finished: 10 of 10 steps"


def test_spanish_before_and_after_a_run():
    at = open_page(**{**SHORT, "cfg.language": "es"})
    assert_spanish(at)
    assert at.title[0].value == "Entrenar una capa recurrente en una tarea de juguete"
    at.button(key="train.run_button").click().run()
    assert_spanish(at)
    assert at.get("progress")[0].proto.text == "Terminado: 20 de 20 pasos"
    at.number_input(key="train.frame_every").set_value(25).run()
    assert_spanish(at)
    assert at.error[0].value.startswith("Dibujar cada 25 pasos")
