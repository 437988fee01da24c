"""Heavy work (training runs, memory comparisons) bounded per server and per session.

No Streamlit here (ui/heavy_work.py draws the queue on the Train page); the pool is
one object per server, shared by every session's script thread.

- Per server: at most `slots` tickets run at once (DEFAULT_SLOTS, or the
  RNN_STEPPER_HEAVY_SLOTS environment variable, 1 to MAX_SLOTS). The others wait in
  one first-come, first-served queue; a freed slot goes to the oldest waiting ticket
  that may run.
- Per session (the ticket's `owner`): at most one ticket runs. A new request from an
  owner replaces its older one: Streamlit stops the older script run as soon as the
  user clicks anything, and the new ticket never runs alongside it. A waiting older
  ticket is cancelled and the new one takes its place in the queue (no one is
  overtaken); a running older ticket keeps its slot until its thread lets go (its
  next step), and the new ticket joins the end of the queue meanwhile, since a
  restarted run is a new run for the class's fairness.
- Every ticket is released by its thread (`with pool.ticket(owner)`: try/finally),
  whatever ends it: the end of the work, an exception, Streamlit's StopException or
  RerunException (a click, a closed tab). `cancel(owner)` (the user leaves the queue)
  wakes a waiting ticket at once.
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

LOGGER = logging.getLogger("rnn_stepper")

DEFAULT_SLOTS = 2  # two of the largest runs already keep 2 cores busy
MAX_SLOTS = 16
SLOTS_ENV = "RNN_STEPPER_HEAVY_SLOTS"

WAITING = "waiting"
RUNNING = "running"
CANCELLED = "cancelled"  # left the queue, or replaced by a newer request
RELEASED = "released"


def slots_from_env(environ: dict[str, str] | None = None) -> int:
    """The number of slots: RNN_STEPPER_HEAVY_SLOTS (a whole number 1 to MAX_SLOTS)
    when set and valid; DEFAULT_SLOTS otherwise (a bad value is logged)."""
    environ = os.environ if environ is None else environ
    raw = environ.get(SLOTS_ENV, "").strip()
    if not raw:
        return DEFAULT_SLOTS
    if raw.isascii() and raw.isdigit() and 1 <= int(raw) <= MAX_SLOTS:
        return int(raw)
    LOGGER.warning(
        "%s=%r is not a whole number from 1 to %d; using %d",
        SLOTS_ENV,
        raw,
        MAX_SLOTS,
        DEFAULT_SLOTS,
    )
    return DEFAULT_SLOTS


@dataclass(frozen=True)
class Place:
    """Where a ticket stands now."""

    state: str  # WAITING, RUNNING, CANCELLED or RELEASED
    ahead: int  # runs before it: every running ticket and the waiting ones first
    own_previous: bool  # its owner's older ticket still runs (it waits for that)
    slots: int  # the server's number of slots
    version: int  # the pool's change counter when this was read


class Ticket:
    """One request for a slot. Made by `SlotPool.request`; read through the pool."""

    def __init__(self, owner: str, number: int) -> None:
        self.owner = owner
        self.number = number  # arrival order
        self.state = WAITING

    def __repr__(self) -> str:
        return f"Ticket({self.owner!r}, #{self.number}, {self.state})"


class SlotPool:
    """At most `slots` running tickets, at most one per owner, the rest FIFO."""

    def __init__(self, slots: int = DEFAULT_SLOTS) -> None:
        if not 1 <= slots <= MAX_SLOTS:
            raise ValueError(f"slots must be 1 to {MAX_SLOTS}; got {slots}")
        self.slots = slots
        self._changed = threading.Condition()
        self._running: list[Ticket] = []
        self._waiting: list[Ticket] = []  # arrival order, oldest first
        self._numbers = itertools.count(1)
        self._version = 0

    # --- requests and releases (each wakes every waiter) ---------------------------

    def request(self, owner: str) -> Ticket:
        """A ticket for `owner`: running at once when a slot is free (and the owner
        runs nothing), else waiting. Replaces the owner's waiting ticket, if any."""
        with self._changed:
            ticket = Ticket(owner, next(self._numbers))
            older = next((w for w in self._waiting if w.owner == owner), None)
            if older is not None:  # the newer request keeps the older one's place
                older.state = CANCELLED
                self._waiting[self._waiting.index(older)] = ticket
            else:
                self._waiting.append(ticket)
            self._update()
            return ticket

    def release(self, ticket: Ticket) -> None:
        """Give the ticket's slot (or its place in the queue) back. Idempotent."""
        with self._changed:
            if ticket in self._running:
                self._running.remove(ticket)
                ticket.state = RELEASED
            elif ticket in self._waiting:
                self._waiting.remove(ticket)
                ticket.state = CANCELLED
            self._update()

    def cancel(self, owner: str) -> Place | None:
        """`owner` leaves the queue: its waiting ticket is cancelled (a running one
        is not touched: Streamlit stops that script). Returns where the ticket was,
        or None when the owner had no waiting ticket."""
        with self._changed:
            ticket = next((w for w in self._waiting if w.owner == owner), None)
            if ticket is None:
                return None
            place = self._place(ticket)
            self._waiting.remove(ticket)
            ticket.state = CANCELLED
            self._update()
            return place

    @contextmanager
    def ticket(self, owner: str) -> Iterator[Ticket]:
        """A ticket for `owner`, released however the block ends."""
        ticket = self.request(owner)
        try:
            yield ticket
        finally:
            self.release(ticket)

    # --- reading ---------------------------------------------------------------------

    def place(self, ticket: Ticket) -> Place:
        """Where `ticket` stands now."""
        with self._changed:
            return self._place(ticket)

    def wait(self, ticket: Ticket, seen: int, timeout: float | None) -> Place:
        """Block until the pool changed since version `seen` (or `timeout` seconds,
        None: no limit, passed); then where `ticket` stands."""
        with self._changed:
            self._changed.wait_for(lambda: self._version != seen, timeout)
            return self._place(ticket)

    def wait_until(
        self, condition: Callable[[SlotPool], bool], timeout: float | None = None
    ) -> bool:
        """Block until `condition(pool)` holds, re-checked at every change (tests,
        benchmarks); False when `timeout` seconds passed first."""
        with self._changed:
            return self._changed.wait_for(lambda: condition(self), timeout)

    @property
    def running_owners(self) -> list[str]:
        """The owners of the running tickets, oldest first."""
        with self._changed:
            return [t.owner for t in self._running]

    @property
    def waiting_owners(self) -> list[str]:
        """The owners of the waiting tickets, in queue order."""
        with self._changed:
            return [t.owner for t in self._waiting]

    # --- inside the lock -------------------------------------------------------------

    def _place(self, ticket: Ticket) -> Place:
        if ticket.state == WAITING:
            ahead = len(self._running) + self._waiting.index(ticket)
            own = any(r.owner == ticket.owner for r in self._running)
        else:
            ahead, own = 0, False
        return Place(ticket.state, ahead, own, self.slots, self._version)

    def _update(self) -> None:
        """Fill free slots from the queue, oldest first, skipping a ticket whose
        owner already runs one; then wake every waiter."""
        while len(self._running) < self.slots:
            busy = {r.owner for r in self._running}
            chosen = next((w for w in self._waiting if w.owner not in busy), None)
            if chosen is None:
                break
            self._waiting.remove(chosen)
            self._running.append(chosen)
            chosen.state = RUNNING
        self._version += 1
        self._changed.notify_all()
