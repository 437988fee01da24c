"""Plotly figures of what `rnn_core` computed: weights, states, residuals, gates.

Pure Plotly and NumPy: never imports TensorFlow, Keras or Streamlit. Every builder
returns a `plotly.graph_objects.Figure` with a title, named axes, integer ticks for
units, timesteps and features, and a hover text giving the exact float32 value
(7 significant digits) with its row and column.

Size: a figure never ships more than about `MAX_FIGURE_BYTES` of JSON. Heatmaps over
time show at most `MAX_CELLS` cells per panel (the time axis is strided, the last step
always kept), weight figures at most `MAX_WEIGHT_CELLS` (rows and columns strided),
line charts at most `MAX_LINE_UNITS` units (unless chosen) and `MAX_LINE_POINTS`
points. The cells shown keep their exact values; the title says when a figure was
summarised, and `fig.layout.meta["summarised"]` is True.

Example:
    >>> import numpy as np
    >>> from rnn_core.figures import MAX_FIGURE_BYTES, figure_bytes, weight_heatmap
    >>> fig = weight_heatmap("Wx", np.ones((8, 4), np.float32))
    >>> figure_bytes(fig) < MAX_FIGURE_BYTES
    True
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import plotly.colors
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from rnn_core.spec import LayerSpec
from rnn_core.texts import text
from rnn_core.trace import Trace
from rnn_core.weights import name_weights

__all__ = [
    "MAX_CELLS",
    "MAX_FIGURE_BYTES",
    "MAX_LINE_POINTS",
    "MAX_LINE_UNITS",
    "MAX_WEIGHT_CELLS",
    "figure_bytes",
    "gate_heatmaps",
    "gate_weight_figure",
    "layout_defaults",
    "residual_heatmap",
    "state_lines",
    "states_heatmap",
    "unrolled_diagram",
    "weight_heatmap",
]

MAX_FIGURE_BYTES = 2_000_000  # JSON sent to the browser per figure
MAX_CELLS = 20_000  # heatmap cells over time, per figure (per panel for gates)
MAX_WEIGHT_CELLS = 65_536  # weight cells per figure: one full 256 × 256 Wh
MAX_LINE_UNITS = 8  # lines per computation in `state_lines` unless units are chosen
MAX_LINE_POINTS = 20_000  # points over all lines of `state_lines`

VALUE_FORMAT = "%{z:.7g}"  # 7 significant digits: float32 holds about 7.2
DIVERGING = "RdBu_r"  # blue negative, white zero, red positive
SEQUENTIAL = "Viridis"  # for gates that stay in [0, 1]
RELATIVE_SCALE = "Reds"  # relative residuals: white at 0, red where largest
RESIDUAL_FLOOR = 1e-12  # colour range of an all-zero residual
GAP_COLOUR = "#b8b8b8"  # plot background, seen through the gaps left by NaN and inf
DEFAULT_HEIGHT = 480
FONT_FAMILY = "Inter, 'Segoe UI', Helvetica, Arial, sans-serif"

# The intermediates of `Trace.step_parts` drawn by `gate_heatmaps`: (key, symbol,
# gate), the gate naming its meaning ("core.gate.<gate>" of rnn_core.texts).
GATE_PARTS: dict[str, tuple[tuple[str, str, str], ...]] = {
    "lstm": (("i", "i", "i"), ("f", "f", "f"), ("c_tilde", "c̃", "c"), ("o", "o", "o")),
    "gru": (("z", "z", "z"), ("r", "r", "r"), ("h_tilde", "h̃", "h")),
}
WEIGHT_KINDS = ("Wx", "Wh", "b", "bx", "bh")  # meanings: "core.fig.weight.<kind>"
SOURCES = ("keras", "manual")

# Every text of a figure (titles, axes, hover, notes) is in `language`, "en" or "es"
# (`rnn_core.texts`, ids "core.fig."); the English ones are the documented ones.


def _source_name(source: str, language: str) -> str:
    return "Keras" if source == "keras" else text("core.fig.source.manual", language)


def _gate_meaning(gate: str, language: str) -> str:
    return text(f"core.gate.{gate}", language)


# --- shared helpers -----------------------------------------------------------------


def layout_defaults(title: str, height: int = DEFAULT_HEIGHT) -> dict[str, Any]:
    """Layout settings shared by every figure (sized for a 1280 × 800 window).

    Args:
        title: the figure title; may hold a second line after "<br>".
        height: the figure height in pixels; the width follows the container.

    Returns:
        Keyword arguments for `fig.update_layout`.
    """
    return {
        "title": {"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 16}},
        "font": {"family": FONT_FAMILY, "size": 13},
        "margin": {"l": 80, "r": 30, "t": 95, "b": 60},
        "height": int(height),
        "template": "plotly_white",
        "hoverlabel": {"font": {"size": 13}},
    }


def figure_bytes(fig: go.Figure) -> int:
    """How many bytes of JSON `fig` sends to the browser (UTF-8 of `fig.to_json()`)."""
    return len(fig.to_json().encode("utf-8"))


def _ordinal(n: int, language: str = "en") -> str:
    """The ordinal "3rd" in English; "3" in Spanish, whose notes say "1 de cada 3"."""
    if language != "en":
        return str(n)
    if 10 <= n % 100 <= 20:
        return f"{n}th"
    return f"{n}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th') }"


def _int_axis(count: int) -> dict[str, Any]:
    """Axis settings with integer tick labels; every index labelled when few."""
    axis: dict[str, Any] = {"tickformat": "d", "showgrid": False, "zeroline": False}
    if count <= 30:
        axis.update(tick0=0, dtick=1)
    return axis


def _finite(array: np.ndarray) -> tuple[np.ndarray, int, float]:
    """float32 copy with NaN for every non-finite entry, their count, max |finite|.

    The max is nan when no entry is finite.
    """
    values = np.asarray(array, dtype=np.float32)
    finite = np.isfinite(values)
    bad = int(values.size - np.count_nonzero(finite))
    largest = float(np.abs(values[finite]).max()) if bad < values.size else math.nan
    if bad:
        values = np.where(finite, values, np.float32(np.nan))
    return values, bad, largest


def _symmetric(largest: float, floor: float = RESIDUAL_FLOOR) -> float:
    """Half-width of a colour range centred on zero."""
    return floor if not math.isfinite(largest) or largest < floor else largest


def _time_columns(timesteps: int, rows: int, max_cells: int) -> tuple[np.ndarray, int]:
    """Steps to draw so that rows × steps stays within max_cells; the last is kept.

    Returns:
        The step indices (ascending) and the stride between them (1: all shown).
    """
    fit = max(max_cells // max(rows, 1), 1)  # columns the budget allows
    if timesteps <= fit:
        return np.arange(timesteps), 1
    stride = math.ceil(timesteps / max(fit - 1, 1))  # leave room for the last step
    columns = np.arange(0, timesteps, stride)
    if columns[-1] != timesteps - 1:
        columns = np.append(columns, timesteps - 1)
    return columns, stride


def _grid_strides(rows: int, cols: int, max_cells: int) -> tuple[int, int]:
    """Row and column strides that bring a rows × cols grid within max_cells."""
    row_stride, col_stride = 1, 1
    while math.ceil(rows / row_stride) * math.ceil(cols / col_stride) > max_cells:
        if math.ceil(rows / row_stride) >= math.ceil(cols / col_stride):
            row_stride += 1
        else:
            col_stride += 1
    return row_stride, col_stride


def _time_note(
    columns: np.ndarray,
    stride: int,
    timesteps: int,
    reversed_time: bool,
    language: str = "en",
) -> str:
    if stride == 1:
        return ""
    word = "step" if reversed_time else "timestep"
    return text(
        "core.fig.note.time",
        language,
        stride=_ordinal(stride, language),
        word=text(f"core.fig.word.{word}", language),
        shown=len(columns),
        total=timesteps,
    )


def _grid_note(row_stride: int, col_stride: int, language: str = "en") -> str:
    rows = text("core.fig.note.rows", language, stride=_ordinal(row_stride, language))
    columns = text(
        "core.fig.note.columns", language, stride=_ordinal(col_stride, language)
    )
    if row_stride > 1 and col_stride > 1:
        return text("core.fig.note.grid_both", language, rows=rows, columns=columns)
    if row_stride > 1 or col_stride > 1:
        parts = rows if row_stride > 1 else columns
        return text("core.fig.note.grid", language, parts=parts)
    return ""


def _with_notes(title: str, notes: Sequence[str]) -> str:
    shown = [n for n in notes if n]
    return title + (f"<br><sup>{'; '.join(shown)}</sup>" if shown else "")


def _check_choice(field: str, value: object, allowed: Sequence[object]) -> None:
    if value not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise ValueError(
            f"Received an invalid value for `{field}`: expected one of {shown}; "
            f"got {value!r}."
        )


def _check_positive(field: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValueError(
            f"Received an invalid value for `{field}`: expected a positive integer; "
            f"got {value!r}."
        )


def _check_batch(trace: Trace, batch_index: int) -> None:
    batch = trace.x.shape[0]
    if (
        isinstance(batch_index, bool)
        or not isinstance(batch_index, int | np.integer)
        or not 0 <= batch_index < batch
    ):
        raise ValueError(
            "Received an invalid value for `batch_index`: expected an integer from 0 "
            f"to {batch - 1}; got {batch_index!r}."
        )


def _direction(spec: LayerSpec, direction: str | None) -> str:
    if direction is None:
        return spec.directions[0]
    _check_choice("direction", direction, spec.directions)
    return direction


def _state_key(trace: Trace, state: str, direction: str | None) -> tuple[str, str]:
    """The key into Trace's state dicts, and the direction it belongs to."""
    spec = trace.spec
    _check_choice("state", state, spec.state_names)
    direction = _direction(spec, direction)
    return (f"{direction}/{state}" if spec.bidirectional else state), direction


def _time_axis(trace: Trace, direction: str) -> tuple[np.ndarray, bool]:
    """The input timestep read at each step, and whether it runs backwards."""
    time_index = np.asarray(trace.time_index[direction])  # (timesteps,)
    return time_index, not np.array_equal(time_index, np.arange(time_index.size))


def _layer_label(spec: LayerSpec, direction: str, language: str = "en") -> str:
    name = f"{spec.keras_class_name}({spec.units})"
    if spec.bidirectional:
        return text(
            "core.fig.layer.bidirectional",
            language,
            name=name,
            direction=_direction_word(direction, language),
        )
    return f"{name}, go_backwards" if spec.go_backwards else name


def _direction_word(direction: str, language: str) -> str:
    """ "forward" / "backward" in English; "hacia adelante" / "hacia atrás"."""
    return (
        direction if language == "en" else text(f"core.direction.{direction}", language)
    )


def _state_symbol(state: str) -> str:
    return f"{state}<sub>t</sub>"


def _time_heatmap(
    z: np.ndarray,
    columns: np.ndarray,
    time_index: np.ndarray,
    reversed_time: bool,
    label: str,
    language: str = "en",
    **colour: Any,
) -> go.Heatmap:
    """A (units, shown steps) heatmap with the step and input timestep in the hover."""
    units = z.shape[0]
    where = "step" if reversed_time else "timestep"
    hover = text(f"core.fig.hover.{where}", language, label=label, value=VALUE_FORMAT)
    if reversed_time:
        inputs = time_index[columns].astype(np.int32)  # (shown steps,)
        customdata = np.broadcast_to(inputs, (units, inputs.size))  # (units, shown)
    else:
        customdata = None
    return go.Heatmap(
        z=z,
        x=columns.astype(np.int32),
        y=np.arange(units, dtype=np.int32),
        customdata=None if customdata is None else np.ascontiguousarray(customdata),
        hovertemplate=hover,
        hoverongaps=False,
        **colour,
    )


# --- weights ------------------------------------------------------------------------


def _weight_axes(
    base: str, array: np.ndarray, language: str = "en"
) -> tuple[str, str, list[str] | None]:
    """(y title, x title, y category labels or None) for a named weight."""

    def axis(message_id: str, **fields: object) -> str:
        return text(f"core.fig.axis.{message_id}", language, **fields)

    kind = base.split("_")[0]
    if array.ndim == 1 or kind in ("b", "bx", "bh"):
        if array.ndim == 2 and array.shape[0] == 2:
            return axis("bias_row"), axis("unit_k"), ["bx", "bh"]
        labels = (
            [base]
            if array.ndim == 1
            else [axis("row", row=i) for i in range(len(array))]
        )
        return axis("bias"), axis("unit_k"), labels
    if kind == "Wx":
        return axis("feature_j"), axis("unit_k"), None
    if kind == "Wh":
        return axis("unit_j"), axis("unit_k"), None
    return axis("row_i"), axis("column_k"), None


def _weight_trace(
    name: str,
    array: np.ndarray,
    row_stride: int,
    col_stride: int,
    coloraxis: str | None = None,
    label: str | None = None,
    language: str = "en",
) -> tuple[go.Heatmap, str, str, bool]:
    """The heatmap of one weight, and its y title, x title and whether y is labels.

    `name` decides the axes and bias row labels; `label` (default: `name` without
    its direction) names the weight in the hover text.
    """
    base = name.rsplit("/", 1)[-1]
    label = label or base
    matrix = np.asarray(array, np.float32)
    y_title, x_title, labels = _weight_axes(base, matrix, language)
    matrix = np.atleast_2d(matrix)  # (rows, columns); a bias becomes one row
    rows = np.arange(0, matrix.shape[0], row_stride)
    cols = np.arange(0, matrix.shape[1], col_stride)
    z, _, largest = _finite(matrix[np.ix_(rows, cols)])
    x_label = x_title.split(" (")[0]
    if labels is not None:
        y = [labels[r] for r in rows]
        hover = f"{label}: %{{y}}, {x_label}=%{{x}}: {VALUE_FORMAT}<extra></extra>"
    else:
        y = rows.astype(np.int32)
        y_label = y_title.split(" (")[0]
        hover = (
            f"{label}: {y_label}=%{{y}}, {x_label}=%{{x}}: {VALUE_FORMAT}"
            "<extra></extra>"
        )
    colour: dict[str, Any]
    if coloraxis is not None:
        colour = {"coloraxis": coloraxis}
    else:
        m = _symmetric(largest)
        colour = {
            "colorscale": DIVERGING,
            "zmid": 0.0,
            "zmin": -m,
            "zmax": m,
            "colorbar": {
                "title": {"text": text("core.fig.axis.value", language)},
                "exponentformat": "e",
            },
        }
    heatmap = go.Heatmap(
        z=z,
        x=cols.astype(np.int32),
        y=y,
        hovertemplate=hover,
        hoverongaps=False,
        name=label,
        **colour,
    )
    return heatmap, y_title, x_title, labels is not None


def weight_heatmap(
    name: str,
    array: np.ndarray,
    *,
    gates: Sequence[str] = (),
    title: str | None = None,
    max_cells: int = MAX_WEIGHT_CELLS,
    language: str = "en",
) -> go.Figure:
    """A heatmap of one weight array, named as `name_weights` names it.

    "Wx…" (features × units): y "feature j", x "unit k". "Wh…" (units × units):
    y "unit j (from h_{t-1})", x "unit k". A bias "b…" is one row, or two rows "bx"
    and "bh" for a GRU with `reset_after`. A "forward/" or "backward/" prefix is kept
    in the title.

    Args:
        name: e.g. "Wx", "Wh_f", "b", "backward/Wx".
        array: the weight, (rows, columns) or (columns,).
        gates: gate names of a whole stacked kernel (e.g. ("i", "f", "c", "o")):
            draws the block borders and labels the blocks.
        title: replaces the default title.
        max_cells: more cells than this are strided (rows and columns).
        language: "en" or "es", for every text of the figure.

    Returns:
        The figure; the values drawn are the float32 entries of `array`.
    """
    _check_positive("max_cells", max_cells)
    matrix = np.asarray(array)
    if matrix.ndim not in (1, 2) or matrix.size == 0:
        raise ValueError(
            f"Received an invalid value for `array`: expected a non-empty 1-D or 2-D "
            f"array; got shape {matrix.shape}."
        )
    shape2 = matrix.shape if matrix.ndim == 2 else (1, matrix.shape[0])
    row_stride, col_stride = _grid_strides(*shape2, max_cells)
    heatmap, y_title, x_title, categorical = _weight_trace(
        name, matrix, row_stride, col_stride, language=language
    )
    columns = shape2[1]
    if gates and columns % len(gates) == 0:
        units = columns // len(gates)
        x_title = text(
            "core.fig.axis.blocks", language, gates=", ".join(gates), units=units
        )
    fig = go.Figure(heatmap)
    base = name.rsplit("/", 1)[-1]
    kind = base.split("_")[0]
    shape_text = " × ".join(str(n) for n in matrix.shape)
    default = f"{name} ({shape_text})"
    if kind in WEIGHT_KINDS:
        default += f": {text(f'core.fig.weight.{kind}', language)}"
    rows = shape2[0]
    height = DEFAULT_HEIGHT if rows > 2 else 300
    fig.update_layout(
        **layout_defaults(
            _with_notes(
                title or default, [_grid_note(row_stride, col_stride, language)]
            ),
            height,
        ),
        meta={"summarised": row_stride * col_stride > 1},
    )
    fig.update_xaxes(title_text=x_title, **_int_axis(columns))
    if categorical:
        fig.update_yaxes(title_text=y_title, type="category", autorange="reversed")
    else:
        fig.update_yaxes(title_text=y_title, autorange="reversed", **_int_axis(rows))
    if gates and columns % len(gates) == 0:
        units = columns // len(gates)
        for k, gate in enumerate(gates):
            if k:
                fig.add_vline(x=k * units - 0.5, line={"color": "black", "width": 2})
            fig.add_annotation(
                x=(k + 0.5) * units - 0.5,
                y=1.0,
                yref="paper",
                yanchor="bottom",
                text=gate,
                showarrow=False,
            )
    return fig


def _named_weights(
    source: Trace | LayerSpec,
    weights: Mapping[str, np.ndarray] | Sequence[np.ndarray] | None,
) -> tuple[LayerSpec, dict[str, np.ndarray]]:
    if isinstance(source, Trace):
        return source.spec, dict(source.weights if weights is None else weights)
    if not isinstance(source, LayerSpec):
        raise ValueError(
            "Received an invalid value for `source`: expected a Trace or a LayerSpec; "
            f"got {type(source).__name__}."
        )
    if weights is None:
        raise ValueError(
            "`weights` is required with a LayerSpec: the named dict of "
            "`name_weights` or the arrays of `layer.get_weights()`; got None."
        )
    if isinstance(weights, Mapping):
        return source, dict(weights)
    return source, name_weights(source, weights)


def gate_weight_figure(
    source: Trace | LayerSpec,
    weights: Mapping[str, np.ndarray] | Sequence[np.ndarray] | None = None,
    which: str = "Wx",
    direction: str | None = None,
    max_cells: int = MAX_WEIGHT_CELLS,
    language: str = "en",
) -> go.Figure:
    """One panel per gate of Wx, Wh or b (one panel for SimpleRNN).

    Panels share one colour scale centred on zero and are titled by the gate and
    shape, e.g. "Wx_f (8 × 4): forget gate". A GRU `reset_after` bias has two rows
    per panel: bx (added to x_t·Wx) and bh (added to h_{t-1}·Wh).

    Args:
        source: a Trace (its weights are used) or the LayerSpec of `weights`.
        weights: with a LayerSpec: the dict of `name_weights` or the arrays of
            `layer.get_weights()`. With a Trace: optional replacement weights.
        which: "Wx", "Wh" or "b".
        direction: "forward" or "backward"; the layer's first direction if None.
        max_cells: more cells than this (all panels) are strided.
        language: "en" or "es", for every text of the figure.
    """
    _check_choice("which", which, ("Wx", "Wh", "b"))
    _check_positive("max_cells", max_cells)
    spec, named = _named_weights(source, weights)
    direction = _direction(spec, direction)
    prefix = f"{direction}/" if spec.bidirectional else ""
    if prefix + which not in named:
        if which == "b" and not spec.use_bias:
            raise ValueError(
                "Received `which='b'` but this layer has no bias (use_bias=False)."
            )
        raise ValueError(
            f"`weights` has no array named {prefix + which!r}; got names "
            f"{sorted(named)}."
        )
    whole = np.asarray(named[prefix + which], np.float32)  # (rows, units·g) or (u·g,)
    gates = spec.gate_names
    units = spec.units
    blocks = [whole[..., k * units : (k + 1) * units] for k in range(len(gates))]
    shape2 = blocks[0].shape if blocks[0].ndim == 2 else (1, units)
    row_stride, col_stride = _grid_strides(*shape2, max(max_cells // len(gates), 1))
    _, _, largest = _finite(whole)
    m = _symmetric(largest)
    titles = []
    for gate, block in zip(gates, blocks, strict=True):
        shape_text = " × ".join(str(n) for n in block.shape)
        if not gate:
            titles.append(f"{which} ({shape_text})")
            continue
        label = f"{which}_{gate}"
        if which == "b" and block.ndim == 2:
            label = f"bx_{gate}, bh_{gate}"
        titles.append(f"{label} ({shape_text}): {_gate_meaning(gate, language)}")
    fig = make_subplots(
        rows=1,
        cols=len(gates),
        shared_yaxes=True,
        horizontal_spacing=0.03 if len(gates) > 1 else 0.0,
        subplot_titles=titles,
    )
    y_title = x_title = ""
    categorical = False
    for k, (gate, block) in enumerate(zip(gates, blocks, strict=True)):
        label = f"{which}_{gate}" if gate else which
        # Bias panels share their y categories ("b", or "bx" and "bh").
        name = "b" if which == "b" else label
        heatmap, y_title, x_title, categorical = _weight_trace(
            name,
            block,
            row_stride,
            col_stride,
            coloraxis="coloraxis",
            label=label,
            language=language,
        )
        fig.add_trace(heatmap, row=1, col=k + 1)
    meaning = text(f"core.fig.weight.{which}", language)
    layer = _layer_label(spec, direction, language)
    if len(gates) > 1:
        title = text(
            "core.fig.weights.per_gate",
            language,
            which=which,
            meaning=meaning,
            layer=layer,
        )
    else:
        title = f"{which}: {meaning}, {layer}"
    rows = shape2[0]
    fig.update_layout(
        **layout_defaults(
            _with_notes(title, [_grid_note(row_stride, col_stride, language)]),
            DEFAULT_HEIGHT if rows > 2 else 320,
        ),
        coloraxis={
            "colorscale": DIVERGING,
            "cmid": 0.0,
            "cmin": -m,
            "cmax": m,
            "colorbar": {
                "title": {"text": text("core.fig.axis.value", language)},
                "exponentformat": "e",
            },
        },
        meta={"summarised": row_stride * col_stride > 1},
    )
    fig.update_annotations(font_size=13)
    fig.update_xaxes(title_text=x_title, **_int_axis(units))
    if categorical:
        fig.update_yaxes(type="category", autorange="reversed")
    else:
        fig.update_yaxes(autorange="reversed", **_int_axis(rows))
    fig.update_yaxes(title_text=y_title, row=1, col=1)
    return fig


# --- states over time ---------------------------------------------------------------


def _units_over_time(
    trace: Trace,
    series: np.ndarray,
    direction: str,
    title: str,
    hover_prefix: str,
    colorbar_title: str,
    max_cells: int,
    nonnegative: bool = False,
    language: str = "en",
) -> go.Figure:
    """A heatmap of one batch item's `series` (timesteps, units): units down, steps
    across, on a diverging scale symmetric about zero (or from 0 to the largest value
    when `nonnegative`); NaN and ±inf left as gaps."""
    timesteps, units = series.shape
    _, bad, largest = _finite(series)  # over every step, not only those shown
    m = _symmetric(largest)
    time_index, reversed_time = _time_axis(trace, direction)
    columns, stride = _time_columns(timesteps, units, max_cells)
    z, _, _ = _finite(series[columns].T)  # (units, shown steps)
    scale: dict[str, Any] = (
        {"colorscale": RELATIVE_SCALE, "zmin": 0.0, "zmax": m}
        if nonnegative
        else {"colorscale": DIVERGING, "zmid": 0.0, "zmin": -m, "zmax": m}
    )
    heatmap = _time_heatmap(
        z,
        columns,
        time_index,
        reversed_time,
        hover_prefix,
        language,
        colorbar={"title": {"text": colorbar_title}, "exponentformat": "e"},
        **scale,
    )
    fig = go.Figure(heatmap)
    notes = [_time_note(columns, stride, timesteps, reversed_time, language)]
    if bad:
        notes.append(text("core.fig.note.non_finite", language, count=bad))
    if reversed_time:
        notes.append(text("core.fig.note.reversed", language))
    fig.update_layout(
        **layout_defaults(_with_notes(title, notes)),
        meta={"summarised": stride > 1, "time_stride": stride, "non_finite": bad},
        plot_bgcolor=GAP_COLOUR if bad else None,
    )
    fig.update_xaxes(
        title_text=_time_title(reversed_time, language), **_int_axis(timesteps)
    )
    fig.update_yaxes(
        title_text=text("core.fig.axis.unit_k", language),
        autorange="reversed",
        **_int_axis(units),
    )
    return fig


def _time_title(reversed_time: bool, language: str) -> str:
    """The time axis' title: "step s" (reading backwards) or "timestep t"."""
    return text(
        "core.fig.axis.step_s" if reversed_time else "core.fig.axis.timestep_t",
        language,
    )


def states_heatmap(
    trace: Trace,
    source: str = "keras",
    state: str = "h",
    batch_index: int = 0,
    direction: str | None = None,
    max_cells: int = MAX_CELLS,
    language: str = "en",
) -> go.Figure:
    """h_t (or c_t) of every unit at every step, for one batch item.

    x is "timestep t", or "step s" when the direction reads the input backwards
    (the hover then gives the input timestep t read at step s); y is "unit k".

    Args:
        trace: what `rnn_core.trace` returned.
        source: "keras" (the real layer's cell) or "manual" (the NumPy formulas).
        state: "h", or "c" for LSTM.
        batch_index: which item of the batch.
        direction: "forward" or "backward"; the layer's first direction if None.
        max_cells: more units × steps than this are strided along time.
        language: "en" or "es", for every text of the figure.
    """
    _check_choice("source", source, SOURCES)
    _check_positive("max_cells", max_cells)
    _check_batch(trace, batch_index)
    key, direction = _state_key(trace, state, direction)
    states = trace.keras_states if source == "keras" else trace.manual_states
    source_name = _source_name(source, language)
    title = text(
        "core.fig.states.title",
        language,
        state=_state_symbol(state),
        source=source_name,
        layer=_layer_label(trace.spec, direction, language),
        item=batch_index,
    )
    return _units_over_time(
        trace,
        states[key][batch_index],  # (timesteps, units)
        direction,
        title,
        hover_prefix=f"{source_name} {state}: ",
        colorbar_title=state,
        max_cells=max_cells,
        language=language,
    )


def residual_heatmap(
    trace: Trace,
    state: str = "h",
    batch_index: int = 0,
    direction: str | None = None,
    max_cells: int = MAX_CELLS,
    relative: bool = False,
    language: str = "en",
) -> go.Figure:
    """Manual minus Keras for one state over time, on a colour scale centred on zero;
    or, `relative`, |manual − Keras| / max(|Keras|, tiny) from 0 up.

    The range is symmetric, ±max |residual| over the finite entries of this batch
    item (at least 1e-12, so an all-zero residual still draws); relative: 0 to the
    largest finite value. NaN and ±inf (where a state overflowed, or inf − inf) are
    drawn as grey gaps, never as 0, and counted in the title.

    Args:
        trace: what `rnn_core.trace` returned.
        state: "h", or "c" for LSTM.
        batch_index: which item of the batch.
        direction: "forward" or "backward"; the layer's first direction if None.
        max_cells: more units × steps than this are strided along time.
        relative: show the relative residual (float32 rounding is about 1e-7 of
            the value, so large states have large absolute residuals).
        language: "en" or "es", for every text of the figure.
    """
    _check_positive("max_cells", max_cells)
    _check_batch(trace, batch_index)
    if not isinstance(relative, bool):
        raise ValueError(
            f"Received an invalid value for `relative`: expected True or False; got "
            f"{relative!r}."
        )
    key, direction = _state_key(trace, state, direction)
    if relative:
        residual = trace.relative_residual(key, batch_index)  # (timesteps, units)
        what = text("core.fig.residual.relative", language)
        formula = text("core.fig.residual.relative_formula", language)
        colorbar_title = text("core.fig.residual.relative_short", language)
    else:
        residual = trace.residuals[key][batch_index]  # (timesteps, units)
        what = colorbar_title = text("core.fig.residual.absolute", language)
        formula = text("core.fig.residual.formula", language)
    _, _, largest = _finite(residual)
    shown_max = (
        text("core.fig.residual.no_finite", language)
        if math.isnan(largest)
        else f"{largest:.1e}"
    )
    title = text(
        "core.fig.residual.title",
        language,
        state=_state_symbol(state),
        what=what,
        layer=_layer_label(trace.spec, direction, language),
        item=batch_index,
        formula=formula,
        largest=shown_max,
    )
    return _units_over_time(
        trace,
        residual,
        direction,
        title,
        hover_prefix=(
            f"|manual − Keras| / |Keras|, {state}: "
            if relative
            else f"manual − Keras, {state}: "
        ),
        colorbar_title=colorbar_title,
        max_cells=max_cells,
        nonnegative=relative,
        language=language,
    )


def state_lines(
    trace: Trace,
    state: str = "h",
    batch_index: int = 0,
    direction: str | None = None,
    units: Sequence[int] | None = None,
    max_points: int = MAX_LINE_POINTS,
    language: str = "en",
) -> go.Figure:
    """One line per unit over time: Keras solid, the manual formulas dotted on top.

    Args:
        trace: what `rnn_core.trace` returned.
        state: "h", or "c" for LSTM.
        batch_index: which item of the batch.
        direction: "forward" or "backward"; the layer's first direction if None.
        units: the units to draw; the first `MAX_LINE_UNITS` if None.
        max_points: more points than this (all lines) are strided along time.
        language: "en" or "es", for every text of the figure.
    """
    _check_positive("max_points", max_points)
    _check_batch(trace, batch_index)
    key, direction = _state_key(trace, state, direction)
    keras = trace.keras_states[key][batch_index]  # (timesteps, units)
    manual = trace.manual_states[key][batch_index]  # (timesteps, units)
    timesteps, n_units = keras.shape
    if units is None:
        chosen = list(range(min(n_units, MAX_LINE_UNITS)))
    else:
        chosen = [int(k) for k in units]
        if not chosen or any(not 0 <= k < n_units for k in chosen):
            raise ValueError(
                "Received an invalid value for `units`: expected unit indices from 0 "
                f"to {n_units - 1}; got {list(units)!r}."
            )
    time_index, reversed_time = _time_axis(trace, direction)
    columns, stride = _time_columns(timesteps, 2 * len(chosen), max_points)
    x = columns.astype(np.int32)  # (shown steps,)
    customdata = time_index[columns].astype(np.int32) if reversed_time else None
    palette = _palette(len(chosen))
    fig = go.Figure()
    bad = 0
    for colour, k in zip(palette, chosen, strict=True):
        for source, values, line, mode in (
            # One step has no line to draw: Keras gets markers too.
            ("keras", keras, {"width": 2}, "lines" if len(x) > 1 else "markers"),
            ("manual", manual, {"width": 2, "dash": "dot"}, "lines+markers"),
        ):
            y, n_bad, _ = _finite(values[columns, k])  # (shown steps,)
            bad += n_bad
            where = text(
                "core.fig.lines.where_step"
                if reversed_time
                else "core.fig.lines.where_timestep",
                language,
            )
            short = (
                "Keras"
                if source == "keras"
                else text("core.fig.source_short.manual", language)
            )
            fig.add_trace(
                go.Scatter(
                    x=x,
                    y=y,
                    customdata=customdata,
                    mode=mode,
                    name=text("core.fig.lines.name", language, unit=k, source=short),
                    legendgroup=f"unit {k}",
                    line={"color": colour, **line},
                    marker={"symbol": "circle-open", "size": 6, "color": colour},
                    hovertemplate=text(
                        "core.fig.lines.hover",
                        language,
                        source=_source_name(source, language),
                        state=state,
                        unit=k,
                        where=where,
                    ),
                )
            )
    shown_units = (
        text(
            "core.fig.lines.some_units", language, ranges=_ranges(chosen), total=n_units
        )
        if len(chosen) < n_units
        else text("core.fig.lines.all_units", language, total=n_units)
    )
    title = text(
        "core.fig.lines.title",
        language,
        state=_state_symbol(state),
        layer=_layer_label(trace.spec, direction, language),
        item=batch_index,
    )
    notes = [
        shown_units,
        _time_note(columns, stride, timesteps, reversed_time, language),
    ]
    if bad:
        notes.append(text("core.fig.lines.left_out", language, count=bad))
    fig.update_layout(
        **layout_defaults(_with_notes(title, notes)),
        meta={"summarised": stride > 1 or len(chosen) < n_units, "time_stride": stride},
        legend={"title": {"text": text("core.fig.lines.legend", language)}},
    )
    fig.update_xaxes(
        title_text=_time_title(reversed_time, language), **_int_axis(timesteps)
    )
    fig.update_yaxes(
        title_text=text(
            "core.fig.axis.state_value", language, state=_state_symbol(state)
        )
    )
    return fig


def _palette(count: int) -> list[str]:
    colours = plotly.colors.qualitative.Plotly + plotly.colors.qualitative.Dark24
    return [colours[k % len(colours)] for k in range(count)]


def _ranges(indices: Sequence[int]) -> str:
    """[0, 1, 2, 5] -> "0–2, 5"."""
    pieces: list[str] = []
    start = previous = indices[0]
    for k in [*indices[1:], None]:
        if k is not None and k == previous + 1:
            previous = k
            continue
        pieces.append(str(start) if start == previous else f"{start}–{previous}")
        if k is not None:
            start = previous = k
    return ", ".join(pieces)


def gate_heatmaps(
    trace: Trace,
    batch_index: int = 0,
    direction: str | None = None,
    max_cells: int = MAX_CELLS,
    language: str = "en",
) -> go.Figure:
    """One panel per gate activation over time (LSTM i, f, c̃, o; GRU z, r, h̃).

    Drawn from `Trace.step_parts` (the manual NumPy run). A panel whose values all lie
    in [0, 1] (sigmoid gates) uses a 0–1 sequential scale; others a scale centred on 0.

    Args:
        trace: what `rnn_core.trace` returned, for an LSTM or GRU layer.
        batch_index: which item of the batch.
        direction: "forward" or "backward"; the layer's first direction if None.
        max_cells: more cells than this per panel are strided along time.
        language: "en" or "es", for every text of the figure.

    Raises:
        ValueError: the layer is a SimpleRNN (it has no gates).
    """
    spec = trace.spec
    if spec.cell not in GATE_PARTS:
        raise ValueError(
            "Received a SimpleRNN trace: `gate_heatmaps` expected an LSTM or GRU "
            "layer; a SimpleRNN has no gates (draw h with `states_heatmap`)."
        )
    _check_positive("max_cells", max_cells)
    _check_batch(trace, batch_index)
    direction = _direction(spec, direction)
    parts = trace.step_parts(direction, batch_index)  # name -> (timesteps, units)
    gates = GATE_PARTS[spec.cell]
    time_index, reversed_time = _time_axis(trace, direction)
    timesteps, units = parts[gates[0][0]].shape
    columns, stride = _time_columns(timesteps, units, max_cells)  # per panel
    fig = make_subplots(
        rows=len(gates),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.07,
        subplot_titles=[
            f"{symbol}: {_gate_meaning(gate, language)}" for _, symbol, gate in gates
        ],
    )
    bad = 0
    for row, (key, symbol, gate) in enumerate(gates, start=1):
        meaning = _gate_meaning(gate, language)
        z, n_bad, largest = _finite(parts[key][columns].T)  # (units, shown steps)
        bad += n_bad
        finite = z[np.isfinite(z)]
        domain = fig.layout[f"yaxis{'' if row == 1 else row}"].domain
        colorbar = {
            "title": {"text": symbol},
            "y": (domain[0] + domain[1]) / 2,
            "len": domain[1] - domain[0],
            "yanchor": "middle",
        }
        if finite.size and finite.min() >= 0 and finite.max() <= 1:
            colour = {"colorscale": SEQUENTIAL, "zmin": 0.0, "zmax": 1.0}
        else:
            m = _symmetric(largest)
            colour = {"colorscale": DIVERGING, "zmid": 0.0, "zmin": -m, "zmax": m}
        heatmap = _time_heatmap(
            z,
            columns,
            time_index,
            reversed_time,
            f"{symbol} ({meaning}), ",
            language,
            colorbar=colorbar,
            **colour,
        )
        fig.add_trace(heatmap, row=row, col=1)
        fig.update_yaxes(
            title_text=text("core.fig.axis.unit_k", language),
            autorange="reversed",
            row=row,
            col=1,
            **_int_axis(units),
        )
    title = text(
        "core.fig.gates.title",
        language,
        layer=_layer_label(spec, direction, language),
        item=batch_index,
    )
    notes = [_time_note(columns, stride, timesteps, reversed_time, language)]
    if bad:
        notes.append(text("core.fig.note.non_finite", language, count=bad))
    fig.update_layout(
        **layout_defaults(_with_notes(title, notes), 170 * len(gates) + 160),
        meta={"summarised": stride > 1, "time_stride": stride},
        plot_bgcolor=GAP_COLOUR if bad else None,
    )
    fig.update_annotations(font_size=13)
    fig.update_xaxes(**_int_axis(timesteps))
    fig.update_xaxes(
        title_text=_time_title(reversed_time, language), row=len(gates), col=1
    )
    return fig


# --- the unrolled recurrence --------------------------------------------------------

UNROLLED_BOX = "#eef2f8"  # a cell box
UNROLLED_LINE = "#4c78a8"  # its border, and the arrows
HIGHLIGHT_BOX = "#fde0c5"  # the current step's box
HIGHLIGHT_LINE = "#d62728"  # its border and input label
DIMMED = "#b8b8b8"  # an output or state the layer does not return
UNROLLED_ROW_HEIGHT = 240  # figure height for one row; Bidirectional has two
_HALF_WIDTH = 0.28  # of a box; boxes are 1 apart
_HALF_HEIGHT = 0.3
_ROW_SPACING = 3.4  # between the centres of the forward and backward rows


def _check_time_index(time_index: Sequence[int], timesteps: int) -> np.ndarray:
    """`time_index` as int64 (timesteps,), or ValueError."""
    index = np.asarray(time_index)
    if (
        index.shape != (timesteps,)
        or index.dtype.kind not in "iu"
        or index.min() < 0
        or index.max() >= timesteps
    ):
        raise ValueError(
            "Received an invalid value for `time_index`: expected "
            f"{timesteps} integers from 0 to {timesteps - 1} (the input timestep "
            f"read at each step); got {list(index.ravel()[:20])!r}."
        )
    return index.astype(np.int64)


@dataclass
class _Drawing:
    """Annotations, shapes and traces collected for one figure. Plotly copies the
    whole list on each `add_annotation`, so a diagram sets them all at once."""

    annotations: list[dict[str, Any]] = field(default_factory=list)
    shapes: list[dict[str, Any]] = field(default_factory=list)
    traces: list[go.Scatter] = field(default_factory=list)


def _arrow(
    drawing: _Drawing,
    tail: tuple[float, float],
    head: tuple[float, float],
    colour: str,
) -> None:
    """An arrow in data coordinates, without text."""
    drawing.annotations.append(
        {
            "x": head[0],
            "y": head[1],
            "ax": tail[0],
            "ay": tail[1],
            "axref": "x",
            "ayref": "y",
            "text": "",
            "showarrow": True,
            "arrowhead": 2,
            "arrowwidth": 1.5,
            "arrowcolor": colour,
        }
    )


def _text(
    drawing: _Drawing,
    x: float,
    y: float,
    text: str,
    colour: str = "black",
    size: int = 12,
    **options: Any,
) -> None:
    """A label in data coordinates, centred on (x, y) unless `options` say else."""
    drawing.annotations.append(
        {
            "x": x,
            "y": y,
            "text": text,
            "showarrow": False,
            "font": {"color": colour, "size": size},
            **options,
        }
    )


def _unrolled_row(
    drawing: _Drawing,
    spec: LayerSpec,
    direction: str,
    y: float,
    box_x: dict[int, float],
    reads: np.ndarray,
    step: int,
    timesteps: int,
    language: str = "en",
) -> None:
    """One direction's boxes, inputs, outputs, states and hover, centred at y."""
    shown = list(box_x)
    is_lstm = spec.cell == "lstm"
    h_y = y - 0.1 if is_lstm else y  # the h line; LSTM's c runs above it
    c_y = y + 0.17
    lines = [(h_y, "h", -0.15)] + ([(c_y, "c", 0.15)] if is_lstm else [])
    if spec.bidirectional:
        _text(
            drawing,
            -0.45,
            y + 1.35,
            f"<b>{_direction_word(direction, language)}</b>",
            size=13,
            xanchor="left",
        )
    # The initial state, then "…" for the steps left of the window.
    for line_y, name, shift in lines:
        _text(drawing, 0, line_y + shift, f"{name}<sub>0</sub>", size=11)
        _arrow(
            drawing,
            (0.2, line_y),
            (box_x[shown[0]] - _HALF_WIDTH, line_y),
            UNROLLED_LINE,
        )
    if shown[0] > 0:
        _text(drawing, 1, y + 0.45, "…", size=20)
    hover = []
    for s in shown:
        x = box_x[s]
        t = int(reads[s])
        current = s == step
        drawing.shapes.append(
            {
                "type": "rect",
                "name": f"cell {direction} step {s}",
                "x0": x - _HALF_WIDTH,
                "x1": x + _HALF_WIDTH,
                "y0": y - _HALF_HEIGHT,
                "y1": y + _HALF_HEIGHT,
                "fillcolor": HIGHLIGHT_BOX if current else UNROLLED_BOX,
                "line": {
                    "color": HIGHLIGHT_LINE if current else UNROLLED_LINE,
                    "width": 3 if current else 1.5,
                },
                "layer": "below",
            }
        )
        _text(drawing, x, y, f"<b>{s}</b>" if current else str(s), size=11)
        # The input this step reads comes in from below.
        _arrow(drawing, (x, y - 0.82), (x, y - _HALF_HEIGHT), UNROLLED_LINE)
        _text(
            drawing,
            x,
            y - 1.0,
            f"<b>x[{t}]</b>" if current else f"x[{t}]",
            HIGHLIGHT_LINE if current else "black",
            name=f"input {direction} step {s}",
        )
        # Its output goes up; dimmed unless the layer returns it.
        returned = spec.return_sequences or s == timesteps - 1
        colour = "black" if returned else DIMMED
        _arrow(drawing, (x, y + _HALF_HEIGHT), (x, y + 0.82), colour)
        _text(
            drawing,
            x,
            y + 1.0,
            f"h<sub>{s + 1}</sub>",
            colour,
            name=f"output {direction} step {s} "
            + ("returned" if returned else "not returned"),
        )
        # The new state goes right, to the next step.
        if s != shown[-1]:
            tail, head = x + _HALF_WIDTH, box_x[s + 1] - _HALF_WIDTH
            for line_y, name, shift in lines:
                _arrow(drawing, (tail, line_y), (head, line_y), UNROLLED_LINE)
                _text(
                    drawing,
                    x + 0.5,
                    line_y + shift,
                    f"{name}<sub>{s + 1}</sub>",
                    size=10,
                )
        hover.append(
            text(
                "core.fig.unrolled.hover",
                language,
                direction=_direction_word(direction, language),
                step=s,
                read=t,
                next=s + 1,
            )
        )
    x_last = box_x[shown[-1]]
    if shown[-1] < timesteps - 1:  # "…" for the steps right of the window
        for line_y, _, _ in lines:
            _arrow(
                drawing,
                (x_last + _HALF_WIDTH, line_y),
                (x_last + 0.7, line_y),
                UNROLLED_LINE,
            )
        _text(drawing, x_last + 1.0, y + 0.45, "…", size=20)
    else:  # the final state leaves the layer
        colour = "black" if spec.return_state else DIMMED
        word = "returned" if spec.return_state else "not returned"
        for line_y, _, _ in lines:
            _arrow(
                drawing, (x_last + _HALF_WIDTH, line_y), (x_last + 0.85, line_y), colour
            )
        names = ", ".join(f"{name}<sub>{timesteps}</sub>" for _, name, _ in lines)
        final = "final_returned" if spec.return_state else "final_not_returned"
        _text(
            drawing,
            x_last + 0.92,
            y,
            text(f"core.fig.unrolled.{final}", language, names=names),
            colour,
            size=11,
            xanchor="left",
            name=f"state {direction} {word}",
        )
    drawing.traces.append(
        go.Scatter(
            x=[box_x[s] for s in shown],
            y=[y] * len(shown),
            mode="markers",
            marker={"size": 34, "symbol": "square", "opacity": 0},
            hovertext=hover,
            hovertemplate="%{hovertext}<extra></extra>",
            name=f"{direction} steps",
            showlegend=False,
        )
    )


def unrolled_diagram(
    spec: LayerSpec,
    timesteps: int,
    step: int,
    time_index: Sequence[int] | None = None,
    max_steps: int = 12,
    language: str = "en",
) -> go.Figure:
    """The recurrence unrolled over time: one box per processing step (cell call).

    Each step's input comes in from below, labelled with the input timestep it reads
    (x[T−1−s] at step s under go_backwards and in Bidirectional's backward row). The
    state runs left to right from the initial state h₀: the state after step s is
    h_{s+1} (an LSTM's c runs alongside). Each step's output is drawn above its box,
    dimmed unless the layer returns it: every output with return_sequences, else only
    the last step's; the final state at the right is dimmed unless return_state. The
    box of `step` is highlighted. Bidirectional layers get two rows, forward and
    backward, each in processing order. With more than `max_steps` steps, a window
    around `step` is shown between "…" marks.

    Args:
        spec: the layer.
        timesteps: steps in the sequence, at least 1.
        step: the processing step to highlight, 0 to timesteps − 1.
        time_index: the input timestep read at each step (e.g. a Trace's
            `time_index[direction]`); by default 0..T−1, reversed under
            go_backwards. Not used for Bidirectional, whose rows read forwards and
            backwards.
        max_steps: at most this many boxes per row.
        language: "en" or "es", for every text of the figure.

    Returns:
        The figure. Each box is a layout shape named "cell <direction> step <s>";
        `fig.layout.meta` holds "steps_shown", "step" and "directions".
    """
    if not isinstance(spec, LayerSpec):
        raise ValueError(
            "Received an invalid value for `spec`: expected a LayerSpec; got "
            f"{type(spec).__name__}."
        )
    _check_positive("timesteps", timesteps)
    _check_positive("max_steps", max_steps)
    if (
        isinstance(step, bool)
        or not isinstance(step, int | np.integer)
        or not 0 <= step < timesteps
    ):
        raise ValueError(
            "Received an invalid value for `step`: expected an integer from 0 to "
            f"{timesteps - 1}; got {step!r}."
        )
    step = int(step)
    forwards = np.arange(timesteps)  # (timesteps,) the input read at each step
    reads = {
        d: forwards[::-1] if d == "backward" else forwards for d in spec.directions
    }
    if time_index is not None:
        checked = _check_time_index(time_index, timesteps)
        if not spec.bidirectional:
            reads[spec.directions[0]] = checked

    start = max(0, min(step - max_steps // 2, timesteps - max_steps))
    shown = list(range(start, min(timesteps, start + max_steps)))
    first_x = 2.0 if start > 0 else 1.0  # room for "…" after h₀
    box_x = {s: first_x + s - start for s in shown}  # box centre per step
    drawing = _Drawing()
    for row, direction in enumerate(spec.directions):
        _unrolled_row(
            drawing,
            spec,
            direction,
            -_ROW_SPACING * row,
            box_x,
            reads[direction],
            step,
            timesteps,
            language,
        )

    def note(message_id: str, **fields: object) -> str:
        return text(f"core.fig.unrolled.{message_id}", language, **fields)

    read_now = [f"x[{int(reads[d][step])}]" for d in spec.directions]
    if spec.bidirectional:
        name = f"Bidirectional({spec.keras_class_name}({spec.units}))"
        reading = note("reads_both", forward=read_now[0], backward=read_now[1])
    else:
        name = _layer_label(spec, spec.directions[0], language)
        reading = note("reads", read=read_now[0])
    title = note("title", name=name, step=step, last=timesteps - 1, reading=reading)
    if spec.return_sequences:
        notes = [note("sequences")]
    else:
        notes = [note("last_only", last=timesteps - 1)]
    if spec.go_backwards:
        notes.append(note("backwards"))
    if spec.bidirectional:
        merged = "merged_flipped" if spec.return_sequences else "merged"
        notes.append(note(merged, mode=repr(spec.merge_mode)))
    if len(shown) < timesteps:
        notes.append(note("window", first=shown[0], last=shown[-1], total=timesteps))
    rows = len(spec.directions)
    hidden = {
        "visible": False,
        "showgrid": False,
        "zeroline": False,
        "showticklabels": False,
        "fixedrange": True,
    }
    layout = {
        **layout_defaults(
            _with_notes(title, notes), UNROLLED_ROW_HEIGHT + 220 * (rows - 1)
        ),
        "margin": {"l": 20, "r": 20, "t": 80, "b": 10},
        "meta": {
            "steps_shown": shown,
            "step": step,
            "directions": list(spec.directions),
        },
        "showlegend": False,
        "hovermode": "closest",
        "annotations": drawing.annotations,
        "shapes": drawing.shapes,
        "xaxis": {"range": [-0.6, box_x[shown[-1]] + 1.9], **hidden},
        "yaxis": {"range": [-_ROW_SPACING * (rows - 1) - 1.3, 1.65], **hidden},
    }
    return go.Figure(data=drawing.traces, layout=layout)
