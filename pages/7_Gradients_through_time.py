"""Gradients through time: ‖dL/dh_t‖ over the steps, dL/dW per gate, three cells.

The layer is the sidebar's; the page's own controls pick what the loss compares it
with (a toy task of `rnn_core.tasks`, or a zero or random target for the sidebar's
input), the sequence length, the echo delay, the spectral radius of Wh and the loss.
Every number comes from `ui.gradient_compute` (Keras' GradientTape and the manual
BPTT of `rnn_core.gradients`, cached); this file only draws.
"""

from __future__ import annotations

import math

import streamlit as st

from rnn_core import explain
from rnn_core.gradient_lab import (
    COMPARISON_CELLS,
    MAX_GATE_BIAS,
    MAX_RADIUS,
    TARGETS,
    TASK_BATCH,
    bptt_latex,
    carry_line,
    decay_line,
)
from rnn_core.gradients import LOSSES, hidden_norms
from rnn_core.limits import MAX_TIMESTEPS
from rnn_core.markup import Markup
from rnn_core.tasks import TASK_LOSSES, TASKS
from rnn_core.trace import Trace
from ui import gradient_compute, settings
from ui.gradient_compute import ComparisonRequest, GradientRequest, GradientResult
from ui.i18n import language, t
from ui.page import chart, convention, guard, run, summary_line
from ui.settings import View

MAX_TASK_TIMESTEPS = min(200, MAX_TIMESTEPS)  # long enough to vanish, quick to run
MAX_COMPARISON_DELAY = 60
MAX_COMPARISON_UNITS = 64
# Page controls: session_state key -> default (kept across pages, never in links).
DEFAULTS: dict[str, object] = {
    "gradients.target": "echo",
    "gradients.timesteps": 30,
    "gradients.delay": 20,
    "gradients.rescale": False,
    "gradients.radius": 1.0,
    "gradients.loss": "last",
    "gradients.compare_units": 16,
    "gradients.compare_delay": 20,
    "gradients.lstm_bias": 3.0,
    "gradients.gru_bias": 3.0,
}


def _keep_controls() -> None:
    """Give every control of the page its value (Streamlit forgets a widget's value
    on a page that does not draw it)."""
    state = st.session_state
    for name, default in DEFAULTS.items():
        state[name] = state.get(name, default)
    if state["gradients.target"] not in TARGETS:
        state["gradients.target"] = DEFAULTS["gradients.target"]
    timesteps = int(state["gradients.timesteps"])
    state["gradients.delay"] = min(int(state["gradients.delay"]), timesteps - 1)


def _controls(view: View) -> GradientRequest:
    """The page's controls; returns the request they describe."""
    _keep_controls()
    labels = {name: t(f"grad.page.target.{name}") for name in TARGETS}
    left, middle, right = st.columns(3)
    target = left.selectbox(
        t("grad.page.target"),
        TARGETS,
        key="gradients.target",
        format_func=labels.__getitem__,
        help=t("grad.page.target_help"),
    )
    task = target in TASKS
    if task:
        timesteps = middle.slider(
            t("grad.page.timesteps"),
            min_value=2,
            max_value=MAX_TASK_TIMESTEPS,
            key="gradients.timesteps",
            help=t("grad.page.timesteps_help"),
        )
    else:
        timesteps = view.shape[1]
        middle.caption(t("grad.page.timesteps_sidebar", timesteps=timesteps))
    if target == "echo":
        middle.slider(
            t("grad.page.delay"),
            min_value=0,
            max_value=max(int(timesteps) - 1, 1),
            key="gradients.delay",
            help=t("grad.page.delay_help"),
        )
    rescale = right.toggle(
        t("grad.page.rescale"),
        key="gradients.rescale",
        help=t("grad.page.rescale_help"),
    )
    right.slider(
        t("grad.page.radius"),
        min_value=0.0,
        max_value=MAX_RADIUS,
        step=0.05,
        key="gradients.radius",
        disabled=not rescale,
    )
    if task:
        loss = TASK_LOSSES[target]
        left.caption(t("grad.page.task_loss", loss=t(f"grad.loss.{loss}")))
    else:
        loss_labels = {name: t(f"grad.loss.{name}") for name in LOSSES}
        loss = left.radio(
            t("grad.page.loss"),
            LOSSES,
            key="gradients.loss",
            format_func=loss_labels.__getitem__,
            horizontal=True,
        )
    state = st.session_state
    return GradientRequest(
        target=target,
        timesteps=int(timesteps),
        delay=int(state["gradients.delay"]),
        loss=str(loss),
        radius=float(state["gradients.radius"]) if rescale else None,
        seed=int(settings.get("input_seed")),
    )


def _agreement(result: GradientResult) -> None:
    """Loss, and the largest relative error of Keras vs manual against the tolerance."""
    trace = result.trace
    loss_column, error_column, tolerance_column = st.columns(3)
    loss_column.metric(t("grad.page.metric.loss"), f"{trace.keras.loss:.6g}")
    error_column.metric(
        t("grad.page.metric.error"),
        f"{trace.max_relative_error:.1e}",
        help=t("grad.page.metric.error_help"),
    )
    tolerance_column.metric(t("grad.page.metric.tolerance"), f"{trace.tolerance:.0e}")
    error = trace.max_relative_error
    if math.isfinite(error) and error <= trace.tolerance:
        st.success(
            t(
                "grad.page.agree",
                error=f"{error:.1e}",
                tolerance=f"{trace.tolerance:.0e}",
            )
        )
    else:
        st.warning(
            t(
                "grad.page.disagree",
                error=f"{error:.1e}",
                tolerance=f"{trace.tolerance:.0e}",
            )
        )


def _explanation(view: View, result: GradientResult) -> None:
    """One line tied to the spectral radius of Wh (as on the Weights page), and the
    decay measured on this call."""
    spec = result.problem.spec
    lang = language()
    radii = explain.recurrent_spectral_radii(spec, result.problem.weights)
    largest_name = max(radii, key=lambda name: radii[name])
    largest = radii[largest_name]
    timesteps = result.problem.x.shape[1]
    st.info(decay_line(largest, spec.activation, timesteps - 1, lang))
    activation = spec.activation if spec.cell == "simple_rnn" else None
    if spec.cell == "simple_rnn":
        st.caption(
            t(
                "grad.page.spectral",
                name=largest_name,
                note=Markup(explain.spectral_note(largest, activation, lang)),
            )
        )
    else:
        st.caption(
            t("grad.page.spectral_gates", name=largest_name, radius=f"{largest:.3g}")
        )
    norms = hidden_norms(result.trace.keras)  # (timesteps,)
    if norms.size > 1 and norms[-1] > 0 and math.isfinite(norms[-1]):
        ratio = norms[0] / norms[-1]
        st.markdown(t("grad.page.measured", ratio=f"{ratio:.2e}", steps=timesteps - 1))


def _weight_heatmaps(
    view: View, request: GradientRequest, result: GradientResult
) -> None:
    spec = view.spec
    lang = language()
    direction = spec.directions[0]
    if spec.bidirectional:
        labels = {d: t(f"grad.fig.direction.{d}") for d in spec.directions}
        direction = st.radio(
            t("grad.page.direction"),
            spec.directions,
            key=settings.key("direction"),
            persist_state=settings.KEPT,
            format_func=labels.__getitem__,
            horizontal=True,
        )
    which_names = ["Wx", "Wh", "b"] if spec.use_bias else ["Wx", "Wh"]
    for which in which_names:
        chart(
            gradient_compute.figure(
                view,
                request,
                result,
                "weight_gradient_figure",
                which=which,
                language=lang,
                direction=direction,
            ),
            key=f"gradients.weights.{which}",
        )


def _comparison(view: View) -> None:
    """SimpleRNN vs LSTM vs GRU on the echo task: the gradient that reaches the input
    the target repeats, and why."""
    lang = language()
    st.markdown(t("grad.page.compare.intro"))
    units_column, delay_column, lstm_column, gru_column = st.columns(4)
    units = units_column.number_input(
        t("grad.page.compare.units"),
        min_value=1,
        max_value=MAX_COMPARISON_UNITS,
        step=1,
        key="gradients.compare_units",
    )
    delay = delay_column.slider(
        t("grad.page.compare.delay"),
        min_value=1,
        max_value=MAX_COMPARISON_DELAY,
        key="gradients.compare_delay",
    )
    lstm_bias = lstm_column.slider(
        t("grad.page.compare.lstm_bias"),
        min_value=-MAX_GATE_BIAS,
        max_value=MAX_GATE_BIAS,
        step=0.5,
        key="gradients.lstm_bias",
        help=t("grad.page.compare.lstm_bias_help"),
    )
    gru_bias = gru_column.slider(
        t("grad.page.compare.gru_bias"),
        min_value=-MAX_GATE_BIAS,
        max_value=MAX_GATE_BIAS,
        step=0.5,
        key="gradients.gru_bias",
        help=t("grad.page.compare.gru_bias_help"),
    )
    request = ComparisonRequest(
        units=int(units),
        delay=int(delay),
        lstm_forget_bias=float(lstm_bias),
        gru_update_bias=float(gru_bias),
        seed=int(settings.get("input_seed")),
        weights_seed=view.weights_seed,
    )
    results = gradient_compute.comparison_for(request)
    chart(
        gradient_compute.comparison_figure(request, results, lang),
        key="gradients.compare",
    )
    for cell in COMPARISON_CELLS:
        st.markdown("- " + carry_line(cell, lang))


def gradients_page(view: View, trace: Trace) -> None:
    """The page's body."""
    spec = view.spec
    lang = language()
    st.markdown(t("grad.page.intro"))
    request = _controls(view)
    if request.target in TASKS:
        shape = (TASK_BATCH, request.timesteps, 1)
        st.markdown(
            t(
                "grad.page.task_line",
                code=Markup(spec.keras_code()),  # the program's code, long: not cut
                task=t(f"grad.page.task.{request.target}"),
                batch=TASK_BATCH,
                shape=str(shape),
            )
        )
    else:
        st.markdown(summary_line(view, trace))
    if request.target in TASKS and view.uploaded_weights is not None:
        st.info(t("grad.page.task_weights"))
    result = gradient_compute.gradients_for(view, request, trace.raw_weights)
    _agreement(result)
    _explanation(view, result)
    chart(
        gradient_compute.figure(
            view,
            request,
            result,
            "hidden_norm_figure",
            language=lang,
            mark_step=result.problem.mark_step,
        ),
        key="gradients.norms",
    )
    st.subheader(t("grad.page.formula"))
    for line in bptt_latex(spec.cell):
        st.latex(line)
    st.caption(t("grad.page.formula_caption") + " " + convention())
    st.subheader(t("grad.page.weights"))
    st.caption(t("grad.page.weights_caption"))
    _weight_heatmaps(view, request, result)
    st.header(t("grad.page.compare"))
    guard(lambda: _comparison(view))


run(t("nav.gradients"), gradients_page)
