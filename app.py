"""RNN Stepper, home page: the layer, what Keras returns, and the proof they agree.

Run with `make run` (or `streamlit run app.py`). This file is also the entry point
that names the pages: the others are the files of `pages/`.
"""

from __future__ import annotations

import streamlit as st

from rnn_core import describe_weights, explain
from rnn_core.trace import Trace
from ui import compute
from ui.page import CONVENTION, chart, run
from ui.settings import View


def home(view: View, trace: Trace) -> None:
    """The home page's body."""
    spec = view.spec
    batch, timesteps, features = view.shape
    st.markdown(
        "Pick a Keras recurrent layer and an input in the sidebar. Every number here "
        "is computed twice: by the real Keras layer, and by the written-out formula "
        "in NumPy. The other pages step through time, show the weights, the hidden "
        "states and every output shape."
    )
    code_column, numbers_column = st.columns([3, 2])
    with code_column:
        st.subheader("The layer")
        st.code(
            "import keras\n\n"
            f"layer = {spec.keras_code()}\n"
            f"# x: ({batch}, {timesteps}, {features}), {view.input_label}\n"
            "outputs = layer(x)",
            language="python",
        )
    with numbers_column:
        st.subheader("Keras and the formula agree")
        st.metric(
            "max |manual − Keras|",
            f"{trace.max_abs_residual:.1e}",
            help="Largest absolute difference over every output and every h_t "
            "(and c_t) of every batch item and timestep. float32 rounding gives "
            "about 1e-7 per unit of magnitude.",
        )
        if trace.nonfinite_mismatches:
            st.warning(
                f"{trace.nonfinite_mismatches} values are NaN or infinite on one side "
                "only: the states exploded differently."
            )
        st.markdown("**What Keras returns** for these flags:")
        st.dataframe(
            {
                "returned": list(trace.output_names),
                "shape": [str(tuple(out.shape)) for out in trace.keras_outputs],
            },
            hide_index=True,
            width="stretch",
        )
    st.subheader("The formula")
    for line in explain.formula_lines(spec):
        st.latex(line.latex)
    st.caption(CONVENTION)
    st.subheader("Weights")
    weights = describe_weights(spec, features)
    st.table(
        {
            "name": [w.name for w in weights],
            "Keras name": [w.keras_name for w in weights],
            "shape": [str(w.shape) for w in weights],
            "what it is": [w.description for w in weights],
        },
        hide_index=True,
    )
    st.subheader("What the flags change")
    for flag, text in explain.flag_explanations().items():
        state = "on" if getattr(spec, flag) else "off"
        st.markdown(f"- `{flag}` ({state}): {text}")
    st.subheader("Hidden states")
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


PAGES = [
    st.Page(home_page, title="Home", default=True),
    # No icons: Streamlit fetches a Material icon's favicon from Google's servers.
    st.Page("pages/1_Step_through_time.py", title="Step through time"),
    st.Page("pages/2_Weights.py", title="Weights"),
    st.Page("pages/3_Hidden_states.py", title="Hidden states"),
    st.Page("pages/4_Output_shapes.py", title="Output shapes"),
]
st.navigation(PAGES).run()
