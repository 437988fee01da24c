"""RNN Stepper, home page: the layer, what Keras returns, and the proof they agree.

Run with `make run` (or `streamlit run app.py`). This file is also the entry point
that names the pages: the others are the files of `pages/`.
"""

from __future__ import annotations

import streamlit as st

from rnn_core import describe_weights, explain
from rnn_core.trace import Trace, overflow_warning
from ui import compute, permalink, restart
from ui.i18n import language, plain_text, t
from ui.page import chart, convention, run
from ui.settings import View


def home(view: View, trace: Trace) -> None:
    """The home page's body."""
    spec = view.spec
    lang = language()
    batch, timesteps, features = view.shape
    st.markdown(t("home.intro"))
    code_column, numbers_column = st.columns([3, 2])
    with code_column:
        st.subheader(t("home.layer"))
        st.code(
            "import keras\n\n"
            f"layer = {spec.keras_code()}\n"
            f"# x: ({batch}, {timesteps}, {features}), {plain_text(view.input_label)}\n"
            "outputs = layer(x)",
            language="python",
        )
    with numbers_column:
        st.subheader(t("home.agree"))
        st.metric(
            t("home.metric.residual"),
            f"{trace.max_abs_residual:.1e}",
            help=t("home.metric_help"),
        )
        st.metric(
            t("home.metric.relative"),
            f"{trace.max_relative_residual:.1e}",
            help=t("home.relative_help"),
        )
        warning = overflow_warning(trace, lang)
        if warning:
            st.warning(warning)
        st.markdown(t("home.returns"))
        st.dataframe(
            {
                t("home.col.returned"): list(trace.output_names),
                t("home.col.shape"): [
                    str(tuple(out.shape)) for out in trace.keras_outputs
                ],
            },
            hide_index=True,
            width="stretch",
        )
    st.subheader(t("home.formula"))
    for line in explain.formula_lines(spec, lang):
        st.latex(line.latex)
    st.caption(convention())
    st.subheader(t("home.weights"))
    weights = describe_weights(spec, features, lang)
    st.table(
        {
            t("home.col.name"): [w.name for w in weights],
            t("home.col.keras_name"): [w.keras_name for w in weights],
            t("home.col.shape"): [str(w.shape) for w in weights],
            t("home.col.what"): [w.description for w in weights],
        },
        hide_index=True,
    )
    st.subheader(t("home.flags"))
    for flag, text in explain.flag_explanations(lang).items():
        state = t("home.on") if getattr(spec, flag) else t("home.off")
        st.markdown(f"- `{flag}` ({state}): {text}")
    st.subheader(t("home.states"))
    direction = spec.directions[0]
    chart(
        compute.figure(
            view,
            trace,
            "states_heatmap",
            source="keras",
            state="h",
            batch_index=view.batch_index,
            direction=direction,
        ),
        key="home.states",
    )


def home_page() -> None:
    """The home page, as a page of the navigation."""
    run("RNN Stepper", home)


# A new session opened from a permalink: its settings and language before the page
# titles are made (the warnings about bad parameters show on the page itself).
permalink.load()
PAGES = [
    st.Page(home_page, title=t("nav.home"), default=True),
    # No icons: Streamlit fetches a Material icon's favicon from Google's servers.
    st.Page("pages/1_Step_through_time.py", title=t("nav.step")),
    st.Page("pages/2_Weights.py", title=t("nav.weights")),
    st.Page("pages/3_Hidden_states.py", title=t("nav.states")),
    st.Page("pages/4_Output_shapes.py", title=t("nav.shapes")),
    st.Page("pages/5_Walkthrough.py", title=t("nav.walkthrough")),
    st.Page("pages/6_Check_yourself.py", title=t("nav.quiz")),
    st.Page("pages/7_Gradients_through_time.py", title=t("nav.gradients")),
    st.Page("pages/8_Train.py", title=t("nav.train")),
]
with st.sidebar:  # reruns the page when it reconnects after a server restart
    restart.watch()
st.navigation(PAGES).run()
