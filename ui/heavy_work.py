"""The Train page's heavy work taking its turn in the server's slots (ui/work_queue.py).

- `slot_pool()`: the server's one `SlotPool` (st.cache_resource: shared by every
  session, never cleared). Its size: ui.work_queue.slots_from_env().
- `owner()`: this session's name in the pool, made once per session
  (st.session_state["heavy.owner"]), so a session runs at most one heavy job.
- `turn(place, name)`: around one run. While the run waits for a slot, `place` shows
  how many runs are ahead of it (redrawn at every change of the queue) and a "Leave
  the queue" button; yields True once the slot is held, False when the user left the
  queue; the ticket is released however the block ends (try/finally), including
  Streamlit's StopException/RerunException when the user clicks anything or closes
  the tab: a waiting script draws its place every POLL_SECONDS, which is where
  Streamlit stops it.
- While it holds the slot the run's thread runs at a lower OS priority
  (`lower_priority`, RNN_STEPPER_HEAVY_NICE, default 10), so other users' reruns get
  the cores first (bench/heavy_load.py measures it).
- `stop_point()`: a callable that raises Streamlit's StopException/RerunException when
  this script run has been asked to end, for long computations that draw nothing
  (a memory comparison's cached training runs), so they let go of their slot within
  a step, not a whole run.
"""

from __future__ import annotations

import contextlib
import os
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from ui.i18n import t
from ui.work_queue import RUNNING, WAITING, Place, SlotPool, slots_from_env

OWNER_KEY = "heavy.owner"
LEFT_KEY = "heavy.left"  # + ".<name>": how many runs were ahead when the user left
POLL_SECONDS = 1.0
NICE_ENV = "RNN_STEPPER_HEAVY_NICE"


def heavy_nice() -> int:
    """How much lower the heavy work's thread runs: RNN_STEPPER_HEAVY_NICE (0 to
    19; 0 turns it off) when valid, else 10."""
    raw = os.environ.get(NICE_ENV, "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and int(raw) <= 19 else 10


@st.cache_resource(show_spinner=False)
def slot_pool() -> SlotPool:
    """The server's slots for training runs and memory comparisons."""
    return SlotPool(slots_from_env())


def owner() -> str:
    """This session's name in the pool (random, made on first use)."""
    state = st.session_state
    if not isinstance(state.get(OWNER_KEY), str):
        state[OWNER_KEY] = uuid.uuid4().hex
    return state[OWNER_KEY]


def queue_text(place: Place) -> str:
    """What a waiting run shows, in the session's language."""
    if place.own_previous:
        return t("train.queue.own_previous")
    message = "train.queue.waiting_one" if place.ahead == 1 else "train.queue.waiting"
    return t(message, ahead=place.ahead, slots=place.slots)


def left_text(ahead: int) -> str:
    """What the page says after the user left the queue."""
    message = "train.queue.left_one" if ahead == 1 else "train.queue.left"
    return t(message, ahead=ahead)


def leave_queue(name: str) -> None:
    """The "Leave the queue" button's callback (runs before the next script run; the
    waiting one has been told to stop by Streamlit and is woken here)."""
    where = slot_pool().cancel(owner())
    if where is not None:
        st.session_state[f"{LEFT_KEY}.{name}"] = where.ahead


def show_left(place: DeltaGenerator, name: str) -> None:
    """Say, once, that this session left the queue (set by `leave_queue`)."""
    ahead = st.session_state.pop(f"{LEFT_KEY}.{name}", None)
    if isinstance(ahead, int):
        place.info(left_text(ahead))


@contextmanager
def turn(place: DeltaGenerator, name: str) -> Iterator[bool]:
    """Wait for a slot showing the queue in `place`; True when held, False when left."""
    pool = slot_pool()
    with pool.ticket(owner()) as ticket:
        where = pool.place(ticket)
        ahead = where.ahead
        if where.state == WAITING:
            box = place.container()
            message = box.empty()
            box.button(
                t("train.queue.leave"),
                key=f"heavy.leave.{name}",
                on_click=leave_queue,
                args=(name,),
            )
            while where.state == WAITING:
                ahead = where.ahead
                message.info(queue_text(where))
                where = pool.wait(ticket, where.version, POLL_SECONDS)
            place.empty()
        if where.state != RUNNING:  # left the queue
            place.info(left_text(ahead))
            yield False
        else:
            with lower_priority():
                yield True


@contextmanager
def lower_priority() -> Iterator[None]:
    """Run this thread (only it: Linux nices threads one by one) heavy_nice() lower
    while the heavy work runs, so the CPU goes first to other users' reruns; put it
    back after when allowed (an unprivileged server cannot: the thread then ends
    with its script run, as Streamlit's fast reruns start a new thread per run)."""
    thread = threading.get_native_id()
    nice = heavy_nice()
    before: int | None = None
    try:
        before = os.getpriority(os.PRIO_PROCESS, thread)
        os.setpriority(os.PRIO_PROCESS, thread, min(before + nice, 19))
    except (AttributeError, OSError):  # not Linux, or not allowed: run as it is
        before = None
    try:
        yield
    finally:
        if before is not None:
            with contextlib.suppress(OSError):
                os.setpriority(os.PRIO_PROCESS, thread, before)


def stop_point() -> Callable[[], None]:
    """Raises when this script run should end (Stop, another click, a closed tab);
    does nothing outside a script run or where Streamlit offers no such check."""
    try:
        from streamlit.runtime.scriptrunner_utils.script_run_context import (
            get_run_yield_check,
        )
    except ImportError:  # a Streamlit without it: stop at the next drawing instead
        return lambda: None
    return get_run_yield_check() or (lambda: None)
