"""Walkthrough: the seed notebook's story, one step at a time, with live numbers.

The page has its own fixed cases (`rnn_core.walkthrough.WALK_CASES`), independent of
the shared sidebar's settings, which it keeps but does not draw. Its state lives in
`st.session_state`: "walk.step" (the step shown; in the page's link as `walk`, from
1, see ui.permalink) and "walk.batch" (the batch item whose numbers are written out).
"""

from __future__ import annotations

from collections.abc import Callable

import plotly.graph_objects as go
import streamlit as st

from rnn_core import describe_weights, explain, walkthrough
from rnn_core.figures import VALUE_FORMAT
from rnn_core.inputs import input_digest
from rnn_core.trace import Trace
from ui import compute, permalink, settings
from ui.i18n import language_switch, t
from ui.page import chart, guard
from ui.settings import View

STEP_KEY = "walk.step"
BATCH_KEY = "walk.batch"
DIGITS = 6  # significant digits in the tables


def _number(value: float) -> str:
    return f"{float(value):.{DIGITS}g}"


def _view(case_key: str) -> View:
    """A `View` of one of the walkthrough's cases, for ui.compute's caches."""
    case = walkthrough.WALK_CASES[case_key]
    x = case.inputs(seed=walkthrough.SEED)  # (batch, timesteps, features)
    return View(
        spec=case.spec,
        x=x,
        digest=input_digest(x),
        weights_key=f"seed:{walkthrough.SEED}",
        weights_seed=walkthrough.SEED,
        uploaded_weights=None,
        batch_index=_batch_item(),
        input_label="",
    )


def _trace(case_key: str) -> Trace:
    """The case's trace, cached and shared like every page's (ui.compute)."""
    return compute.trace_for(_view(case_key))


def _batch_item() -> int:
    return int(st.session_state.get(BATCH_KEY, 0))


def _code(case_key: str, call: str | None) -> None:
    """The notebook's code for a case: the input, then the layer and `call` (if any)."""
    case = walkthrough.WALK_CASES[case_key]
    lines = [
        "import numpy as np",
        "",
        f"x = np.random.random({list(case.input_shape)}).astype(np.float32)",
    ]
    if call is not None:
        lines[:0] = ["import keras"]
        lines += [f"layer = {case.spec.keras_code()}", call]
    st.code("\n".join(lines), language="python")


def _returned_table(trace: Trace) -> None:
    st.table(
        {
            t("walk.col.returned"): list(trace.output_names),
            t("walk.col.shape"): [str(a.shape) for a in trace.keras_outputs],
        },
        hide_index=True,
    )


def _sequence_table(trace: Trace) -> None:
    """h_t of the followed batch item at every timestep, as Keras returned it."""
    sequence = trace.keras_outputs[0][_batch_item()]  # (timesteps, units)
    table: dict[str, list[str]] = {
        t("walk.col.timestep"): [f"h_{k + 1}" for k in range(len(sequence))]
    }
    for unit in range(sequence.shape[1]):
        table[t("walk.col.unit", unit=unit)] = [_number(v) for v in sequence[:, unit]]
    st.table(table, hide_index=True)


def _first_step(trace: Trace) -> None:
    """The first step of the followed item, written out, and the batch's agreement."""
    labels = {
        "x": t("walk.line.x"),
        "x_Wx": t("walk.line.x_Wx"),
        "h_prev": t("walk.line.h_prev"),
        "h_Wh": t("walk.line.h_Wh"),
        "b": t("walk.line.b"),
        "pre": t("walk.line.pre"),
        "h": t("walk.line.h"),
        "keras": t("walk.line.keras"),
    }
    for name, latex in walkthrough.first_step_latex(trace, _batch_item()).items():
        label_column, math_column = st.columns([1, 4], vertical_alignment="center")
        label_column.markdown(labels[name])
        math_column.latex(latex)


def _gap_metrics(trace: Trace, every_step: bool = True) -> None:
    """max |by hand − Keras| of the first step; and of the whole run, if asked."""
    first, whole = st.columns(2)
    first.metric(
        t("walk.metric.first_step_gap"),
        f"{walkthrough.first_step_gap(trace):.1e}",
        help=t("walk.metric.first_step_gap_help"),
    )
    if every_step:
        whole.metric(
            t("walk.metric.trace_gap"),
            f"{trace.max_abs_residual:.1e}",
            help=t("walk.metric.trace_gap_help"),
        )


# --- the steps ------------------------------------------------------------------------


def step_input() -> None:
    trace = _trace("basic")
    batch, timesteps, features = trace.x.shape
    st.markdown(t("walk.input.body"))
    _code("basic", None)
    columns = st.columns(3)
    columns[0].metric(t("walk.metric.batch"), batch)
    columns[1].metric(t("walk.metric.timesteps"), timesteps)
    columns[2].metric(t("walk.metric.features"), features)
    st.markdown(t("walk.input.item", item=_batch_item()))
    row = trace.x[_batch_item(), 0]  # (features,)
    st.table(
        {t("walk.col.feature", feature=j): [_number(v)] for j, v in enumerate(row)},
        hide_index=True,
    )


def step_layer() -> None:
    trace = _trace("basic")
    st.markdown(t("walk.layer.body"))
    _code("basic", "output = layer(x)")
    output = trace.keras_outputs[0]  # (batch, units)
    st.markdown(t("walk.layer.returns", shape=str(output.shape)))
    _returned_table(trace)
    st.markdown(t("walk.layer.item", item=_batch_item()))
    st.latex(
        r"h^{\text{Keras}} = " + walkthrough.matrix_latex(output[_batch_item()], 7)
    )


def _localized_weights(trace: Trace, which: str) -> go.Figure:
    """The Weights page's figure of one array, its words in the page's language."""
    shared = compute.figure(_view("basic"), trace, "gate_weight_figure", which=which)
    fig = go.Figure(shared)  # a copy: the cached figure is shared by every session
    shape = " × ".join(str(n) for n in trace.weights[which].shape)
    unit = t("walk.axis.unit")
    fig.update_layout(
        title_text=t(f"walk.weights.fig.{which}", shape=shape),
        coloraxis_colorbar_title_text=t("walk.axis.value"),
    )
    fig.layout.annotations = ()  # the panel's own title would repeat the figure's
    fig.update_xaxes(title_text=unit)
    if which == "b":
        hover = f"b, {unit} %{{x}}: {VALUE_FORMAT}<extra></extra>"
    else:
        rows = t("walk.axis.feature" if which == "Wx" else "walk.axis.from_unit")
        fig.update_yaxes(title_text=rows, row=1, col=1)
        hover = f"{which}: {rows} %{{y}}, {unit} %{{x}}: {VALUE_FORMAT}<extra></extra>"
    fig.update_traces(hovertemplate=hover)
    return fig


def step_weights() -> None:
    trace = _trace("basic")
    spec = trace.spec
    st.markdown(t("walk.weights.body"))
    st.code("Wx, Wh, b = layer.weights", language="python")
    infos = describe_weights(spec, trace.x.shape[2])
    st.table(
        {
            t("walk.col.name"): [info.name for info in infos],
            t("walk.col.keras_name"): [info.keras_name for info in infos],
            t("walk.col.shape"): [str(info.shape) for info in infos],
            t("walk.col.meaning"): [t(f"walk.weights.{info.name}") for info in infos],
        },
        hide_index=True,
    )
    st.info(t("walk.weights.rows"))
    left, right = st.columns(2)
    with left:
        chart(_localized_weights(trace, "Wx"), key="walk.weights.Wx")
    with right:
        chart(_localized_weights(trace, "Wh"), key="walk.weights.Wh")
    chart(_localized_weights(trace, "b"), key="walk.weights.b")


def step_by_hand() -> None:
    trace = _trace("basic")
    st.markdown(t("walk.hand.body"))
    st.latex(explain.formula_lines(trace.spec)[0].latex)
    st.caption(t("walk.hand.convention"))
    st.markdown(t("walk.hand.item", item=_batch_item()))
    _first_step(trace)
    with st.expander(t("walk.hand.one_unit")):
        unit = st.radio(
            t("walk.hand.unit"),
            list(range(trace.spec.units)),
            horizontal=True,
            key="walk.unit",
        )
        st.latex(walkthrough.unit_sum_latex(trace, int(unit), _batch_item()))


def step_agree() -> None:
    trace = _trace("basic")
    st.markdown(t("walk.agree.body"))
    st.code(walkthrough.BY_HAND_CODE, language="python")
    _gap_metrics(trace)
    by_hand = walkthrough.by_hand_first_step(trace)[_batch_item()]  # (units,)
    keras = trace.keras_outputs[0][_batch_item()]  # (units,)
    table: dict[str, list[str]] = {
        t("walk.col.source"): [t("walk.source.hand"), t("walk.source.keras")]
    }
    for unit in range(trace.spec.units):
        table[t("walk.col.unit", unit=unit)] = [
            _number(by_hand[unit]),
            _number(keras[unit]),
        ]
    st.markdown(t("walk.agree.item", item=_batch_item()))
    st.table(table, hide_index=True)
    st.caption(t("walk.agree.rounding"))


def step_return_state() -> None:
    trace = _trace("return_state")
    st.markdown(t("walk.state.body"))
    _code("return_state", "output, state_h = layer(x)")
    _returned_table(trace)
    if walkthrough.outputs_identical(trace, "output", "state_h"):
        st.success(t("walk.state.equal", shape=str(trace.keras_outputs[0].shape)))
    else:
        st.error(t("walk.state.not_equal"))
    st.markdown(t("walk.state.why"))


def step_return_sequences() -> None:
    trace = _trace("return_sequences")
    st.markdown(t("walk.seq.body"))
    _code("return_sequences", "output = layer(x)")
    shape = str(trace.keras_outputs[0].shape)
    st.markdown(t("walk.seq.returns", shape=shape))
    st.markdown(t("walk.seq.item", item=_batch_item()))
    _sequence_table(trace)
    st.markdown(t("walk.seq.first_step"))
    _first_step(trace)
    _gap_metrics(trace, every_step=False)
    st.markdown(t("walk.seq.later"))


def step_tanh() -> None:
    trace = _trace("tanh")
    linear = _trace("return_sequences")
    st.markdown(t("walk.tanh.body"))
    _code("tanh", "output = layer(x)")
    st.markdown(t("walk.seq.item", item=_batch_item()))
    _sequence_table(trace)
    st.markdown(t("walk.tanh.first_step"))
    _first_step(trace)
    _gap_metrics(trace)
    linear_last = linear.keras_outputs[0][_batch_item(), -1]  # (units,)
    tanh_last = trace.keras_outputs[0][_batch_item(), -1]  # (units,)
    st.markdown(t("walk.tanh.compare", item=_batch_item()))
    st.table(
        {
            t("walk.col.layer"): ["activation=None", "tanh"],
            **{
                t("walk.col.unit", unit=unit): [
                    _number(linear_last[unit]),
                    _number(tanh_last[unit]),
                ]
                for unit in range(trace.spec.units)
            },
        },
        hide_index=True,
    )
    st.markdown(t("walk.tanh.next"))


STEPS: tuple[tuple[str, Callable[[], None]], ...] = (
    ("input", step_input),
    ("layer", step_layer),
    ("weights", step_weights),
    ("hand", step_by_hand),
    ("agree", step_agree),
    ("state", step_return_state),
    ("seq", step_return_sequences),
    ("tanh", step_tanh),
)
LAST = len(STEPS) - 1


# --- navigation -----------------------------------------------------------------------


def _move(delta: int) -> None:
    step = int(st.session_state.get(STEP_KEY, 0)) + delta
    st.session_state[STEP_KEY] = min(max(step, 0), LAST)


def _step_title(index: int) -> str:
    return t(f"walk.{STEPS[index][0]}.title")


def sidebar() -> int:
    """The page's own sidebar: language, the step list and the batch item followed."""
    state = st.session_state
    # Widget values are forgotten by runs that do not draw them (another page);
    # writing them back keeps them, as ui.settings.keep_settings does.
    state[STEP_KEY] = min(max(int(state.get(STEP_KEY, 0)), 0), LAST)
    state[BATCH_KEY] = int(state.get(BATCH_KEY, 0))
    language_switch()
    st.sidebar.header(t("walk.sidebar.steps"))
    # Labels made now, in this run's language (a format_func may be called later).
    labels = [f"{k + 1}. {_step_title(k)}" for k in range(len(STEPS))]
    st.sidebar.radio(
        t("walk.sidebar.go_to"),
        list(range(len(STEPS))),
        format_func=labels.__getitem__,
        key=STEP_KEY,
        label_visibility="collapsed",
    )
    batch = walkthrough.WALK_CASES["basic"].input_shape[0]
    st.sidebar.number_input(
        t("walk.sidebar.batch", last=batch - 1),
        min_value=0,
        max_value=batch - 1,
        step=1,
        key=BATCH_KEY,
        help=t("walk.sidebar.batch_help"),
    )
    return int(state[STEP_KEY])


def main() -> None:
    st.set_page_config(layout="wide", initial_sidebar_state="expanded")
    permalink.claim("walk")  # the URL and the link box carry the step
    problems = settings.keep_settings()  # the other pages' settings survive a visit
    step = sidebar()
    st.title(t("walk.title"))
    for problem in problems:  # a bad setting (e.g. from a link), as pages 1–4 say
        st.error(problem)
    st.caption(t("walk.intro"))
    st.progress(
        (step + 1) / len(STEPS),
        text=t("walk.progress", step=step + 1, total=len(STEPS)),
    )
    st.header(_step_title(step))
    guard(STEPS[step][1])
    back, _, forward = st.columns([1, 4, 1])
    back.button(
        t("walk.back"),
        key="walk.back",
        on_click=_move,
        args=(-1,),
        disabled=step == 0,
        width="stretch",
    )
    forward.button(
        t("walk.next"),
        key="walk.next",
        on_click=_move,
        args=(1,),
        disabled=step == LAST,
        type="primary",
        width="stretch",
    )
    permalink.link_box()


main()
