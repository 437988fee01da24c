"""Cached computation for the pages: traces, figures and tables from `rnn_core`.

Every cache is keyed on the frozen `LayerSpec`, the input's digest and the weights'
key (seed or uploaded digest), holds a bounded number of entries and expires; none is
ever cleared globally, since every session of the server shares them. Traces are
shared read-only objects (`st.cache_resource`: a classroom opening the same default
view holds one copy). Figures are shared objects too: `st.cache_data` would hand each
run a copy, and unpickling a Plotly figure re-validates every property, which costs as
much as building it (about 20 ms for the unrolled diagram); `st.plotly_chart` only
reads a figure (its `to_dict()` copy), and no page changes one. Tables are copied per
call (`st.cache_data`).
"""

from __future__ import annotations

import functools
import gc
import sys
import threading
from collections.abc import Callable
from typing import Any

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from rnn_core import explain, figures
from rnn_core.trace import Trace
from rnn_core.trace import trace as run_trace
from ui.i18n import language, t
from ui.settings import View

MAX_CACHED_TRACES = 8  # a trace is at most ~100 MB (rnn_core.limits.MAX_STATE_ELEMENTS)
MAX_CACHED_FIGURES = 256
MAX_CACHED_TABLES = 32
TTL_SECONDS = 3600
_freeze_lock = threading.Lock()


def _clear_session_without_collecting() -> None:
    """Make `keras.backend.clear_session()` skip its full garbage collection.

    Streamlit calls `keras.backend.clear_session()` after every script run of every
    session (Keras is in `sys.modules`), and Keras' default, `free_memory=True`, runs
    `gc.collect()`: a full collection holding the GIL, measured at about 70 ms per run
    with the server's caches filled, during which the finished run's last messages
    wait to be sent. Keras documents `free_memory=False` for callers that clear often;
    the app builds no models in a loop (its layers are cached and bounded), and
    Python's own generational collector still runs. `.streamlit/config.toml` turns off
    Streamlit's own post-run collection (`runner.postScriptGC`) for the same reason.
    """
    backend = sys.modules["keras"].backend
    clear_session = backend.clear_session
    if not isinstance(clear_session, functools.partial):  # once per process
        backend.clear_session = functools.partial(clear_session, free_memory=False)


@st.cache_resource(show_spinner=False)
def _keras_ready() -> bool:
    """Import TensorFlow once per process, then freeze the heap it allocated.

    `gc.freeze()` moves TensorFlow's millions of objects out of the collector's way,
    so that the collections that do run (Python's own, by generation) stay short.
    """
    from rnn_core import keras_backend

    keras_backend.build_layer  # noqa: B018 - the import above is the point
    _clear_session_without_collecting()
    with _freeze_lock:
        gc.collect()
        gc.freeze()
    return True


def keras_ready() -> bool:
    """TensorFlow imported (once per server), with a spinner the first time."""
    with st.spinner(t("page.spinner.tensorflow")):
        return _keras_ready()


def _read_only(trace: Trace) -> Trace:
    """Mark the arrays of a shared trace read-only, so no page can change them."""
    for array in (
        trace.x,
        *trace.raw_weights,
        *trace.keras_outputs,
        *trace.manual_outputs,
        *trace.output_residuals,
        *trace.keras_states.values(),
        *trace.manual_states.values(),
        *trace.residuals.values(),
    ):
        array.flags.writeable = False
    return trace


@st.cache_resource(
    max_entries=MAX_CACHED_TRACES,
    ttl=TTL_SECONDS,
    show_spinner=False,
)
def _cached_trace(
    spec: Any,
    digest: str,
    weights_key: str,
    weights_seed: int,
    _x: np.ndarray,
    _weights: tuple[np.ndarray, ...] | None,
) -> Trace:
    return _read_only(run_trace(spec, _x, _weights, seed=weights_seed))


def trace_for(view: View) -> Trace:
    """The Keras-and-NumPy trace of the view's layer and input (cached, shared)."""
    keras_ready()
    with st.spinner(t("page.spinner.trace")):
        return _cached_trace(
            view.spec,
            view.digest,
            view.weights_key,
            view.weights_seed,
            view.x,
            view.uploaded_weights,
        )


@st.cache_resource(max_entries=MAX_CACHED_FIGURES, ttl=TTL_SECONDS, show_spinner=False)
def _cached_figure(
    spec: Any,
    digest: str,
    weights_key: str,
    kind: str,
    params: tuple[tuple[str, Any], ...],
    _trace: Trace,
) -> go.Figure:
    builder: Callable[..., go.Figure] = getattr(figures, kind)
    return builder(_trace, **dict(params))


def figure(view: View, trace: Trace, kind: str, **params: Any) -> go.Figure:
    """A figure of `rnn_core.figures` drawn from the trace, its texts in the session's
    language (cached per view, parameters and language)."""
    params.setdefault("language", language())
    return _cached_figure(
        view.spec,
        view.digest,
        view.weights_key,
        kind,
        tuple(sorted(params.items())),
        trace,
    )


@st.cache_resource(max_entries=MAX_CACHED_FIGURES, ttl=TTL_SECONDS, show_spinner=False)
def _cached_diagram(
    spec: Any,
    timesteps: int,
    step: int,
    time_index: tuple[int, ...],
    language_code: str,
) -> go.Figure:
    return figures.unrolled_diagram(
        spec, timesteps, step, time_index, language=language_code
    )


def unrolled_diagram(view: View, trace: Trace, step: int, direction: str) -> go.Figure:
    """The Step page's unrolled diagram at `step` (cached per layer, length, step,
    step order and language; shared, never changed)."""
    time_index = tuple(int(t) for t in trace.time_index[direction])
    return _cached_diagram(view.spec, len(time_index), step, time_index, language())


@st.cache_data(max_entries=MAX_CACHED_TABLES, ttl=TTL_SECONDS, show_spinner=False)
def _cached_combinations(
    spec: Any, digest: str, weights_key: str, _trace: Trace
) -> list[explain.OutputCombination]:
    return explain.output_combinations(spec, _trace.x, _trace.raw_weights)


def output_combinations(view: View, trace: Trace) -> list[explain.OutputCombination]:
    """Every return_sequences × return_state (× go_backwards) call, run live."""
    with st.spinner(t("page.spinner.combinations")):
        return _cached_combinations(view.spec, view.digest, view.weights_key, trace)
