"""The app under bad input, exploding states and two users at once (Streamlit AppTest).

- Hostile uploads and out-of-range settings end in an `st.error` that says what is
  wrong, never an exception; every other setting survives and the pages keep showing
  the last valid layer and input.
- Exploding states (relu, recurrent weights of spectral radius 10, 60 steps) overflow
  float32 in Keras and in NumPy alike: the pages explain it in an `st.warning`, the
  residual heatmap draws the undefined residuals as gaps (NaN), never as 0, and the
  relative residual |manual − Keras| / max(|Keras|, tiny) is shown beside the
  absolute one.
- Two sessions with different settings and uploads, run in turns, never see each
  other's data.

Expected numbers come from `rnn_core` computed here, not from the page.
"""

from __future__ import annotations

import io
import pickle
import struct

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from rnn_core import LayerSpec, trace
from rnn_core.inputs import generate
from rnn_core.limits import (
    MAX_BATCH,
    MAX_FEATURES,
    MAX_INPUT_ELEMENTS,
    MAX_STATE_ELEMENTS,
    MAX_TIMESTEPS,
    MAX_UPLOAD_BYTES,
)
from rnn_core.spec import MAX_UNITS
from rnn_core.trace import FLOAT32_MAX
from tests.arrays import decode
from tests.test_app import PAGES, TIMEOUT, figures, open_page
from ui.settings import DEFAULTS, npy_bytes

pytestmark = [pytest.mark.app, pytest.mark.keras]


def settings_of(at: AppTest) -> dict[str, object]:
    """Every "cfg." setting of the session."""
    return {
        name: at.session_state[f"cfg.{name}"]
        for name in DEFAULTS
        if f"cfg.{name}" in at.session_state
    }


def layer_code(at: AppTest) -> str:
    """The home page's code block that builds the layer."""
    (code,) = [c.value for c in at.code if "import keras" in c.value]
    return code


def errors(at: AppTest) -> str:
    return " | ".join(e.value for e in at.error)


def npz_bytes(*arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, *arrays)
    return buffer.getvalue()


def pickled_npy() -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.array([{"rm -rf": 1}], dtype=object), allow_pickle=True)
    return buffer.getvalue()


def npy_header(shape: tuple[int, ...]) -> bytes:
    header = f"{{'descr': '<f4', 'fortran_order': False, 'shape': {shape}, }}"
    header = header.encode().ljust(118) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header


# --------------------------------------------------------------------------------------
# Bad uploads: an error naming the file and the problem; nothing else changes

BAD_UPLOADS = [
    ("ragged.csv", b"1,2,3\n4,5\n", "row 2 has 2 values, expected 3"),
    ("empty.csv", b"", "is empty"),
    ("nan.csv", b"1,2\n3,nan\n", "only finite numbers"),
    ("junk.csv", "🙂,é\n\x00,\u2028\n".encode(), "expected a number"),
    ("latin1.csv", "1;2\n3;4,5é\n".encode("latin-1"), "not UTF-8"),
    ("quotes.csv", b',"' * 2_000 + b"\n", "columns (features)"),
    ("long.csv", b"1," * 40_000, "characters long"),
    (
        "huge.csv",
        b"1\n" * (MAX_UPLOAD_BYTES // 2 + 1),
        f"at most {MAX_UPLOAD_BYTES:,} bytes",
    ),
    ("evil.npy", pickled_npy(), "pickled content is not accepted"),
    ("pickle.npy", pickle.dumps([1, 2, 3]), "pickled content is not accepted"),
    ("billion.npy", npy_header((1000, 1000, 1000)), "`batch` must be at most"),
    ("truncated.npy", npy_bytes(np.ones((4, 3)))[:-5], "truncated"),
    ("random.npy", bytes(range(256)) * 4, "not a .npy file"),
    ("text.npy", npy_bytes(np.array([["a", "b"]])), "text"),
    ("rank4.npy", npy_bytes(np.zeros((1, 2, 3, 4))), "got rank 4"),
    ("inf.npy", npy_bytes(np.full((2, 2), np.inf)), "only finite numbers"),
]


@pytest.mark.parametrize(
    ("name", "data", "problem"), BAD_UPLOADS, ids=[u[0] for u in BAD_UPLOADS]
)
def test_bad_upload_is_an_error_and_the_rest_stays(name, data, problem):
    at = open_page("home", cell="lstm", units=3, timesteps=4, return_sequences=True)
    before = settings_of(at)
    at.session_state["upload.file"] = (name, data)
    at.radio(key="cfg.source").set_value("upload").run()
    assert not at.exception, [e.value for e in at.exception]
    message = errors(at)
    assert name in message
    assert problem in message, message
    after = settings_of(at)
    assert after == {**before, "source": "upload"}  # only the source changed
    # The last valid layer and input are still shown, and say so.
    code = layer_code(at)
    assert "keras.layers.LSTM(3, activation=None, return_sequences=True)" in code
    assert "(32, 4, 8)" in code
    assert any("last valid" in info.value for info in at.info)


def test_pickled_weights_are_refused_and_the_seeded_weights_kept():
    at = open_page("home")
    baseline = figures(at)[0]["data"][0]["z"]
    weights = [np.zeros((8, 4)), np.empty((4, 4), dtype=object), np.zeros(4)]
    buffer = io.BytesIO()
    np.savez(buffer, *weights, allow_pickle=True)
    at.session_state["weights.file"] = ("evil.npz", buffer.getvalue())
    at.run()
    assert not at.exception
    assert "evil.npz" in errors(at)
    assert "pickled content is not accepted" in errors(at)
    assert "Using the seeded weights instead" in errors(at)
    assert figures(at)[0]["data"][0]["z"] == baseline


# --------------------------------------------------------------------------------------
# Out-of-range and wrong-typed stored settings: reported, set to the nearest allowed
# value (numbers) or kept at the last valid one (anything else); never passed on to a
# widget, which would raise (sliders) or silently reset it (number inputs, selects)

BASE = {"cell": "lstm", "units": 3, "timesteps": 4, "return_state": True}
OUT_OF_RANGE = [
    ("units", 10_000, MAX_UNITS, "out of range (allowed: 1 to 256); set to 256"),
    ("units", -3, 1, "set to 1"),
    ("units", 2.5, 2, "not a whole number"),
    ("units", "nan", 4, "'nan' is not a whole number from 1 to 256; kept 4"),
    ("units", float("nan"), 4, "nan is not a whole number"),
    ("units", float("inf"), 4, "inf is not a whole number"),
    ("units", None, 4, "None is not a whole number"),
    ("batch", 0, 1, "Batch: 0 is out of range (allowed: 1 to 256); set to 1"),
    ("batch", 10**12, MAX_BATCH, "set to 256"),
    ("timesteps", -1, 1, "Timesteps: -1"),
    ("features", 129, MAX_FEATURES, "Features: 129 is out of range"),
    ("weights_seed", -1, 0, "Weights seed"),
    ("input_seed", 2**40, 2**32 - 1, "set to 4,294,967,295"),
    ("cell", "transformer", "simple_rnn", "'transformer' is not one of simple_rnn"),
    ("cell", ["lstm"], "simple_rnn", "\\['lstm'\\] is not one of"),  # escaped: text
    ("activation", "tanh; rm -rf /", "None", "is not one of 31 names"),
    ("use_bias", "yes", True, "use_bias: 'yes' is not on or off; kept True"),
    ("source", "ftp", "generator", "Input source: 'ftp'"),
    ("generator", "noise", "uniform", "Generator: 'noise'"),
    ("batch_index", -7, 0, "Batch item to follow"),
    ("text", "a" * 10_000, "a" * MAX_TIMESTEPS, "Cut to the first 500"),
]


@pytest.mark.parametrize(
    ("name", "value", "fixed", "message"),
    OUT_OF_RANGE,
    ids=[f"{n}={v!r:.12}" for n, v, _, _ in OUT_OF_RANGE],
)
def test_out_of_range_setting_is_reported_and_fixed(name, value, fixed, message):
    at = AppTest.from_file(str(PAGES["home"]), default_timeout=TIMEOUT)
    chosen = {**BASE, name: value}
    for setting, stored in chosen.items():
        at.session_state[f"cfg.{setting}"] = stored
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert message in errors(at), errors(at)
    assert at.session_state[f"cfg.{name}"] == fixed
    after = settings_of(at)
    for setting, stored in BASE.items():
        if setting != name:
            assert after[setting] == stored, setting
    # The page is drawn with the fixed value.
    if name in ("batch", "timesteps", "features"):
        sizes = {"batch": 32, "timesteps": 4, "features": 8, name: fixed}
        shape = (sizes["batch"], sizes["timesteps"], sizes["features"])
        assert f"{shape}" in layer_code(at)
    if name == "units":
        assert f"keras.layers.LSTM({fixed}," in layer_code(at)


def test_a_bad_stored_value_falls_back_to_the_last_valid_one():
    """Between runs, for settings whose widget the page does not draw (a hostile
    client's or a stale value): the last valid value comes back, all else stays."""
    at = open_page("home", cell="lstm", units=3)
    at.selectbox(key="cfg.recurrent_activation").set_value("tanh").run()
    at.selectbox(key="cfg.cell").set_value("simple_rnn").run()  # hides that control
    before = settings_of(at)
    at.session_state["cfg.recurrent_activation"] = "<script>"
    at.run()
    assert not at.exception
    # The stored value is shown as text: its "<" and ">" escaped in the Markdown.
    assert (
        "Recurrent activation: '\\<script\\>' is not one of 30 names; kept 'tanh'."
        in (errors(at))
    )
    assert settings_of(at) == before
    at.selectbox(key="cfg.cell").set_value("gru").run()
    assert 'recurrent_activation="tanh"' in layer_code(at)


def test_sizes_stored_while_their_sliders_are_hidden_are_checked():
    """With an uploaded input the size sliders are not drawn: a bad stored batch is
    still reported and clamped before the generator's slider would raise on it."""
    x = generate("normal", 2, 3, 4, seed=1)
    at = open_page("home", units=3)
    at.session_state["upload.file"] = ("mine.npy", npy_bytes(x))
    at.radio(key="cfg.source").set_value("upload").run()
    before = settings_of(at)
    at.session_state["cfg.batch"] = 0
    at.session_state["cfg.timesteps"] = float("nan")
    at.run()
    assert not at.exception
    assert "Batch: 0 is out of range (allowed: 1 to 256); set to 1." in errors(at)
    assert "Timesteps: nan is not a whole number from 1 to 500; kept 1." in errors(at)
    assert settings_of(at) == {**before, "batch": 1}
    assert "(2, 3, 4)" in layer_code(at)  # the upload is still the input
    at.radio(key="cfg.source").set_value("generator").run()
    assert not at.exception
    assert not at.error
    assert "(1, 1, 8)" in layer_code(at)


def test_out_of_range_values_from_the_browser_never_raise():
    """A browser can only send values its widgets allow; a hostile one sending others
    gets Streamlit's own answer (the widget's default), never an exception."""
    at = open_page("home", cell="lstm", units=3)
    at.slider(key="cfg.batch").set_value(MAX_BATCH + 1)
    at.number_input(key="cfg.units").set_value(MAX_UNITS + 1)
    at.run()
    assert not at.exception
    assert 1 <= at.session_state["cfg.batch"] <= MAX_BATCH
    assert 1 <= at.session_state["cfg.units"] <= MAX_UNITS
    assert at.session_state["cfg.cell"] == "lstm"


def test_a_later_run_keeps_the_fixed_value_without_a_new_error():
    at = AppTest.from_file(str(PAGES["home"]), default_timeout=TIMEOUT)
    at.session_state["cfg.units"] = 10_000
    at.run()
    assert "Units" in errors(at)
    at.run()
    assert not at.error
    assert at.session_state["cfg.units"] == MAX_UNITS


def test_sizes_over_the_input_limit_keep_the_last_valid_input():
    at = open_page("home", cell="gru", units=5, timesteps=3)
    at.slider(key="cfg.batch").set_value(MAX_BATCH)
    at.slider(key="cfg.timesteps").set_value(MAX_TIMESTEPS)
    at.run()
    assert not at.exception
    message = errors(at)
    assert f"at most {MAX_INPUT_ELEMENTS:,}" in message
    assert "256 × 500 × 8 = 1,024,000" in message
    # What the user chose stays chosen; the last valid input is what is shown.
    assert at.session_state["cfg.batch"] == MAX_BATCH
    assert at.session_state["cfg.timesteps"] == MAX_TIMESTEPS
    assert at.session_state["cfg.cell"] == "gru"
    assert "keras.layers.GRU(5" in layer_code(at)
    assert "(32, 3, 8)" in layer_code(at)
    assert any("last valid" in info.value for info in at.info)


def test_a_trace_over_the_state_limit_keeps_the_last_valid_layer():
    at = open_page("home", batch=200, timesteps=100, features=1)
    at.number_input(key="cfg.units").set_value(MAX_UNITS).run()
    assert not at.exception
    assert f"at most {MAX_STATE_ELEMENTS:,}" in errors(at)
    assert "keras.layers.SimpleRNN(4" in layer_code(at)
    assert at.session_state["cfg.units"] == MAX_UNITS


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([[1.0, "nan", 0.0]], "row 1, column 'feature 1' is 'nan', not a number"),
        ([[1.0, 2.0, float("nan")]], "is nan: only finite numbers"),
        ([[1.0, 2.0, 1e39]], "too large for float32"),
        ([[1.0, True, 0.0]], "is True, not a number"),
        ("not rows", None),
    ],
)
def test_bad_table_values_are_errors(rows, message):
    at = open_page("home", source="table")
    at.session_state["table.rows"] = rows
    at.session_state["table.version"] = 7
    at.run()
    assert not at.exception
    if message is None:  # not a table at all: reset to the default table, said so
        assert "Table: the stored table was not a list of rows; reset." in errors(at)
        assert "(1, 5, 3)" in layer_code(at)
    else:
        assert message in errors(at), errors(at)
        assert "(1, 5, 3)" in layer_code(at)  # the last valid table


def _edit_table_script() -> None:
    """Runs as a Streamlit script: edits from a hostile browser, then the table."""
    import streamlit as st

    from ui.settings import keep_settings
    from ui.table_edits import with_edits

    keep_settings()
    edits = {
        "edited_rows": {
            "999": {"feature 0": 1.0},
            "x": {},
            "0": {"bogus": 1, "feature -1": 3},
        },
        "deleted_rows": ["-1", "abc", 5],
        "added_rows": ["not a row", {"feature 9": 1.0, "feature 1": 7.0}],
    }
    st.write(repr(with_edits([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], edits, 3)))


def test_hostile_table_edits_are_ignored_not_raised():
    at = AppTest.from_function(_edit_table_script, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.markdown[0].value == repr(
        [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [None, 7.0, None]]
    )


def test_the_limits_are_stated_in_the_sidebar():
    at = open_page("home")
    captions = " ".join(c.value for c in at.sidebar.caption)
    for number in (
        f"batch ≤ {MAX_BATCH}",
        f"timesteps ≤ {MAX_TIMESTEPS}",
        f"features ≤ {MAX_FEATURES}",
        f"{MAX_INPUT_ELEMENTS:,} values",
        f"units ≤ {MAX_UNITS}",
        f"{MAX_STATE_ELEMENTS:,} per state",
        f"uploads ≤ {MAX_UPLOAD_BYTES:,} bytes (5 MB)",
        "without pickles",
    ):
        assert number in captions, number


# --------------------------------------------------------------------------------------
# Exploding states

EXPLODING = {"activation": "relu", "timesteps": 60, "batch": 2}
EXPLODING_SPEC = LayerSpec(units=4, activation="relu")
# Wx: 0.5 everywhere; Wh = 10·I: spectral radius 10; no bias.
EXPLODING_WEIGHTS = [
    np.full((8, 4), 0.5, np.float32),
    10 * np.eye(4, dtype=np.float32),
    np.zeros(4, np.float32),
]


@pytest.fixture(scope="module")
def exploding():
    """The exploding layer, computed here."""
    x = generate("uniform", 2, 60, 8, seed=0)
    return trace(EXPLODING_SPEC, x, EXPLODING_WEIGHTS)


def open_exploding(page: str, **settings: object) -> AppTest:
    at = AppTest.from_file(str(PAGES[page]), default_timeout=TIMEOUT)
    for name, value in {**EXPLODING, **settings}.items():
        at.session_state[f"cfg.{name}"] = value
    at.session_state["weights.file"] = ("big.npz", npz_bytes(*EXPLODING_WEIGHTS))
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, errors(at)
    return at


def test_exploding_states_overflow_in_keras_and_numpy_alike(exploding):
    keras_h, manual_h = exploding.keras_states["h"], exploding.manual_states["h"]
    assert not np.isfinite(keras_h).all()
    np.testing.assert_array_equal(np.isfinite(keras_h), np.isfinite(manual_h))
    assert exploding.nonfinite_mismatches == 0
    first = exploding.first_nonfinite_step
    assert first is not None
    assert 0 < first < 60
    assert np.isfinite(keras_h[:, :first]).all()
    # Just before overflowing, the states are near float32's largest value.
    assert np.abs(keras_h[:, first - 1]).max() > FLOAT32_MAX / 100


def test_home_explains_the_overflow(exploding):
    at = open_exploding("home")
    (warning,) = [w.value for w in at.warning]
    counts = exploding.nonfinite_counts
    assert f"{counts['keras']['h']:,} of Keras' 480 state values" in warning
    assert f"and {counts['manual']['h']:,} of the NumPy formulas'" in warning
    assert f"from step {exploding.first_nonfinite_step} on" in warning
    assert "±3.4e+38" in warning
    assert "spectral radius ρ = 10 > 1" in warning
    assert "relu is unbounded" in warning
    assert "Both computations overflow at the same places" in warning
    assert "grey gaps" in warning
    absolute, relative = at.metric[0], at.metric[1]
    assert absolute.value == f"{exploding.max_abs_residual:.1e}"
    assert relative.label == "max |manual − Keras| / |Keras|"
    assert relative.value == f"{exploding.max_relative_residual:.1e}"


def test_hidden_states_draw_undefined_residuals_as_gaps_not_zeros(exploding):
    at = open_exploding("states")
    assert "The states overflowed" in at.warning[0].value
    residual_figure = figures(at)[2]
    title = residual_figure["layout"]["title"]["text"]
    assert "non-finite entries (NaN or ±inf) shown as grey gaps" in title
    z = decode(residual_figure["data"][0]["z"]).astype(np.float64)  # (units, steps)
    expected = exploding.residuals["h"][0].T  # (units, steps)
    undefined = ~np.isfinite(expected)
    assert undefined.any()
    assert np.isnan(z[undefined]).all()  # gaps, not zeros
    np.testing.assert_array_equal(z[~undefined], expected[~undefined])


def test_relative_residuals_are_offered_beside_absolute_ones(exploding):
    at = open_exploding("states")
    absolute = figures(at)[2]
    assert "h<sub>t</sub> residual" in absolute["layout"]["title"]["text"]
    at.toggle(key="cfg.relative_residuals").set_value(True).run()
    assert not at.exception
    relative = figures(at)[2]
    title = relative["layout"]["title"]["text"]
    assert "relative residual" in title
    assert "|manual − Keras| / max(|Keras|, tiny)" in title
    z = decode(relative["data"][0]["z"]).astype(np.float64)  # (units, steps)
    expected = exploding.relative_residual("h", 0).T
    np.testing.assert_array_equal(np.isnan(z), np.isnan(expected))
    np.testing.assert_allclose(
        z[~np.isnan(z)], expected[~np.isnan(expected)], rtol=1e-6
    )
    assert relative["data"][0]["zmin"] == 0.0
    # The choice follows the user to another page and back.
    at.switch_page(str(PAGES["home"])).run()
    at.switch_page(str(PAGES["states"])).run()
    assert "relative residual" in figures(at)[2]["layout"]["title"]["text"]


def test_finite_states_show_no_overflow_warning():
    at = open_page("states", timesteps=5)
    assert not at.warning
    at = open_page("home")
    assert not at.warning
    assert float(at.metric[1].value) < 1e-5


# --------------------------------------------------------------------------------------
# Two users at once


def test_two_sessions_with_different_uploads_never_see_each_others_data():
    x_a = (np.arange(21, dtype=np.float32).reshape(1, 7, 3) + 0.25) * 3
    csv_a = "\n".join(",".join(repr(float(v)) for v in row) for row in x_a[0])
    x_b = generate("normal", 2, 4, 5, seed=11)
    gru = LayerSpec(cell="gru", units=3)
    weights_b = [
        np.random.default_rng(5).uniform(-0.4, 0.4, s).astype(np.float32)
        for s in gru.weight_shapes(5)
    ]
    a = open_page("states", cell="lstm", units=2, return_sequences=True)
    b = open_page("states")
    a.session_state["upload.file"] = ("alice.csv", csv_a.encode())
    a.radio(key="cfg.source").set_value("upload")
    b.session_state["upload.file"] = ("bob.npy", npy_bytes(x_b))
    b.session_state["weights.file"] = ("bob.npz", npz_bytes(*weights_b))
    b.selectbox(key="cfg.cell").set_value("gru")
    b.number_input(key="cfg.units").set_value(3)
    b.radio(key="cfg.source").set_value("upload")
    # In turns, as a server interleaves them, twice.
    for _ in range(2):
        a.run()
        b.run()
        for at in (a, b):
            assert not at.exception, [e.value for e in at.exception]
            assert not at.error, errors(at)
    expected_a = trace(
        LayerSpec(cell="lstm", units=2, activation=None, return_sequences=True),
        x_a,
        seed=0,
    )
    expected_b = trace(gru.replace(activation=None), x_b, weights_b)
    keras_a = decode(figures(a)[0]["data"][0]["z"]).astype(np.float64)
    keras_b = decode(figures(b)[0]["data"][0]["z"]).astype(np.float64)
    np.testing.assert_allclose(keras_a, expected_a.keras_states["h"][0].T, rtol=1e-6)
    np.testing.assert_allclose(keras_b, expected_b.keras_states["h"][0].T, rtol=1e-6)
    shown_a = " ".join(m.value for m in a.markdown)
    shown_b = " ".join(m.value for m in b.markdown)
    assert "alice.csv" in shown_a
    assert "(1, 7, 3)" in shown_a
    assert "bob" not in shown_a
    assert "bob.npy" in shown_b
    assert "(2, 4, 5)" in shown_b
    assert "alice" not in shown_b
    assert "weights.file" not in a.session_state
    assert a.session_state["upload.file"][0] == "alice.csv"
    assert b.session_state["upload.file"][0] == "bob.npy"
    # A third user starting now sees the defaults, not either upload.
    c = open_page("home")
    assert "(32, 1, 8)" in c.code[0].value
    assert "upload.file" not in c.session_state
