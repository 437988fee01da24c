"""The app's own message for an upload the browser refuses: one limit, in bytes.

One upload limit, `rnn_core.limits.MAX_UPLOAD_BYTES` (5,000,000 bytes), is checked at
three places, and `server.maxUploadSize = 5` (.streamlit/config.toml, megabytes) makes
Streamlit's two checks agree with the app's (tests/test_upload_limit.py checks it):

- Streamlit's browser check (FileUploader's dropzone) refuses a file over
  maxUploadSize × 1000² bytes, 1024² on Windows (its size unit follows
  `navigator.platform`), with "File must be 5.0MB or smaller." It runs before any
  byte is sent: Streamlit keeps the previous file as the widget's value, so the app
  gets no rerun and no trace of the refused file.
- Streamlit's server check refuses a request over maxUploadSize × 1024² bytes
  (multipart framing included) with HTTP 413: a backstop that lets every file of the
  app's limit through.
- The app (`check_upload_size`, and the parsers) refuses a file over the limit that
  still arrives (a Windows browser, a script), naming its size and the limit.

So that a refused file gets the app's message too (in the session's language, naming
the file, its size and the limit, replacing the previous file's error while the
pages keep the last valid input), `watch()` mounts a hidden component whose script
sees every file chosen or dropped on an uploader of this page, and reports one over
the limit (name, size, uploader) to the server, which reruns the page. Nothing else
of the file leaves the browser.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable

import streamlit as st

from rnn_core.limits import MAX_UPLOAD_BYTES

GUARD_KEY = "upload.guard"
# Which uploader widget (by key) keeps its file where in the session.
UPLOADERS = {"upload.widget": "upload.file", "weights.widget": "weights.file"}
REFUSED = ".refused"  # session key suffix: the refused file's (name, size) of a store
MAX_NAME_CHARS = 1_000  # a longer reported name is cut

_JS = """
export default function (component) {
  const { data, setTriggerValue } = component;
  const hide = `.${data.own_class} { display: none !important; }`;
  if (!document.getElementById("upload-guard-style")) {
    const style = document.createElement("style");
    style.id = "upload-guard-style";
    style.textContent = hide;
    document.head.appendChild(style);
  }
  const report = (event, files) => {
    const target = event.target;
    const box = target && target.closest
      ? target.closest('[data-testid="stFileUploader"]') : null;
    if (!box || !files) return;
    const holder = box.closest('[class*="st-key-"]');
    // An uploader's key may carry a version suffix (ui/restart.py redraws a
    // lost file's uploader as "upload.widget.1"): report the base uploader.
    const classes = holder ? [...holder.classList] : [];
    const uploader = data.uploaders.find((base) =>
      classes.some((name) => name === base || name.startsWith(base + "-")));
    if (!uploader) return;
    for (const file of files) {
      if (file.size > data.limit) {
        setTriggerValue("refused", { uploader, name: file.name, size: file.size });
        return;
      }
    }
  };
  const onChange = (event) => {
    if (event.target && event.target.type === "file") {
      report(event, event.target.files);
    }
  };
  const onDrop = (event) => {
    report(event, event.dataTransfer && event.dataTransfer.files);
  };
  document.addEventListener("change", onChange, true);
  document.addEventListener("drop", onDrop, true);
  return () => {
    document.removeEventListener("change", onChange, true);
    document.removeEventListener("drop", onDrop, true);
  };
}
"""

_guard = st.components.v2.component("rnn_stepper_upload_guard", js=_JS)


def key_class(key: str) -> str:
    """The CSS class Streamlit gives the element of a widget with this key."""
    return "st-key-" + re.sub(r"[^a-zA-Z0-9_-]", "-", key.strip())


_STORE_OF_CLASS = {key_class(key): store for key, store in UPLOADERS.items()}


def _record_refusal() -> None:
    """The component's report: keep the refused file's name and size for its store.

    The report comes from the browser: anything but a known uploader, a text name
    and a size over the limit is ignored.
    """
    report = (st.session_state.get(GUARD_KEY) or {}).get("refused")
    if not isinstance(report, dict):
        return
    store = _STORE_OF_CLASS.get(report.get("uploader"))  # type: ignore[arg-type]
    name, size = report.get("name"), report.get("size")
    if store is None or not isinstance(name, str):
        return
    if isinstance(size, bool) or not isinstance(size, numbers.Integral):
        return
    if int(size) > MAX_UPLOAD_BYTES:
        st.session_state[store + REFUSED] = (name[:MAX_NAME_CHARS], int(size))


def watch() -> None:
    """Mount the hidden component that reports files over the limit (once a run)."""
    _guard(
        key=GUARD_KEY,
        data={
            "limit": MAX_UPLOAD_BYTES,
            "uploaders": list(_STORE_OF_CLASS),
            "own_class": key_class(GUARD_KEY),
        },
        on_refused_change=_record_refusal,
        height=0,
    )


def keep(store: str, name: str, size: int, read: Callable[[int], bytes]) -> None:
    """Keep a file Streamlit accepted in `store`, as (name, bytes), and end the
    refusal of an earlier file; a file over the limit is refused like one the
    browser refused (`read` is not called: nothing over the limit is copied)."""
    state = st.session_state
    if size > MAX_UPLOAD_BYTES:
        state.pop(store, None)  # Streamlit dropped the previous file for this one
        state[store + REFUSED] = (name[:MAX_NAME_CHARS], int(size))
        return
    state[store] = (name, read(MAX_UPLOAD_BYTES + 1))
    state.pop(store + REFUSED, None)


def current(store: str) -> tuple[str, bytes, int] | None:
    """The session's file of `store`: (name, bytes, size in bytes), or None.

    A file refused since the last accepted one comes first, without bytes: its size
    is over the limit, so it is refused before anything is parsed.
    """
    state = st.session_state
    refused = state.get(store + REFUSED)
    if refused is not None:
        name, size = refused
        return name, b"", size
    stored = state.get(store)
    if stored is None:
        return None
    name, data = stored
    return name, data, len(data)
