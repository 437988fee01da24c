"""ui/work_queue.py: the server's slots for heavy work, FIFO, one per session.

Threads are made deterministic with events and the pool's own change notifications
(`wait_until`); a `wait(..)` with a limit is only a guard against a hang.
"""

from __future__ import annotations

import threading

import pytest

from ui.work_queue import (
    CANCELLED,
    DEFAULT_SLOTS,
    RELEASED,
    RUNNING,
    SLOTS_ENV,
    WAITING,
    SlotPool,
    slots_from_env,
)

HANG = 30  # seconds: only a guard against a hang, never a speed check


class FakeStop(BaseException):
    """Like Streamlit's StopException: a BaseException, not an Exception."""


def empty(pool: SlotPool) -> bool:
    return pool.running_owners == [] and pool.waiting_owners == []


def test_at_most_slots_run_and_the_others_wait_in_arrival_order():
    pool = SlotPool(2)
    a, b, c, d = (pool.request(name) for name in "abcd")
    assert [t.state for t in (a, b, c, d)] == [RUNNING, RUNNING, WAITING, WAITING]
    assert pool.place(c).ahead == 2  # both running runs
    assert pool.place(d).ahead == 3  # and c
    assert pool.running_owners == ["a", "b"]
    assert pool.waiting_owners == ["c", "d"]
    pool.release(b)
    assert b.state == RELEASED
    assert c.state == RUNNING  # the oldest waiting one, not d
    assert pool.place(d).ahead == 2
    pool.release(a)
    assert d.state == RUNNING
    pool.release(c)
    pool.release(d)
    assert empty(pool)


def test_a_freed_slot_goes_to_the_oldest_waiting_ticket_every_time():
    pool = SlotPool(1)
    first = pool.request("first")
    queue = [pool.request(f"s{i}") for i in range(5)]
    assert [pool.place(t).ahead for t in queue] == [1, 2, 3, 4, 5]
    granted = []
    holder = first
    for _ in queue:
        pool.release(holder)
        (holder,) = [t for t in queue if t.state == RUNNING]
        granted.append(holder.owner)
    assert granted == ["s0", "s1", "s2", "s3", "s4"]
    pool.release(holder)
    assert empty(pool)


def test_one_running_ticket_per_session_even_with_a_free_slot():
    pool = SlotPool(2)
    old = pool.request("student")
    new = pool.request("student")  # a second run while the first still runs
    assert old.state == RUNNING
    assert new.state == WAITING
    place = pool.place(new)
    assert place.own_previous
    assert place.ahead == 1
    other = pool.request("other")  # the free slot goes to another session
    assert other.state == RUNNING
    pool.release(other)
    assert new.state == WAITING  # still not alongside its own older run
    pool.release(old)
    assert new.state == RUNNING
    assert not pool.place(new).own_previous
    pool.release(new)
    assert empty(pool)


def test_a_new_request_replaces_the_sessions_waiting_ticket_in_its_place():
    pool = SlotPool(1)
    busy = pool.request("busy")
    old = pool.request("student")
    behind = pool.request("behind")
    new = pool.request("student")
    assert old.state == CANCELLED
    assert pool.waiting_owners == ["student", "behind"]  # nobody overtaken
    assert pool.place(new).ahead == 1
    assert pool.place(behind).ahead == 2
    pool.release(old)  # the older script run lets go: changes nothing
    assert pool.waiting_owners == ["student", "behind"]
    pool.release(busy)
    assert new.state == RUNNING
    pool.release(new)
    pool.release(behind)
    assert empty(pool)


@pytest.mark.parametrize("error", [RuntimeError, FakeStop])
def test_a_ticket_is_released_however_its_block_ends(error):
    pool = SlotPool(1)

    def run() -> None:
        with pool.ticket("running"):
            with pool.ticket("waiting") as waiting:
                assert waiting.state == WAITING
            assert pool.waiting_owners == []  # left the queue on its way out
            raise error("the run failed or Streamlit stopped the script")

    with pytest.raises(error):
        run()
    assert empty(pool)
    with pool.ticket("next") as ticket:
        assert ticket.state == RUNNING  # nothing leaked: the slot is free


def test_release_and_cancel_are_idempotent_and_cancel_spares_a_running_ticket():
    pool = SlotPool(1)
    running = pool.request("a")
    waiting = pool.request("b")
    assert pool.cancel("a") is None  # running: Streamlit stops it, not the pool
    assert running.state == RUNNING
    place = pool.cancel("b")
    assert place is not None
    assert place.ahead == 1
    assert waiting.state == CANCELLED
    assert pool.cancel("b") is None
    pool.release(waiting)
    pool.release(running)
    pool.release(running)
    assert empty(pool)


class Log:
    """The places a script thread saw, and a way to wait until it saw one."""

    def __init__(self) -> None:
        self.places: list = []
        self._changed = threading.Condition()

    def add(self, place) -> None:
        with self._changed:
            self.places.append(place)
            self._changed.notify_all()

    def saw(self, state: str, ahead: int) -> bool:
        with self._changed:
            return self._changed.wait_for(
                lambda: any((p.state, p.ahead) == (state, ahead) for p in self.places),
                HANG,
            )


def _wait_for_slot(pool: SlotPool, owner: str, log: Log, go: threading.Event):
    """A script thread: queue, record every place seen, hold the slot until `go`."""
    with pool.ticket(owner) as ticket:
        where = pool.place(ticket)
        while where.state == WAITING:
            log.add(where)
            where = pool.wait(ticket, where.version, None)
        log.add(where)
        if where.state == RUNNING:
            go.wait(HANG)


def test_a_waiting_thread_starts_when_a_slot_frees_and_sees_its_place_move():
    pool = SlotPool(1)
    first = pool.request("first")
    second = pool.request("second")
    log = Log()
    go = threading.Event()
    worker = threading.Thread(target=_wait_for_slot, args=(pool, "w", log, go))
    worker.start()
    assert log.saw(WAITING, 2)
    pool.release(first)  # w moves up
    assert log.saw(WAITING, 1)
    assert worker.is_alive()
    pool.release(second)  # w runs
    assert log.saw(RUNNING, 0)
    assert pool.running_owners == ["w"]
    go.set()
    worker.join(HANG)
    assert not worker.is_alive()
    assert empty(pool)


def test_cancel_wakes_a_waiting_thread_and_nothing_is_left_behind():
    pool = SlotPool(1)
    held = pool.request("held")
    log = Log()
    go = threading.Event()
    worker = threading.Thread(target=_wait_for_slot, args=(pool, "w", log, go))
    worker.start()
    assert log.saw(WAITING, 1)
    assert pool.cancel("w").ahead == 1
    assert log.saw(CANCELLED, 0)
    worker.join(HANG)
    assert not worker.is_alive()
    pool.release(held)
    assert empty(pool)


def test_many_threads_never_exceed_the_slots_and_start_in_arrival_order():
    pool = SlotPool(2)
    blockers = [pool.request("block0"), pool.request("block1")]
    lock = threading.Lock()
    running_now: list[str] = []
    most: list[int] = []
    go = {f"s{i}": threading.Event() for i in range(8)}

    def student(owner: str) -> None:
        with pool.ticket(owner) as ticket:
            where = pool.place(ticket)
            while where.state == WAITING:
                where = pool.wait(ticket, where.version, None)
            with lock:
                running_now.append(owner)
                most.append(len(running_now))
            go[owner].wait(HANG)
            with lock:
                running_now.remove(owner)

    threads = []
    for i, owner in enumerate(go):  # queued one after another: a known arrival order
        thread = threading.Thread(target=student, args=(owner,))
        thread.start()
        threads.append(thread)
        assert pool.wait_until(lambda p, n=i + 1: len(p.waiting_owners) == n, HANG)
    pool.release(blockers[0])
    pool.release(blockers[1])
    assert pool.wait_until(lambda p: p.running_owners == ["s0", "s1"], HANG)
    for i in range(8):  # each run that ends lets the next in line start
        go[f"s{i}"].set()
        expected = [f"s{j}" for j in (i + 1, i + 2) if j < 8]
        assert pool.wait_until(lambda p, e=expected: p.running_owners == e, HANG)
        assert pool.waiting_owners == [f"s{j}" for j in range(i + 3, 8)]
    for thread in threads:
        thread.join(HANG)
        assert not thread.is_alive()
    assert max(most) <= 2
    assert empty(pool)


@pytest.mark.parametrize(
    ("value", "slots"),
    [("", DEFAULT_SLOTS), ("3", 3), ("1", 1), ("16", 16)]
    + [(bad, DEFAULT_SLOTS) for bad in ("0", "17", "-1", "two", "٤", "2.5")],
)
def test_the_number_of_slots_comes_from_the_environment_when_valid(value, slots):
    assert slots_from_env({SLOTS_ENV: value}) == slots


def test_a_pool_refuses_an_impossible_size():
    with pytest.raises(ValueError, match="slots must be 1 to 16"):
        SlotPool(0)
