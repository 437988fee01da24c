"""The Train page and the server's slots for heavy work (ui/heavy_work.py), in AppTest.

The test holds slots of the server's pool (the same object the page uses: one per
process) as other sessions' runs would; a helper thread waits until the page has
drawn its place in the queue (the page's `queue_text`, recorded), then frees a slot
or leaves the queue for it. No timing: events and the pool's own notifications.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from streamlit.testing.v1 import AppTest

from tests.test_i18n import assert_spanish
from tests.test_train_app import PAGE, SHORT, TIMEOUT, charts
from ui import heavy_work
from ui import train_compute as compute
from ui.work_queue import SlotPool

pytestmark = pytest.mark.app
HANG = 60  # seconds: only a guard against a hang
OWNER = "student-under-test"


@pytest.fixture
def pool() -> Iterator[SlotPool]:
    """The server's pool, empty before and after the test (nothing leaked)."""
    shared = heavy_work.slot_pool()
    assert shared.running_owners == []
    assert shared.waiting_owners == []
    yield shared
    assert shared.running_owners == [], "a slot leaked"
    assert shared.waiting_owners == [], "a queued ticket leaked"


@pytest.fixture
def shown(monkeypatch) -> tuple[list[str], threading.Event]:
    """Every queue text the page draws, and an event set at the first one."""
    texts: list[str] = []
    drawn = threading.Event()
    original = heavy_work.queue_text

    def recording(place):
        text = original(place)
        texts.append(text)
        drawn.set()
        return text

    monkeypatch.setattr(heavy_work, "queue_text", recording)
    return texts, drawn


def open_page(**state: object) -> AppTest:
    at = AppTest.from_file(PAGE, default_timeout=TIMEOUT)
    for name, value in {**SHORT, "heavy.owner": OWNER, **state}.items():
        at.session_state[name] = value
    at.run()
    return at


def once_drawn(drawn: threading.Event, then: Callable[[], None]) -> threading.Thread:
    """A thread that calls `then` once the page has drawn its place in the queue."""

    def helper() -> None:
        if drawn.wait(HANG):
            then()

    thread = threading.Thread(target=helper)
    thread.start()
    return thread


def click_while(at: AppTest, button: str, thread: threading.Thread) -> None:
    at.button(key=button).click().run()
    thread.join(HANG)
    assert not thread.is_alive()


def progress_texts(at: AppTest) -> list[str]:
    return [p.proto.text for p in at.get("progress")]


@pytest.mark.parametrize(
    ("language", "waiting", "left"),
    [
        (
            "en",
            "Waiting for the server: 2 runs are ahead of yours. The server trains at "
            "most 2 at a time for the whole class",
            "You left the queue (2 runs were ahead of yours).",
        ),
        (
            "es",
            "Esperando al servidor: hay 2 entrenamientos por delante del tuyo. El "
            "servidor entrena como mucho 2 a la vez para toda la clase",
            "Has salido de la cola (había 2 entrenamientos por delante del tuyo).",
        ),
    ],
)
def test_with_every_slot_taken_run_waits_in_the_queue_and_can_leave_it(
    pool, shown, language, waiting, left
):
    texts, drawn = shown
    held = [pool.request(f"other-{i}") for i in range(pool.slots)]
    try:
        at = open_page(**{"cfg.language": language})
        leave = once_drawn(drawn, lambda: pool.cancel(OWNER))
        click_while(at, "train.run_button", leave)
    finally:
        for ticket in held:
            pool.release(ticket)
    assert not at.exception, [e.value for e in at.exception]
    assert texts[0].startswith(waiting)
    assert at.info[0].value.startswith(left)
    assert charts(at) == []  # nothing trained
    assert compute.RUN_KEY not in at.session_state
    if language == "es":
        assert_spanish(at)


def test_a_waiting_run_starts_by_itself_when_a_slot_frees(pool, shown):
    texts, drawn = shown
    held = [pool.request(f"other-{i}") for i in range(pool.slots)]
    try:
        at = open_page()
        free_one = once_drawn(drawn, lambda: pool.release(held[0]))
        click_while(at, "train.run_button", free_one)
    finally:
        for ticket in held:
            pool.release(ticket)
    assert not at.exception, [e.value for e in at.exception]
    assert texts[0].startswith("Waiting for the server: 2 runs are ahead of yours.")
    assert progress_texts(at) == ["Finished: 20 of 20 steps"]
    assert not [i.value for i in at.info if "queue" in i.value]  # the queue is gone


def test_a_second_run_in_a_session_waits_for_its_first_even_with_a_free_slot(
    pool, shown
):
    """A second Run while this session's first run still holds its slot (fast
    reruns: Streamlit starts the new script run while the old one is stopping)."""
    texts, drawn = shown
    first = pool.request(OWNER)  # the first run, still stopping
    seen: dict[str, list[str]] = {}

    def first_stops() -> None:
        seen["running"] = pool.running_owners
        seen["waiting"] = pool.waiting_owners
        pool.release(first)

    try:
        at = open_page()
        click_while(at, "train.run_button", once_drawn(drawn, first_stops))
    finally:
        pool.release(first)
    assert pool.slots > 1  # so a slot was free all along
    assert seen == {"running": [OWNER], "waiting": [OWNER]}
    assert texts[0].startswith("Your previous run is still stopping")
    assert progress_texts(at) == ["Finished: 20 of 20 steps"]  # it replaced the first


def test_the_memory_comparison_queues_too(pool, shown):
    texts, drawn = shown
    held = [pool.request(f"other-{i}") for i in range(pool.slots)]
    try:
        at = open_page(**{"train.steps": 3, "train.frame_every": 1})
        leave = once_drawn(drawn, lambda: pool.cancel(OWNER))
        click_while(at, "train.memory_button", leave)
    finally:
        for ticket in held:
            pool.release(ticket)
    assert not at.exception, [e.value for e in at.exception]
    assert texts[0].startswith("Waiting for the server: 2 runs are ahead of yours.")
    assert [i.value for i in at.info if "queue" in i.value] == [
        "You left the queue (2 runs were ahead of yours). Press the button again "
        "to queue again."
    ]
    assert compute.MEMORY_KEY not in at.session_state
    assert not any(
        c["layout"]["title"]["text"].startswith("How far back") for c in charts(at)
    )


def test_runs_that_finish_or_fail_hold_no_slot_afterwards(pool, monkeypatch):
    at = open_page()
    at.button(key="train.run_button").click().run()
    assert progress_texts(at) == ["Finished: 20 of 20 steps"]
    assert pool.running_owners == []

    def failing(run):
        yield from ()
        raise RuntimeError("training broke")

    monkeypatch.setattr(compute, "advance", failing)
    at.button(key="train.run_button").click().run()
    assert not at.exception
    assert at.error[0].value.startswith("Something unexpected went wrong")
    assert pool.running_owners == []  # released by the failing run


def test_stop_leaves_the_queue(pool):
    held = [pool.request(f"other-{i}") for i in range(pool.slots)]
    try:
        queued = pool.request(OWNER)  # as a run of this session waiting in the queue
        at = open_page()
        at.button(key="train.stop_button").click().run()
        assert pool.waiting_owners == []
        assert queued.state == "cancelled"
    finally:
        for ticket in held:
            pool.release(ticket)
        pool.release(queued)
    assert at.info[0].value.startswith("You left the queue (2 runs were ahead")
