"""Step through time: the equation of one timestep, filled in with the real numbers."""

from __future__ import annotations

import streamlit as st

from rnn_core import explain
from rnn_core.trace import Trace
from ui import compute, permalink, settings
from ui.i18n import language, t
from ui.page import chart, convention, guard, run, summary_line
from ui.settings import View

PLAY_SECONDS = 0.8  # one step per this many seconds while playing
MAX_ENTRIES = 5  # vector entries written out per equation; fits 1280 px


def _toggle_play() -> None:
    settings.put("playing", not settings.get("playing"))


def _direction(view: View) -> str:
    if not view.spec.bidirectional:
        return view.spec.directions[0]
    labels = {d: t(f"step.direction.{d}") for d in view.spec.directions}
    return st.radio(
        t("set.label.direction"),
        view.spec.directions,
        format_func=labels.__getitem__,
        key=settings.key("direction"),
        persist_state=settings.KEPT,
        horizontal=True,
    )


def _stepper(view: View, trace: Trace, direction: str) -> None:
    """The part that reruns alone on every step: slider, diagram and equations."""
    timesteps = view.shape[1]
    last = timesteps - 1
    held = int(settings.get("step"))
    step = min(held, last)
    if settings.get("playing"):
        if step >= last:
            settings.put("playing", False)
            st.rerun(scope="app")
        step += 1
    if step != held:  # only a move of the app's own: the slider keeps the user's
        settings.put("step", step)
    if timesteps > 1:
        st.slider(
            t("step.slider", last=last),
            0,
            last,
            key=settings.key("step"),
            persist_state=settings.KEPT,
            help=t("step.slider_help"),
        )
    else:
        st.caption(t("step.one"))
    step = int(settings.get("step"))
    permalink.write()  # the address bar follows the step, also while playing
    read = int(trace.time_index[direction][step])
    chart(
        compute.unrolled_diagram(view, trace, step, direction),
        key="step.diagram",
    )
    st.markdown(
        t(
            "step.reads_backwards" if read != step else "step.reads",
            step=step,
            read=read,
            item=view.batch_index,
        )
    )
    st.caption(convention())
    for equation in explain.step_equations(
        trace,
        step,
        batch_index=view.batch_index,
        direction=direction,
        max_entries=MAX_ENTRIES,
        language=language(),
    ):
        label_column, math_column = st.columns([1, 6], vertical_alignment="center")
        label_column.markdown(equation.label)
        math_column.latex(equation.latex)
    permalink.link_box(st.container())  # here, so the link follows the step


def step_page(view: View, trace: Trace) -> None:
    """The page's body."""
    st.markdown(summary_line(view, trace))
    with st.expander(t("step.formula")):
        for line in explain.formula_lines(view.spec, language()):
            st.latex(line.latex)
        st.caption(convention())
    direction = _direction(view)
    playing = bool(settings.get("playing"))
    timesteps = view.shape[1]
    st.button(
        t("step.pause") if playing else t("step.play"),
        key="step.play",
        on_click=_toggle_play,
        disabled=timesteps == 1,
        help=t("step.play_help"),
    )

    def stepper() -> None:  # reruns alone on a step or a play tick; the sidebar's
        guard(lambda: _stepper(view, trace, direction))  # widgets keep their values

    st.fragment(run_every=PLAY_SECONDS if playing else None)(stepper)()
    if view.spec.cell != "simple_rnn":
        st.subheader(t("step.gates"))
        chart(
            compute.figure(
                view,
                trace,
                "gate_heatmaps",
                batch_index=view.batch_index,
                direction=direction,
            ),
            key="step.gates",
        )


st.session_state[settings.LINK_IN_PAGE] = True  # drawn in the fragment, with the step
run(t("nav.step"), step_page)
