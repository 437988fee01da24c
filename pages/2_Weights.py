"""Weights: Wx, Wh and b as heatmaps, per gate, with the spectral radius of Wh."""

from __future__ import annotations

import streamlit as st

from rnn_core import explain
from rnn_core.spec import LayerSpec
from rnn_core.trace import Trace
from ui import compute
from ui.page import chart, run, summary_line
from ui.settings import View

WHICH = {
    "Wx": "Input weights Wx, (features × units·g): row j holds what feature j adds "
    "to each unit k.",
    "Wh": "Recurrent weights Wh, (units × units·g): row j holds what unit j of "
    "h_(t-1) adds to each unit k of the next state.",
    "b": "Bias b, (units·g,): added at every step.",
}


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
    gates = (
        " For this layer the columns hold the gates side by side, in Keras' order "
        f"({', '.join(spec.gate_names)}): one panel each below."
        if spec.gate_count > 1
        else ""
    )
    st.info(
        "Keras stores weights for **row vectors**: a step computes $x_t W_x$, the "
        "input row (1 × features) times $W_x$ (features × units), not $W x_t$. "
        "So rows of $W_x$ are input features and columns are units." + gates
    )
    radii = explain.recurrent_spectral_radii(spec, trace.raw_weights)
    st.subheader("Spectral radius of Wh")
    st.table(
        {
            "matrix": list(radii),
            "spectral radius ρ": [f"{radius:.4g}" for radius in radii.values()],
            "what it means": [
                explain.spectral_note(radius, _activation_of(spec, name))
                for name, radius in radii.items()
            ],
        },
        hide_index=True,
    )
    st.caption(
        "ρ is the largest |eigenvalue|: each step multiplies the state by Wh, so "
        "ρ < 1 makes it (and its gradients) shrink, ρ > 1 lets it grow."
    )
    which_names = ["Wx", "Wh", "b"] if spec.use_bias else ["Wx", "Wh"]
    if not spec.use_bias:
        st.caption("use_bias=False: the layer has no b.")
    for direction in spec.directions:
        if spec.bidirectional:
            st.header(f"{direction.capitalize()} layer")
        for which in which_names:
            st.markdown(WHICH[which])
            chart(
                compute.figure(
                    view, trace, "gate_weight_figure", which=which, direction=direction
                ),
                key=f"weights.{direction}.{which}",
            )


run("Weights", weights_page)
