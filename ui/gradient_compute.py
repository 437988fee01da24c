"""Cached computation of the "Gradients through time" page.

As `ui.compute`: every cache is keyed on the frozen `LayerSpec`, the input's digest,
the weights' key and the page's frozen `GradientRequest`, holds a bounded number of
entries and expires; none is ever cleared globally. Gradient traces are shared
read-only objects (`st.cache_resource`); so are figures (shared as in `ui.compute`:
a copy would cost as much as building one). TensorFlow is imported once per server
(`ui.compute.keras_ready`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from rnn_core import gradient_figures
from rnn_core.gradient_lab import (
    GradientProblem,
    build_problem,
    comparison_problems,
)
from rnn_core.gradients import GradientTrace, trace_gradients
from rnn_core.spec import LayerSpec
from ui.compute import TTL_SECONDS, keras_ready
from ui.i18n import t
from ui.settings import View

MAX_CACHED_GRADIENTS = 8  # a trace holds two copies of every weight and of dL/dh
MAX_CACHED_COMPARISONS = 8
MAX_CACHED_FIGURES = 128
TASK_DIGEST = "task"  # the input key of a toy task: its request describes it whole


@dataclass(frozen=True)
class GradientRequest:
    """The page's own settings (hashable: part of every cache key)."""

    target: str  # one of rnn_core.gradient_lab.TARGETS
    timesteps: int  # a task's sequence length
    delay: int  # the echo delay
    loss: str  # "last" or "sequence" (zero and random targets; a task sets its own)
    radius: float | None  # Wh rescaled to this spectral radius; None: as drawn
    seed: int  # the task's or random target's seed (the sidebar's input seed)


@dataclass(frozen=True)
class ComparisonRequest:
    """The three-cells comparison's settings."""

    units: int
    delay: int
    lstm_forget_bias: float
    gru_update_bias: float
    seed: int
    weights_seed: int


@dataclass(frozen=True, eq=False)
class GradientResult:
    """A problem and its gradients (Keras and manual)."""

    problem: GradientProblem
    trace: GradientTrace


def _read_only(result: GradientResult) -> GradientResult:
    """Mark the arrays of a shared result read-only, so no page can change them."""
    trace = result.trace
    arrays = [result.problem.x, result.problem.target, *result.problem.weights]
    for gradients in (trace.manual, trace.keras):
        arrays += [*gradients.weights, *gradients.hidden.values()]
    arrays += list(trace.residuals.values())
    for array in arrays:
        if isinstance(array, np.ndarray):
            array.flags.writeable = False
    return result


def _solve(problem: GradientProblem) -> GradientResult:
    trace = trace_gradients(
        problem.spec,
        list(problem.weights),
        problem.x,
        problem.target,
        problem.loss,
        problem.readout,
    )
    return _read_only(GradientResult(problem, trace))


@st.cache_resource(
    max_entries=MAX_CACHED_GRADIENTS, ttl=TTL_SECONDS, show_spinner=False
)
def _cached_gradients(
    spec: LayerSpec,
    digest: str,
    weights_key: str,
    weights_seed: int,
    request: GradientRequest,
    _x: np.ndarray,
    _weights: tuple[np.ndarray, ...] | None,
) -> GradientResult:
    problem = build_problem(
        spec,
        request.target,
        weights=_weights,
        x=_x,
        timesteps=request.timesteps,
        delay=request.delay,
        loss=request.loss,
        radius=request.radius,
        seed=request.seed,
        weights_seed=weights_seed,
    )
    return _solve(problem)


def _keys(view: View, request: GradientRequest) -> tuple[str, str]:
    """(input key, weights key): a task ignores the sidebar's input and uploads."""
    if request.target in ("zero", "random"):
        return view.digest, view.weights_key
    return TASK_DIGEST, f"seed:{view.weights_seed}"


def gradients_for(
    view: View, request: GradientRequest, weights: tuple[np.ndarray, ...]
) -> GradientResult:
    """The gradients of the view's layer for the page's request (cached, shared).

    `weights` are the sidebar's (the forward trace's `raw_weights`), used with the
    sidebar's input; a toy task draws the layer's seeded weights for one feature.
    """
    keras_ready()
    digest, weights_key = _keys(view, request)
    with st.spinner(t("grad.page.spinner")):
        return _cached_gradients(
            view.spec,
            digest,
            weights_key,
            view.weights_seed,
            request,
            view.x,
            tuple(weights),
        )


@st.cache_resource(
    max_entries=MAX_CACHED_COMPARISONS, ttl=TTL_SECONDS, show_spinner=False
)
def _cached_comparison(request: ComparisonRequest) -> dict[str, GradientResult]:
    problems = comparison_problems(
        request.units,
        request.delay,
        lstm_forget_bias=request.lstm_forget_bias,
        gru_update_bias=request.gru_update_bias,
        seed=request.seed,
        weights_seed=request.weights_seed,
    )
    return {cell: _solve(problem) for cell, problem in problems.items()}


def comparison_for(request: ComparisonRequest) -> dict[str, GradientResult]:
    """SimpleRNN, LSTM and GRU on the same echo task (cached, shared)."""
    keras_ready()
    with st.spinner(t("grad.page.spinner")):
        return _cached_comparison(request)


@st.cache_resource(max_entries=MAX_CACHED_FIGURES, ttl=TTL_SECONDS, show_spinner=False)
def _cached_figure(
    key: tuple[Any, ...],
    kind: str,
    params: tuple[tuple[str, Any], ...],
    _first: Any,
) -> go.Figure:
    builder: Callable[..., go.Figure] = getattr(gradient_figures, kind)
    return builder(_first, **dict(params))


def figure(
    view: View,
    request: GradientRequest,
    result: GradientResult,
    kind: str,
    **params: Any,
) -> go.Figure:
    """A figure of `rnn_core.gradient_figures` from one result (cached per view)."""
    digest, weights_key = _keys(view, request)
    key = (view.spec, digest, weights_key, view.weights_seed, request)
    return _cached_figure(key, kind, tuple(sorted(params.items())), result.trace)


def comparison_figure(
    request: ComparisonRequest, results: dict[str, GradientResult], language: str
) -> go.Figure:
    """`cell_comparison_figure` of the three cells, panels named by Keras' classes."""
    traces = {r.trace.spec.keras_class_name: r.trace for r in results.values()}
    mark = next(iter(results.values())).problem.mark_step
    params = (("delay", request.delay), ("language", language), ("mark_step", mark))
    return _cached_figure((request,), "cell_comparison_figure", params, traces)
