"""Every page through Streamlit's AppTest: defaults, widget changes, bad input.

The numbers on the pages are checked against `rnn_core` computed here directly, so a
page that shows a stale or wrong value fails, not only one that crashes.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from rnn_core import LayerSpec, trace
from rnn_core.inputs import generate
from rnn_core.notebook import NOTEBOOK_CASES
from tests.arrays import decode
from ui.settings import npy_bytes

pytestmark = [pytest.mark.app, pytest.mark.keras]

TIMEOUT = 90  # seconds per run: the first one imports TensorFlow on 2 cores
ROOT = Path(__file__).resolve().parent.parent
PAGES = {
    "home": ROOT / "app.py",
    "step": ROOT / "pages" / "1_Step_through_time.py",
    "weights": ROOT / "pages" / "2_Weights.py",
    "states": ROOT / "pages" / "3_Hidden_states.py",
    "shapes": ROOT / "pages" / "4_Output_shapes.py",
}


def open_page(page: str, **settings: object) -> AppTest:
    """Run one page, with some settings preset as a user would have set them."""
    at = AppTest.from_file(str(PAGES[page]), default_timeout=TIMEOUT)
    for name, value in settings.items():
        at.session_state[f"cfg.{name}"] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def figures(at: AppTest) -> list[dict]:
    """The Plotly figures a run produced, as JSON."""
    return [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]


def texts(at: AppTest) -> str:
    """All markdown, captions, code and LaTeX of a run, joined."""
    parts = [m.value for m in at.markdown] + [c.value for c in at.caption]
    parts += [c.value for c in at.code] + [latex.value for latex in at.latex]
    return "\n".join(parts)


def table(at: AppTest, index: int = 0) -> dict[str, list]:
    """A dataframe of the page as column -> list of cells."""
    frame = at.dataframe[index].value
    return {str(column): list(frame[column]) for column in frame.columns}


def static_table(at: AppTest, index: int = 0) -> dict[str, list]:
    """An st.table of the page as column -> list of cells."""
    frame = at.table[index].value
    return {str(column): list(frame[column]) for column in frame.columns}


def notebook_trace():
    case = NOTEBOOK_CASES[0]
    return trace(case.spec, case.inputs(seed=0), seed=0)


# --------------------------------------------------------------------------------------
# Home


def test_home_default_is_the_notebook_example():
    at = open_page("home")
    expected = notebook_trace()
    assert "keras.layers.SimpleRNN(4, activation=None)" in at.code[0].value
    assert "(32, 1, 8)" in at.code[0].value
    assert at.metric[0].value == f"{expected.max_abs_residual:.1e}"
    assert expected.max_abs_residual < 1e-5
    returned = table(at, 0)
    assert returned == {"returned": ["output"], "shape": ["(32, 4)"]}
    weights = static_table(at, 0)
    assert weights["name"] == ["Wx", "Wh", "b"]
    assert weights["shape"] == ["(8, 4)", "(4, 4)", "(4,)"]
    assert not at.error
    heatmaps = figures(at)
    assert len(heatmaps) == 1
    z = decode(heatmaps[0]["data"][0]["z"]).astype(np.float64)  # (units, steps)
    np.testing.assert_allclose(
        z[:, 0], expected.keras_states["h"][0, 0], rtol=1e-6, atol=1e-7
    )


def test_home_flags_change_spec_and_shapes():
    at = open_page("home")
    at.checkbox(key="cfg.return_sequences").check()
    at.checkbox(key="cfg.return_state").check()
    at.slider(key="cfg.timesteps").set_value(5)
    at.run()
    assert not at.exception
    assert (
        "keras.layers.SimpleRNN(4, activation=None, return_sequences=True, "
        "return_state=True)" in at.code[0].value
    )
    assert table(at, 0) == {
        "returned": ["output", "state_h"],
        "shape": ["(32, 5, 4)", "(32, 4)"],
    }


@pytest.mark.parametrize(
    ("cell", "names"),
    [
        ("lstm", ["output", "state_h", "state_c"]),
        ("gru", ["output", "state_h"]),
    ],
)
def test_home_other_cells(cell, names):
    at = open_page("home", return_state=True)
    at.selectbox(key="cfg.cell").set_value(cell)
    at.number_input(key="cfg.units").set_value(3)
    at.run()
    assert not at.exception
    class_name = {"lstm": "LSTM", "gru": "GRU"}[cell]
    assert f"keras.layers.{class_name}(3, activation=None" in at.code[0].value
    assert table(at, 0)["returned"] == names
    gates = 4 if cell == "lstm" else 3
    assert static_table(at, 0)["shape"][:2] == [
        f"(8, {3 * gates})",
        f"(3, {3 * gates})",
    ]
    assert float(at.metric[0].value) < 1e-5


def test_home_bidirectional_and_merge_mode():
    at = open_page("home", bidirectional=True, merge_mode="None", return_sequences=True)
    assert "keras.layers.Bidirectional(" in at.code[0].value
    assert "merge_mode=None" in at.code[0].value
    assert (
        table(at, 0)["returned"] == ["output_forward", "output_backward"]
        or len(table(at, 0)["returned"]) == 2
    )


def test_new_weights_seed_changes_numbers():
    at = open_page("home")
    before = figures(at)[0]["data"][0]["z"]
    from tests.test_bursts_app import clicks  # a counting button (ui/clicks.py)

    clicks(at, "weights.draw", 1)
    assert at.session_state["cfg.weights_seed"] == 1
    after = figures(at)[0]["data"][0]["z"]
    assert before != after


# --------------------------------------------------------------------------------------
# Bad input keeps the settings


def test_bad_csv_upload_shows_error_and_keeps_settings():
    at = open_page("home", cell="gru", units=5)
    at.session_state["upload.file"] = ("ragged.csv", b"1,2,3\n4,5\n")
    at.radio(key="cfg.source").set_value("upload")
    at.run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert "ragged.csv" in errors
    assert "row" in errors.lower()
    # The layer the user chose survives, and the last valid input is still shown.
    assert "keras.layers.GRU(5" in at.code[0].value
    assert "(32, 1, 8)" in at.code[0].value
    assert any("last valid" in i.value for i in at.info)


def test_pickled_npy_upload_is_refused():
    at = open_page("home")
    object_array = np.empty((2, 2), dtype=object)
    buffer = __import__("io").BytesIO()
    np.save(buffer, object_array, allow_pickle=True)
    at.session_state["upload.file"] = ("evil.npy", buffer.getvalue())
    at.radio(key="cfg.source").set_value("upload")
    at.run()
    assert not at.exception
    assert any("evil.npy" in e.value for e in at.error)


def test_good_npy_upload_is_used():
    x = generate("normal", 2, 3, 4, seed=7)
    at = open_page("home")
    at.session_state["upload.file"] = ("mine.npy", npy_bytes(x))
    at.radio(key="cfg.source").set_value("upload")
    at.run()
    assert not at.exception
    assert not at.error
    assert "(2, 3, 4)" in at.code[0].value
    assert "mine.npy" in at.code[0].value


def test_table_with_empty_cell_is_an_error():
    at = open_page("home", source="table")
    assert not at.error
    assert "(1, 5, 3)" in at.code[0].value
    at.session_state["table.rows"] = [[1.0, None, 0.0], [0.5, 0.5, 0.5]]
    at.session_state["table.version"] = 99
    at.run()
    assert not at.exception
    errors = [e.value for e in at.error]
    assert errors == [
        "Input: Table: row 1, column 'feature 1' is empty. Fill every cell with a "
        "finite number."
    ]
    assert "(1, 5, 3)" in at.code[0].value  # the last valid table is still shown


def test_too_large_trace_is_refused_with_the_limit():
    at = open_page("home", units=256, batch=256, timesteps=100, features=1)
    assert not at.exception
    message = " ".join(e.value for e in at.error)
    assert "Size" in message
    assert "256" in message


# --------------------------------------------------------------------------------------
# Step through time


def test_step_page_fills_in_the_equation():
    at = open_page("step")
    expected = notebook_trace()
    shown = texts(at)
    h = expected.manual_states["h"][0, 0]  # (units,)
    assert f"{h[0]:.4g}" in shown
    assert "x_t" in shown or "x_{" in shown
    assert len(figures(at)) >= 1  # the unrolled diagram


def test_step_slider_moves_the_step():
    at = open_page("step", timesteps=5, activation="tanh")
    expected = trace(LayerSpec(units=4), generate("uniform", 32, 5, 8, seed=0), seed=0)
    at.slider(key="cfg.step").set_value(3).run()
    assert not at.exception
    shown = texts(at)
    assert "**Step 3**" in shown
    h3 = expected.manual_states["h"][0, 3]
    assert f"{h3[1]:.4g}" in shown


def test_step_page_lstm_shows_gates_and_cell_state():
    at = open_page("step", cell="lstm", timesteps=3)
    shown = texts(at)
    for symbol in ("i_t", "f_t", "o_t", "c_t"):
        assert symbol in shown
    assert len(figures(at)) >= 2  # the diagram and the gates over time


def test_play_advances_one_step():
    at = open_page("step", timesteps=4)
    assert at.button(key="step.play").label == "▶ Play"
    at.button(key="step.play").click().run()
    assert at.session_state["cfg.playing"] is True
    assert at.session_state["cfg.step"] == 1  # the fragment advanced once
    assert "**Step 1**" in texts(at)
    assert at.button(key="step.play").label == "⏸ Pause"
    at.button(key="step.play").click().run()
    assert at.session_state["cfg.playing"] is False
    assert at.session_state["cfg.step"] == 1  # paused where it was


# --------------------------------------------------------------------------------------
# Weights


def test_weights_page_heatmaps_match_the_weights():
    at = open_page("weights")
    expected = notebook_trace()
    charts = figures(at)
    assert len(charts) == 3
    wx = decode(charts[0]["data"][0]["z"]).astype(np.float64)
    np.testing.assert_allclose(wx, expected.weights["Wx"], rtol=1e-6, atol=1e-7)
    radius = static_table(at, 0)
    assert radius["matrix"] == ["Wh"]
    eigen = np.max(np.abs(np.linalg.eigvals(expected.weights["Wh"].astype(float))))
    assert radius["spectral radius ρ"] == [f"{eigen:.4g}"]
    assert "row vectors" in texts(at) or any("row vectors" in i.value for i in at.info)


def test_weights_page_lstm_per_gate():
    at = open_page("weights", cell="lstm")
    assert static_table(at, 0)["matrix"] == ["Wh_i", "Wh_f", "Wh_c", "Wh_o"]
    charts = figures(at)
    assert len(charts) == 3
    assert len(charts[0]["data"]) == 4  # one panel per gate


# --------------------------------------------------------------------------------------
# Hidden states


def test_states_page_heatmaps_and_residual():
    at = open_page("states", timesteps=6, return_sequences=True)
    expected = trace(
        LayerSpec(units=4, activation=None, return_sequences=True),
        generate("uniform", 32, 6, 8, seed=0),
        seed=0,
    )
    charts = figures(at)
    assert len(charts) == 4
    keras_z = decode(charts[0]["data"][0]["z"]).astype(np.float64)
    np.testing.assert_allclose(
        keras_z, expected.keras_states["h"][0].T, rtol=1e-6, atol=1e-7
    )
    residual = decode(charts[2]["data"][0]["z"]).astype(np.float64)
    np.testing.assert_allclose(residual, expected.residuals["h"][0].T, atol=1e-9)


def test_states_page_lstm_has_cell_state():
    at = open_page("states", cell="lstm", timesteps=3)
    assert len(figures(at)) == 8
    assert [h.value for h in at.header][:2] == [
        "Hidden state h_t",
        "Cell state c_t (LSTM)",
    ]


def test_states_page_batch_item():
    at = open_page("states", timesteps=2, batch_index=5)
    expected = trace(
        LayerSpec(units=4, activation=None), generate("uniform", 32, 2, 8), seed=0
    )
    keras_z = decode(figures(at)[0]["data"][0]["z"]).astype(np.float64)
    np.testing.assert_allclose(
        keras_z, expected.keras_states["h"][5].T, rtol=1e-6, atol=1e-7
    )


# --------------------------------------------------------------------------------------
# Output shapes


def test_shapes_page_every_combination():
    at = open_page("shapes", timesteps=5)
    rows = static_table(at)
    assert len(rows["returns"]) == 8  # sequences × state × backwards
    by_flags = {
        (s, r, b): text
        for s, r, b, text in zip(
            rows["return_sequences"],
            rows["return_state"],
            rows["go_backwards"],
            rows["returns"],
            strict=True,
        )
    }
    assert by_flags[("True", "True", "False")] == "output (32, 5, 4), state_h (32, 4)"
    assert by_flags[("False", "False", "True")] == "output (32, 4)"
    equal = dict(zip(rows["returns"], rows["equal arrays (checked)"], strict=True))
    assert "output[:, -1] == state_h" in equal["output (32, 5, 4), state_h (32, 4)"]
    assert rows["current"].count("◀ this layer") == 1


def test_shapes_page_bidirectional():
    at = open_page("shapes", bidirectional=True)
    rows = static_table(at)
    assert "go_backwards" not in rows
    assert len(rows["returns"]) == 4


# --------------------------------------------------------------------------------------
# Settings follow the user across pages, and stay in their session


def test_settings_survive_a_page_change():
    at = open_page("home")
    at.selectbox(key="cfg.cell").set_value("lstm")
    at.slider(key="cfg.timesteps").set_value(4)
    at.run()
    at.switch_page(str(PAGES["weights"])).run()
    assert not at.exception
    assert static_table(at, 0)["matrix"] == ["Wh_i", "Wh_f", "Wh_c", "Wh_o"]
    at.switch_page(str(PAGES["home"])).run()
    assert "keras.layers.LSTM(4" in at.code[0].value
    assert "(32, 4, 8)" in at.code[0].value


def test_two_sessions_do_not_share_settings():
    first = open_page("home")
    second = open_page("home")
    first.selectbox(key="cfg.cell").set_value("gru").run()
    second.session_state["upload.file"] = ("mine.npy", npy_bytes(np.ones((1, 2, 3))))
    second.radio(key="cfg.source").set_value("upload").run()
    first.run()
    assert "keras.layers.GRU(" in first.code[0].value
    assert "(32, 1, 8)" in first.code[0].value
    assert "keras.layers.SimpleRNN(" in second.code[0].value
    assert "(1, 2, 3)" in second.code[0].value


# --------------------------------------------------------------------------------------
# Every page with every cell and flag (a covering set: each value of each flag appears
# with each cell at least once)

GRID = [
    {"cell": cell, **flags}
    for cell in ("simple_rnn", "lstm", "gru")
    for flags in (
        {"return_sequences": True, "return_state": True, "timesteps": 3},
        {"go_backwards": True, "use_bias": False, "timesteps": 4},
        {"go_backwards": True, "return_sequences": True, "activation": "relu"},
        {"bidirectional": True, "merge_mode": "concat", "return_state": True},
        {"bidirectional": True, "merge_mode": "None", "return_sequences": True},
        {"bidirectional": True, "merge_mode": "ave", "timesteps": 2},
        {"reset_after": False, "unit_forget_bias": False, "timesteps": 3},
    )
]


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("settings", GRID, ids=lambda s: "-".join(map(str, s.values())))
def test_every_page_every_cell_and_flag(page, settings):
    at = open_page(page, **settings)
    assert not at.error, [e.value for e in at.error]
    if page == "shapes":
        assert len(at.table) == 1
    else:
        assert figures(at), "no chart drawn"
    if page == "home":
        assert float(at.metric[0].value) < 1e-4


@pytest.mark.app
@pytest.mark.keras
def test_reruns_skip_full_garbage_collections():
    """Streamlit calls keras.backend.clear_session() after every run; once the app has
    loaded Keras it calls it without Keras' gc.collect(), and the server's config
    turns off Streamlit's own post-run collection (both held the GIL ~70 ms a run)."""
    import functools
    import sys
    import tomllib

    at = open_page("home")
    assert not at.exception
    clear_session = sys.modules["keras"].backend.clear_session
    assert isinstance(clear_session, functools.partial)
    assert clear_session.keywords == {"free_memory": False}
    config = tomllib.loads(
        (Path(__file__).parents[1] / ".streamlit/config.toml").read_text()
    )
    assert config["runner"]["postScriptGC"] is False
