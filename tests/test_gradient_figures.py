"""Tests of rnn_core.gradient_figures and rnn_core.gradient_lab (NumPy only).

The gradient traces here pair the manual BPTT with a copy of it changed by a known
amount standing in for Keras (`compare_gradients`), so the figures' residuals are
known exactly and no TensorFlow is needed. Values are read back from `fig.to_json()`,
what the browser receives.
"""

from __future__ import annotations

import dataclasses
import json

import numpy as np
import pytest

from rnn_core import LayerSpec
from rnn_core.explain import recurrent_spectral_radii
from rnn_core.figures import MAX_FIGURE_BYTES, figure_bytes
from rnn_core.gradient_figures import (
    cell_comparison_figure,
    hidden_norm_figure,
    weight_gradient_figure,
)
from rnn_core.gradient_lab import (
    bptt_latex,
    carry_line,
    decay_line,
    make_readout_arrays,
    rescale_recurrent,
    set_gate_bias,
)
from rnn_core.gradient_texts import GRAD_TEXTS
from rnn_core.gradients import GradientTrace, compare_gradients, manual_gradients
from tests.arrays import decode, random_normal, random_weights

SHIFT = 1e-3  # the stand-in "Keras" gradients are the manual ones minus this


def gradient_trace(spec: LayerSpec, batch=3, timesteps=7, features=2) -> GradientTrace:
    """Manual gradients vs the same minus SHIFT: every residual is exactly +SHIFT."""
    weights = random_weights(spec, features, seed=1)
    x = random_normal((batch, timesteps, features), seed=2)
    width = spec.units * (2 if spec.bidirectional else 1)
    manual = manual_gradients(spec, weights, x, np.zeros((batch, width)))
    shifted = dataclasses.replace(
        manual,
        weights=tuple(w - SHIFT for w in manual.weights),
        hidden={d: h - SHIFT for d, h in manual.hidden.items()},
    )
    return compare_gradients(spec, manual, shifted)


def shipped(fig) -> dict:
    return json.loads(fig.to_json())


CELLS = [
    LayerSpec(units=3),
    LayerSpec(cell="lstm", units=3),
    LayerSpec(cell="gru", units=3),
    LayerSpec(cell="gru", units=3, reset_after=False),
]


# --- ‖dL/dh_t‖ over steps -------------------------------------------------------------


@pytest.mark.parametrize("spec", CELLS, ids=lambda s: f"{s.cell}-{s.reset_after}")
def test_norm_figure_overlays_keras_and_manual_on_a_log_axis(spec):
    trace = gradient_trace(spec)
    data = shipped(hidden_norm_figure(trace))
    layout = data["layout"]
    assert layout["yaxis"]["type"] == "log"
    assert layout["yaxis2"]["type"] == "log"
    names = [d["name"] for d in data["data"]]
    assert names == [
        "Keras (GradientTape)",
        "manual BPTT (NumPy)",
        "max |manual − Keras| of ∂L/∂h_t at the step",
    ]
    keras_norms = decode(data["data"][0]["y"])
    manual_norms = decode(data["data"][1]["y"])
    expected = np.linalg.norm(trace.keras.hidden["forward"], axis=(0, 2))
    np.testing.assert_allclose(keras_norms, expected, rtol=1e-12)
    assert not np.allclose(keras_norms, manual_norms)  # the shift shows
    residual = decode(data["data"][2]["y"])
    np.testing.assert_allclose(residual, SHIFT, rtol=1e-9)
    assert "%{y:.7g}" in data["data"][0]["hovertemplate"]
    assert data["layout"]["xaxis2"]["title"]["text"] == "processing step s"


def test_norm_figure_in_spanish_and_marks_a_step():
    data = shipped(hidden_norm_figure(gradient_trace(CELLS[0]), "es", mark_step=2))
    title = data["layout"]["title"]["text"]
    assert title.startswith("‖∂L/∂h_t‖ en cada paso de procesamiento")
    assert "pérdida en la última salida" in title
    assert data["layout"]["yaxis"]["title"]["text"] == "‖∂L/∂h_t‖ (escala logarítmica)"
    assert data["layout"]["xaxis2"]["title"]["text"] == "paso de procesamiento s"
    assert data["data"][1]["name"] == "BPTT manual (NumPy)"
    assert "paso s=" in data["data"][0]["hovertemplate"]
    assert [s["x0"] for s in data["layout"]["shapes"]] == [2, 2]  # both panels
    assert data["layout"]["annotations"][-1]["text"] == "entrada repetida (paso 2)"


def test_norm_figure_of_go_backwards_hovers_the_input_timestep():
    spec = LayerSpec(units=2, go_backwards=True)
    data = shipped(hidden_norm_figure(gradient_trace(spec, timesteps=4)))
    assert "input timestep t=%{customdata[0]}" in data["data"][0]["hovertemplate"]
    assert decode(data["data"][0]["customdata"]).ravel().tolist() == [3, 2, 1, 0]


def test_norm_figure_draws_zero_and_overflow_as_gaps():
    trace = gradient_trace(CELLS[0], timesteps=4)
    hidden = trace.keras.hidden["forward"].copy()
    hidden[:, 0] = 0.0
    hidden[:, 1] = np.inf
    keras = dataclasses.replace(trace.keras, hidden={"forward": hidden})
    broken = compare_gradients(trace.spec, trace.manual, keras)
    data = shipped(hidden_norm_figure(broken))
    norms = decode(data["data"][0]["y"]).astype(float)
    assert np.isnan(norms[:2]).all()
    assert np.isfinite(norms[2:]).all()
    residual = decode(data["data"][2]["y"]).astype(float)
    assert np.isnan(residual[1])  # inf − finite is not drawn as a number


def test_bidirectional_norm_figure_has_both_directions():
    spec = LayerSpec(cell="gru", units=2, bidirectional=True)
    data = shipped(hidden_norm_figure(gradient_trace(spec)))
    names = [d["name"] for d in data["data"]]
    assert "Keras (GradientTape), forward" in names
    assert "Keras (GradientTape), backward" in names
    assert data["layout"]["title"]["text"].startswith(
        "‖∂L/∂h_t‖ at each processing step: Bidirectional(GRU(2))"
    )
    one = shipped(hidden_norm_figure(gradient_trace(spec), direction="backward"))
    assert len(one["data"]) == 3
    with pytest.raises(ValueError, match="direction"):
        hidden_norm_figure(gradient_trace(spec), direction="sideways")


# --- dL/dW heatmaps -------------------------------------------------------------------


@pytest.mark.parametrize("which", ["Wx", "Wh", "b"])
def test_weight_gradient_panels_per_gate_with_residual_row(which):
    spec = LayerSpec(cell="lstm", units=3)
    trace = gradient_trace(spec)
    data = shipped(weight_gradient_figure(trace, which))
    heatmaps = data["data"]
    assert len(heatmaps) == 8  # 4 gates × (Keras, residual)
    index = list(trace.keras.weight_names).index(which)
    keras_f = decode(heatmaps[2]["z"])  # the forget gate's Keras gradient
    whole = np.atleast_2d(trace.keras.weights[index])
    np.testing.assert_allclose(keras_f, whole[:, 3:6], rtol=1e-12)
    np.testing.assert_allclose(decode(heatmaps[3]["z"]), SHIFT, rtol=1e-9)
    assert heatmaps[2]["coloraxis"] == "coloraxis"
    assert heatmaps[3]["coloraxis"] == "coloraxis2"
    layout = data["layout"]
    for axis in ("coloraxis", "coloraxis2"):
        assert layout[axis]["cmid"] == 0.0
        assert layout[axis]["cmin"] == -layout[axis]["cmax"]
    titles = [a["text"] for a in layout["annotations"]]
    assert f"∂L/∂{which}_f: forget gate" in titles
    assert f"∂L/∂{which}_f: manual − Keras (residual)" in titles
    assert "by hand (NumPy): %{customdata:.7g}" in heatmaps[0]["hovertemplate"]


def test_gru_reset_after_bias_has_two_rows_and_spanish_labels():
    trace = gradient_trace(LayerSpec(cell="gru", units=2))
    data = shipped(weight_gradient_figure(trace, "b", "es"))
    assert data["data"][0]["y"] == ["bx", "bh"]
    titles = [a["text"] for a in data["layout"]["annotations"]]
    assert "∂L/∂b_z: compuerta de actualización" in titles
    assert data["layout"]["title"]["text"].startswith("∂L/∂b por compuerta")
    assert data["layout"]["yaxis"]["title"]["text"] == "fila del sesgo"
    assert data["layout"]["xaxis4"]["title"]["text"] == "unidad k"


def test_weight_gradient_figure_refuses_what_the_layer_lacks():
    trace = gradient_trace(LayerSpec(units=2, use_bias=False))
    with pytest.raises(ValueError, match="use_bias=False"):
        weight_gradient_figure(trace, "b")
    with pytest.raises(ValueError, match="which"):
        weight_gradient_figure(trace, "Wq")
    with pytest.raises(ValueError, match="language"):
        weight_gradient_figure(trace, "Wx", "fr")


def test_large_weight_gradients_are_strided_below_the_size_limit():
    spec = LayerSpec(cell="lstm", units=128)
    trace = gradient_trace(spec, batch=1, timesteps=2, features=128)
    fig = weight_gradient_figure(trace, "Wh")
    assert fig.layout.meta["summarised"] is True
    assert "summarised" in fig.layout.title.text
    assert figure_bytes(fig) < MAX_FIGURE_BYTES
    small = weight_gradient_figure(trace, "Wh", max_cells=64)
    cells = sum(decode(d["z"]).size for d in shipped(small)["data"])
    assert cells <= 64


def test_long_sequences_keep_the_norm_figure_small():
    trace = gradient_trace(LayerSpec(units=8), batch=2, timesteps=500)
    assert figure_bytes(hidden_norm_figure(trace)) < MAX_FIGURE_BYTES / 10


# --- SimpleRNN vs LSTM vs GRU ---------------------------------------------------------


def test_comparison_has_one_panel_per_cell_sharing_a_log_axis():
    traces = {
        "SimpleRNN": gradient_trace(CELLS[0]),
        "LSTM": gradient_trace(CELLS[1]),
        "GRU": gradient_trace(CELLS[2]),
    }
    data = shipped(cell_comparison_figure(traces, "en", mark_step=1, delay=5))
    layout = data["layout"]
    assert [layout[f"yaxis{k}"]["type"] for k in ("", "2", "3")] == ["log"] * 3
    assert layout["yaxis2"]["matches"] == "y"
    assert len(data["data"]) == 6
    assert sum(d["showlegend"] for d in data["data"]) == 2
    titles = [a["text"] for a in layout["annotations"]]
    lstm = np.linalg.norm(traces["LSTM"].keras.hidden["forward"], axis=(0, 2))
    assert f"LSTM: echoed step {lstm[1] / lstm[-1]:.1e} × last" in titles
    assert layout["title"]["text"].startswith("‖∂L/∂h_t‖ on the echo task (delay 5")
    spanish = shipped(cell_comparison_figure(traces, "es", mark_step=1, delay=5))
    assert spanish["layout"]["title"]["text"].startswith("‖∂L/∂h_t‖ en la tarea de eco")
    with pytest.raises(ValueError, match="at least one"):
        cell_comparison_figure({})


# --- gradient_lab ---------------------------------------------------------------------


@pytest.mark.parametrize("spec", [*CELLS, LayerSpec(cell="lstm", bidirectional=True)])
def test_rescale_sets_every_recurrent_block_to_the_radius(spec):
    weights = random_weights(spec, 2, seed=3)
    scaled = rescale_recurrent(spec, weights, 0.7)
    for name, radius in recurrent_spectral_radii(spec, scaled).items():
        assert radius == pytest.approx(0.7, rel=1e-5), name
    np.testing.assert_array_equal(weights[0], scaled[0])  # Wx untouched
    with pytest.raises(ValueError, match="radius"):
        rescale_recurrent(spec, weights, -1.0)
    with pytest.raises(ValueError, match="radius"):
        rescale_recurrent(spec, weights, float("nan"))


def test_gate_bias_opens_the_carry_gate_only():
    lstm = LayerSpec(cell="lstm", units=2)
    weights = random_weights(lstm, 1)
    bias = set_gate_bias(lstm, weights, 3.0)[2]
    np.testing.assert_array_equal(bias[2:4], 3.0)
    np.testing.assert_array_equal(bias[:2], weights[2][:2])
    gru = LayerSpec(cell="gru", units=2)
    gru_bias = set_gate_bias(gru, random_weights(gru, 1), 2.5)[2]  # (2, 6)
    assert gru_bias[0, :2].tolist() == [2.5, 2.5]
    assert gru_bias[1, :2].tolist() == [0, 0]
    with pytest.raises(ValueError, match="SimpleRNN"):
        set_gate_bias(LayerSpec(), random_weights(LayerSpec(), 1), 1.0)


def test_readout_is_seeded_glorot_uniform():
    kernel, bias = make_readout_arrays(8, 1, seed=0)
    assert kernel.shape == (8, 1)
    assert bias.tolist() == [0.0]
    assert np.abs(kernel).max() <= np.sqrt(6 / 9)
    assert np.array_equal(kernel, make_readout_arrays(8, 1, seed=0)[0])


def test_explanations_follow_the_radius_in_both_languages():
    assert "vanishes" in decay_line(0.5, "tanh", 29)
    assert "5.0e-01" not in decay_line(0.5, "tanh", 29)
    assert "1.9e-09" in decay_line(0.5, "tanh", 29)  # 0.5 ** 29
    assert "explodes" in decay_line(2.0, None, 10)
    assert "se desvanece" in decay_line(0.5, "tanh", 29, "es")
    assert "∞" in decay_line(10.0, "relu", 500)
    assert "not finite" in decay_line(float("nan"), "tanh", 3)
    assert "forget gate" in carry_line("lstm")
    assert "olvido" in carry_line("lstm", "es")
    assert any(r"W_h^{\top}" in line for line in bptt_latex("simple_rnn"))
    assert any(r"\odot f_t" in line for line in bptt_latex("lstm"))
    assert any(r"\odot z_t" in line for line in bptt_latex("gru"))


def test_catalog_ids_are_prefixed_and_the_figures_stay_light(assert_stays_light):
    assert all(message_id.startswith("grad.") for message_id in GRAD_TEXTS)
    assert_stays_light(
        """
        from rnn_core import gradient_figures, gradient_lab
        """
    )
