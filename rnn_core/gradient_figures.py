"""Plotly figures of backpropagation through time: dL/dh_t over steps, dL/dW, cells.

Pure Plotly and NumPy: never imports TensorFlow, Keras or Streamlit. Each builder
takes a `rnn_core.gradients.GradientTrace` (Keras' and the manual gradients of one
call, with their residuals) and a `language` ("en" or "es") for every title, axis and
hover text (catalog: `rnn_core.gradient_texts`). Conventions of `rnn_core.figures`:
`layout_defaults`, hover texts with the exact value (7 significant digits), residual
colour scales centred on zero, and at most `MAX_FIGURE_BYTES` of JSON per figure
(heatmaps strided to `MAX_WEIGHT_CELLS`, the title says so and
`fig.layout.meta["summarised"]` is True).

- `hidden_norm_figure`: ‖dL/dh_t‖ per processing step on a log axis, Keras and the
  manual BPTT overlaid, and below it max |manual − Keras| of dL/dh_t per step.
- `weight_gradient_figure`: dL/dWx, dL/dWh or dL/db per gate: Keras' values (top row,
  the manual value in the hover) and manual − Keras (bottom row).
- `cell_comparison_figure`: ‖dL/dh_t‖ of several layers side by side (SimpleRNN, LSTM
  and GRU on the same task), with the step a task's target depends on marked.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rnn_core.figures import (
    DEFAULT_HEIGHT,
    DIVERGING,
    MAX_FIGURE_BYTES,
    MAX_WEIGHT_CELLS,
    RESIDUAL_FLOOR,
    _grid_strides,
    _int_axis,
    _symmetric,
    figure_bytes,
    layout_defaults,
)
from rnn_core.gradient_texts import text
from rnn_core.gradients import GradientTrace, hidden_norms
from rnn_core.spec import LayerSpec
from rnn_core.texts import text as core_text

__all__ = [
    "KERAS_COLOUR",
    "MANUAL_COLOUR",
    "MAX_FIGURE_BYTES",
    "cell_comparison_figure",
    "figure_bytes",
    "hidden_norm_figure",
    "weight_gradient_figure",
]

KERAS_COLOUR = "#1f77b4"
MANUAL_COLOUR = "#ff7f0e"
RESIDUAL_COLOUR = "#7f7f7f"
MARK_COLOUR = "#d62728"
BACKWARD_DASH = "dash"  # the backward direction of a Bidirectional layer
NORM_FORMAT = "%{y:.7g}"
EXACT_FORMAT = "%{customdata:.7g}"


# --- shared helpers -------------------------------------------------------------------


def _directions(trace: GradientTrace, direction: str | None) -> list[str]:
    """The directions to draw: all of them, or the one asked for."""
    names = list(trace.keras.hidden)
    if direction is None:
        return names
    if direction not in names:
        raise ValueError(
            f"`direction` must be one of {', '.join(names)}; got {direction!r}."
        )
    return [direction]


def _layer_label(spec: LayerSpec, direction: str, language: str) -> str:
    name = f"{spec.keras_class_name}({spec.units})"
    if spec.bidirectional:
        way = text(f"grad.fig.direction.{direction}", language)
        return f"Bidirectional({name}), {way}"
    return f"{name}, go_backwards" if spec.go_backwards else name


def _loss_kind(trace: GradientTrace) -> str:
    """ "last" or "sequence", from the prediction's rank."""
    return "sequence" if np.ndim(trace.keras.prediction) == 3 else "last"


def _positive_or_gap(values: np.ndarray) -> np.ndarray:
    """float64 copy with NaN (a gap on a log axis) where a value is not > 0 or not
    finite."""
    values = np.asarray(values, np.float64)
    return np.where(np.isfinite(values) & (values > 0), values, np.nan)


def _step_hover(label: str, reversed_time: bool, language: str, value: str) -> str:
    step = text("grad.hover.step", language)
    where = f"{step}=%{{x}}"
    if reversed_time:
        where += f" ({text('grad.hover.input', language)}=%{{customdata[0]}})"
    return f"{label}<br>{where}: {value}<extra></extra>"


def _check_language(language: str) -> None:
    text("grad.fig.keras", language)  # ValueError for another language


# --- dL/dh_t over processing steps ----------------------------------------------------


def hidden_norm_figure(
    trace: GradientTrace,
    language: str = "en",
    direction: str | None = None,
    mark_step: int | None = None,
) -> go.Figure:
    """‖dL/dh_t‖ per processing step (log axis), Keras and manual, with the residual.

    Top panel: for each direction, Keras' norm (line) and the manual BPTT's (dotted
    markers); a step where the norm is 0 or not finite is a gap. Bottom panel:
    max |manual − Keras| over the batch and units at each step (log axis; an exact 0 is
    drawn at `RESIDUAL_FLOOR`, its hover gives the exact value).

    Args:
        trace: the gradients of one call.
        language: "en" or "es".
        direction: one direction of a Bidirectional layer; all when None.
        mark_step: a processing step to mark (e.g. the input an echo task repeats).

    Returns:
        A figure of two rows sharing the step axis.
    """
    _check_language(language)
    directions = _directions(trace, direction)
    spec = trace.spec
    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        row_heights=[0.68, 0.32],
        vertical_spacing=0.06,
    )
    timesteps = 0
    for name in directions:
        time_index = np.asarray(trace.keras.time_index[name], np.int32)  # (T,)
        timesteps = int(time_index.size)
        steps = np.arange(timesteps, dtype=np.int32)
        reversed_time = not np.array_equal(time_index, steps)
        customdata = time_index[:, None]  # (T, 1): the input timestep of each step
        suffix = (
            f", {text(f'grad.fig.direction.{name}', language)}" * spec.bidirectional
        )
        dash = BACKWARD_DASH if name == "backward" and spec.bidirectional else None
        for source, colour, mode in (
            ("keras", KERAS_COLOUR, "lines"),
            ("manual", MANUAL_COLOUR, "markers"),
        ):
            gradients = getattr(trace, source)
            norms = hidden_norms(gradients, name)  # (T,)
            label = text(f"grad.fig.{source}", language) + suffix
            fig.add_trace(
                go.Scatter(
                    x=steps,
                    y=_positive_or_gap(norms),
                    customdata=customdata,
                    mode=mode,
                    name=label,
                    line={"color": colour, "width": 2, "dash": dash},
                    marker={"color": colour, "size": 6, "symbol": "circle-open"},
                    hovertemplate=_step_hover(
                        label, reversed_time, language, NORM_FORMAT
                    ),
                    legendgroup=source,
                ),
                row=1,
                col=1,
            )
        per_step = _max_per_step(trace.residuals[f"dh/{name}"])  # (T,)
        label = text("grad.fig.residual", language) + suffix
        fig.add_trace(
            go.Scatter(
                x=steps,
                y=np.maximum(per_step, RESIDUAL_FLOOR),  # NaN stays a gap
                customdata=np.stack([time_index, per_step], axis=1),  # (T, 2)
                mode="lines+markers",
                name=label,
                line={"color": RESIDUAL_COLOUR, "width": 1, "dash": dash},
                marker={"size": 4},
                hovertemplate=_step_hover(
                    label, reversed_time, language, "%{customdata[1]:.7g}"
                ),
            ),
            row=2,
            col=1,
        )
    if mark_step is not None and 0 <= mark_step < timesteps:
        _mark(fig, mark_step, language, rows=2)
    if len(directions) == 2:
        layer = f"Bidirectional({spec.keras_class_name}({spec.units}))"
    else:
        layer = _layer_label(spec, directions[0], language)
    title = text(
        "grad.fig.norms.title",
        language,
        layer=layer,
        loss=text(f"grad.loss.{_loss_kind(trace)}", language),
    )
    fig.update_layout(
        **layout_defaults(title, DEFAULT_HEIGHT + 60),
        legend={"orientation": "h", "y": -0.15, "x": 0},
        meta={"summarised": False},
    )
    fig.update_yaxes(
        type="log", exponentformat="e", title_text=text("grad.fig.norms.y", language)
    )
    fig.update_yaxes(title_text=text("grad.fig.residual.y", language), row=2, col=1)
    fig.update_xaxes(**_int_axis(max(timesteps, 1)))
    fig.update_xaxes(title_text=text("grad.fig.step.x", language), row=2, col=1)
    return fig


def _max_per_step(residual: np.ndarray) -> np.ndarray:
    """(T,) max |residual| over batch and units per step; NaN where any entry is not
    finite (inf or NaN in either computation), so it shows as a gap, never as 0."""
    values = np.asarray(residual, np.float64)  # (batch, T, units)
    finite = np.isfinite(values).all(axis=(0, 2))  # (T,)
    largest = np.abs(np.where(np.isfinite(values), values, 0.0)).max(axis=(0, 2))
    return np.where(finite, largest, np.nan)


def _mark(
    fig: go.Figure, step: int, language: str, rows: int = 1, cols: int = 1
) -> None:
    """A vertical line at `step` in every panel, labelled in the first."""
    for row in range(1, rows + 1):
        for col in range(1, cols + 1):
            fig.add_vline(
                x=step,
                line={"color": MARK_COLOUR, "width": 1.5, "dash": "dot"},
                row=row,
                col=col,
            )
    fig.add_annotation(
        x=step,
        y=1.0,
        xref="x",
        yref="paper",
        yanchor="bottom",
        text=text("grad.fig.compare.marker", language, step=step),
        showarrow=False,
        font={"color": MARK_COLOUR, "size": 12},
    )


# --- dL/dW per gate -------------------------------------------------------------------


def _weight_axes(
    which: str, block: np.ndarray, language: str
) -> tuple[str, list[str] | None]:
    """(y title, y category labels or None) of a gradient block of Wx, Wh or b."""
    if which == "b":
        if block.ndim == 2:
            return text("grad.axis.bias_row", language), ["bx", "bh"]
        return text("grad.axis.bias", language), ["b"]
    if which == "Wx":
        return text("grad.axis.feature", language), None
    return text("grad.axis.from_unit", language), None


def weight_gradient_figure(
    trace: GradientTrace,
    which: str = "Wx",
    language: str = "en",
    direction: str | None = None,
    max_cells: int = MAX_WEIGHT_CELLS,
) -> go.Figure:
    """dL/dWx, dL/dWh or dL/db per gate: Keras' values above, manual − Keras below.

    One column per gate (LSTM i, f, c, o; GRU z, r, h; one for SimpleRNN). The top row
    shares one diverging colour scale centred on zero and its hover gives Keras' and
    the manual value; the bottom row, manual − Keras, has its own scale centred on
    zero. A GRU `reset_after` bias has two rows per panel, bx and bh.

    Args:
        trace: the gradients of one call.
        which: "Wx", "Wh" or "b".
        language: "en" or "es".
        direction: "forward" or "backward"; the layer's first if None.
        max_cells: more cells than this (both rows, all panels) are strided.
    """
    _check_language(language)
    if which not in ("Wx", "Wh", "b"):
        raise ValueError(f"`which` must be one of Wx, Wh, b; got {which!r}.")
    if isinstance(max_cells, bool) or not isinstance(max_cells, int) or max_cells < 1:
        raise ValueError(f"`max_cells` must be a positive integer; got {max_cells!r}.")
    spec = trace.spec
    direction = _directions(trace, direction or spec.directions[0])[0]
    prefix = f"{direction}/" if spec.bidirectional else ""
    names = list(trace.keras.weight_names)
    if prefix + which not in names:
        raise ValueError(
            f"This layer has no weight {prefix + which!r}"
            + (" (use_bias=False)." if which == "b" else ".")
        )
    index = names.index(prefix + which)
    keras_whole = np.asarray(trace.keras.weights[index], np.float64)  # (rows, u·g)
    manual_whole = np.asarray(trace.manual.weights[index], np.float64)
    residual_whole = np.asarray(trace.residuals[prefix + which], np.float64)
    gates = spec.gate_names
    units = spec.units
    blocks = [slice(k * units, (k + 1) * units) for k in range(len(gates))]
    shape2 = keras_whole[..., blocks[0]].shape
    shape2 = shape2 if len(shape2) == 2 else (1, units)
    row_stride, col_stride = _grid_strides(
        *shape2, max(max_cells // (2 * len(gates)), 1)
    )
    rows = np.arange(0, shape2[0], row_stride)
    cols = np.arange(0, shape2[1], col_stride)
    y_title, labels = _weight_axes(which, keras_whole[..., blocks[0]], language)
    y = [labels[r] for r in rows] if labels else rows.astype(np.int32)
    y_label = y_title.split(" (")[0]
    unit_label = text("grad.axis.unit", language)
    titles_top, titles_bottom = [], []
    for gate in gates:
        label = f"∂L/∂{which}_{gate}" if gate else f"∂L/∂{which}"
        meaning = f": {core_text(f'core.gate.{gate}', language)}" if gate else ""
        titles_top.append(label + meaning)
        titles_bottom.append(text("grad.fig.residual_row", language, label=label))
    fig = make_subplots(
        rows=2,
        cols=len(gates),
        shared_yaxes=True,
        horizontal_spacing=0.03 if len(gates) > 1 else 0.0,
        vertical_spacing=0.16,
        subplot_titles=[*titles_top, *titles_bottom],
    )
    keras_largest = residual_largest = 0.0
    for k, (gate, block) in enumerate(zip(gates, blocks, strict=True)):
        label = f"{which}_{gate}" if gate else which
        keras_z = np.atleast_2d(keras_whole[..., block])[np.ix_(rows, cols)]
        manual_z = np.atleast_2d(manual_whole[..., block])[np.ix_(rows, cols)]
        residual_z = np.atleast_2d(residual_whole[..., block])[np.ix_(rows, cols)]
        keras_largest = max(keras_largest, _largest(keras_z))
        residual_largest = max(residual_largest, _largest(residual_z))
        where = (
            f"∂L/∂{label}: {y_label}=%{{y}}, {unit_label}=%{{x}}"
            if labels is None
            else f"∂L/∂{label}: %{{y}}, {unit_label}=%{{x}}"
        )
        fig.add_trace(
            go.Heatmap(
                z=keras_z,
                x=cols.astype(np.int32),
                y=y,
                customdata=manual_z,
                coloraxis="coloraxis",
                hovertemplate=(
                    f"{where}<br>{text('grad.hover.keras', language)}: %{{z:.7g}}"
                    f"<br>{text('grad.hover.manual', language)}: {EXACT_FORMAT}"
                    "<extra></extra>"
                ),
                hoverongaps=False,
                name=label,
            ),
            row=1,
            col=k + 1,
        )
        fig.add_trace(
            go.Heatmap(
                z=residual_z,
                x=cols.astype(np.int32),
                y=y,
                coloraxis="coloraxis2",
                hovertemplate=f"{where}<br>manual − Keras: %{{z:.7g}}<extra></extra>",
                hoverongaps=False,
                name=label,
            ),
            row=2,
            col=k + 1,
        )
    summarised = row_stride * col_stride > 1
    title = text(
        "grad.fig.weights.title",
        language,
        which=which,
        per_gate=text("grad.fig.per_gate", language) if len(gates) > 1 else "",
        layer=_layer_label(spec, direction, language),
    )
    if summarised:
        note = text("grad.fig.strided", language, rows=row_stride, cols=col_stride)
        title += f"<br><sup>{note}</sup>"
    height = DEFAULT_HEIGHT + 200 if shape2[0] > 2 else 440
    keras_half = _symmetric(keras_largest)
    residual_half = _symmetric(residual_largest)
    fig.update_layout(
        **layout_defaults(title, height),
        coloraxis={
            "colorscale": DIVERGING,
            "cmid": 0.0,
            "cmin": -keras_half,
            "cmax": keras_half,
            "colorbar": {
                "title": {"text": text("grad.colorbar.gradient", language)},
                "exponentformat": "e",
                "y": 0.79,
                "len": 0.45,
            },
        },
        coloraxis2={
            "colorscale": DIVERGING,
            "cmid": 0.0,
            "cmin": -residual_half,
            "cmax": residual_half,
            "colorbar": {
                "title": {"text": text("grad.colorbar.residual", language)},
                "exponentformat": "e",
                "y": 0.21,
                "len": 0.45,
            },
        },
        meta={"summarised": summarised},
    )
    fig.update_annotations(font_size=13)
    fig.update_xaxes(**_int_axis(units))
    for k in range(len(gates)):
        fig.update_xaxes(title_text=unit_label, row=2, col=k + 1)
    if labels is not None:
        fig.update_yaxes(type="category", autorange="reversed")
    else:
        fig.update_yaxes(autorange="reversed", **_int_axis(shape2[0]))
    fig.update_yaxes(title_text=y_title, col=1)
    return fig


def _largest(values: np.ndarray) -> float:
    finite = np.abs(values[np.isfinite(values)])
    return float(finite.max()) if finite.size else math.nan


# --- SimpleRNN vs LSTM vs GRU ---------------------------------------------------------


def cell_comparison_figure(
    traces: Mapping[str, GradientTrace],
    language: str = "en",
    mark_step: int | None = None,
    delay: int | None = None,
) -> go.Figure:
    """‖dL/dh_t‖ per processing step of several layers, one panel each, shared log axis.

    Args:
        traces: panel title (e.g. "SimpleRNN") -> the gradients of that layer on the
            same input and target.
        language: "en" or "es".
        mark_step: the step the target depends on (the echo task's input), marked in
            every panel; each panel's title gives ‖dL/dh‖ there relative to the last
            step.
        delay: the echo delay, for the title (None: the title names no task).
    """
    _check_language(language)
    if not traces:
        raise ValueError("`traces` must hold at least one layer's gradients.")
    names = list(traces)
    panel_titles = []
    norms_of: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for name, trace in traces.items():
        first = next(iter(trace.keras.hidden))
        keras_norms = hidden_norms(trace.keras, first)  # (T,)
        norms_of[name] = (keras_norms, hidden_norms(trace.manual, first))
        if mark_step is not None and 0 <= mark_step < keras_norms.size:
            last = keras_norms[-1]
            ratio = keras_norms[mark_step] / last if last > 0 else math.nan
            panel_titles.append(
                text(
                    "grad.fig.compare.panel", language, cell=name, ratio=f"{ratio:.1e}"
                )
            )
        else:
            panel_titles.append(name)
    fig = make_subplots(
        rows=1,
        cols=len(names),
        shared_yaxes=True,
        horizontal_spacing=0.04,
        subplot_titles=panel_titles,
    )
    timesteps = 1
    for k, name in enumerate(names):
        keras_norms, manual_norms = norms_of[name]
        timesteps = max(timesteps, int(keras_norms.size))
        steps = np.arange(keras_norms.size, dtype=np.int32)
        for source, values, colour, mode in (
            ("keras", keras_norms, KERAS_COLOUR, "lines"),
            ("manual", manual_norms, MANUAL_COLOUR, "markers"),
        ):
            label = text(f"grad.fig.{source}", language)
            fig.add_trace(
                go.Scatter(
                    x=steps,
                    y=_positive_or_gap(values),
                    mode=mode,
                    name=label,
                    legendgroup=source,
                    showlegend=k == 0,
                    line={"color": colour, "width": 2},
                    marker={"color": colour, "size": 5, "symbol": "circle-open"},
                    hovertemplate=(
                        f"{name}, {label}<br>{text('grad.hover.step', language)}"
                        f"=%{{x}}: {NORM_FORMAT}<extra></extra>"
                    ),
                ),
                row=1,
                col=k + 1,
            )
    if mark_step is not None and 0 <= mark_step < timesteps:
        _mark(fig, mark_step, language, rows=1, cols=len(names))
    first_spec = next(iter(traces.values())).spec
    if delay is not None:
        title = text(
            "grad.fig.compare.title",
            language,
            delay=delay,
            timesteps=timesteps,
            units=first_spec.units,
        )
    else:
        title = text("grad.fig.norms.y", language)
    fig.update_layout(
        **layout_defaults(title, DEFAULT_HEIGHT),
        legend={"orientation": "h", "y": -0.2, "x": 0},
        meta={"summarised": False},
    )
    fig.update_annotations(font_size=13)
    fig.update_yaxes(type="log", exponentformat="e")
    fig.update_yaxes(title_text=text("grad.fig.norms.y", language), col=1)
    fig.update_xaxes(
        title_text=text("grad.fig.step.x", language), **_int_axis(timesteps)
    )
    return fig
