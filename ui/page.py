"""What every page does first and around its body: config, sidebar, error boundary."""

from __future__ import annotations

import logging
from collections.abc import Callable

import plotly.graph_objects as go
import streamlit as st

from rnn_core import export
from rnn_core.trace import Trace
from ui import compute
from ui.settings import View, sidebar

LOGGER = logging.getLogger("rnn_stepper")
CONVENTION = (
    "Row vectors, as Keras stores the weights: $x_t W_x$ with $W_x$ of shape "
    "(features, units), $h_{t-1} W_h$ with $W_h$ of shape (units, units)."
)
UNEXPECTED = (
    "Something unexpected went wrong while computing this view; the server's log "
    "has the details. Your settings are kept: change one to try again."
)


def guard(body: Callable[[], None]) -> None:
    """Run part of a page; expected errors become `st.error`, never a traceback."""
    try:
        body()
    except ValueError as error:
        st.error(str(error))
    except Exception:
        LOGGER.exception("unexpected error while rendering a page")
        st.error(UNEXPECTED)


def start(title: str) -> View | None:
    """Configure the page, draw the shared sidebar and return the current view.

    The browser tab's title and icon come from the page's `st.Page` in `app.py`.
    """
    st.set_page_config(layout="wide", initial_sidebar_state="expanded")
    st.title(title)
    view: View | None = None

    def draw() -> None:
        nonlocal view
        view = sidebar()

    guard(draw)
    return view


def run(title: str, body: Callable[[View, Trace], None]) -> None:
    """A whole page: start, compute the trace, then the page's own body."""
    view = start(title)
    if view is None:
        return

    def draw() -> None:
        trace = compute.trace_for(view)
        body(view, trace)
        downloads(view, trace)

    guard(draw)


def downloads(view: View, trace: Trace) -> None:
    """The sidebar's downloads: states as CSV, weights as .npz, a checking script."""
    name = view.spec.keras_class_name.lower()
    st.sidebar.header("Download")
    whole_batch = export.csv_rows(trace) <= export.MAX_CSV_ROWS
    rows_of = None if whole_batch else view.batch_index
    st.sidebar.download_button(
        "h_t and residuals (CSV)"
        + ("" if whole_batch else f", batch item {view.batch_index}"),
        data=lambda: export.states_csv(trace, rows_of),
        file_name=f"{name}_states.csv",
        mime="text/csv",
        on_click="ignore",
        help="Every state of every batch item and step: Keras, NumPy, residual.",
    )
    st.sidebar.download_button(
        "Weights (.npz)",
        data=lambda: export.weights_npz(trace),
        file_name=f"{name}_weights.npz",
        mime="application/octet-stream",
        on_click="ignore",
        help="np.savez of layer.get_weights(); upload it back under Upload weights.",
    )
    st.sidebar.download_button(
        "Python script that checks it",
        data=lambda: export.standalone_script(view.spec, trace.x, trace.raw_weights),
        file_name=f"check_{name}.py",
        mime="text/x-python",
        on_click="ignore",
        help="Rebuilds this layer and input with Keras and NumPy and asserts that "
        "they agree.",
    )


def chart(fig: go.Figure, key: str | None = None) -> None:
    """Show a Plotly figure at the page's width, with exact values in its hover."""
    st.plotly_chart(
        fig, width="stretch", key=key, config={"displaylogo": False, "responsive": True}
    )


def summary_line(view: View, trace: Trace) -> str:
    """One line naming the layer, the input and the agreement, for page headers."""
    batch, timesteps, features = view.shape
    return (
        f"`{view.spec.keras_code()}` on input ({batch}, {timesteps}, {features}) "
        f"from {view.input_label} · max |manual − Keras| = "
        f"{trace.max_abs_residual:.1e}"
    )
