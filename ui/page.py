"""What every page does first and around its body: config, sidebar, error boundary."""

from __future__ import annotations

import logging
from collections.abc import Callable

import plotly.graph_objects as go
import streamlit as st

from rnn_core import export, notebook_export
from rnn_core.markup import Markup
from rnn_core.trace import Trace
from ui import compute
from ui.i18n import error_text, language, t
from ui.settings import View, sidebar

LOGGER = logging.getLogger("rnn_stepper")


def convention() -> str:
    """The row-vector convention, one line under every formula."""
    return t("page.convention")


def guard(body: Callable[[], None]) -> None:
    """Run part of a page; expected errors become `st.error`, never a traceback.

    A `CoreError` of rnn_core is shown in the session's language; another
    `ValueError`'s text as typed unless it is an already-rendered message (`t`).
    """
    try:
        body()
    except ValueError as error:
        st.error(error_text(error))
    except Exception:
        LOGGER.exception("unexpected error while rendering a page")
        st.error(t("page.unexpected"))


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
    """The sidebar's downloads: states as CSV, weights as .npz, a checking script and
    the same check as a Jupyter notebook."""
    name = view.spec.keras_class_name.lower()
    st.sidebar.header(t("page.download"))
    whole_batch = export.csv_rows(trace) <= export.MAX_CSV_ROWS
    rows_of = None if whole_batch else view.batch_index
    st.sidebar.download_button(
        t("page.download.csv")
        if whole_batch
        else t("page.download.csv_item", item=view.batch_index),
        data=lambda: export.states_csv(trace, rows_of),
        file_name=f"{name}_states.csv",
        mime="text/csv",
        on_click="ignore",
        help=t("page.download.csv_help"),
    )
    st.sidebar.download_button(
        t("page.download.weights"),
        data=lambda: export.weights_npz(trace),
        file_name=f"{name}_weights.npz",
        mime="application/octet-stream",
        on_click="ignore",
        help=t("page.download.weights_help"),
    )
    st.sidebar.download_button(
        t("page.download.script"),
        data=lambda: export.standalone_script(view.spec, trace.x, trace.raw_weights),
        file_name=f"check_{name}.py",
        mime="text/x-python",
        on_click="ignore",
        help=t("page.download.script_help"),
    )
    notebook_language = language()  # read now: `data` runs outside the script run
    st.sidebar.download_button(
        t("page.download.notebook"),
        data=lambda: notebook_export.notebook_bytes(
            view.spec, trace.x, trace.raw_weights, language=notebook_language
        ),
        file_name=f"check_{name}.ipynb",
        mime="application/x-ipynb+json",
        on_click="ignore",
        help=t("page.download.notebook_help"),
    )


def chart(fig: go.Figure, key: str | None = None) -> None:
    """Show a Plotly figure at the page's width, with exact values in its hover."""
    st.plotly_chart(
        fig, width="stretch", key=key, config={"displaylogo": False, "responsive": True}
    )


def summary_line(view: View, trace: Trace) -> str:
    """One line naming the layer, the input and the agreement, for page headers."""
    batch, timesteps, features = view.shape
    return t(
        "page.summary",
        code=Markup(view.spec.keras_code()),  # the program's code, long: not cut
        shape=f"({batch}, {timesteps}, {features})",
        source=view.input_label,
        residual=f"{trace.max_abs_residual:.1e}",
    )
