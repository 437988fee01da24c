"""Step through time: the equation of one timestep, filled in with the real numbers."""

from __future__ import annotations

import streamlit as st

from rnn_core import explain, figures
from rnn_core.trace import Trace
from ui import compute, settings
from ui.page import CONVENTION, chart, guard, run, summary_line
from ui.settings import View

PLAY_SECONDS = 0.8  # one step per this many seconds while playing
MAX_ENTRIES = 5  # vector entries written out per equation; fits 1280 px


def _toggle_play() -> None:
    settings.put("playing", not settings.get("playing"))


def _direction(view: View) -> str:
    if not view.spec.bidirectional:
        return view.spec.directions[0]
    return st.radio(
        "Direction",
        view.spec.directions,
        key=settings.key("direction"),
        horizontal=True,
    )


def _stepper(view: View, trace: Trace, direction: str) -> None:
    """The part that reruns alone on every step: slider, diagram and equations."""
    timesteps = view.shape[1]
    last = timesteps - 1
    step = min(int(settings.get("step")), last)
    if settings.get("playing"):
        if step >= last:
            settings.put("playing", False)
            st.rerun(scope="app")
        step += 1
    settings.put("step", step)
    if timesteps > 1:
        st.slider(
            f"Step (0 to {last})",
            0,
            last,
            key=settings.key("step"),
            help="Processing step s: the s-th call of the cell.",
        )
    else:
        st.caption("One timestep: step 0 is the whole sequence.")
    step = int(settings.get("step"))
    read = int(trace.time_index[direction][step])
    chart(
        figures.unrolled_diagram(
            view.spec, timesteps, step, trace.time_index[direction]
        ),
        key="step.diagram",
    )
    st.markdown(
        f"**Step {step}** reads input timestep **{read}** of batch item "
        f"**{view.batch_index}**"
        + (" (go_backwards: read from the end)" if read != step else "")
        + "."
    )
    st.caption(CONVENTION)
    for equation in explain.step_equations(
        trace,
        step,
        batch_index=view.batch_index,
        direction=direction,
        max_entries=MAX_ENTRIES,
    ):
        label_column, math_column = st.columns([1, 6], vertical_alignment="center")
        label_column.markdown(equation.label)
        math_column.latex(equation.latex)


def step_page(view: View, trace: Trace) -> None:
    """The page's body."""
    st.markdown(summary_line(view, trace))
    with st.expander("The formula, for every step"):
        for line in explain.formula_lines(view.spec):
            st.latex(line.latex)
        st.caption(CONVENTION)
    direction = _direction(view)
    playing = bool(settings.get("playing"))
    timesteps = view.shape[1]
    st.button(
        "⏸ Pause" if playing else "▶ Play",
        key="step.play",
        on_click=_toggle_play,
        disabled=timesteps == 1,
        help="Advance one step every second or so, re-running only the step view.",
    )
    fragment = st.fragment(run_every=PLAY_SECONDS if playing else None)(
        lambda: guard(lambda: _stepper(view, trace, direction))
    )
    fragment()
    if view.spec.cell != "simple_rnn":
        st.subheader("Gates over every step")
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


run("Step through time", step_page)
