"""Hidden states: h_t (and c_t) over time from Keras and from the formula; residuals."""

from __future__ import annotations

import streamlit as st

from rnn_core.trace import Trace
from ui import compute, settings
from ui.page import chart, run, summary_line
from ui.settings import View

STATE_TITLES = {"h": "Hidden state h_t", "c": "Cell state c_t (LSTM)"}


def states_page(view: View, trace: Trace) -> None:
    """The page's body."""
    spec = view.spec
    st.markdown(summary_line(view, trace))
    st.caption(
        "Rows are units, columns are processing steps (under go_backwards step s "
        "reads timestep T−1−s). Residual = NumPy − Keras, on a colour scale centred "
        f"on zero. Batch item {view.batch_index}."
    )
    direction = spec.directions[0]
    if spec.bidirectional:
        direction = st.radio(
            "Direction", spec.directions, key=settings.key("direction"), horizontal=True
        )
    for state in spec.state_names:
        st.header(STATE_TITLES[state])
        common = {"state": state, "batch_index": view.batch_index}
        for source in ("keras", "manual"):
            chart(
                compute.figure(
                    view,
                    trace,
                    "states_heatmap",
                    source=source,
                    direction=direction,
                    **common,
                ),
                key=f"states.{state}.{source}",
            )
        chart(
            compute.figure(
                view, trace, "residual_heatmap", direction=direction, **common
            ),
            key=f"states.{state}.residual",
        )
        chart(
            compute.figure(view, trace, "state_lines", direction=direction, **common),
            key=f"states.{state}.lines",
        )


run("Hidden states", states_page)
