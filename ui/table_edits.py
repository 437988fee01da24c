"""The hand-typed table's state: a fixed base for the editor, every edit kept.

`st.data_editor` keeps the user's edits in the browser as a delta against the data
it was given (edited cells, added rows, deleted rows; each message holds all of them
so far). The editor keeps that delta only while its key and its data stay the same:
folding the edits into the data and starting a new editor after every edit (as the
app did) dropped every edit typed while that rerun was in flight, since it went to
the editor being replaced.

So the editor's data (the *base*) stays fixed while the user types, and the current
table is always the base plus the editor's whole delta, recomputed on each change:
edits merged into one rerun lose nothing, the latest delta holds them all. A new
base (the current table, under a new editor key) is only made when no edits can be
in flight for the old one: on another page (Streamlit's widget ids are per page), on
an editor drawn anew (the source was switched away and back), when the number of
columns changes, or when the rows were replaced outright.

Session keys: ROWS_KEY the current rows (lists, as typed; checked by the sidebar),
BASE_KEY {"version", "page", "columns", "rows"} of the live editor, VERSION_KEY its
number (the editor's key is `editor_key(version)`).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from rnn_core.limits import MAX_TIMESTEPS

ROWS_KEY = "table.rows"
BASE_KEY = "table.base"
VERSION_KEY = "table.version"


def editor_key(version: int) -> str:
    """The data editor's key for the base of this version."""
    return f"table.editor.{version}"


def column_name(index: int) -> str:
    """The editor's column key (never translated: edits come back under it)."""
    return f"feature {index}"


def _column_index(name: object) -> int | None:
    try:
        return int(str(name).removeprefix("feature "))
    except ValueError:
        return None


def _index(value: object, size: int) -> int | None:
    """`value` as an index into `size` items, or None when it is not one."""
    try:
        index = int(str(value))
    except ValueError:
        return None
    return index if 0 <= index < size else None


def with_edits(rows: list[list[Any]], edits: object, columns: int) -> list[list[Any]]:
    """`rows` with the editor's delta applied (a new list; `rows` is not changed).

    The delta comes from the browser: rows, columns and values that do not fit the
    table are ignored (a value that is not a number is kept, and then reported by
    the sidebar), never an exception.
    """
    delta = edits if isinstance(edits, dict) else {}
    table = [list(row) for row in rows]
    edited = delta.get("edited_rows")
    for index, changes in (edited if isinstance(edited, dict) else {}).items():
        row_index = _index(index, len(table))
        if row_index is None or not isinstance(changes, dict):
            continue
        for column, value in changes.items():
            column_index = _index(_column_index(column), columns)
            if column_index is not None:
                table[row_index] = (table[row_index] + [None] * columns)[:columns]
                table[row_index][column_index] = value
    deleted_rows = delta.get("deleted_rows")
    deleted = {
        _index(index, len(table))
        for index in (deleted_rows if isinstance(deleted_rows, list) else [])
    }
    table = [row for index, row in enumerate(table) if index not in deleted]
    added_rows = delta.get("added_rows")
    for added in (added_rows if isinstance(added_rows, list) else [])[:MAX_TIMESTEPS]:
        if not isinstance(added, dict):
            continue
        row: list[Any] = [None] * columns
        for column, value in added.items():
            column_index = _index(_column_index(column), columns)
            if column_index is not None:
                row[column_index] = value
        table.append(row)
    return table[:MAX_TIMESTEPS]


def _base() -> dict[str, Any] | None:
    base = st.session_state.get(BASE_KEY)
    if (
        isinstance(base, dict)
        and type(base.get("version")) is int
        and type(base.get("columns")) is int
        and isinstance(base.get("rows"), list)
    ):
        return base
    return None


def apply_edits(version: int) -> None:
    """The editor's callback: the current rows are its base plus its whole delta.

    Edits of an editor that is no longer the live one (its base was replaced) are
    ignored: they were folded into the rows when the base was replaced.
    """
    base = _base()
    live = st.session_state.get(VERSION_KEY)
    if base is None or base["version"] != version or live != version:
        return  # (a column change in the same rerun may have replaced it)
    delta = st.session_state.get(editor_key(version))
    st.session_state[ROWS_KEY] = with_edits(base["rows"], delta, base["columns"])


def resize(columns: int) -> None:
    """The column count's callback: pad or cut every row; the editor starts anew."""
    state = st.session_state
    rows = state[ROWS_KEY]
    base = _base()
    if base is not None and editor_key(base["version"]) in state:
        # Edits sent with this change whose callback has not run yet: keep them
        # (they are against the base, as wide as the editor was).
        delta = state[editor_key(base["version"])]
        rows = with_edits(base["rows"], delta, base["columns"])
    state[ROWS_KEY] = [(list(row) + [0.0] * columns)[:columns] for row in rows]
    state[VERSION_KEY] += 1


def live_base(page: str, columns: int) -> tuple[str, int, list[list[Any]]]:
    """The live editor's key, version and base rows for this run, made anew when the
    browser cannot hold edits against the old base (see the module's docstring)."""
    state = st.session_state
    version = state[VERSION_KEY]
    base = _base()
    fresh = editor_key(version) not in state  # no editor with this key is drawn
    if (
        base is None
        or base["version"] != version
        or base.get("page") != page
        or base["columns"] != columns
        or fresh
    ):
        if not fresh:  # the key's widget belongs to another page or base
            version += 1
            state[VERSION_KEY] = version
        rows = [list(row) for row in state[ROWS_KEY]]
        base = {"version": version, "page": page, "columns": columns, "rows": rows}
        state[BASE_KEY] = base
    return editor_key(version), version, base["rows"]
