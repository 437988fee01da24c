"""Plotly figures of a training run (rnn_core.trainer): loss, gradient norms, frames,
and the echo memory comparison.

Pure Plotly and NumPy: never imports TensorFlow, Keras or Streamlit. Every text is in
`language` ("en" or "es"), from `FIGURE_TEXTS` below (ids "train.fig."), which the app
merges into its catalog (ui/i18n_train.py) so the i18n tests check both languages.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import plotly.graph_objects as go

from rnn_core.figures import layout_defaults, weight_heatmap
from rnn_core.spec import CELL_CLASS_NAMES, GATES
from rnn_core.trainer import READOUT_NAMES, Frame, MemoryCurve

__all__ = [
    "FIGURE_TEXTS",
    "frame_weight_figure",
    "gradient_norms_figure",
    "hidden_figure",
    "loss_figure",
    "memory_figure",
    "sequence_figure",
]

HEIGHT = 380
MAX_CURVE_POINTS = 2000  # one point per step: MAX_TRAIN_STEPS
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b")

FIGURE_TEXTS: dict[str, dict[str, str]] = {
    "train.fig.loss.title": {
        "en": "Loss per step (mean squared error, log scale)",
        "es": "Pérdida por paso (error cuadrático medio, escala log.)",
    },
    "train.fig.loss.trace": {
        "en": "loss of the step's batch",
        "es": "pérdida del lote",
    },
    "train.fig.loss.smooth": {
        "en": "mean of the last {window} steps",
        "es": "media de los últimos {window} pasos",
    },
    "train.fig.loss.variance": {
        "en": "target variance",
        "es": "varianza del objetivo",
    },
    "train.fig.axis.step": {"en": "training step", "es": "paso de entrenamiento"},
    "train.fig.axis.loss": {"en": "loss", "es": "pérdida"},
    "train.fig.grad.title": {
        "en": "Gradient norm per weight (before clipping, log scale)",
        "es": "Norma del gradiente por peso (antes del recorte, escala log.)",
    },
    "train.fig.grad.global": {"en": "all together", "es": "todas juntas"},
    "train.fig.grad.clip": {
        "en": "clip norm {clip}",
        "es": "norma de recorte {clip}",
    },
    "train.fig.axis.norm": {
        "en": "gradient norm ‖dL/dW‖",
        "es": "norma del gradiente ‖dL/dW‖",
    },
    "train.fig.hidden.title": {
        "en": "h_t of the watched sequence after step {step}",
        "es": "h_t de la secuencia observada tras el paso {step}",
    },
    "train.fig.axis.timestep": {"en": "timestep t", "es": "paso de tiempo t"},
    "train.fig.axis.unit": {"en": "unit", "es": "unidad"},
    "train.fig.axis.value": {"en": "value", "es": "valor"},
    "train.fig.seq.title": {
        "en": "The watched sequence after step {step}",
        "es": "La secuencia observada tras el paso {step}",
    },
    "train.fig.seq.input": {"en": "input x_t", "es": "entrada x_t"},
    "train.fig.seq.target": {"en": "target", "es": "objetivo"},
    "train.fig.seq.prediction": {"en": "prediction", "es": "predicción"},
    "train.fig.seq.echoed": {
        "en": "the input to echo (t = {t})",
        "es": "la entrada a repetir (t = {t})",
    },
    "train.fig.weight.title": {
        "en": "{name} after step {step}",
        "es": "{name} tras el paso {step}",
    },
    "train.fig.memory.title": {
        "en": "How far back each cell remembers: echo loss after training",
        "es": "Hasta dónde recuerda cada celda: pérdida de eco tras entrenar",
    },
    "train.fig.memory.delay": {
        "en": "delay k (steps back)",
        "es": "retardo k (pasos atrás)",
    },
    "train.fig.memory.loss": {
        "en": "held-out loss (1 = remembers nothing)",
        "es": "pérdida en datos nuevos (1 = no recuerda nada)",
    },
    "train.fig.memory.nothing": {
        "en": "remembers nothing",
        "es": "no recuerda nada",
    },
}


def _text(message_id: str, language: str, **fields: object) -> str:
    return FIGURE_TEXTS[message_id][language].format(**fields)


def _layout(title: str) -> dict[str, object]:
    """layout_defaults with the legend in a row under the plot (half-width columns
    leave no room for it at the side)."""
    return {
        **layout_defaults(title, HEIGHT),
        "legend": {"orientation": "h", "yanchor": "top", "y": -0.25, "x": 0.0},
        "margin": {"l": 70, "r": 20, "t": 60, "b": 40},
    }


def _steps_axis(count: int) -> np.ndarray:
    return np.arange(1, count + 1)


def _running_mean(values: np.ndarray, window: int) -> np.ndarray:
    """Mean of the last `window` values (fewer at the start), same length."""
    sums = np.cumsum(np.insert(values, 0, 0.0))
    ends = np.arange(1, len(values) + 1)
    starts = np.maximum(0, ends - window)
    return (sums[ends] - sums[starts]) / (ends - starts)


def loss_figure(
    losses: Sequence[float] | np.ndarray,
    target_variance: float | None = None,
    language: str = "en",
    total_steps: int | None = None,
) -> go.Figure:
    """The loss of every step (log scale), a running mean, and the target's variance
    (the loss of a model that learned nothing but the mean).

    Args:
        losses: (steps done,) the loss of each step's batch.
        target_variance: drawn as a dashed line when given.
        language: "en" or "es".
        total_steps: the run's planned steps, so the x axis does not jump while a
            run is in progress.
    """
    values = np.asarray(losses, np.float64)[:MAX_CURVE_POINTS]  # (steps,)
    steps = _steps_axis(len(values))
    fig = go.Figure()
    fig.add_scatter(
        x=steps,
        y=values,
        mode="lines",
        name=_text("train.fig.loss.trace", language),
        line={"color": "#9ecae1", "width": 1},
    )
    window = max(1, min(20, len(values) // 10 or 1))
    if len(values) > 1:
        fig.add_scatter(
            x=steps,
            y=_running_mean(values, window),
            mode="lines",
            name=_text("train.fig.loss.smooth", language, window=window),
            line={"color": PALETTE[0], "width": 2.5},
        )
    if target_variance is not None and np.isfinite(target_variance):
        fig.add_hline(
            y=max(float(target_variance), 1e-12),
            line={"color": "#555555", "dash": "dash"},
            annotation_text=_text("train.fig.loss.variance", language),
            annotation_position="top right",
        )
    fig.update_layout(**_layout(_text("train.fig.loss.title", language)))
    fig.update_yaxes(type="log", title_text=_text("train.fig.axis.loss", language))
    x_end = max(total_steps or 0, len(values), 1)
    fig.update_xaxes(
        title_text=_text("train.fig.axis.step", language), range=[0.5, x_end + 0.5]
    )
    return fig


def gradient_norms_figure(
    gradient_norms: Mapping[str, Sequence[float] | np.ndarray],
    global_norms: Sequence[float] | np.ndarray,
    clip_norm: float | None = None,
    language: str = "en",
    total_steps: int | None = None,
) -> go.Figure:
    """‖dL/dW‖ per weight array and over all of them, per step (log scale)."""
    fig = go.Figure()
    for k, (name, norms) in enumerate(gradient_norms.items()):
        values = np.asarray(norms, np.float64)[:MAX_CURVE_POINTS]
        fig.add_scatter(
            x=_steps_axis(len(values)),
            y=values,
            mode="lines",
            name=name,
            line={"color": PALETTE[k % len(PALETTE)], "width": 1.5},
        )
    totals = np.asarray(global_norms, np.float64)[:MAX_CURVE_POINTS]
    fig.add_scatter(
        x=_steps_axis(len(totals)),
        y=totals,
        mode="lines",
        name=_text("train.fig.grad.global", language),
        line={"color": "black", "width": 2},
    )
    if clip_norm is not None:
        fig.add_hline(
            y=clip_norm,
            line={"color": "#555555", "dash": "dot"},
            annotation_text=_text(
                "train.fig.grad.clip", language, clip=f"{clip_norm:g}"
            ),
        )
    fig.update_layout(**_layout(_text("train.fig.grad.title", language)))
    fig.update_yaxes(type="log", title_text=_text("train.fig.axis.norm", language))
    x_end = max(total_steps or 0, len(totals), 1)
    fig.update_xaxes(
        title_text=_text("train.fig.axis.step", language), range=[0.5, x_end + 0.5]
    )
    return fig


def hidden_figure(frame: Frame, language: str = "en") -> go.Figure:
    """h_t of the watched sequence (units × timesteps), on a fixed range [-1, 1]
    (tanh keeps h_t there for every cell), so frames compare by colour."""
    hidden = np.asarray(frame.hidden, np.float32).T  # (units, timesteps)
    units, timesteps = hidden.shape
    fig = go.Figure(
        go.Heatmap(
            z=hidden,
            x=np.arange(timesteps),
            y=np.arange(units),
            colorscale="RdBu_r",
            zmin=-1.0,
            zmax=1.0,
            zmid=0.0,
            colorbar={"title": {"text": "h"}},
            hovertemplate=(
                f"{_text('train.fig.axis.unit', language)} %{{y}}, t=%{{x}}: "
                "%{z:.4g}<extra></extra>"
            ),
        )
    )
    fig.update_layout(
        **_layout(_text("train.fig.hidden.title", language, step=frame.step))
    )
    fig.update_xaxes(title_text=_text("train.fig.axis.timestep", language))
    fig.update_yaxes(
        title_text=_text("train.fig.axis.unit", language), autorange="reversed"
    )
    return fig


def sequence_figure(
    frame: Frame, task: str, delay: int = 0, language: str = "en"
) -> go.Figure:
    """The watched sequence's input, its target and the model's prediction.

    A "last"-loss task (echo, sum) has one target, drawn at the last timestep; for
    echo the input to be echoed is circled. The sine task has a target per step.
    """
    x = np.asarray(frame.x, np.float32)[:, 0]  # (timesteps,)
    timesteps = len(x)
    steps = np.arange(timesteps)
    fig = go.Figure()
    fig.add_scatter(
        x=steps,
        y=x,
        mode="lines+markers",
        name=_text("train.fig.seq.input", language),
        line={"color": "#7f7f7f"},
    )
    target = np.asarray(frame.target, np.float32).reshape(-1)
    prediction = np.asarray(frame.prediction, np.float32).reshape(-1)
    at = steps if target.size == timesteps and task == "sine" else [timesteps - 1]
    mode = "lines+markers" if task == "sine" else "markers"
    fig.add_scatter(
        x=at,
        y=target,
        mode=mode,
        name=_text("train.fig.seq.target", language),
        marker={"color": PALETTE[2], "size": 12, "symbol": "square"},
        line={"color": PALETTE[2]},
    )
    fig.add_scatter(
        x=at,
        y=prediction,
        mode=mode,
        name=_text("train.fig.seq.prediction", language),
        marker={"color": PALETTE[1], "size": 12, "symbol": "x"},
        line={"color": PALETTE[1], "dash": "dash"},
    )
    if task == "echo":
        echoed = timesteps - 1 - delay
        fig.add_scatter(
            x=[echoed],
            y=[x[echoed]],
            mode="markers",
            name=_text("train.fig.seq.echoed", language, t=echoed),
            marker={
                "size": 20,
                "color": "rgba(0,0,0,0)",
                "line": {"color": PALETTE[2], "width": 3},
            },
        )
    fig.update_layout(
        **_layout(_text("train.fig.seq.title", language, step=frame.step))
    )
    fig.update_xaxes(title_text=_text("train.fig.axis.timestep", language))
    fig.update_yaxes(title_text=_text("train.fig.axis.value", language))
    return fig


def frame_weight_figure(
    frame: Frame, name: str, cell: str, language: str = "en"
) -> go.Figure:
    """One weight array of a frame ("Wx", "Wh", "b", "readout/kernel" or
    "readout/bias") as a heatmap, with the gate blocks of LSTM and GRU marked."""
    if name not in frame.weights:
        raise ValueError(
            f"`name` must be one of {', '.join(frame.weights)}; got {name!r}."
        )
    array = frame.weights[name]
    gates = GATES[cell] if name in ("Wx", "Wh", "b") and len(GATES[cell]) > 1 else ()
    if name in READOUT_NAMES:
        array = np.asarray(array).reshape(1, -1) if array.ndim == 2 else array
    title = _text("train.fig.weight.title", language, name=name, step=frame.step)
    return weight_heatmap(
        name.replace("readout/", "readout_"),
        array,
        gates=gates,
        title=f"{title} {tuple(frame.weights[name].shape)}",
        language=language,
    )


def memory_figure(curve: MemoryCurve, language: str = "en") -> go.Figure:
    """Held-out echo loss after training, against the delay, one line per cell."""
    fig = go.Figure()
    for k, (cell, losses) in enumerate(curve.losses.items()):
        done = np.asarray(losses, np.float64)
        fig.add_scatter(
            x=list(curve.delays[: len(done)]),
            y=done,
            mode="lines+markers",
            name=CELL_CLASS_NAMES[cell],
            line={"color": PALETTE[k % len(PALETTE)], "width": 2.5},
            marker={"size": 9},
        )
    fig.add_hline(
        y=1.0,
        line={"color": "#555555", "dash": "dash"},
        annotation_text=_text("train.fig.memory.nothing", language),
    )
    fig.update_layout(**_layout(_text("train.fig.memory.title", language)))
    fig.update_xaxes(title_text=_text("train.fig.memory.delay", language))
    fig.update_yaxes(
        title_text=_text("train.fig.memory.loss", language), rangemode="tozero"
    )
    return fig
