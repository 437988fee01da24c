"""Weights: Wx, Wh and b as heatmaps, per gate, with the spectral radius of Wh."""

from __future__ import annotations

import streamlit as st

from rnn_core import explain
from rnn_core.spec import LayerSpec
from rnn_core.trace import Trace
from ui import compute
from ui.i18n import language, t
from ui.page import chart, run, summary_line
from ui.settings import View


def _activation_of(spec: LayerSpec, name: str) -> str | None:
    """The activation that follows a block of Wh: the gates take the recurrent one."""
    gate = name.rsplit("_", 1)[-1] if "_" in name else None
    if gate in {"i", "f", "o", "z", "r"}:
        return spec.recurrent_activation
    return spec.activation


def weights_page(view: View, trace: Trace) -> None:
    """The page's body."""
    spec = view.spec
    st.markdown(summary_line(view, trace))
    lang = language()
    gates = (
        t("weights.gates", gates=", ".join(spec.gate_names))
        if spec.gate_count > 1
        else ""
    )
    st.info(t("weights.rows") + gates)
    radii = explain.recurrent_spectral_radii(spec, trace.raw_weights)
    st.subheader(t("weights.spectral"))
    st.table(
        {
            t("weights.col.matrix"): list(radii),
            t("weights.col.radius"): [f"{radius:.4g}" for radius in radii.values()],
            t("weights.col.meaning"): [
                explain.spectral_note(radius, _activation_of(spec, name), lang)
                for name, radius in radii.items()
            ],
        },
        hide_index=True,
    )
    st.caption(t("weights.spectral_caption"))
    which_names = ["Wx", "Wh", "b"] if spec.use_bias else ["Wx", "Wh"]
    if not spec.use_bias:
        st.caption(t("weights.no_bias"))
    for direction in spec.directions:
        if spec.bidirectional:
            st.header(t(f"weights.layer.{direction}"))
        for which in which_names:
            st.markdown(t(f"weights.which.{which}"))
            chart(
                compute.figure(
                    view, trace, "gate_weight_figure", which=which, direction=direction
                ),
                key=f"weights.{direction}.{which}",
            )


run(t("nav.weights"), weights_page)
