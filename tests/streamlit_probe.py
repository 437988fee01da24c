"""The app's Streamlit server with a probe inside it, for tests/test_sessions.py.

    python tests/streamlit_probe.py PROBE_DIR [streamlit run options]

Runs `streamlit run app.py` with the options given, in this process, plus a daemon
thread that looks at Streamlit's own runtime: which sessions are connected, which are
kept for reconnecting after their tab closed, which session objects still exist at
all (weak references, after a garbage collection), and how many uploaded bytes each
session holds, in its session_state and in Streamlit's uploaded-file manager. The
test asks by creating PROBE_DIR/request; the thread answers in PROBE_DIR/answer.json
and deletes the request. Reading only: the probe never changes a session.

Not collected by pytest (no test_ prefix); it reads private attributes of Streamlit
1.67's Runtime (`_session_mgr`, `_session_storage`), which a test may do and the app
never does.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import threading
import time
import weakref
from pathlib import Path
from typing import Any

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

REPO = Path(__file__).resolve().parent.parent
APP = REPO / "app.py"


def _upload_bytes(session: Any) -> int:
    """Bytes of the uploads the app keeps in this session's session_state."""
    state = session.session_state
    total = 0
    for key in ("upload.file", "weights.file"):
        if key in state:
            _name, data = state[key]
            total += len(data)
    return total


def remember(seen: dict[str, weakref.ref]) -> None:
    """Add every connected session to `seen`, weakly."""
    from streamlit.runtime import Runtime

    for info in Runtime.instance()._session_mgr.list_active_sessions():
        seen.setdefault(info.session.id, weakref.ref(info.session))


def snapshot(seen: dict[str, weakref.ref]) -> dict[str, Any]:
    """What the runtime holds now, after a garbage collection."""
    from streamlit.runtime import Runtime

    runtime = Runtime.instance()
    manager = runtime._session_mgr
    gc.collect()
    alive = {sid: ref() for sid, ref in seen.items()}
    files = runtime.uploaded_file_mgr.file_storage
    answer = {
        "active": [info.session.id for info in manager.list_active_sessions()],
        "stored": [info.session.id for info in manager._session_storage.list()],
        "alive": {sid: session is not None for sid, session in alive.items()},
        "session_state_upload_bytes": {
            sid: _upload_bytes(session)
            for sid, session in alive.items()
            if session is not None
        },
        "streamlit_upload_bytes": {
            sid: sum(len(f.data) for f in stored.values())
            for sid, stored in list(files.items())
        },
    }
    del alive
    return answer


def probe(folder: Path) -> None:
    """Record sessions as they connect; answer each request with a snapshot."""
    from streamlit.runtime import Runtime

    seen: dict[str, weakref.ref] = {}
    request, answer = folder / "request", folder / "answer.json"
    while True:
        time.sleep(0.05)
        if not Runtime.exists():
            continue
        try:
            remember(seen)
            if not request.exists():
                continue
            result = snapshot(seen)
        except (AttributeError, RuntimeError):  # the runtime is still starting, or
            continue  # a dict changed size while copied: try again
        partial = folder / "answer.tmp"
        partial.write_text(json.dumps(result))
        partial.replace(answer)
        request.unlink()


def main() -> None:
    """Start the probe thread, then the server."""
    folder = Path(sys.argv[1])
    threading.Thread(target=probe, args=(folder,), daemon=True).start()
    from streamlit.web import cli

    sys.argv = ["streamlit", "run", str(APP), *sys.argv[2:]]
    cli.main()


if __name__ == "__main__":
    main()
