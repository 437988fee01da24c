"""Hidden states: h_t (and c_t) over time from Keras and from the formula; residuals."""

from __future__ import annotations

import streamlit as st

from rnn_core.trace import Trace, overflow_warning
from ui import compute, settings
from ui.i18n import language, t
from ui.page import chart, run, summary_line
from ui.settings import View


def states_page(view: View, trace: Trace) -> None:
    """The page's body."""
    spec = view.spec
    st.markdown(summary_line(view, trace))
    st.caption(t("states.caption", item=view.batch_index))
    warning = overflow_warning(trace, language())
    if warning:
        st.warning(warning)
    direction = spec.directions[0]
    if spec.bidirectional:
        labels = {d: t(f"step.direction.{d}") for d in spec.directions}
        direction = st.radio(
            t("set.label.direction"),
            spec.directions,
            key=settings.key("direction"),
            persist_state=settings.KEPT,
            format_func=labels.__getitem__,
            horizontal=True,
        )
    relative = st.toggle(
        t("states.relative"),
        key=settings.key("relative_residuals"),
        persist_state=settings.KEPT,
        help=t("states.relative_help"),
    )
    for state in spec.state_names:
        st.header(t(f"states.title.{state}"))
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
                view,
                trace,
                "residual_heatmap",
                direction=direction,
                relative=bool(relative),
                **common,
            ),
            key=f"states.{state}.residual",
        )
        chart(
            compute.figure(view, trace, "state_lines", direction=direction, **common),
            key=f"states.{state}.lines",
        )


run(t("nav.states"), states_page)
