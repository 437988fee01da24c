"""A button that counts its clicks in the browser, so no click of a burst is lost.

`st.button` sends a click as a trigger: while a run is in progress, Streamlit merges
the reruns requested meanwhile into one, and two clicks merged are one trigger (21
fast clicks on "Draw new weights" drew 20 or fewer). This button is a small custom
component (Streamlit components v2, no iframe) whose *value* is the number of clicks
counted in the browser. A value is never merged away: the latest count wins, and the
server adds the clicks it has not seen yet (`count - seen`). The count goes on from
the server's `seen` when the button is drawn anew (another page, a reload), so it
never starts over below what was already counted.

`counting_button(label, key, on_clicks)` draws it; `on_clicks(n)` runs as a callback
(before the run, like `st.button`'s `on_click`, so it may set widget values) with the
number of new clicks. The label is set as text, never as HTML.

A seed that clicks move on (`next_seed`) is shown in a number box, which shows what
the app set only once the browser has drawn it: a click sent before that carries the
box's older value (an echo). Runs started while a burst goes on are interrupted
early, so such echoes are the rule, and counting from them loses clicks. An echo (a
value this burst already moved past) counts from the value the last clicks set
instead; any other value in the box is one the user typed, and clicks count from it.
`forget_settled_clicks()` (at the start of every full run) ends a burst: after a run
without clicks the box holds what the user sees, never an echo to undo.
"""

from __future__ import annotations

import functools
import numbers
from collections.abc import Callable

import streamlit as st

# In the browser: one <button>, created once; every run updates its label and the
# count the server has seen. `setStateValue` is the current run's (kept on the
# element), so a click always reports through the live widget.
_JS = """
export default function (component) {
  const { data, parentElement, setStateValue } = component;
  let button = parentElement.querySelector("button");
  if (!button) {
    button = document.createElement("button");
    button.type = "button";
    button.dataset.clicks = "0";
    button.addEventListener("click", () => {
      const clicks = Number(button.dataset.clicks) + 1;
      button.dataset.clicks = String(clicks);
      button.report("clicks", clicks);
    });
    parentElement.appendChild(button);
  }
  button.report = setStateValue;
  button.textContent = String(data.label);
  const seen = Number(data.seen) || 0;
  button.dataset.clicks = String(Math.max(Number(button.dataset.clicks), seen));
}
"""
# Looks like Streamlit's secondary button (theme colours from the component's CSS
# variables), full width like the sidebar's other buttons.
_CSS = """
button {
  box-sizing: border-box;
  width: 100%;
  min-height: 2.5rem;
  margin: 0;
  padding: 0.25rem 0.75rem;
  border: 1px solid var(--st-border-color, rgba(49, 51, 63, 0.2));
  border-radius: var(--st-button-radius, 0.5rem);
  background: var(--st-background-color, #fff);
  color: var(--st-text-color, inherit);
  font: inherit;
  font-size: calc(var(--st-base-font-size, 1rem) * 0.875);  /* as st.button */
  line-height: 1.6;
  cursor: pointer;
  user-select: none;
}
button:hover {
  border-color: var(--st-primary-color, #ff4b4b);
  color: var(--st-primary-color, #ff4b4b);
}
button:active {
  border-color: var(--st-primary-color, #ff4b4b);
  background: var(--st-primary-color, #ff4b4b);
  color: var(--st-background-color, #fff);
}
button:focus-visible {
  outline: none;
  border-color: var(--st-primary-color, #ff4b4b);
  box-shadow: 0 0 0 0.2rem color-mix(in srgb, var(--st-primary-color, #ff4b4b) 50%,
    transparent);
}
"""
_COMPONENT = st.components.v2.component("rnn_stepper.counting_button", css=_CSS, js=_JS)


# The seeds that clicks set: name -> {"value": the seed the last clicks set,
# "echoes": older values the browser may still send, "fresh": set in this run's
# callbacks}.
CLICKED_KEY = "clicks.seeds"
MAX_ECHOES = 64


def next_seed(name: str, held: int, clicks: int, most: int) -> int:
    """The seed `name` after `clicks` more, when its box holds `held` (0 to `most`)."""
    state = st.session_state
    clicked = dict(state.get(CLICKED_KEY) or {})
    record = clicked.get(name)
    echoes: list[int] = []
    base = held
    if isinstance(record, dict) and held in record["echoes"]:
        base, echoes = int(record["value"]), list(record["echoes"])
    value = (base + clicks) % (most + 1)
    echoes = [v for v in dict.fromkeys([held, base, *echoes]) if v != value]
    clicked[name] = {"value": value, "echoes": echoes[:MAX_ECHOES], "fresh": True}
    state[CLICKED_KEY] = clicked
    return value


def forget_settled_clicks() -> None:
    """At the start of a full run: forget the seeds of bursts that are over."""
    state = st.session_state
    clicked = state.get(CLICKED_KEY)
    kept = {}
    for name, record in (clicked if isinstance(clicked, dict) else {}).items():
        if isinstance(record, dict) and record.get("fresh"):
            kept[name] = {**record, "fresh": False}
    state[CLICKED_KEY] = kept


def seen_key(key: str) -> str:
    """The session_state key of the clicks already counted for the button `key`."""
    return f"{key}.seen"


def _count(value: object) -> int | None:
    """A click count sent by the browser, or None when it is not one."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        return None
    return int(value) if value >= 0 else None


def count_clicks(key: str, on_clicks: Callable[[int], None]) -> None:
    """The callback: hand the clicks not seen yet to `on_clicks`, remember the count.

    A count below the one seen comes from a counter that started over (a hostile or
    confused client): it is remembered, so its next clicks count, and adds nothing.
    """
    state = st.session_state
    value = state.get(key)
    clicks = _count(value.get("clicks") if isinstance(value, dict) else None)
    if clicks is None:
        return
    seen = _count(state.get(seen_key(key))) or 0
    state[seen_key(key)] = clicks
    if clicks > seen:
        on_clicks(clicks - seen)


def counting_button(label: str, key: str, on_clicks: Callable[[int], None]) -> None:
    """Draw the button; `on_clicks(n)` runs before the next run after `n` new clicks."""
    seen = _count(st.session_state.get(seen_key(key))) or 0
    _COMPONENT(
        key=key,
        data={"label": label, "seen": seen},
        default={"clicks": seen},
        on_clicks_change=functools.partial(count_clicks, key, on_clicks),
    )
