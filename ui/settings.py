"""The shared sidebar: every control of the layer and the input, kept per session.

Every setting lives in `st.session_state` under a key starting with "cfg.", so it
survives page changes (see `keep_settings`) and never leaks to another session. The
sidebar turns the settings into a `View`: a frozen `LayerSpec`, the input array with
its digest, the weights' source and the batch item the per-step views show. A bad
setting or upload produces a message in `View.problems` (shown with `st.error`) and
the last valid input is kept, so nothing the user set is lost.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import streamlit as st

from rnn_core.inputs import (
    DEFAULT_TEXT,
    GENERATORS,
    MAX_SEED,
    check_input_array,
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
    MAX_TIMESTEPS,
    MAX_UPLOAD_BYTES,
    check_trace_size,
)
from rnn_core.spec import (
    ACTIVATIONS,
    CELL_CLASS_NAMES,
    CELLS,
    MAX_UNITS,
    MERGE_MODES,
    LayerSpec,
)

PREFIX = "cfg."
MAX_TABLE_FEATURES = 16  # columns of the hand-typed table
SOURCES = {
    "generator": "Generator",
    "upload": "Upload CSV / .npy",
    "table": "Type it in a table",
}

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
}
DEFAULT_TABLE = [[0.1 * (t + 1), 0.0, 1.0 if t == 0 else 0.0] for t in range(5)]


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


def keep_settings() -> None:
    """Give every setting a value, and keep widget values across pages.

    Streamlit forgets a widget's value when a run does not draw it (another page, or a
    control hidden for this cell). Writing each value back as session state at the
    start of a run keeps it: the documented way to share widgets between pages.
    """
    state = st.session_state
    for name, default in DEFAULTS.items():
        state[key(name)] = state.get(key(name), default)
    state.setdefault("table.rows", [list(row) for row in DEFAULT_TABLE])
    state.setdefault("table.version", 0)


# --------------------------------------------------------------------------------------
# Callbacks (run before the next script run, so they may set widget values)


def _draw_new_weights() -> None:
    put("weights_seed", (int(get("weights_seed")) + 1) % (MAX_SEED + 1))


def _new_input_seed() -> None:
    put("input_seed", (int(get("input_seed")) + 1) % (MAX_SEED + 1))


def _read_upload(uploader_key: str, store: str) -> None:
    """Keep an uploaded file's name and bytes in the session; forget a removed one."""
    uploaded = st.session_state.get(uploader_key)
    if uploaded is None:
        st.session_state.pop(store, None)
        return
    # Streamlit's own maxUploadSize stops most large files; read at most one byte
    # past our limit so the parser, not the memory, refuses an oversized file.
    data = uploaded.read(MAX_UPLOAD_BYTES + 1)
    st.session_state[store] = (uploaded.name, data)


def _apply_table_edits(editor_key: str) -> None:
    """Fold the editor's edits into the stored rows and start a fresh editor."""
    edits = st.session_state.get(editor_key) or {}
    rows = [list(row) for row in st.session_state["table.rows"]]
    columns = int(get("table_features"))
    for index, changes in edits.get("edited_rows", {}).items():
        for column, value in changes.items():
            rows[int(index)][_column_index(column)] = value
    deleted = {int(index) for index in edits.get("deleted_rows", [])}
    rows = [row for index, row in enumerate(rows) if index not in deleted]
    for added in edits.get("added_rows", []):
        row: list[Any] = [None] * columns
        for column, value in added.items():
            if column != "_index":
                row[_column_index(column)] = value
        rows.append(row)
    st.session_state["table.rows"] = rows[:MAX_TIMESTEPS]
    st.session_state["table.version"] += 1


def _resize_table() -> None:
    columns = int(get("table_features"))
    rows = st.session_state["table.rows"]
    st.session_state["table.rows"] = [
        (list(row) + [0.0] * columns)[:columns] for row in rows
    ]
    st.session_state["table.version"] += 1


def _column_name(index: int) -> str:
    return f"feature {index}"


def _column_index(name: str | int) -> int:
    return int(str(name).removeprefix("feature "))


# --------------------------------------------------------------------------------------
# The sidebar


# Selectboxes hold the string "None" for Keras' None: Streamlit reads a None value as
# "nothing selected".
NONE = "None"


def _activation_label(name: str) -> str:
    return "None (linear)" if name == NONE else name


def _merge_label(mode: str) -> str:
    return "None (both, as a list)" if mode == NONE else mode


def _none(value: str) -> str | None:
    return None if value == NONE else value


def layer_controls() -> LayerSpec | str:
    """The layer's widgets; returns the spec, or a message when it is not valid."""
    st.sidebar.header("Layer")
    st.sidebar.selectbox(
        "Cell",
        CELLS,
        key=key("cell"),
        format_func=lambda cell: CELL_CLASS_NAMES[cell],
        help="The Keras layer: keras.layers.SimpleRNN, LSTM or GRU.",
    )
    cell = get("cell")
    st.sidebar.number_input(
        f"Units (1 to {MAX_UNITS})",
        min_value=1,
        max_value=MAX_UNITS,
        step=1,
        key=key("units"),
        help="Size of the hidden state h_t.",
    )
    st.sidebar.selectbox(
        "Activation",
        (NONE, *ACTIVATIONS),
        key=key("activation"),
        format_func=_activation_label,
        help="Applied to the pre-activation (SimpleRNN), the candidate and c_t (LSTM),"
        " the candidate (GRU). None means linear, as in the notebook.",
    )
    if cell != "simple_rnn":
        st.sidebar.selectbox(
            "Recurrent activation (gates)",
            ACTIVATIONS,
            key=key("recurrent_activation"),
            help="Applied to the gates; Keras' default is sigmoid.",
        )
    st.sidebar.checkbox("use_bias", key=key("use_bias"), help="Add the bias vector b.")
    st.sidebar.checkbox(
        "return_sequences",
        key=key("return_sequences"),
        help="Return h_t for every timestep, not only the last one.",
    )
    st.sidebar.checkbox(
        "return_state",
        key=key("return_state"),
        help="Also return the final state(s): (output, state_h[, state_c]).",
    )
    bidirectional = bool(get("bidirectional"))
    st.sidebar.checkbox(
        "go_backwards",
        key=key("go_backwards"),
        disabled=bidirectional,
        help="Read the sequence from its last timestep to its first. "
        "Not used with Bidirectional, which builds its own backward layer.",
    )
    if cell == "lstm":
        st.sidebar.checkbox(
            "unit_forget_bias",
            key=key("unit_forget_bias"),
            help="Start the forget gate's bias at 1 (changes the drawn weights).",
        )
    if cell == "gru":
        st.sidebar.checkbox(
            "reset_after",
            key=key("reset_after"),
            help="Apply the reset gate after the recurrent product (Keras' default, "
            "two bias rows) or before it (the original GRU).",
        )
    st.sidebar.checkbox(
        "Bidirectional",
        key=key("bidirectional"),
        help="keras.layers.Bidirectional: one layer forwards, one backwards.",
    )
    if bidirectional:
        st.sidebar.selectbox(
            "merge_mode",
            [NONE if mode is None else mode for mode in MERGE_MODES],
            key=key("merge_mode"),
            format_func=_merge_label,
            help="How the two directions' outputs are joined.",
        )
    st.sidebar.number_input(
        "Weights seed",
        min_value=0,
        max_value=MAX_SEED,
        step=1,
        key=key("weights_seed"),
        help="Seeds Keras' own initializers (Glorot uniform, orthogonal, zeros).",
    )
    st.sidebar.button(
        "Draw new weights",
        key="weights.draw",
        on_click=_draw_new_weights,
        width="stretch",
    )
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
        return f"Layer: {error}"


def _generator_input() -> tuple[np.ndarray, str]:
    """The generator's widgets and its array (raises ValueError when out of range)."""
    st.sidebar.selectbox(
        "Generator",
        list(GENERATORS),
        key=key("generator"),
        format_func=lambda name: GENERATORS[name].label,
    )
    generator = GENERATORS[get("generator")]
    st.sidebar.caption(generator.description)
    options: dict[str, object] = {}
    if "scaled" in generator.options:
        st.sidebar.checkbox(
            "Scaled into [0, 1)", key=key("scaled"), help="Off: 0, 1, 2, ... as Keras."
        )
        options["scaled"] = bool(get("scaled"))
    if "feature" in generator.options:
        st.sidebar.number_input(
            "Feature that gets the 1 (−1: every feature)",
            min_value=-1,
            max_value=MAX_FEATURES - 1,
            step=1,
            key=key("impulse_feature"),
        )
        feature = int(get("impulse_feature"))
        options["feature"] = None if feature < 0 else feature
    if "text" in generator.options:
        st.sidebar.text_input(
            "Text (one character per timestep)",
            key=key("text"),
            max_chars=MAX_TIMESTEPS,
        )
        options["text"] = get("text")
    st.sidebar.slider("Batch", 1, MAX_BATCH, key=key("batch"))
    derived = generator.derives_shape
    st.sidebar.slider(
        "Timesteps",
        1,
        MAX_TIMESTEPS,
        key=key("timesteps"),
        disabled=derived,
        help="Set by the text's length." if derived else None,
    )
    st.sidebar.slider(
        "Features",
        1,
        MAX_FEATURES,
        key=key("features"),
        disabled=derived,
        help="Set by the text's distinct characters." if derived else None,
    )
    if generator.uses_seed:
        st.sidebar.number_input(
            "Input seed", min_value=0, max_value=MAX_SEED, step=1, key=key("input_seed")
        )
        st.sidebar.button(
            "New input", key="input.new", on_click=_new_input_seed, width="stretch"
        )
    batch = int(get("batch"))
    timesteps = None if derived else int(get("timesteps"))
    features = None if derived else int(get("features"))
    x = generate(
        generator.name, batch, timesteps, features, int(get("input_seed")), **options
    )
    seed_note = f", seed {get('input_seed')}" if generator.uses_seed else ""
    return x, f"{generator.label}{seed_note}"


def _upload_input() -> tuple[np.ndarray, str]:
    """The upload widget and the parsed array (raises ValueError for a bad file)."""
    st.sidebar.file_uploader(
        "CSV (rows = timesteps, columns = features) or .npy (2-D or 3-D)",
        type=["csv", "npy"],
        key="upload.widget",
        on_change=_read_upload,
        args=("upload.widget", "upload.file"),
        help=f"At most {MAX_UPLOAD_BYTES // 2**20} MiB and "
        f"{MAX_INPUT_ELEMENTS:,} values.",
    )
    stored = st.session_state.get("upload.file")
    if stored is None:
        raise ValueError(
            "Upload a CSV or .npy file to use as input: a CSV has one row per "
            "timestep and one column per feature; an .npy holds a (timesteps, "
            "features) or (batch, timesteps, features) array."
        )
    name, data = stored
    parse = parse_npy if name.lower().endswith(".npy") else parse_csv
    try:
        return parse(data), f"uploaded file {name}"
    except ValueError as error:
        raise ValueError(f"{name}: {error}") from None


def _table_input() -> tuple[np.ndarray, str]:
    """The hand-typed table: one sequence, rows = timesteps (raises ValueError)."""
    st.sidebar.number_input(
        f"Columns (features, 1 to {MAX_TABLE_FEATURES})",
        min_value=1,
        max_value=MAX_TABLE_FEATURES,
        step=1,
        key=key("table_features"),
        on_change=_resize_table,
    )
    columns = int(get("table_features"))
    rows = st.session_state["table.rows"]
    table = {
        _column_name(j): [row[j] if j < len(row) else None for row in rows]
        for j in range(columns)
    }
    editor_key = f"table.editor.{st.session_state['table.version']}"
    st.sidebar.caption("One row per timestep; add rows at the bottom.")
    st.sidebar.data_editor(
        table,
        key=editor_key,
        num_rows="dynamic",
        on_change=_apply_table_edits,
        args=(editor_key,),
        column_config={
            name: st.column_config.NumberColumn(name, format="%.4g", required=True)
            for name in table
        },
    )
    if not rows:
        raise ValueError("The table is empty: type at least one row (one timestep).")
    for row_number, row in enumerate(rows, start=1):
        for column in range(columns):
            if column >= len(row) or row[column] is None:
                raise ValueError(
                    f"Table: row {row_number}, column '{_column_name(column)}' is "
                    "empty. Fill every cell with a finite number."
                )
    values = np.array([row[:columns] for row in rows], dtype=np.float64)  # (T, F)
    try:
        x = check_input_array(values[None])
    except ValueError as error:
        raise ValueError(f"Table: {error}") from None
    return x, "typed table"


INPUT_SOURCES = {
    "generator": _generator_input,
    "upload": _upload_input,
    "table": _table_input,
}


def input_controls() -> tuple[np.ndarray | None, str, str | None]:
    """The input's widgets: (x or None, where it came from, problem or None)."""
    st.sidebar.header("Input")
    st.sidebar.radio(
        "Source", list(SOURCES), key=key("source"), format_func=SOURCES.__getitem__
    )
    try:
        x, label = INPUT_SOURCES[get("source")]()
        x = check_input_array(x)
    except ValueError as error:
        return None, "", f"Input: {error}"
    return x, label, None


def _weights_upload(spec: LayerSpec, features: int) -> tuple[np.ndarray, ...] | str:
    """Optional uploaded weights: the arrays, a message, or () when none."""
    with st.sidebar.expander("Upload weights (.npz)"):
        st.file_uploader(
            "An .npz as downloaded from the Weights page (np.savez of "
            "layer.get_weights())",
            type=["npz"],
            key="weights.widget",
            on_change=_read_upload,
            args=("weights.widget", "weights.file"),
        )
    stored = st.session_state.get("weights.file")
    if stored is None:
        return ()
    name, data = stored
    try:
        return tuple(parse_weights_npz(data, spec, features))
    except ValueError as error:
        return f"Weights {name}: {error} Using the seeded weights instead."


def sidebar() -> View | None:
    """Draw the shared sidebar and return the current `View`.

    Returns None only when no valid input was ever set in this session (the caller
    shows the problems and stops).
    """
    keep_settings()
    problems: list[str] = []
    spec_or_problem = layer_controls()
    x, label, input_problem = input_controls()
    state = st.session_state
    if input_problem:
        problems.append(input_problem)
    spec = spec_or_problem if isinstance(spec_or_problem, LayerSpec) else None
    if spec is None:
        problems.append(str(spec_or_problem))
    if spec is not None and x is not None:
        try:
            check_trace_size(spec, x.shape[0], x.shape[1])
        except ValueError as error:
            problems.append(f"Size: {error}")
            x = None
    if spec is None or x is None:
        last = state.get("view.last_valid")
        if last is None:
            _show_problems(problems)
            return None
        problems.append("Showing the last valid layer and input until this is fixed.")
        spec = spec or last["spec"]
        if x is None:
            x, label = last["x"], last["label"]
    state["view.last_valid"] = {"spec": spec, "x": x, "label": label}

    batch = int(x.shape[0])
    if int(get("batch_index")) > batch - 1:
        put("batch_index", 0)
    st.sidebar.number_input(
        f"Batch item to follow (0 to {batch - 1})",
        min_value=0,
        max_value=batch - 1,
        step=1,
        key=key("batch_index"),
        help="Which sequence of the batch the per-step views show.",
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
    return view


def _show_problems(problems: list[str] | tuple[str, ...]) -> None:
    for problem in problems:
        if problem.startswith("Showing the last valid"):
            st.info(problem)
        else:
            st.error(problem)


def npy_bytes(array: np.ndarray) -> bytes:
    """An array as the bytes of an .npy file (for tests and downloads)."""
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return buffer.getvalue()
