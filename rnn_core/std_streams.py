"""Writing to stdout and stderr when they may be broken: closed, full or a closed pipe.

The command line's exit status says what happened to the computation (0 agree,
1 disagree, 2 bad arguments, 3 internal error), also when its output cannot be
written (`2>&-`, `2>/dev/full`, `| head -c 10`). Python itself would turn such a
stream into a traceback (exit 1) or, when its last flush fails at exit, into exit
status 120. Here a failed write is reported to the caller instead, and the stream's
file descriptor is pointed at /dev/null so nothing is left to fail at exit.
"""

from __future__ import annotations

import io
import os
import sys
from typing import TextIO

__all__ = [
    "STREAM_ERRORS",
    "ForgivingStream",
    "guard_standard_streams",
    "silence",
    "write_line",
]

# What writing to a broken stream raises: OSError (full, closed pipe, bad file
# descriptor), ValueError (a closed file object), AttributeError (None, Python's
# sys.stderr when descriptor 2 was closed at start).
STREAM_ERRORS = (OSError, ValueError, AttributeError)


def silence(stream: TextIO | None) -> None:
    """Send what is still buffered in `stream`, and all it gets later, to /dev/null."""
    try:
        fd = stream.fileno()  # type: ignore[union-attr]
        devnull = os.open(os.devnull, os.O_WRONLY)
    except STREAM_ERRORS:  # no descriptor (None, StringIO): nothing to fail at exit
        return
    try:
        os.dup2(devnull, fd)
    except OSError:
        pass
    finally:
        os.close(devnull)


def write_line(text: str, stream: TextIO | None) -> str | None:
    """Write `text` and a line break to `stream` and flush it.

    Characters the stream's encoding cannot hold are replaced.

    Returns:
        None when written, else why not (e.g. "No space left on device"); the stream
        is then silenced (see `silence`).
    """
    try:
        encoding = getattr(stream, "encoding", None) or "utf-8"
        text = text.encode(encoding, errors="replace").decode(encoding)
        stream.write(text + "\n")  # type: ignore[union-attr]
        stream.flush()  # type: ignore[union-attr]
    except STREAM_ERRORS as e:
        silence(stream)
        if stream is None:
            return "the stream is closed"
        return getattr(e, "strerror", None) or str(e) or type(e).__name__
    return None


class ForgivingStream(io.TextIOBase):
    """A text stream that passes writes on to `target` and never raises: what a
    library prints while the computation runs cannot change its exit status."""

    def __init__(self, target: TextIO | None) -> None:
        super().__init__()
        self._target = target
        self._broken = target is None

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not self._broken:
            try:
                self._target.write(text)  # type: ignore[union-attr]
            except STREAM_ERRORS:
                self._broken = True
                silence(self._target)
        return len(text)

    def flush(self) -> None:
        if not self._broken:
            try:
                self._target.flush()  # type: ignore[union-attr]
            except STREAM_ERRORS:
                self._broken = True
                silence(self._target)


def guard_standard_streams() -> None:
    """At the start of the process: give closed descriptors 0, 1, 2 /dev/null.

    Otherwise the next file opened would get descriptor 2, and whatever a library
    writes to "stderr" (TensorFlow's C++ logging does) would land in it. Also gives
    Python a `sys.stdout` / `sys.stderr` object where it set None.
    """
    for fd in (0, 1, 2):
        try:
            os.fstat(fd)
        except OSError:
            devnull = os.open(os.devnull, os.O_RDWR)
            if devnull != fd:
                os.dup2(devnull, fd)
                os.close(devnull)
    if sys.stdout is None:
        sys.stdout = open(1, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
    if sys.stderr is None:
        sys.stderr = open(2, "w", encoding="utf-8", closefd=False)  # noqa: SIM115
