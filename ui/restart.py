"""Surviving a restart of the server: every open page comes back with its view.

What Streamlit 1.67 does when the server is killed and started again while pages are
open (seen in Chromium, and in its frontend's `handleConnectionStateChanged`): each
page keeps showing its last elements, pings `/_stcore/health` until the new server
answers, and opens a new websocket, which gets a brand-new session (empty
`st.session_state`, no uploaded files). The page then reruns only if a run was in
flight or it has an auto-rerunning fragment; otherwise its stale elements stay until
the user's next click, whose change the new session would then override. The rerun
carries the page, the URL's query string and the frontend's widget values; a file
uploader's value names a file the new server does not have (a `DeletedFile`, shown
by the frontend as still uploaded).

So:

- `watch()`: every page has an empty fragment that reruns once an hour; with it the
  frontend reruns the whole page as soon as it has reconnected.
- The URL holds the current view (`ui.permalink.write`, every run, with the input
  source and the uploaded files' names). A new session takes the URL's settings
  before any widget is drawn: a value set that way wins over the widget value the
  browser sends, and Streamlit sets the widget to it, so the two agree.
- A lost upload (`lost_file`): the URL says the view's input (or weights) came from
  a file, which this session does not hold. The page shows the generator's input
  (or the seeded weights) meanwhile and asks for that file by its name: "the server
  restarted" when the browser still shows the file (its uploader's value is a
  `DeletedFile`), or "this link's input was a file" for a link opened anew. The
  uploader is then drawn anew (`uploader_key`), so it no longer shows the lost file.
- The hand-typed table lives in the session only: after a restart the table shows
  the example rows, and the page says the typed one was lost (`lost_table`).

Everything is kept in the session (`st.session_state`): nothing of one user reaches
another.
"""

from __future__ import annotations

import streamlit as st
from streamlit.runtime.uploaded_file_manager import DeletedFile

from ui.i18n import t

# Seconds between the watcher's reruns. Any interval makes the frontend rerun on
# reconnect; an hour costs nothing (an empty fragment) and stays far below the
# browser's largest timer (2**31 ms).
WATCH_SECONDS = 3600
# The files a view may use: kind -> (uploader's key, stored (name, bytes), wanted name)
FILES = {
    "upload": ("upload.widget", "upload.file", "upload.wanted"),
    "weights": ("weights.widget", "weights.file", "weights.wanted"),
}
TABLE_LOST_KEY = "table.lost"  # set by a link whose input was the typed table


def _nothing() -> None:
    """The watcher's body: nothing to draw, nothing to compute."""


def watch() -> None:
    """The empty auto-rerunning fragment that makes a reconnected page rerun."""
    st.fragment(run_every=WATCH_SECONDS)(_nothing)()


def uploader_key(kind: str) -> str:
    """This run's key of the uploader of `kind` ("upload" or "weights").

    It changes once a file was lost, so that the page draws an empty uploader rather
    than one showing a file the server no longer has.
    """
    base = FILES[kind][0]
    version = st.session_state.get(f"{base}.version", 0)
    return f"{base}.{version}" if version else base


def lost_file(kind: str) -> str | None:
    """Why the file of `kind` the view used is missing (a message), or None.

    Call it after drawing the uploader of `kind` (key `uploader_key(kind)`). A file
    is missing when the session holds none and either the URL named one (a link, or
    the page before a restart) or the browser's uploader still shows one the server
    does not have. In the second case the run starts again with a new, empty
    uploader (st.rerun): the page never shows a file that is not there.
    """
    state = st.session_state
    widget, stored, wanted = FILES[kind]
    lost_key = f"{widget}.lost"
    if state.get(stored) is not None:  # a file was chosen: nothing is missing
        state.pop(wanted, None)
        state.pop(lost_key, None)
        return None
    if isinstance(state.get(uploader_key(kind)), DeletedFile):
        state[lost_key] = True
        state[f"{widget}.version"] = state.get(f"{widget}.version", 0) + 1
        st.rerun()
    name = state.get(wanted)
    reason = "restart" if state.get(lost_key) else "link"
    if reason == "link" and not name:
        return None
    if name:
        return t(f"restart.{kind}.{reason}", name=name)
    return t(f"restart.{kind}.{reason}_unnamed")


def forget_file(kind: str) -> None:
    """The user chose something else than the missing file: stop asking for it."""
    widget, _, wanted = FILES[kind]
    st.session_state.pop(wanted, None)
    st.session_state.pop(f"{widget}.lost", None)


def lost_table(rows: list[list[float]], example: list[list[float]]) -> str | None:
    """The message for a view whose hand-typed table this session does not have.

    The URL said the input was a typed table (`source=table`: a link, or the page
    before a restart), and the session's table still holds the example rows.
    """
    if st.session_state.get(TABLE_LOST_KEY) and rows == example:
        return t("restart.table")
    return None
