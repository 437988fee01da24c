"""Bursts, with AppTest: the state logic that keeps every key press, click and edit.

The browser side is tests/test_browser_bursts.py. Here the reruns a burst produces
are sent by hand: widget states as the browser would send them, including stale
values (a value the browser still shows because the app's newer one had not reached
it yet) and click counts of the counting buttons (ui/clicks.py), which AppTest
cannot click.
"""

from __future__ import annotations

import json

from streamlit.proto.WidgetStates_pb2 import WidgetStates
from streamlit.testing.v1 import AppTest

from tests.test_app import PAGES, TIMEOUT, open_page


def _states(at: AppTest, **numbers: int) -> WidgetStates:
    """The widget states the browser would send now, with some number boxes set."""
    states = at._tree.get_widget_states()
    for state in states.widgets:
        for name, value in numbers.items():
            if state.id.endswith(f"-cfg.{name}"):
                state.int_value = value
    return states


def _component_id(at: AppTest, key: str) -> str:
    for element in at.get("bidi_component"):
        if element.proto.id.endswith(f"-{key}"):
            return element.proto.id
    raise AssertionError(f"no counting button {key!r}")


def clicks(at: AppTest, key: str, count: int, **numbers: int) -> AppTest:
    """Rerun as after the browser's counting button `key` reached `count` clicks."""
    states = _states(at, **numbers)
    state = states.widgets.add()
    state.id = _component_id(at, key)
    state.json_value = json.dumps({"clicks": count})
    return at._run(states)


def seed(at: AppTest) -> int:
    return int(at.number_input(key="cfg.weights_seed").value)


def test_a_click_count_moves_the_seed_by_every_click():
    at = open_page("home")
    assert seed(at) == 0
    clicks(at, "weights.draw", 3)  # three clicks merged into one rerun
    assert not at.exception
    assert seed(at) == 3
    assert at.session_state["cfg.weights_seed"] == 3
    assert "weights.draw" not in [b.key for b in at.button]


def test_clicks_sent_with_a_stale_seed_still_count_from_the_last_clicks():
    at = open_page("home")
    clicks(at, "weights.draw", 3)
    # The next clicks left the browser before it showed seed 3: it still sends 0.
    clicks(at, "weights.draw", 5, weights_seed=0)
    assert seed(at) == 5
    clicks(at, "weights.draw", 6, weights_seed=3)  # an older value again
    assert seed(at) == 6
    clicks(at, "weights.draw", 8, weights_seed=6)  # the browser caught up
    assert seed(at) == 8


def test_a_typed_seed_after_a_burst_is_kept_and_clicks_count_from_it():
    at = open_page("home")
    clicks(at, "weights.draw", 4)
    clicks(at, "weights.draw", 6, weights_seed=0)
    assert seed(at) == 6
    at.number_input(key="cfg.weights_seed").set_value(2).run()  # typed: not an echo
    assert seed(at) == 2
    clicks(at, "weights.draw", 7)
    assert seed(at) == 3


def test_a_count_that_starts_over_adds_nothing_then_counts():
    at = open_page("home")
    clicks(at, "weights.draw", 5)
    assert seed(at) == 5
    clicks(at, "weights.draw", 1)  # a counter below the one seen: not new clicks
    assert seed(at) == 5
    clicks(at, "weights.draw", 2)
    assert seed(at) == 6


def test_new_input_counts_its_clicks_too():
    at = open_page("home")
    before = at.code[0].value
    clicks(at, "input.new", 2)
    assert at.session_state["cfg.input_seed"] == 2
    assert "seed 2" in at.code[0].value
    assert at.code[0].value != before


def test_a_plain_rerun_never_sends_a_setting_back_to_its_widget():
    """A widget told to take a value (set_value) overwrites what the browser holds:
    during a burst, a newer key press. Only the first run of a page may do it."""
    at = open_page("home")
    at.slider(key="cfg.timesteps").set_value(5).run()
    at.selectbox(key="cfg.cell").set_value("gru").run()  # draws two controls anew
    at.slider(key="cfg.timesteps").set_value(6).run()
    assert "(32, 6, 8)" in at.code[0].value
    told = [w.key for w in at.sidebar if getattr(w.proto, "set_value", False)]
    assert told == [], told


def test_settings_still_reach_the_widgets_of_another_page():
    at = open_page("home")
    at.slider(key="cfg.timesteps").set_value(6).run()
    at.switch_page(str(PAGES["step"])).run()
    assert not at.exception
    assert at.slider(key="cfg.timesteps").value == 6
    assert at.slider(key="cfg.step").max == 5


def test_a_page_file_run_alone_keeps_defaults():
    at = AppTest.from_file(str(PAGES["weights"]), default_timeout=TIMEOUT).run()
    assert not at.exception
    assert at.slider(key="cfg.timesteps").value == 1


# --------------------------------------------------------------------------------------
# The typed table: its editor keeps one base while the user types


def _editor(at: AppTest):
    editors = [
        e for e in at.sidebar if getattr(e, "type", "") == "dataframe" and e.proto.id
    ]
    assert len(editors) == 1, editors
    return editors[0]


def edits(at: AppTest, delta: dict, editor_id: str | None = None, **numbers: int):
    """Rerun as after the browser's data editor holds `delta` (all edits so far)."""
    states = _states(at, **numbers)
    state = states.widgets.add()
    state.id = editor_id or _editor(at).proto.id
    state.string_value = json.dumps(
        {"edited_rows": {}, "added_rows": [], "deleted_rows": [], **delta}
    )
    return at._run(states)


def _rows(at: AppTest) -> list[list[float]]:
    return [list(row) for row in at.session_state["table.rows"]]


def test_table_edits_accumulate_against_one_editor():
    at = open_page("home", source="table")
    editor = _editor(at).proto.id
    edits(at, {"edited_rows": {"0": {"feature 0": 11}}})
    assert _rows(at)[0] == [11, 0.0, 1.0]
    # The editor is the same one (same key, same base): the browser keeps its edits.
    assert _editor(at).proto.id == editor
    assert list(_editor(at).value["feature 0"])[:2] == [0.1, 0.2]
    # Its next message holds both edits; a row added and one deleted count too.
    both = {
        "edited_rows": {"0": {"feature 0": 11}, "1": {"feature 1": 12}},
        "added_rows": [{"feature 0": 7, "feature 1": 8, "feature 2": 9}],
        "deleted_rows": [4],
    }
    edits(at, both)
    edits(at, both)  # the same message twice (a rerun merged) changes nothing more
    assert not at.exception
    rows = _rows(at)
    assert rows[:2] == [[11, 0.0, 1.0], [0.2, 12, 0.0]]
    assert rows[-1] == [7, 8, 9]
    assert len(rows) == 5  # 5 - 1 deleted + 1 added
    assert "(1, 5, 3)" in at.code[0].value
    assert _editor(at).proto.id == editor


def test_table_edits_are_on_the_next_page_and_its_editor_shows_them():
    at = open_page("home", source="table")
    edits(at, {"edited_rows": {"0": {"feature 1": 7}}})
    at.switch_page(str(PAGES["step"])).run()
    assert not at.exception
    assert _rows(at)[0] == [0.1, 7, 1.0]
    assert _editor(at).value["feature 1"].iloc[0] == 7  # the new editor's base
    edits(at, {"edited_rows": {"0": {"feature 2": 9}}})  # an edit on this page
    assert _rows(at)[0] == [0.1, 7, 9]


def test_an_edit_sent_with_a_column_change_is_kept():
    at = open_page("home", source="table")
    editor = _editor(at).proto.id
    edits(at, {"edited_rows": {"1": {"feature 0": 5}}}, table_features=4)
    assert not at.exception
    rows = _rows(at)
    assert rows[1] == [5, 0.0, 0.0, 0.0]
    assert all(len(row) == 4 for row in rows)
    assert _editor(at).proto.id != editor  # a new base: the table has a new shape
    assert list(_editor(at).value["feature 0"])[1] == 5


def test_table_edits_survive_switching_the_source_away_and_back():
    at = open_page("home", source="table")
    edits(at, {"edited_rows": {"2": {"feature 2": 3}}})
    at.radio(key="cfg.source").set_value("generator").run()
    at.radio(key="cfg.source").set_value("table").run()
    assert not at.exception
    assert _rows(at)[2] == [0.30000000000000004, 0.0, 3]
    assert list(_editor(at).value["feature 2"])[2] == 3
