"""Run the app's server with every script run timed inside it (for the benchmarks).

    python bench/timed_server.py -m MODULE [args...]   # as `python -m MODULE args`

Patches Streamlit's AppSession to note when a rerun request (BackMsg rerun_script)
arrives and when its script_finished message is queued, and appends one JSON line
per run to $BENCH_TIMING_FILE: session id, epoch start and end, milliseconds, status.
This is the server's own time, free of how quickly a busy browser reads its
websocket. Nothing else changes: the module then runs as `python -m` would run it.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
import threading
import time

from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.app_session import AppSession

OUT = os.environ["BENCH_TIMING_FILE"]
_lock = threading.Lock()
_handle_backmsg = AppSession.handle_backmsg
_enqueue_forward_msg = AppSession._enqueue_forward_msg
_started: dict[str, tuple[float, float]] = {}  # session id -> (epoch, perf_counter)


def handle_backmsg(self: AppSession, msg: object) -> None:
    """Note when a rerun request arrives, then handle it as Streamlit does."""
    if msg.WhichOneof("type") == "rerun_script":
        _started.setdefault(self.id, (time.time(), time.perf_counter()))
    return _handle_backmsg(self, msg)


def enqueue_forward_msg(self: AppSession, msg: ForwardMsg) -> None:
    """Queue the message as Streamlit does; on script_finished, write the run's time."""
    early = ForwardMsg.ScriptFinishedStatus.Value("FINISHED_EARLY_FOR_RERUN")
    if msg.WhichOneof("type") == "script_finished" and msg.script_finished != early:
        # A run stopped for a rerun (st.rerun, a newer change) is timed with the next.
        start = _started.pop(self.id, None)
        if start is not None:
            record = {
                "session": self.id,
                "start": start[0],
                "end": time.time(),
                "ms": (time.perf_counter() - start[1]) * 1e3,
                "status": ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished),
            }
            with _lock, open(OUT, "a") as out:
                out.write(json.dumps(record) + "\n")
    return _enqueue_forward_msg(self, msg)


def main() -> None:
    """Install the patches and run `-m MODULE args` as `python -m` would."""
    if len(sys.argv) < 3 or sys.argv[1] != "-m":
        sys.exit("usage: timed_server.py -m MODULE [args...]")
    AppSession.handle_backmsg = handle_backmsg
    AppSession._enqueue_forward_msg = enqueue_forward_msg
    module = sys.argv[2]
    sys.argv = [module, *sys.argv[3:]]
    sys.path[0] = os.getcwd()  # as `python -m` from here: the repo, not bench/
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
