"""Tests of rnn_core.figures: what each figure ships to the browser, and its size.

The values are read back from `fig.to_json()` (Plotly 7 sends NumPy arrays as base64
typed arrays, decoded here), so the tests check the JSON the browser receives.
"""

from __future__ import annotations

import json

import numpy as np
import plotly.colors
import pytest

from rnn_core import LayerSpec, name_weights
from rnn_core import figures as F  # noqa: N812
from rnn_core import trace as run_trace
from rnn_core.figures import (
    MAX_CELLS,
    MAX_FIGURE_BYTES,
    MAX_LINE_UNITS,
    MAX_WEIGHT_CELLS,
    figure_bytes,
    gate_weight_figure,
    layout_defaults,
    weight_heatmap,
)
from tests.arrays import decode

VALUE = "%{z:.7g}"


# --- reading a figure back from its JSON ---------------------------------------------


def is_diverging_red_blue(colorscale) -> bool:
    """Blue at the low end, white in the middle, red at the high end (RdBu_r)."""
    colours = [colour for _, colour in colorscale]
    return colours == plotly.colors.diverging.RdBu[::-1]


def shipped(fig) -> dict:
    """The figure as the browser receives it."""
    return json.loads(fig.to_json())


def z_of(fig, index: int = 0) -> np.ndarray:
    return decode(shipped(fig)["data"][index]["z"])


def title_of(fig) -> str:
    return fig.layout.title.text


def random_weights(spec: LayerSpec, features: int, seed: int = 0) -> list[np.ndarray]:
    """Arrays shaped like `layer.get_weights()`, drawn with NumPy."""
    rng = np.random.default_rng(seed)
    return [
        rng.standard_normal(shape).astype(np.float32)
        for shape in spec.weight_shapes(features)
    ]


# --- NumPy only: weights, layout, size ------------------------------------------------


def test_weight_heatmap_ships_the_exact_wx_values_with_named_axes():
    array = np.random.default_rng(1).standard_normal((8, 4)).astype(np.float32)
    fig = weight_heatmap("Wx", array)

    np.testing.assert_array_equal(z_of(fig), array)
    data = shipped(fig)["data"][0]
    np.testing.assert_array_equal(decode(data["x"]), np.arange(4))
    np.testing.assert_array_equal(decode(data["y"]), np.arange(8))
    assert fig.layout.xaxis.title.text == "unit k"
    assert fig.layout.yaxis.title.text == "feature j"
    assert fig.layout.xaxis.tickformat == "d"
    assert fig.layout.yaxis.tickformat == "d"
    assert "Wx (8 × 4)" in title_of(fig)
    hover = fig.data[0].hovertemplate
    assert VALUE in hover
    assert "feature j=%{y}" in hover
    assert "unit k=%{x}" in hover
    m = float(np.abs(array).max())
    assert is_diverging_red_blue(fig.data[0].colorscale)
    assert fig.data[0].zmid == 0
    assert fig.data[0].zmin == pytest.approx(-m)
    assert fig.data[0].zmax == pytest.approx(m)
    assert fig.layout.meta["summarised"] is False


def test_weight_heatmap_axes_of_wh_and_biases():
    rng = np.random.default_rng(2)
    wh = weight_heatmap("Wh_f", rng.standard_normal((4, 4)).astype(np.float32))
    assert wh.layout.yaxis.title.text.startswith("unit j (from h")
    assert wh.layout.xaxis.title.text == "unit k"
    assert "Wh_f (4 × 4)" in title_of(wh)

    bias = rng.standard_normal(12).astype(np.float32)
    b = weight_heatmap("b", bias)
    np.testing.assert_array_equal(z_of(b), bias[None, :])
    assert list(b.data[0].y) == ["b"]
    assert b.layout.xaxis.title.text == "unit k"
    assert b.layout.yaxis.title.text == "bias"

    two_rows = rng.standard_normal((2, 9)).astype(np.float32)  # GRU reset_after
    b2 = weight_heatmap("backward/b", two_rows)
    np.testing.assert_array_equal(z_of(b2), two_rows)
    assert list(b2.data[0].y) == ["bx", "bh"]
    assert "backward/b (2 × 9)" in title_of(b2)


def test_weight_heatmap_of_a_stacked_kernel_marks_the_gate_blocks():
    array = np.random.default_rng(3).standard_normal((5, 12)).astype(np.float32)
    fig = weight_heatmap("Wx", array, gates=("z", "r", "h"))
    np.testing.assert_array_equal(z_of(fig), array)
    assert "blocks z, r, h of 4 units" in fig.layout.xaxis.title.text
    borders = [s.x0 for s in fig.layout.shapes]
    assert borders == [3.5, 7.5]
    assert [a.text for a in fig.layout.annotations] == ["z", "r", "h"]


@pytest.mark.parametrize(
    ("cell", "titles"),
    [
        ("lstm", ["Wx_i", "Wx_f", "Wx_c", "Wx_o"]),
        ("gru", ["Wx_z", "Wx_r", "Wx_h"]),
        ("simple_rnn", ["Wx"]),
    ],
)
def test_gate_weight_figure_has_one_panel_per_gate(cell, titles):
    spec = LayerSpec(cell=cell, units=4)
    raw = random_weights(spec, features=8)
    fig = gate_weight_figure(spec, raw, which="Wx")

    assert len(fig.data) == spec.gate_count
    panel_titles = [a.text for a in fig.layout.annotations]
    assert len(panel_titles) == spec.gate_count
    for title, name in zip(panel_titles, titles, strict=True):
        assert title.startswith(f"{name} (8 × 4)")
    for k, trace in enumerate(fig.data):
        block = raw[0][:, 4 * k : 4 * (k + 1)]
        np.testing.assert_array_equal(z_of(fig, k), block)
        assert VALUE in trace.hovertemplate
        assert trace.coloraxis == "coloraxis"
    m = float(np.abs(raw[0]).max())
    axis = fig.layout.coloraxis
    assert axis.cmid == 0
    assert axis.cmin == pytest.approx(-m)
    assert axis.cmax == pytest.approx(m)
    assert fig.layout.xaxis.title.text == "unit k"
    assert fig.layout.yaxis.title.text == "feature j"


def test_gate_weight_figure_titles_name_the_gates():
    spec = LayerSpec(cell="lstm", units=4)
    fig = gate_weight_figure(spec, random_weights(spec, 8), which="Wh")
    titles = [a.text for a in fig.layout.annotations]
    assert titles == [
        "Wh_i (4 × 4): input gate",
        "Wh_f (4 × 4): forget gate",
        "Wh_c (4 × 4): cell candidate",
        "Wh_o (4 × 4): output gate",
    ]
    gru = LayerSpec(cell="gru", units=3)
    fig = gate_weight_figure(gru, random_weights(gru, 2), which="Wx")
    assert [a.text for a in fig.layout.annotations] == [
        "Wx_z (2 × 3): update gate",
        "Wx_r (2 × 3): reset gate",
        "Wx_h (2 × 3): candidate state",
    ]


def test_gate_weight_figure_gru_reset_after_bias_has_two_rows_per_gate():
    spec = LayerSpec(cell="gru", units=3, reset_after=True)
    raw = random_weights(spec, features=5)
    named = name_weights(spec, raw)
    fig = gate_weight_figure(spec, named, which="b")  # the named dict works too
    assert len(fig.data) == 3
    for k, gate in enumerate("zrh"):
        expected = np.stack([named[f"bx_{gate}"], named[f"bh_{gate}"]])  # (2, units)
        np.testing.assert_array_equal(z_of(fig, k), expected)
        assert list(fig.data[k].y) == ["bx", "bh"]
        assert f"b_{gate}: %{{y}}" in fig.data[k].hovertemplate
    assert fig.layout.annotations[0].text == "bx_z, bh_z (2 × 3): update gate"


def test_gate_weight_figure_bidirectional_directions_use_their_own_weights():
    spec = LayerSpec(cell="lstm", units=3, bidirectional=True)
    raw = random_weights(spec, features=4)
    forward = gate_weight_figure(spec, raw, which="Wh")  # default: forward
    backward = gate_weight_figure(spec, raw, which="Wh", direction="backward")
    np.testing.assert_array_equal(z_of(forward, 1), raw[1][:, 3:6])
    np.testing.assert_array_equal(z_of(backward, 1), raw[4][:, 3:6])
    assert "forward direction" in title_of(forward)
    assert "backward direction" in title_of(backward)


def test_gate_weight_figure_rejects_bad_arguments():
    spec = LayerSpec(cell="lstm", units=3)
    raw = random_weights(spec, 2)
    with pytest.raises(ValueError, match="`which`"):
        gate_weight_figure(spec, raw, which="Wy")
    with pytest.raises(ValueError, match="`direction`"):
        gate_weight_figure(spec, raw, direction="backward")
    with pytest.raises(ValueError, match="`weights` is required"):
        gate_weight_figure(spec)
    no_bias = LayerSpec(cell="gru", units=3, use_bias=False)
    with pytest.raises(ValueError, match="use_bias=False"):
        gate_weight_figure(no_bias, random_weights(no_bias, 2), which="b")
    with pytest.raises(ValueError, match="`array`"):
        weight_heatmap("Wx", np.zeros((2, 2, 2)))


def test_the_largest_weights_are_summarised_under_the_size_budget():
    spec = LayerSpec(cell="lstm", units=256)
    raw = random_weights(spec, features=128)  # the largest layer the limits allow
    for which in ("Wx", "Wh", "b"):
        fig = gate_weight_figure(spec, raw, which=which)
        assert figure_bytes(fig) < MAX_FIGURE_BYTES
        cells = sum(z_of(fig, k).size for k in range(4))
        assert cells <= MAX_WEIGHT_CELLS
    whole = weight_heatmap("Wh", raw[1])  # (256, 1024)
    assert figure_bytes(whole) < MAX_FIGURE_BYTES
    assert "summarised: every 4th column shown" in title_of(whole)
    assert whole.layout.meta["summarised"] is True
    np.testing.assert_array_equal(z_of(whole), raw[1][:, ::4])  # exact values kept
    np.testing.assert_array_equal(decode(shipped(whole)["data"][0]["x"])[:3], [0, 4, 8])


def test_figure_bytes_and_layout_defaults():
    fig = weight_heatmap("Wx", np.ones((3, 2), np.float32))
    assert figure_bytes(fig) == len(fig.to_json().encode("utf-8"))
    defaults = layout_defaults("A title", height=400)
    assert defaults["title"]["text"] == "A title"
    assert defaults["height"] == 400
    assert set(defaults["margin"]) == {"l", "r", "t", "b"}
    assert defaults["font"]["size"] >= 12
    assert fig.layout.height == F.DEFAULT_HEIGHT


def test_figures_never_import_tensorflow(assert_stays_light):
    assert_stays_light(
        """
import sys
import numpy as np
from rnn_core import LayerSpec, manual_forward, name_weights
from rnn_core import figures
from rnn_core.manual import output_names, run_layer
from rnn_core.trace import Trace

rng = np.random.default_rng(0)
spec = LayerSpec(cell="gru", units=3, return_sequences=True)
raw = [rng.standard_normal(s).astype(np.float32) for s in spec.weight_shapes(2)]
named = name_weights(spec, raw)
x = rng.standard_normal((2, 5, 2)).astype(np.float32)
manual_forward(spec, raw, x)
figs = [figures.weight_heatmap(name, array) for name, array in named.items()]
figs += [figures.gate_weight_figure(spec, raw, which=w) for w in ("Wx", "Wh", "b")]

# A Trace built from the NumPy run alone (its "Keras" side is the same arrays).
result, runs = run_layer(spec, raw, x)
states = {"h": runs[0].states["h"]}
trace = Trace(
    spec=spec, x=x, raw_weights=tuple(raw), weights=named, initial_state=None,
    mask=None, output_names=output_names(spec), keras_outputs=(result,),
    manual_outputs=(result,), output_residuals=(result * 0,), keras_states=states,
    manual_states=states, residuals={"h": states["h"] * 0}, max_abs_residual=0.0,
    nonfinite_mismatches=0,
    time_index={"forward": runs[0].time_index}, runs=tuple(runs),
)
figs += [
    figures.states_heatmap(trace), figures.residual_heatmap(trace),
    figures.state_lines(trace), figures.gate_heatmaps(trace),
]
assert all(figures.figure_bytes(f) > 0 for f in figs)
"""
    )


# --- real traces (Keras) ------------------------------------------------------------


@pytest.fixture(scope="module")
def lstm_trace():
    import rnn_core

    x = np.random.default_rng(4).standard_normal((2, 6, 3)).astype(np.float32)
    return rnn_core.trace(LayerSpec(cell="lstm", units=4, return_sequences=True), x)


@pytest.fixture(scope="module")
def gru_backwards_trace():
    import rnn_core

    x = np.random.default_rng(5).standard_normal((2, 7, 3)).astype(np.float32)
    return rnn_core.trace(LayerSpec(cell="gru", units=3, go_backwards=True), x)


@pytest.fixture(scope="module")
def bidirectional_trace():
    import rnn_core

    x = np.random.default_rng(6).standard_normal((2, 5, 3)).astype(np.float32)
    spec = LayerSpec(cell="lstm", units=3, bidirectional=True, return_sequences=True)
    return rnn_core.trace(spec, x)


@pytest.mark.keras
@pytest.mark.parametrize("source", ["keras", "manual"])
@pytest.mark.parametrize("state", ["h", "c"])
def test_states_heatmap_ships_the_states_of_one_batch_item(lstm_trace, source, state):
    fig = F.states_heatmap(lstm_trace, source=source, state=state, batch_index=1)
    states = lstm_trace.keras_states if source == "keras" else lstm_trace.manual_states
    np.testing.assert_array_equal(z_of(fig), states[state][1].T)  # (units, steps)
    assert fig.layout.xaxis.title.text == "timestep t"
    assert fig.layout.yaxis.title.text == "unit k"
    assert fig.layout.xaxis.tickformat == "d"
    assert fig.layout.xaxis.dtick == 1
    assert "Keras" in title_of(fig) if source == "keras" else "manual" in title_of(fig)
    assert f"{state}<sub>t</sub> over time" in title_of(fig)
    assert "batch item 1" in title_of(fig)
    hover = fig.data[0].hovertemplate
    assert f"unit k=%{{y}}, timestep t=%{{x}}: {VALUE}" in hover
    assert fig.data[0].zmid == 0
    assert fig.data[0].zmin == -fig.data[0].zmax


@pytest.mark.keras
def test_residual_heatmap_is_symmetric_around_zero(lstm_trace):
    fig = F.residual_heatmap(lstm_trace, state="c")
    residual = lstm_trace.residuals["c"][0]  # (timesteps, units)
    np.testing.assert_array_equal(z_of(fig), residual.T)
    m = float(np.abs(residual).max())
    heatmap = fig.data[0]
    assert heatmap.zmid == 0
    assert heatmap.zmin == pytest.approx(-max(m, 1e-12))
    assert heatmap.zmax == pytest.approx(max(m, 1e-12))
    assert is_diverging_red_blue(heatmap.colorscale)
    assert f"max |manual − Keras| = {m:.1e}" in title_of(fig)
    assert VALUE in heatmap.hovertemplate
    assert fig.layout.meta["non_finite"] == 0
    assert fig.layout.plot_bgcolor is None  # the template's white


@pytest.mark.keras
def test_residual_heatmap_of_an_exact_match_still_draws():
    import rnn_core

    spec = LayerSpec(units=3, activation=None)
    weights = [np.zeros((2, 3), np.float32), np.zeros((3, 3), np.float32)]
    weights.append(np.zeros(3, np.float32))
    x = np.ones((1, 4, 2), np.float32)
    trace = rnn_core.trace(spec, x, weights)
    assert not trace.residuals["h"].any()
    fig = F.residual_heatmap(trace)
    assert fig.data[0].zmax == pytest.approx(1e-12)
    assert fig.data[0].zmin == pytest.approx(-1e-12)
    assert "max |manual − Keras| = 0.0e+00" in title_of(fig)


@pytest.mark.keras
@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_non_finite_residuals_are_gaps_and_counted():
    import rnn_core

    # exp overflows to inf after one step in both engines; inf − inf is NaN.
    spec = LayerSpec(units=3, activation="exponential", return_sequences=True)
    weights = [
        np.full((2, 3), 5, np.float32),
        np.full((3, 3), 5, np.float32),
        np.zeros(3, np.float32),
    ]
    trace = rnn_core.trace(spec, np.full((1, 6, 2), 3.0, np.float32), weights)
    residual = trace.residuals["h"][0]
    bad = int((~np.isfinite(residual)).sum())
    assert bad > 0

    fig = F.residual_heatmap(trace)
    z = z_of(fig)
    np.testing.assert_array_equal(np.isnan(z), ~np.isfinite(residual.T))
    assert f"{bad} non-finite entries" in title_of(fig)
    assert np.isfinite(fig.data[0].zmax)
    assert fig.data[0].zmin == -fig.data[0].zmax
    assert fig.data[0].hoverongaps is False
    assert fig.layout.plot_bgcolor == F.GAP_COLOUR  # gaps show grey, not white
    assert figure_bytes(fig) < MAX_FIGURE_BYTES  # serialises without error

    states = F.states_heatmap(trace)  # inf in the states themselves
    assert np.isnan(z_of(states)).sum() == (~np.isfinite(trace.keras_states["h"])).sum()
    assert "non-finite" in title_of(states)
    assert np.isfinite(states.data[0].zmax)
    F.state_lines(trace).to_json()


@pytest.mark.keras
def test_state_lines_overlay_keras_and_manual(lstm_trace):
    fig = F.state_lines(lstm_trace, state="h", batch_index=1)
    units = lstm_trace.spec.units
    assert len(fig.data) == 2 * units
    data = shipped(fig)["data"]
    for k in range(units):
        keras, manual = fig.data[2 * k], fig.data[2 * k + 1]
        assert keras.name == f"unit {k} Keras"
        assert manual.name == f"unit {k} manual"
        assert keras.line.dash is None
        assert manual.line.dash == "dot"
        assert "markers" in manual.mode
        assert keras.legendgroup == manual.legendgroup
        np.testing.assert_array_equal(
            decode(data[2 * k]["y"]), lstm_trace.keras_states["h"][1, :, k]
        )
        np.testing.assert_array_equal(
            decode(data[2 * k + 1]["y"]), lstm_trace.manual_states["h"][1, :, k]
        )
        assert "%{y:.7g}" in keras.hovertemplate
        assert f"unit k={k}, timestep t=%{{x}}" in keras.hovertemplate
    assert fig.layout.xaxis.title.text == "timestep t"
    assert fig.layout.xaxis.tickformat == "d"

    assert lstm_trace.x.shape[1] > 1
    assert fig.data[0].mode == "lines"

    chosen = F.state_lines(lstm_trace, state="c", units=[2])
    assert len(chosen.data) == 2
    assert "units 2 of 4" in title_of(chosen)
    with pytest.raises(ValueError, match="`units`"):
        F.state_lines(lstm_trace, units=[4])


@pytest.mark.keras
def test_gate_heatmaps_lstm_has_four_panels_from_the_steps(lstm_trace):
    fig = F.gate_heatmaps(lstm_trace, batch_index=1)
    assert len(fig.data) == 4
    titles = [a.text for a in fig.layout.annotations]
    assert titles == [
        "i: input gate",
        "f: forget gate",
        "c̃: cell candidate",
        "o: output gate",
    ]
    steps = lstm_trace.steps["forward"]
    for k, part in enumerate(("i", "f", "c_tilde", "o")):
        np.testing.assert_array_equal(z_of(fig, k), steps[part][1].T)
        assert VALUE in fig.data[k].hovertemplate
    assert fig.data[1].zmin == 0  # sigmoid gates: 0–1 scale
    assert fig.data[1].zmax == 1
    assert fig.data[2].zmid == 0  # tanh candidate: centred on zero
    assert fig.layout.xaxis4.title.text == "timestep t"
    assert fig.layout.yaxis.title.text == "unit k"


@pytest.mark.keras
def test_gate_heatmaps_gru_has_three_panels(gru_backwards_trace):
    fig = F.gate_heatmaps(gru_backwards_trace)  # default direction: "backward"
    assert len(fig.data) == 3
    assert [a.text.split(":")[0] for a in fig.layout.annotations] == ["z", "r", "h̃"]
    steps = gru_backwards_trace.steps["backward"]
    np.testing.assert_array_equal(z_of(fig, 2), steps["h_tilde"][0].T)
    assert fig.layout.xaxis3.title.text == "step s"


@pytest.mark.keras
def test_gate_heatmaps_refuses_simple_rnn():
    import rnn_core

    trace = rnn_core.trace(LayerSpec(units=2), np.ones((1, 2, 2), np.float32))
    with pytest.raises(ValueError, match="SimpleRNN has no gates"):
        F.gate_heatmaps(trace)


@pytest.mark.keras
def test_go_backwards_shows_steps_with_the_input_timestep_in_hover(
    gru_backwards_trace,
):
    trace = gru_backwards_trace
    fig = F.states_heatmap(trace, source="manual")
    assert fig.layout.xaxis.title.text == "step s"
    hover = fig.data[0].hovertemplate
    assert "step s=%{x} (input timestep t=%{customdata})" in hover
    assert VALUE in hover
    customdata = decode(shipped(fig)["data"][0]["customdata"])  # (units, steps)
    np.testing.assert_array_equal(customdata[0], trace.time_index["backward"])
    np.testing.assert_array_equal(customdata[0], np.arange(7)[::-1])
    np.testing.assert_array_equal(z_of(fig), trace.manual_states["h"][0].T)
    lines = F.state_lines(trace)
    assert lines.layout.xaxis.title.text == "step s"
    assert "input timestep t=%{customdata}" in lines.data[0].hovertemplate


@pytest.mark.keras
def test_bidirectional_directions(bidirectional_trace):
    trace = bidirectional_trace
    default = F.states_heatmap(trace)
    np.testing.assert_array_equal(z_of(default), trace.keras_states["forward/h"][0].T)
    assert "forward direction" in title_of(default)
    assert default.layout.xaxis.title.text == "timestep t"

    backward = F.states_heatmap(trace, state="c", direction="backward")
    np.testing.assert_array_equal(z_of(backward), trace.keras_states["backward/c"][0].T)
    assert backward.layout.xaxis.title.text == "step s"
    assert "backward direction" in title_of(backward)

    residual = F.residual_heatmap(trace, direction="backward")
    np.testing.assert_array_equal(z_of(residual), trace.residuals["backward/h"][0].T)

    gates = F.gate_heatmaps(trace, direction="backward")
    np.testing.assert_array_equal(z_of(gates, 0), trace.steps["backward"]["i"][0].T)

    weights = F.gate_weight_figure(trace, which="Wx", direction="backward")
    np.testing.assert_array_equal(z_of(weights, 0), trace.weights["backward/Wx_i"])

    lines = F.state_lines(trace, direction="backward")
    assert len(lines.data) == 2 * trace.spec.units

    with pytest.raises(ValueError, match="`direction`"):
        F.states_heatmap(trace, direction="sideways")


@pytest.mark.keras
def test_bad_arguments_name_the_field(lstm_trace):
    with pytest.raises(ValueError, match="`source`"):
        F.states_heatmap(lstm_trace, source="tf")
    with pytest.raises(ValueError, match="`state`"):
        F.states_heatmap(lstm_trace, state="q")
    with pytest.raises(ValueError, match="`batch_index`"):
        F.residual_heatmap(lstm_trace, batch_index=2)
    with pytest.raises(ValueError, match="`max_cells`"):
        F.states_heatmap(lstm_trace, max_cells=0)


@pytest.fixture(scope="module", params=[False, True], ids=["forward", "go_backwards"])
def large_trace(request):
    import rnn_core

    x = np.random.default_rng(7).standard_normal((1, 500, 8)).astype(np.float32)
    spec = LayerSpec(
        cell="lstm", units=256, return_sequences=True, go_backwards=request.param
    )
    return rnn_core.trace(spec, x)


@pytest.mark.keras
def test_a_large_trace_is_summarised_under_two_megabytes(large_trace):
    trace = large_trace
    key = "h"
    figs = {
        "states": F.states_heatmap(trace),
        "states_c": F.states_heatmap(trace, source="manual", state="c"),
        "residual": F.residual_heatmap(trace),
        "lines": F.state_lines(trace),
        "all_lines": F.state_lines(trace, units=range(256)),
        "gates": F.gate_heatmaps(trace),
        "Wx": F.gate_weight_figure(trace, which="Wx"),
        "Wh": F.gate_weight_figure(trace, which="Wh"),
    }
    for name, fig in figs.items():
        assert figure_bytes(fig) < MAX_FIGURE_BYTES, name

    states = figs["states"]
    assert "summarised" in title_of(states)
    assert "every 7th" in title_of(states)
    assert states.layout.meta["summarised"] is True
    z = z_of(states)  # (units, shown steps)
    assert z.size <= MAX_CELLS
    shown = decode(shipped(states)["data"][0]["x"])
    assert shown[0] == 0
    assert shown[-1] == 499  # the last step is always kept
    # The cells shown keep their exact values.
    np.testing.assert_array_equal(z, trace.keras_states[key][0][shown].T)

    assert "summarised" in title_of(figs["residual"])
    assert "summarised" in title_of(figs["gates"])
    for k in range(4):
        assert z_of(figs["gates"], k).size <= MAX_CELLS
    lines = figs["lines"]
    assert len(lines.data) == 2 * MAX_LINE_UNITS
    assert f"units 0–{MAX_LINE_UNITS - 1} of 256" in title_of(lines)
    assert len(figs["all_lines"].data) == 512
    assert "summarised" in title_of(figs["all_lines"])


# --- the unrolled recurrence (NumPy only) ---------------------------------------------


def boxes(fig) -> dict[str, object]:
    """The cell boxes by name, "cell <direction> step <s>"."""
    return {shape.name: shape for shape in fig.layout.shapes if shape.type == "rect"}


def annotation_texts(fig, prefix: str) -> dict[str, str]:
    """Named annotations starting with `prefix`: name -> text."""
    return {
        a.name: a.text
        for a in fig.layout.annotations
        if (a.name or "").startswith(prefix)
    }


def test_unrolled_diagram_highlights_the_current_step():
    fig = F.unrolled_diagram(LayerSpec(units=4, activation=None), timesteps=5, step=2)
    shapes = boxes(fig)
    assert list(shapes) == [f"cell forward step {s}" for s in range(5)]
    highlighted = [n for n, s in shapes.items() if s.fillcolor == F.HIGHLIGHT_BOX]
    assert highlighted == ["cell forward step 2"]
    assert shapes["cell forward step 2"].line.color == F.HIGHLIGHT_LINE
    assert all(
        s.fillcolor == F.UNROLLED_BOX for n, s in shapes.items() if n not in highlighted
    )
    # Boxes run left to right in processing order.
    centres = [(s.x0 + s.x1) / 2 for s in shapes.values()]
    assert centres == sorted(centres)
    inputs = annotation_texts(fig, "input forward")
    assert inputs["input forward step 2"] == "<b>x[2]</b>"
    assert inputs["input forward step 0"] == "x[0]"
    assert "step 2 (of 0–4) reads x[2]" in title_of(fig)
    assert fig.layout.meta["step"] == 2
    # Hover text on the boxes says which input each step reads.
    (hover,) = [t for t in fig.data if t.name == "forward steps"]
    assert list(hover.hovertext)[3].startswith("forward step 3 reads x[3]")
    assert list(hover.x) == centres


def test_unrolled_diagram_outputs_and_final_state_are_dimmed_unless_returned():
    spec = LayerSpec(units=3)
    fig = F.unrolled_diagram(spec, 4, 0)
    last_only = annotation_texts(fig, "output")
    assert len(last_only) == 4
    assert [n for n in last_only if "not returned" not in n] == [
        "output forward step 3 returned"
    ]
    colours = {a.name: a.font.color for a in fig.layout.annotations if a.name}
    assert colours["output forward step 3 returned"] == "black"
    assert colours["output forward step 0 not returned"] == F.DIMMED
    every = annotation_texts(
        F.unrolled_diagram(spec.replace(return_sequences=True), 4, 0), "output"
    )
    assert len(every) == 4
    assert not [n for n in every if "not returned" in n]
    assert annotation_texts(F.unrolled_diagram(spec, 4, 0), "state") == {
        "state forward not returned": "h<sub>4</sub><br>final state<br>(not returned)"
    }
    with_state = F.unrolled_diagram(spec.replace(return_state=True), 4, 0)
    assert list(annotation_texts(with_state, "state")) == ["state forward returned"]


def test_unrolled_diagram_under_go_backwards_labels_the_inputs_reversed():
    fig = F.unrolled_diagram(LayerSpec(units=3, go_backwards=True), 6, 1)
    inputs = annotation_texts(fig, "input backward")
    assert inputs == {
        f"input backward step {s}": (f"<b>x[{5 - s}]</b>" if s == 1 else f"x[{5 - s}]")
        for s in range(6)
    }
    assert "reads x[4]" in title_of(fig)
    assert "go_backwards" in title_of(fig)
    # An explicit time_index (e.g. a Trace's) is used as given.
    custom = F.unrolled_diagram(LayerSpec(units=3), 3, 0, time_index=[2, 1, 0])
    assert annotation_texts(custom, "input")["input forward step 0"] == "<b>x[2]</b>"


def test_unrolled_diagram_shows_a_window_around_the_step():
    spec = LayerSpec(cell="lstm", units=2)
    fig = F.unrolled_diagram(spec, timesteps=30, step=10, max_steps=12)
    assert fig.layout.meta["steps_shown"] == list(range(4, 16))
    assert list(boxes(fig)) == [f"cell forward step {s}" for s in range(4, 16)]
    ellipses = [a for a in fig.layout.annotations if a.text == "…"]
    assert len(ellipses) == 2  # steps hidden on both sides
    assert "steps 4–15 of 30 shown" in title_of(fig)
    # At the ends, the window stops at the first or last step.
    start = F.unrolled_diagram(spec, 30, 0, max_steps=12)
    assert start.layout.meta["steps_shown"] == list(range(12))
    assert len([a for a in start.layout.annotations if a.text == "…"]) == 1
    end = F.unrolled_diagram(spec, 30, 29, max_steps=12)
    assert end.layout.meta["steps_shown"] == list(range(18, 30))
    assert "cell forward step 29" in boxes(end)
    # LSTM: c runs alongside h.
    texts = [a.text for a in fig.layout.annotations]
    assert "c<sub>11</sub>" in texts
    assert "h<sub>11</sub>" in texts


def test_unrolled_diagram_bidirectional_has_two_rows():
    spec = LayerSpec(cell="gru", units=2, bidirectional=True, return_sequences=True)
    fig = F.unrolled_diagram(spec, 4, 1, time_index=[0, 1, 2, 3])
    shapes = boxes(fig)
    assert len(shapes) == 8
    forward_y = shapes["cell forward step 1"].y0
    backward_y = shapes["cell backward step 1"].y0
    assert backward_y < forward_y  # the backward row is below
    for direction in ("forward", "backward"):
        assert shapes[f"cell {direction} step 1"].fillcolor == F.HIGHLIGHT_BOX
    backward_inputs = annotation_texts(fig, "input backward")
    assert backward_inputs["input backward step 0"] == "x[3]"
    assert annotation_texts(fig, "input forward")["input forward step 0"] == "x[0]"
    assert "x[1] (forward) and x[2] (backward)" in title_of(fig)
    assert "merge_mode='concat'" in title_of(fig)


def test_unrolled_diagram_size_and_hidden_axes():
    one_row = F.unrolled_diagram(LayerSpec(), 500, 250)
    two_rows = F.unrolled_diagram(LayerSpec(cell="lstm", bidirectional=True), 500, 250)
    assert one_row.layout.height == F.UNROLLED_ROW_HEIGHT == 240
    assert two_rows.layout.height == F.UNROLLED_ROW_HEIGHT + 220  # a second row
    for fig in (one_row, two_rows):
        assert len(fig.layout.meta["steps_shown"]) == 12
        assert figure_bytes(fig) < 100_000
        for axis in (fig.layout.xaxis, fig.layout.yaxis):
            assert axis.visible is False
            assert axis.showticklabels is False
        assert fig.layout.title.text


def test_unrolled_diagram_rejects_bad_arguments():
    spec = LayerSpec()
    with pytest.raises(ValueError, match="`step`"):
        F.unrolled_diagram(spec, 5, 5)
    with pytest.raises(ValueError, match="`timesteps`"):
        F.unrolled_diagram(spec, 0, 0)
    with pytest.raises(ValueError, match="`max_steps`"):
        F.unrolled_diagram(spec, 5, 0, max_steps=0)
    with pytest.raises(ValueError, match="`time_index`"):
        F.unrolled_diagram(spec, 3, 0, time_index=[0, 1])
    with pytest.raises(ValueError, match="`time_index`"):
        F.unrolled_diagram(spec, 3, 0, time_index=[0, 1, 3])
    with pytest.raises(ValueError, match="`spec`"):
        F.unrolled_diagram("simple_rnn", 3, 0)  # type: ignore[arg-type]


@pytest.mark.keras
def test_state_lines_one_step_keras_gets_markers():
    one_step = run_trace(LayerSpec(units=3), np.ones((2, 1, 2), np.float32), seed=0)
    fig = F.state_lines(one_step)
    assert fig.data[0].name == "unit 0 Keras"
    assert fig.data[0].mode == "markers"  # a one-point line would draw nothing
