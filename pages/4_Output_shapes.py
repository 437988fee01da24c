"""Output shapes: what Keras returns for every combination of the flags, run live."""

from __future__ import annotations

import streamlit as st

from rnn_core import explain
from rnn_core.trace import Trace
from ui import compute
from ui.i18n import language, t
from ui.page import run, summary_line
from ui.settings import View


def shapes_page(view: View, trace: Trace) -> None:
    """The page's body."""
    spec = view.spec
    st.markdown(summary_line(view, trace))
    st.markdown(t("shapes.intro"))
    combinations = compute.output_combinations(view, trace)
    returns, equal, current = (
        t("shapes.col.returns"),
        t("shapes.col.equal"),
        t("shapes.col.current"),
    )
    table: dict[str, list[object]] = {
        "return_sequences": [],
        "return_state": [],
    }
    if not spec.bidirectional:
        table["go_backwards"] = []
    table.update({returns: [], equal: [], current: []})
    for combination in combinations:
        table["return_sequences"].append(str(combination.return_sequences))
        table["return_state"].append(str(combination.return_state))
        if not spec.bidirectional:
            table["go_backwards"].append(str(combination.go_backwards))
        table[returns].append(
            ", ".join(
                f"{name} {shape}"
                for name, shape in zip(
                    combination.names, combination.shapes, strict=True
                )
            )
        )
        table[equal].append("; ".join(combination.equalities) or "—")
        table[current].append(
            t("shapes.this_layer")
            if (
                combination.return_sequences == spec.return_sequences
                and combination.return_state == spec.return_state
                and combination.go_backwards == spec.go_backwards
            )
            else ""
        )
    st.table(table, hide_index=True)
    st.subheader(t("home.flags"))
    for flag, text in explain.flag_explanations(language()).items():
        st.markdown(f"- `{flag}`: {text}")


run(t("nav.shapes"), shapes_page)
