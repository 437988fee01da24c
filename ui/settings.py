"""The shared sidebar: every control of the layer and the input, kept per session.

Every setting lives in `st.session_state` under a key starting with "cfg.", so it
survives page changes (see `keep_settings`) and never leaks to another session. The
sidebar turns the settings into a `View`: a frozen `LayerSpec`, the input array with
its digest, the weights' source and the batch item the per-step views show. A bad
setting or upload produces a message in `View.problems` (shown with `st.error`) and
the last valid input is kept, so nothing the user set is lost.

Every stored setting is checked before any widget is drawn (`check_settings`): a value
of the wrong type or out of range (a hostile client, or a stale value) is reported and
set to the nearest allowed value, or back to its last valid value, never passed on to
a widget, which would raise or silently reset it.

A new session first takes the settings of its URL (`ui.permalink.load`, checked the
same way); every run writes the settings back into the URL, and the sidebar ends with
a copyable link. Every text is in the session's language (`ui.i18n.t`; the switch is
the sidebar's first control): option labels are built during the run, since a
`format_func` may be called after it.
"""

from __future__ import annotations

import io
import math
import numbers
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from rnn_core.errors import Grouped, Msg
from rnn_core.inputs import (
    DEFAULT_TEXT,
    GENERATORS,
    MAX_SEED,
    check_input_array,
    check_upload_size,
    generate,
    input_digest,
    parse_csv,
    parse_npy,
    parse_weights_npz,
)
from rnn_core.limits import (
    MAX_BATCH,
    MAX_FEATURES,
    MAX_INPUT_ELEMENTS,
    MAX_STATE_ELEMENTS,
    MAX_TIMESTEPS,
    MAX_UPLOAD_BYTES,
    check_trace_size,
)
from rnn_core.markup import Markup
from rnn_core.spec import (
    ACTIVATIONS,
    CELL_CLASS_NAMES,
    CELLS,
    MAX_UNITS,
    MERGE_MODES,
    LayerSpec,
)
from ui import i18n, permalink, restart, table_edits, upload_guard
from ui.clicks import counting_button, forget_settled_clicks, next_seed
from ui.i18n import t

PREFIX = "cfg."
KEPT = "session"  # persist_state of every setting's widget: kept across pages
PAGE_KEY = "settings.page"  # the page of the last run that drew the sidebar
VALID_KEY = "settings.valid"  # the last checked value of every setting
MAX_TABLE_FEATURES = 16  # columns of the hand-typed table
SOURCES = ("generator", "upload", "table")  # labels: messages "set.source.<name>"

# The first screen is the seed notebook's own example: SimpleRNN(4, activation=None)
# on uniform random input of shape (32, 1, 8).
DEFAULTS: dict[str, Any] = {
    "cell": "simple_rnn",
    "units": 4,
    "activation": "None",
    "recurrent_activation": "sigmoid",
    "use_bias": True,
    "return_sequences": False,
    "return_state": False,
    "go_backwards": False,
    "unit_forget_bias": True,
    "reset_after": True,
    "bidirectional": False,
    "merge_mode": "concat",
    "weights_seed": 0,
    "source": "generator",
    "generator": "uniform",
    "batch": 32,
    "timesteps": 1,
    "features": 8,
    "input_seed": 0,
    "scaled": True,
    "impulse_feature": -1,
    "text": DEFAULT_TEXT,
    "batch_index": 0,
    "table_features": 3,
    "step": 0,
    "playing": False,
    "direction": "forward",  # which half of a Bidirectional layer the pages follow
    "relative_residuals": False,  # Hidden states: |manual − Keras| / |Keras|
}
DEFAULT_TABLE = [[0.1 * (t + 1), 0.0, 1.0 if t == 0 else 0.0] for t in range(5)]
# The fields of the sidebar's line on what the server accepts (checked in code, before
# parsing or allocating, not only by Streamlit's upload limit): message "set.limits".
LIMITS = {
    "batch": MAX_BATCH,
    "timesteps": MAX_TIMESTEPS,
    "features": MAX_FEATURES,
    "values": Grouped(MAX_INPUT_ELEMENTS),
    "units": MAX_UNITS,
    "states": Grouped(MAX_STATE_ELEMENTS),
    "upload_bytes": Grouped(MAX_UPLOAD_BYTES),  # the one upload limit, in bytes
    "upload_mb": MAX_UPLOAD_BYTES // 10**6,  # as Streamlit's messages say it
}


def limits_text() -> str:
    """One line for the sidebar: every limit of the input and the layer."""
    return t("set.limits", **LIMITS)


@dataclass(frozen=True)
class View:
    """What the pages show: the layer, its input, its weights and the batch item."""

    spec: LayerSpec
    x: np.ndarray  # (batch, timesteps, features), float32
    digest: str  # input_digest(x): the cache key of the input
    weights_key: str  # "seed:<n>" or "npz:<digest>": the cache key of the weights
    weights_seed: int
    uploaded_weights: tuple[np.ndarray, ...] | None  # as layer.get_weights()
    batch_index: int
    input_label: str  # one line saying where the input came from
    problems: tuple[str, ...] = field(default=())

    @property
    def shape(self) -> tuple[int, int, int]:
        """(batch, timesteps, features) of the input."""
        batch, timesteps, features = self.x.shape
        return int(batch), int(timesteps), int(features)


def key(name: str) -> str:
    """The session_state key of a setting."""
    return PREFIX + name


def get(name: str) -> Any:
    """The current value of a setting (its default when not set yet)."""
    return st.session_state.get(key(name), DEFAULTS[name])


def put(name: str, value: Any) -> None:
    """Set a setting (only before its widget is drawn in this run, or in a callback)."""
    st.session_state[key(name)] = value


def _page() -> str:
    """The page this run draws (Streamlit's page script hash; "" outside a run)."""
    ctx = get_script_run_ctx()
    return ctx.page_script_hash if ctx is not None else ""


def keep_settings() -> list[str]:
    """Give every setting a valid value; widgets keep theirs across pages.

    Each setting's widget is drawn with `persist_state=KEPT`: Streamlit itself keeps
    its value while a run does not draw it (another page, or a control hidden for
    this cell) and gives it back when the widget is drawn again. Nothing writes a
    widget's value back at the start of a run: such a write makes the widget send
    that value to the browser, and during a burst of key presses or clicks it would
    overwrite the newer value the browser already holds (presses were lost that
    way). Only a setting that has no value yet, or one that is not allowed, is
    written, and every setting on the first run of a page: its widgets are new
    there (Streamlit's widget ids are per page) and nothing in the browser is newer,
    while a client that still sends the last page's widget states (AppTest, a load
    test's websocket client) would otherwise see defaults. A new session first takes
    its URL's settings (warning about the bad ones); the run's settings go back into
    the URL.

    Returns:
        One message per setting that held a value it may not have (see
        `check_settings`), for `st.error`.
    """
    state = st.session_state
    permalink.load()  # a new session: the settings of its URL first
    for notice in permalink.notices():
        st.warning(notice)
    arrived = state.get(PAGE_KEY) != _page()  # this run draws the page's widgets anew
    state[PAGE_KEY] = _page()
    i18n.keep_language(arrived)
    for name, default in DEFAULTS.items():
        if key(name) not in state:
            state[key(name)] = default
        elif arrived:  # new widgets (their ids are per page): give them the values
            state[key(name)] = state[key(name)]
    forget_settled_clicks()
    problems = check_settings()
    if get("source") != "upload":  # another input chosen: stop asking for the file
        restart.forget_file("upload")
    if get("source") != "table":
        state.pop(restart.TABLE_LOST_KEY, None)
    rows = state.get("table.rows")
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        if rows is not None:
            problems.append(t("set.table.reset"))
        state["table.rows"] = [list(row) for row in DEFAULT_TABLE]
    if type(state.get("table.version")) is not int:
        state["table.version"] = 0
    permalink.write()
    return problems


# --------------------------------------------------------------------------------------
# What each setting may hold

# name -> ("int", (low, high)) | ("choice", allowed) | ("bool", None) | ("text", most)
RULES: dict[str, tuple[str, Any]] = {
    "cell": ("choice", CELLS),
    "units": ("int", (1, MAX_UNITS)),
    "activation": ("choice", ("None", *ACTIVATIONS)),
    "recurrent_activation": ("choice", ACTIVATIONS),
    "merge_mode": ("choice", tuple("None" if m is None else m for m in MERGE_MODES)),
    "weights_seed": ("int", (0, MAX_SEED)),
    "source": ("choice", tuple(SOURCES)),
    "generator": ("choice", tuple(GENERATORS)),
    "batch": ("int", (1, MAX_BATCH)),
    "timesteps": ("int", (1, MAX_TIMESTEPS)),
    "features": ("int", (1, MAX_FEATURES)),
    "input_seed": ("int", (0, MAX_SEED)),
    "impulse_feature": ("int", (-1, MAX_FEATURES - 1)),
    "text": ("text", MAX_TIMESTEPS),
    "batch_index": ("int", (0, MAX_BATCH - 1)),
    "table_features": ("int", (1, MAX_TABLE_FEATURES)),
    "step": ("int", (0, MAX_TIMESTEPS - 1)),
    "direction": ("choice", ("forward", "backward")),
    **{
        name: ("bool", None)
        for name, default in DEFAULTS.items()
        if isinstance(default, bool)
    },
}
# Settings named in messages by a label (message "set.label.<name>"); the flags are
# named as Keras names them.
LABELS = frozenset(name for name, (kind, _) in RULES.items() if kind != "bool")


def _shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:40] + "…"


def check_value(name: str, value: object, fallback: Any) -> tuple[Any, str | None]:
    """A setting's value if it is allowed, else the value to use and why.

    Numbers out of range become the nearest allowed whole number; anything of the
    wrong type (text for a number, NaN, a name not on the list) becomes `fallback`,
    the last valid value.

    Args:
        name: a key of `DEFAULTS`.
        value: what the session holds.
        fallback: the value to use when `value` cannot be turned into an allowed one.

    Returns:
        (value to keep, None) or (replacement, a message naming the setting, what
        it held, what is allowed and what it now is).
    """
    kind, allowed = RULES[name]
    label = t(f"set.label.{name}") if name in LABELS else Markup(name)
    shown = {"label": label, "value": _shown(value)}
    if kind == "bool":
        if isinstance(value, bool | np.bool_):
            return bool(value), None
        return fallback, t("set.bad.bool", **shown, fallback=_shown(fallback))
    if kind == "choice":
        if isinstance(value, str) and value in allowed:
            return value, None
        choices = (
            Markup(", ".join(allowed))  # the app's own names
            if len(allowed) <= 8
            else t("set.bad.names", count=len(allowed))
        )
        return fallback, t(
            "set.bad.choice", **shown, choices=choices, fallback=_shown(fallback)
        )
    if kind == "text":
        if not isinstance(value, str):
            return fallback, t("set.bad.not_text", **shown)
        if len(value) > allowed:
            return value[:allowed], t(
                "set.bad.text_long", label=label, count=f"{len(value):,}", most=allowed
            )
        return value, None
    low, high = allowed
    span = {"low": f"{low:,}", "high": f"{high:,}"}
    if (
        isinstance(value, bool | np.bool_)
        or not isinstance(value, numbers.Real)
        or not math.isfinite(value)
    ):
        return fallback, t("set.bad.int", **shown, **span, fallback=f"{fallback:,}")
    whole = round(float(value))
    fixed = min(max(whole, low), high)
    if fixed == value:
        return fixed, None
    what = "set.bad.out_of_range" if whole == value else "set.bad.not_whole"
    return fixed, t(what, **shown, **span, fixed=f"{fixed:,}")


def check_settings() -> list[str]:
    """Check every setting in the session; fix and report the ones not allowed.

    Runs before any widget is drawn, when writing a widget's value is still allowed.
    Remembers the checked values under `VALID_KEY`, the fallbacks of the next run.
    """
    state = st.session_state
    valid = state.get(VALID_KEY)
    valid = valid if isinstance(valid, dict) else {}
    problems: list[str] = []
    checked: dict[str, Any] = {}
    for name in DEFAULTS:
        fallback = valid.get(name, DEFAULTS[name])
        value, problem = check_value(name, state.get(key(name)), fallback)
        held = state.get(key(name))
        if problem:
            problems.append(problem)
            state[key(name)] = value
        elif type(value) is not type(held) or value != held:
            state[key(name)] = value  # e.g. 4.0 -> 4, numpy.bool_ -> bool
        checked[name] = value
    state[VALID_KEY] = checked
    return problems


# --------------------------------------------------------------------------------------
# Callbacks (run before the next script run, so they may set widget values)


def _advance_seed(name: str, clicks: int) -> None:
    """Move a seed on by `clicks`, from the value the last clicks set when the box
    only echoes an older one (see `ui.clicks.next_seed`)."""
    put(name, next_seed(name, int(get(name)), clicks, MAX_SEED))


def _draw_new_weights(clicks: int = 1) -> None:
    """`clicks` new weights: the seed moves on by one per click (and a weights file
    the server lost is no longer asked for)."""
    _advance_seed("weights_seed", clicks)
    restart.forget_file("weights")


def _new_input_seed(clicks: int = 1) -> None:
    """`clicks` new inputs: the seed moves on by one per click."""
    _advance_seed("input_seed", clicks)


def _read_upload(uploader_key: str, store: str) -> None:
    """Keep an uploaded file's name and bytes in the session; forget a removed one."""
    uploaded = st.session_state.get(uploader_key)
    if uploaded is None:
        st.session_state.pop(store, None)
        return
    if not hasattr(uploaded, "read"):
        return  # a DeletedFile: Streamlit no longer has the file; keep what was read
    # A file over the limit that Streamlit let through is refused unread, like one
    # the browser refused (ui/upload_guard.py).
    upload_guard.keep(store, uploaded.name, uploaded.size, uploaded.read)


def _apply_table_edits(version: int) -> None:
    table_edits.apply_edits(version)


def _shown_cell(value: object) -> float | int | None:
    """A table cell for the editor, whose number columns refuse anything else."""
    is_number = isinstance(value, numbers.Real) and not isinstance(value, bool)
    return value if is_number else None  # type: ignore[return-value]


def _resize_table() -> None:
    table_edits.resize(int(get("table_features")))


def _column_label(index: int) -> str:
    return t("set.table.column", index=index)


# --------------------------------------------------------------------------------------
# The sidebar


# Selectboxes hold the string "None" for Keras' None: Streamlit reads a None value as
# "nothing selected".
NONE = "None"


def _labels(options: list[str] | tuple[str, ...], none_id: str) -> dict[str, str]:
    """Option labels made now, in this run's language (a format_func may be called
    after the run); the "None" option gets the message `none_id`."""
    return {option: t(none_id) if option == NONE else option for option in options}


def _none(value: str) -> str | None:
    return None if value == NONE else value


def layer_controls() -> LayerSpec | str:
    """The layer's widgets; returns the spec, or a message when it is not valid."""
    st.sidebar.header(t("set.layer"))
    st.sidebar.selectbox(
        t("set.label.cell"),
        CELLS,
        key=key("cell"),
        persist_state=KEPT,
        format_func=lambda cell: CELL_CLASS_NAMES[cell],
        help=t("set.help.cell"),
    )
    cell = get("cell")
    st.sidebar.number_input(
        t("set.units", most=MAX_UNITS),
        min_value=1,
        max_value=MAX_UNITS,
        step=1,
        key=key("units"),
        persist_state=KEPT,
        help=t("set.help.units"),
    )
    activations = _labels((NONE, *ACTIVATIONS), "set.none_linear")
    st.sidebar.selectbox(
        t("set.label.activation"),
        list(activations),
        key=key("activation"),
        persist_state=KEPT,
        format_func=activations.__getitem__,
        help=t("set.help.activation"),
    )
    if cell != "simple_rnn":
        st.sidebar.selectbox(
            t("set.recurrent_activation"),
            ACTIVATIONS,
            key=key("recurrent_activation"),
            persist_state=KEPT,
            help=t("set.help.recurrent_activation"),
        )
    st.sidebar.checkbox(
        "use_bias",
        key=key("use_bias"),
        persist_state=KEPT,
        help=t("set.help.use_bias"),
    )
    st.sidebar.checkbox(
        "return_sequences",
        key=key("return_sequences"),
        persist_state=KEPT,
        help=t("set.help.return_sequences"),
    )
    st.sidebar.checkbox(
        "return_state",
        key=key("return_state"),
        persist_state=KEPT,
        help=t("set.help.return_state"),
    )
    bidirectional = bool(get("bidirectional"))
    st.sidebar.checkbox(
        "go_backwards",
        key=key("go_backwards"),
        persist_state=KEPT,
        disabled=bidirectional,
        help=t("set.help.go_backwards"),
    )
    if cell == "lstm":
        st.sidebar.checkbox(
            "unit_forget_bias",
            key=key("unit_forget_bias"),
            persist_state=KEPT,
            help=t("set.help.unit_forget_bias"),
        )
    if cell == "gru":
        st.sidebar.checkbox(
            "reset_after",
            key=key("reset_after"),
            persist_state=KEPT,
            help=t("set.help.reset_after"),
        )
    st.sidebar.checkbox(
        "Bidirectional",
        key=key("bidirectional"),
        persist_state=KEPT,
        help=t("set.help.bidirectional"),
    )
    if bidirectional:
        modes = _labels(
            [NONE if m is None else m for m in MERGE_MODES], "set.none_merge"
        )
        st.sidebar.selectbox(
            "merge_mode",
            list(modes),
            key=key("merge_mode"),
            persist_state=KEPT,
            format_func=modes.__getitem__,
            help=t("set.help.merge_mode"),
        )
    st.sidebar.number_input(
        t("set.label.weights_seed"),
        min_value=0,
        max_value=MAX_SEED,
        step=1,
        key=key("weights_seed"),
        persist_state=KEPT,
        help=t("set.help.weights_seed"),
        on_change=restart.forget_file,
        args=("weights",),
    )
    with st.sidebar:  # counts every click of a burst (see ui.clicks)
        counting_button(t("set.draw_weights"), "weights.draw", _draw_new_weights)
    try:
        return LayerSpec(
            cell=cell,
            units=int(get("units")),
            activation=_none(get("activation")),
            recurrent_activation=get("recurrent_activation"),
            use_bias=bool(get("use_bias")),
            return_sequences=bool(get("return_sequences")),
            return_state=bool(get("return_state")),
            go_backwards=bool(get("go_backwards")) and not bidirectional,
            unit_forget_bias=bool(get("unit_forget_bias")),
            reset_after=bool(get("reset_after")),
            bidirectional=bidirectional,
            merge_mode=_none(get("merge_mode")),
        )
    except ValueError as error:
        return t("set.problem.layer", error=error)


def _generator_input() -> tuple[np.ndarray, str]:
    """The generator's widgets and its array (raises ValueError when out of range)."""
    names = {name: t(f"gen.{name}.label") for name in GENERATORS}
    st.sidebar.selectbox(
        t("set.label.generator"),
        list(names),
        key=key("generator"),
        persist_state=KEPT,
        format_func=names.__getitem__,
    )
    generator = GENERATORS[get("generator")]
    st.sidebar.caption(t(f"gen.{generator.name}.description"))
    if "scaled" in generator.options:
        st.sidebar.checkbox(
            t("set.scaled"),
            key=key("scaled"),
            persist_state=KEPT,
            help=t("set.help.scaled"),
        )
    if "feature" in generator.options:
        st.sidebar.number_input(
            t("set.impulse_feature"),
            min_value=-1,
            max_value=MAX_FEATURES - 1,
            step=1,
            key=key("impulse_feature"),
            persist_state=KEPT,
        )
    if "text" in generator.options:
        st.sidebar.text_input(
            t("set.text"),
            key=key("text"),
            persist_state=KEPT,
            max_chars=MAX_TIMESTEPS,
        )
    st.sidebar.slider(
        t("set.label.batch"),
        1,
        MAX_BATCH,
        key=key("batch"),
        persist_state=KEPT,
        help=t("set.help.batch", most=MAX_BATCH, values=f"{MAX_INPUT_ELEMENTS:,}"),
    )
    derived = generator.derives_shape
    st.sidebar.slider(
        t("set.label.timesteps"),
        1,
        MAX_TIMESTEPS,
        key=key("timesteps"),
        persist_state=KEPT,
        disabled=derived,
        help=t("set.help.timesteps_text") if derived else None,
    )
    st.sidebar.slider(
        t("set.label.features"),
        1,
        MAX_FEATURES,
        key=key("features"),
        persist_state=KEPT,
        disabled=derived,
        help=t("set.help.features_text") if derived else None,
    )
    if generator.uses_seed:
        st.sidebar.number_input(
            t("set.label.input_seed"),
            min_value=0,
            max_value=MAX_SEED,
            step=1,
            key=key("input_seed"),
            persist_state=KEPT,
        )
        with st.sidebar:  # counts every click of a burst (see ui.clicks)
            counting_button(t("set.new_input"), "input.new", _new_input_seed)
    return generated_input()


def generated_input() -> tuple[np.ndarray, str]:
    """The generator's array for the current settings, and where it came from."""
    generator = GENERATORS[get("generator")]
    options: dict[str, object] = {}
    if "scaled" in generator.options:
        options["scaled"] = bool(get("scaled"))
    if "feature" in generator.options:
        feature = int(get("impulse_feature"))
        options["feature"] = None if feature < 0 else feature
    if "text" in generator.options:
        options["text"] = get("text")
    derived = generator.derives_shape
    batch = int(get("batch"))
    timesteps = None if derived else int(get("timesteps"))
    features = None if derived else int(get("features"))
    x = generate(
        generator.name, batch, timesteps, features, int(get("input_seed")), **options
    )
    label = t(f"gen.{generator.name}.label")
    if generator.uses_seed:
        return x, t("set.input.seeded", generator=label, seed=get("input_seed"))
    return x, label


def _upload_input() -> tuple[np.ndarray, str]:
    """The upload widget and the parsed array (raises ValueError for a bad file)."""
    uploader = restart.uploader_key("upload")
    st.sidebar.file_uploader(
        t("set.upload"),
        type=["csv", "npy"],
        key=uploader,
        on_change=_read_upload,
        args=(uploader, "upload.file"),
        help=t(
            "set.help.upload",
            upload_bytes=Grouped(MAX_UPLOAD_BYTES),
            values=Grouped(MAX_INPUT_ELEMENTS),
        ),
    )
    stored = upload_guard.current("upload.file")
    lost = restart.lost_file("upload")  # also forgets the request once a file is in
    if stored is None:
        raise ValueError(lost or t("set.upload.none"))
    name, data, size = stored
    parse = parse_npy if name.lower().endswith(".npy") else parse_csv
    try:
        if size > MAX_UPLOAD_BYTES:  # refused; its bytes were never read
            check_upload_size(size)
        return parse(data), t("set.input.uploaded", name=name)
    except ValueError as error:
        raise ValueError(t("set.problem.upload", name=name, error=error)) from None


def _table_input() -> tuple[np.ndarray, str]:
    """The hand-typed table: one sequence, rows = timesteps (raises ValueError)."""
    st.sidebar.number_input(
        t("set.table.columns", most=MAX_TABLE_FEATURES),
        min_value=1,
        max_value=MAX_TABLE_FEATURES,
        step=1,
        key=key("table_features"),
        persist_state=KEPT,
        on_change=_resize_table,
    )
    columns = int(get("table_features"))
    # The editor's data stays fixed while the user types; the rows are that base
    # plus all of its edits (ui.table_edits).
    editor_key, version, base = table_edits.live_base(_page(), columns)
    table = {  # what the editor shows: a cell that is not a number shows empty
        table_edits.column_name(j): [
            _shown_cell(row[j]) if j < len(row) else None for row in base
        ]
        for j in range(columns)
    }
    st.sidebar.caption(t("set.table.caption"))
    st.sidebar.data_editor(
        table,
        key=editor_key,
        num_rows="dynamic",
        on_change=_apply_table_edits,
        args=(version,),
        column_config={
            name: st.column_config.NumberColumn(
                _column_label(j), format="%.4g", required=True
            )
            for j, name in enumerate(table)
        },
    )
    rows = st.session_state[table_edits.ROWS_KEY]
    if not rows:
        raise ValueError(t("set.table.empty"))
    for row_number, row in enumerate(rows, start=1):
        for column in range(columns):
            where = {"row": row_number, "column": _column_label(column)}
            if column >= len(row) or row[column] is None:
                raise ValueError(t("set.table.empty_cell", **where))
            value = row[column]
            if isinstance(value, bool) or not isinstance(value, numbers.Real):
                raise ValueError(
                    t("set.table.not_number", **where, value=_shown(value))
                )
    values = np.array([row[:columns] for row in rows], dtype=np.float64)  # (T, F)
    try:
        x = check_input_array(values[None])
    except ValueError as error:
        raise ValueError(t("set.problem.table", error=error)) from None
    return x, t("set.input.table")


INPUT_SOURCES = {
    "generator": _generator_input,
    "upload": _upload_input,
    "table": _table_input,
}


def input_controls() -> tuple[np.ndarray | None, str, str | None]:
    """The input's widgets: (x or None, where it came from, problem or None)."""
    st.sidebar.header(t("set.input"))
    st.sidebar.caption(limits_text())
    sources = {name: t(f"set.source.{name}") for name in SOURCES}
    st.sidebar.radio(
        t("set.source"),
        list(sources),
        key=key("source"),
        persist_state=KEPT,
        format_func=sources.__getitem__,
    )
    try:
        x, label = INPUT_SOURCES[get("source")]()
        x = check_input_array(x)
    except ValueError as error:
        return None, "", t("set.problem.input", error=error)
    return x, label, None


def _weights_upload(spec: LayerSpec, features: int) -> tuple[np.ndarray, ...] | str:
    """Optional uploaded weights: the arrays, a message, or () when none."""
    uploader = restart.uploader_key("weights")
    wanted = bool(st.session_state.get("weights.wanted"))
    with st.sidebar.expander(t("set.weights_upload"), expanded=wanted):
        st.file_uploader(
            t("set.weights_upload.label"),
            type=["npz"],
            key=uploader,
            on_change=_read_upload,
            args=(uploader, "weights.file"),
        )
    stored = upload_guard.current("weights.file")
    lost = restart.lost_file("weights")  # also forgets the request once a file is in
    if stored is None:
        return lost or ()
    name, data, size = stored
    try:
        if size > MAX_UPLOAD_BYTES:
            check_upload_size(size, Msg("core.what.weights_file"))
        return tuple(parse_weights_npz(data, spec, features))
    except ValueError as error:
        return t("set.problem.weights", name=name, error=error)


def sidebar() -> View | None:
    """Draw the shared sidebar and return the current `View`.

    Returns None only when no valid input was ever set in this session (the caller
    shows the problems and stops).
    """
    problems = keep_settings()
    i18n.language_switch()  # first in the sidebar, on every page
    upload_guard.watch()  # hidden: reports a file the browser refuses
    spec_or_problem = layer_controls()
    x, label, input_problem = input_controls()
    state = st.session_state
    if input_problem:
        problems.append(input_problem)
    elif get("source") == "table":
        lost = restart.lost_table(state["table.rows"], DEFAULT_TABLE)
        problems += [lost] if lost else []
    spec = spec_or_problem if isinstance(spec_or_problem, LayerSpec) else None
    if spec is None:
        problems.append(str(spec_or_problem))
    if spec is not None and x is not None:
        try:
            check_trace_size(spec, x.shape[0], x.shape[1])
        except ValueError as error:
            problems.append(t("set.problem.size", error=error))
            x = None
    if spec is None or x is None:
        last = state.get("view.last_valid")
        problems.append(LAST_VALID if last else GENERATOR_MEANWHILE)
        last = last or _generator_meanwhile(spec)
        if last is None:
            _show_problems(problems[:-1])
            return None
        spec = spec or last["spec"]
        if x is None:
            x, label = last["x"], last["label"]
        try:  # the size belongs to the pair: this layer on the last input may be
            check_trace_size(spec, int(x.shape[0]), int(x.shape[1]))  # too large
        except ValueError:
            spec, x, label = last["spec"], last["x"], last["label"]
    state["view.last_valid"] = {"spec": spec, "x": x, "label": label}

    batch = int(x.shape[0])
    if int(get("batch_index")) > batch - 1:
        put("batch_index", 0)
    st.sidebar.number_input(
        t("set.batch_index", last=batch - 1),
        min_value=0,
        max_value=batch - 1,
        step=1,
        key=key("batch_index"),
        persist_state=KEPT,
        help=t("set.help.batch_index"),
    )
    uploaded = _weights_upload(spec, int(x.shape[2]))
    if isinstance(uploaded, str):
        problems.append(uploaded)
        uploaded = ()
    weights = tuple(uploaded) or None
    if weights is not None:
        weights_key = "npz:" + input_digest(
            np.concatenate([w.ravel() for w in weights])
        )
    else:
        weights_key = f"seed:{int(get('weights_seed'))}"
    view = View(
        spec=spec,
        x=x,
        digest=input_digest(x),
        weights_key=weights_key,
        weights_seed=int(get("weights_seed")),
        uploaded_weights=weights,
        batch_index=int(get("batch_index")),
        input_label=label,
        problems=tuple(problems),
    )
    _show_problems(view.problems)
    permalink.write()
    if state.pop(LINK_IN_PAGE, False):  # the page draws the link box itself
        st.sidebar.caption(t("link.in_page"))
    else:
        permalink.link_box()
    return view


def _generator_meanwhile(spec: LayerSpec | None) -> dict[str, Any] | None:
    """A new session's stand-in for an input it does not have (a lost upload).

    The generator's input for the current settings, as the last valid view, when the
    layer is valid and the input did not come from the generator; else None.
    """
    if spec is None or get("source") == "generator":
        return None
    try:
        x, label = generated_input()
        x = check_input_array(x)
        check_trace_size(spec, int(x.shape[0]), int(x.shape[1]))
    except ValueError:
        return None
    return {"spec": spec, "x": x, "label": label}


# Set by a page, before `sidebar()`, that draws the link box itself (for one run).
LINK_IN_PAGE = "link.in_page"


# Marks the problem that is an information, not an error (shown with st.info).
LAST_VALID = "\0last-valid"
GENERATOR_MEANWHILE = "\0generator-meanwhile"  # a new session without its input


def _show_problems(problems: list[str] | tuple[str, ...]) -> None:
    for problem in problems:
        if problem == LAST_VALID:
            st.info(t("set.last_valid"))
        elif problem == GENERATOR_MEANWHILE:
            st.info(t("set.generator_meanwhile"))
        else:
            st.error(problem)


def npy_bytes(array: np.ndarray) -> bytes:
    """An array as the bytes of an .npy file (for tests and downloads)."""
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()
