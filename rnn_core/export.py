"""Downloads: the states as CSV, the weights as .npz, and a standalone script.

- `states_csv`: every state of a `Trace`, one value per row (long format).
- `weights_npz`: the weights in the exact format `rnn_core.inputs.parse_weights_npz`
  reads back, so a downloaded file can be uploaded again.
- `standalone_script`: a Python script that needs only NumPy and Keras (not
  rnn_core): it rebuilds the layer with Keras, loads the exact weights and input,
  recomputes everything with the written-out NumPy formulas and exits with status 1
  unless the two agree.

NumPy and the standard library only: never imports TensorFlow, Keras or Streamlit.
"""

from __future__ import annotations

import base64
import io
import math
import textwrap
import zlib
from collections.abc import Sequence

import numpy as np

from rnn_core.limits import check_input_shape
from rnn_core.manual import check_call, output_names
from rnn_core.spec import LayerSpec
from rnn_core.trace import Trace

__all__ = [
    "CSV_HEADER",
    "MAX_CSV_ROWS",
    "NUMPY_ACTIVATIONS",
    "csv_rows",
    "standalone_script",
    "states_csv",
    "weights_npz",
]

CSV_HEADER = (
    "batch",
    "step",
    "timestep",
    "state",
    "unit",
    "keras",
    "manual",
    "residual",
)
# Rows of one CSV download (about 50 MB); a larger trace is exported per batch item.
MAX_CSV_ROWS = 1_000_000
FLOAT_FORMAT = "%.9g"  # 9 significant digits: enough to read any float32 back exactly

# Activations the standalone script writes out in NumPy (`z` is a float32 array).
# Every other activation is applied there by Keras' own function, on NumPy arrays.
NUMPY_ACTIVATIONS: dict[str, str] = {
    "linear": "z",
    "tanh": "np.tanh(z)",
    # 1 / (1 + exp(-z)), written through tanh so that it never overflows.
    "sigmoid": "0.5 * (np.tanh(0.5 * z) + 1)",
    "relu": "np.maximum(z, 0)",
    "hard_sigmoid": "np.clip(z / 6 + 0.5, 0, 1)",  # Keras 3: relu6(z + 3) / 6
    "softsign": "z / (1 + np.abs(z))",
    "relu6": "np.clip(z, 0, 6)",
    "hard_tanh": "np.clip(z, -1, 1)",
    "leaky_relu": "np.where(z >= 0, z, 0.2 * z)",
    "elu": "np.where(z > 0, z, np.expm1(np.minimum(z, 0)))",
    "exponential": "np.exp(z)",
    "softplus": "np.logaddexp(0, z)",
    "silu": "z * 0.5 * (np.tanh(0.5 * z) + 1)",
    "swish": "z * 0.5 * (np.tanh(0.5 * z) + 1)",
}


# --- CSV of the states --------------------------------------------------------------


def csv_rows(trace: Trace, batch_index: int | None = None) -> int:
    """How many data rows `states_csv` writes for all batch items or for one."""
    batch, timesteps, _ = trace.x.shape
    items = batch if batch_index is None else 1
    return items * timesteps * len(trace.manual_states) * trace.spec.units


def states_csv(trace: Trace, batch_index: int | None = None) -> bytes:
    """Every state of the trace as long-format UTF-8 CSV, one value per row.

    Columns: batch, step (processing step s), timestep (the input timestep step s
    reads), state ("h", "c", "forward/h", ...), unit, keras, manual, residual
    (manual − keras). Floats are written with 9 significant digits, which reads back
    to the same float32; NaN and infinities as nan, inf, -inf. Rows run by batch
    item, then step, then state, then unit. The column names are identifiers for
    programs (pandas, spreadsheets' formulas), the same in every language of the app.

    Args:
        trace: what `rnn_core.trace` returned.
        batch_index: one batch item, or None for all of them.

    Raises:
        ValueError: a bad `batch_index`, or more than `MAX_CSV_ROWS` rows.
    """
    batch, timesteps, _ = trace.x.shape
    if batch_index is None:
        items = list(range(batch))
    elif (
        isinstance(batch_index, bool)
        or not isinstance(batch_index, int | np.integer)
        or not 0 <= batch_index < batch
    ):
        raise ValueError(
            "Received an invalid value for `batch_index`: expected None or an integer "
            f"from 0 to {batch - 1}; got {batch_index!r}."
        )
    else:
        items = [int(batch_index)]
    spec = trace.spec
    keys = list(trace.manual_states)  # "h" (and "c"), or "forward/h", ...
    rows = csv_rows(trace, batch_index)
    if rows > MAX_CSV_ROWS:
        raise ValueError(
            f"The CSV would have {rows:,} rows; at most {MAX_CSV_ROWS:,} are allowed. "
            "Pass `batch_index` to export one batch item."
        )
    row_format = "%d,%d,%d,%s,%d," + ",".join([FLOAT_FORMAT] * 3)
    lines = [",".join(CSV_HEADER)]
    for b in items:
        for s in range(timesteps):
            for key in keys:
                direction = key.split("/")[0] if spec.bidirectional else None
                t = int(trace.time_index[direction or spec.directions[0]][s])
                keras = trace.keras_states[key][b, s].tolist()  # (units,)
                manual = trace.manual_states[key][b, s].tolist()  # (units,)
                residual = trace.residuals[key][b, s].tolist()  # (units,)
                lines.extend(
                    row_format % (b, s, t, key, k, keras[k], manual[k], residual[k])
                    for k in range(spec.units)
                )
    return ("\n".join(lines) + "\n").encode("utf-8")


# --- weights ------------------------------------------------------------------------


def weights_npz(trace: Trace) -> bytes:
    """The weights as `np.savez(path, *layer.get_weights())` writes them.

    The arrays are stored as arr_0, arr_1, ... in Keras' order, float32: exactly
    what `rnn_core.inputs.parse_weights_npz` reads, so the file can be uploaded back.
    """
    buffer = io.BytesIO()
    np.savez(buffer, *(np.asarray(w, np.float32) for w in trace.raw_weights))
    return buffer.getvalue()


# --- the standalone script ----------------------------------------------------------


def _blob(array: np.ndarray) -> str:
    """The array's np.save bytes, zlib-compressed and base64-encoded."""
    buffer = io.BytesIO()
    np.save(buffer, np.ascontiguousarray(array), allow_pickle=False)
    return base64.b64encode(zlib.compress(buffer.getvalue(), 9)).decode("ascii")


def _embedded(array: np.ndarray, indent: str) -> str:
    """`load_array(...)` with the blob split into string literals of 76 characters."""
    pieces = textwrap.wrap(_blob(array), 76) or [""]
    body = "\n".join(f'{indent}    "{piece}"' for piece in pieces)
    return f"load_array(\n{body}\n{indent})"


def _activation_function(role: str, name: str | None) -> str:
    """The source of `activation(z)` or `recurrent_activation(z)`."""
    key = "linear" if name is None else name
    if key in NUMPY_ACTIVATIONS:
        return (
            f"def {role}(z: np.ndarray) -> np.ndarray:\n"
            f'    """{key}, the layer\'s `{role}`, in NumPy."""\n'
            f"    return {NUMPY_ACTIVATIONS[key]}\n"
        )
    return (
        f"def {role}(z: np.ndarray) -> np.ndarray:\n"
        f'    """{key}, the layer\'s `{role}`: Keras\' own function, on NumPy arrays.\n'
        "\n"
        "    Its formula is not written out here; every other step is plain NumPy.\n"
        '    """\n'
        f'    return keras.ops.convert_to_numpy(keras.activations.get("{key}")(z))\n'
    )


_SIMPLE_RNN_CELL = '''\
def cell(x_t, states, kernel, recurrent_kernel{bias_arg}):
    """One SimpleRNN step: h_t = activation(x_t @ Wx{bias_term} + h_{{t-1}} @ Wh).

    x_t: (batch, features); states: [h_{{t-1}}], (batch, units).
    """
    (h_prev,) = states  # (batch, units)
    pre = x_t @ kernel{bias_term} + h_prev @ recurrent_kernel  # (batch, units)
    return [activation(pre)]
'''

_LSTM_CELL = '''\
def cell(x_t, states, kernel, recurrent_kernel{bias_arg}):
    """One LSTM step, gates in Keras' order i, f, c, o.

    x_t: (batch, features); states: [h_{{t-1}}, c_{{t-1}}], each (batch, units).
    """
    h_prev, c_prev = states  # each (batch, units)
    z = x_t @ kernel + h_prev @ recurrent_kernel{bias_term}  # (batch, 4*units)
    z_i, z_f, z_c, z_o = np.split(z, 4, axis=-1)  # each (batch, units)
    i = recurrent_activation(z_i)  # input gate
    f = recurrent_activation(z_f)  # forget gate
    c_tilde = activation(z_c)  # cell candidate
    o = recurrent_activation(z_o)  # output gate
    c = f * c_prev + i * c_tilde  # the new cell state
    h = o * activation(c)  # the new hidden state
    return [h, c]
'''

_GRU_CELL = '''\
def cell(x_t, states, kernel, recurrent_kernel{bias_arg}):
    """One GRU step (reset_after={reset_after}), gates in Keras' order z, r, h.

    x_t: (batch, features); states: [h_{{t-1}}], (batch, units).
    """
    (h_prev,) = states  # (batch, units)
{body}\
    # Keras keeps the old state with z (some papers swap z and 1 - z).
    h = z * h_prev + (1 - z) * h_tilde  # the new state
    return [h]
'''

_GRU_RESET_AFTER_BIAS = """\
    # bias is (2, 3*units): row 0 is added to x_t @ Wx, row 1 to h_{t-1} @ Wh.
    input_bias, recurrent_bias = bias  # each (3*units,)
    x_part = x_t @ kernel + input_bias  # (batch, 3*units)
    h_part = h_prev @ recurrent_kernel + recurrent_bias  # (batch, 3*units)
"""

_GRU_RESET_AFTER_NO_BIAS = """\
    x_part = x_t @ kernel  # (batch, 3*units)
    h_part = h_prev @ recurrent_kernel  # (batch, 3*units)
"""

_GRU_RESET_AFTER = """\
    x_z, x_r, x_h = np.split(x_part, 3, axis=-1)  # each (batch, units)
    h_z, h_r, h_h = np.split(h_part, 3, axis=-1)  # each (batch, units)
    z = recurrent_activation(x_z + h_z)  # update gate
    r = recurrent_activation(x_r + h_r)  # reset gate
    # reset_after=True: r scales h_{t-1} @ Wh_h (plus its bias), after the matmul.
    h_tilde = activation(x_h + r * h_h)  # candidate state
"""

_GRU_RESET_BEFORE = """\
    x_part = x_t @ kernel{bias_term}  # (batch, 3*units)
    x_z, x_r, x_h = np.split(x_part, 3, axis=-1)  # each (batch, units)
    wh_z, wh_r, wh_h = np.split(recurrent_kernel, 3, axis=-1)  # each (units, units)
    z = recurrent_activation(x_z + h_prev @ wh_z)  # update gate
    r = recurrent_activation(x_r + h_prev @ wh_r)  # reset gate
    # reset_after=False: r scales h_{{t-1}} before the matmul.
    h_tilde = activation(x_h + (r * h_prev) @ wh_h)  # candidate state
"""


def _cell_source(spec: LayerSpec) -> str:
    """The source of `cell(x_t, states, *weights)` for the spec's cell."""
    bias_arg = ", bias" if spec.use_bias else ""
    bias_term = " + bias" if spec.use_bias else ""
    if spec.cell == "simple_rnn":
        return _SIMPLE_RNN_CELL.format(bias_arg=bias_arg, bias_term=bias_term)
    if spec.cell == "lstm":
        return _LSTM_CELL.format(bias_arg=bias_arg, bias_term=bias_term)
    if spec.reset_after:
        parts = _GRU_RESET_AFTER_BIAS if spec.use_bias else _GRU_RESET_AFTER_NO_BIAS
        body = parts + _GRU_RESET_AFTER
    else:
        body = _GRU_RESET_BEFORE.format(bias_term=bias_term)
    return _GRU_CELL.format(bias_arg=bias_arg, reset_after=spec.reset_after, body=body)


def _cell_functions(spec: LayerSpec) -> str:
    """The source of `activation` (and `recurrent_activation`) and of `cell`."""
    functions = [_activation_function("activation", spec.activation)]
    if spec.cell != "simple_rnn":
        functions.append(
            _activation_function("recurrent_activation", spec.recurrent_activation)
        )
    functions.append(_cell_source(spec))
    return "\n\n".join(functions)


_LAYER = '''\
def numpy_layer(x, weights):
    """What the Keras layer returns, computed with NumPy only."""
    sequence, states = run_direction(x, weights, backwards=GO_BACKWARDS)
    # sequence: (batch, timesteps, units), in processing order.
    # Without return_sequences the output is the LAST TIMESTEP's h_t.
    output = sequence if RETURN_SEQUENCES else sequence[:, -1]
    return [output, *states] if RETURN_STATE else [output]
'''

_BIDIRECTIONAL_LAYER = '''\
def numpy_layer(x, weights):
    """What the Keras Bidirectional layer returns, computed with NumPy only."""
    half = len(weights) // 2  # forward weights first, then backward
    forward, forward_states = run_direction(x, weights[:half], backwards=False)
    backward, backward_states = run_direction(x, weights[half:], backwards=True)
    if RETURN_SEQUENCES:
        y = forward  # (batch, timesteps, units)
        y_reverse = backward[:, ::-1]  # flipped back into input time
    else:
        y, y_reverse = forward[:, -1], backward[:, -1]  # each (batch, units)
    outputs = {merge}
    if RETURN_STATE:
        return [*outputs, *forward_states, *backward_states]
    return outputs
'''

_MERGES: dict[str | None, str] = {
    "concat": '[np.concatenate([y, y_reverse], axis=-1)]  # merge_mode="concat"',
    "sum": '[y + y_reverse]  # merge_mode="sum"',
    "ave": '[(y + y_reverse) / 2]  # merge_mode="ave": the mean',
    "mul": '[y * y_reverse]  # merge_mode="mul": elementwise product',
    None: "[y, y_reverse]  # merge_mode=None: both, unmerged",
}


def _layer_source(spec: LayerSpec) -> str:
    """The source of `numpy_layer(x, weights)`: the directions and the outputs."""
    if not spec.bidirectional:
        return _LAYER
    return _BIDIRECTIONAL_LAYER.format(merge=_MERGES[spec.merge_mode])


# Code shared by the standalone script and the notebook (`rnn_core.notebook_export`).
# Plain text, not `str.format` templates, except `{keras_code}` in KERAS_LAYER_SOURCE
# and the fields of CONSTANTS_SOURCE (see `_constants`).
# The generated code's own imports (written here, not at the start of a line, so that
# a search for this package's imports finds only keras_backend.py).
THIRD_PARTY_IMPORTS = "import keras\nimport numpy as np"

ENVIRONMENT_SOURCE = """\
import os

os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"  # quiet TensorFlow's C++ logging
os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"  # no oneDNN reordering of float sums
"""

CONSTANTS_SOURCE = """\
TOLERANCE = {tolerance!r}
UNITS = {units}
N_STATES = {n_states}  # {state_names}
RETURN_SEQUENCES = {return_sequences}
RETURN_STATE = {return_state}
GO_BACKWARDS = {go_backwards}
NAMES = {names!r}  # what the layer returns, in order
"""

LOAD_ARRAY_SOURCE = '''\
def load_array(blob: str) -> np.ndarray:
    """An array embedded below: np.save bytes, zlib-compressed, base64-encoded."""
    raw = zlib.decompress(base64.b64decode(blob))
    return np.load(io.BytesIO(raw), allow_pickle=False)
'''

KERAS_LAYER_SOURCE = '''\
def keras_layer(x, weights):
    """Build the real Keras layer, give it the weights, and call it on x."""
    layer = {keras_code}
    layer.build((None, None, x.shape[-1]))
    layer.set_weights(weights)
    result = layer(x, training=False)
    results = result if isinstance(result, (list, tuple)) else [result]
    return [keras.ops.convert_to_numpy(r) for r in results]
'''

RUN_DIRECTION_SOURCE = '''\
def run_direction(x, weights, backwards):
    """Run the cell over the sequence x (batch, timesteps, features).

    Returns the output of every step, (batch, timesteps, units), in processing
    order (reversed in time when backwards, which is how Keras returns it), and
    the final states. The states start at zero.
    """
    batch, timesteps, _ = x.shape
    states = [np.zeros((batch, UNITS), np.float32) for _ in range(N_STATES)]
    order = range(timesteps - 1, -1, -1) if backwards else range(timesteps)
    outputs = []
    for t in order:
        states = cell(x[:, t], states, *weights)  # x[:, t]: (batch, features)
        outputs.append(states[0])  # a step outputs its h_t
    return np.stack(outputs, axis=1), states
'''

DIFFERENCE_SOURCE = '''\
def difference(a, b):
    """(max |a - b| over entries finite in both, entries where NaN/inf differ)."""
    finite = np.isfinite(a) & np.isfinite(b)
    alike = (a == b) | (np.isnan(a) & np.isnan(b))
    mismatches = int(np.count_nonzero(~finite & ~alike))
    gap = np.abs(a[finite].astype(np.float64) - b[finite].astype(np.float64))
    return (float(gap.max()) if gap.size else 0.0), mismatches
'''

_SCRIPT = '''\
#!/usr/bin/env python3
"""One Keras recurrent layer, computed twice: by Keras and by NumPy formulas.

    {keras_code}

Written by RNN Stepper. Needs only NumPy and Keras 3 with TensorFlow; run it with
`python <this file>`. The states start at zero and no mask is used. It prints
max |NumPy - Keras| for every array the layer returns and exits with status 0 when
all are below TOLERANCE (and any NaN or inf matches), 1 otherwise.

Convention, as Keras stores the weights: ROW vectors. At each step
    x_t (batch, features) @ kernel Wx (features, units*g)
    h_{{t-1}} (batch, units) @ recurrent_kernel Wh (units, units*g)
plus the bias b (units*g,), where g = 1 for SimpleRNN, 4 for LSTM (gates i, f, c, o)
and 3 for GRU (gates z, r, h), stacked side by side in that order.
"""

{environment}
import base64
import io
import sys
import zlib

{third_party_imports}

{constants}

{load_array}

# --- the layer, by Keras -----------------------------------------------------------


{keras_layer}

# --- the same layer, by the formulas in NumPy --------------------------------------


{functions}

{run_direction}

{numpy_layer}

# --- the comparison ----------------------------------------------------------------


{difference}

def main():
    keras_results = keras_layer(X, WEIGHTS)
    numpy_results = numpy_layer(X, WEIGHTS)
    if len(numpy_results) != len(keras_results):
        print(f"DISAGREE: Keras returned {{len(keras_results)}} arrays, NumPy "
              f"{{len(numpy_results)}}")
        return 1
    worst, mismatches = 0.0, 0
    for name, mine, theirs in zip(NAMES, numpy_results, keras_results):
        if mine.shape != theirs.shape:
            print(f"DISAGREE: {{name}} has shape {{theirs.shape}} in Keras, "
                  f"{{mine.shape}} in NumPy")
            return 1
        gap, bad = difference(mine, theirs)
        worst, mismatches = max(worst, gap), mismatches + bad
        print(f"{{name}} {{theirs.shape}}: max |NumPy - Keras| = {{gap:.3e}}"
              + (f", {{bad}} NaN/inf mismatches" if bad else ""))
    if worst < TOLERANCE and mismatches == 0:
        print(f"AGREE: max |NumPy - Keras| = {{worst:.3e}} < {{TOLERANCE:g}}")
        return 0
    print(f"DISAGREE: max |NumPy - Keras| = {{worst:.3e}}, tolerance {{TOLERANCE:g}}, "
          f"{{mismatches}} NaN/inf mismatches")
    return 1


# --- the exact input and weights ---------------------------------------------------

X = {x_blob}  # {x_shape}: (batch, timesteps, features), float32

WEIGHTS = [  # as layer.get_weights(), float32
{weight_blobs}
]

if __name__ == "__main__":
    sys.exit(main())
'''


def _checked(
    spec: LayerSpec,
    x: np.ndarray,
    weights: Sequence[np.ndarray],
    tolerance: float,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """The input and weights as float32 after checking every argument (ValueError)."""
    if not isinstance(spec, LayerSpec):
        raise ValueError(f"`spec` must be a LayerSpec; got {type(spec).__name__}.")
    if (
        isinstance(tolerance, bool)
        or not isinstance(tolerance, int | float)
        or not math.isfinite(tolerance)
        or tolerance <= 0
    ):
        raise ValueError(
            "Received an invalid value for `tolerance`: expected a positive finite "
            f"number; got {tolerance!r}."
        )
    shape = np.shape(x)
    if len(shape) == 3:
        check_input_shape(*(int(n) for n in shape))
    call = check_call(spec, weights, x)  # checks the weights against spec and x
    arrays = [np.asarray(w, np.float32) for w in weights]  # as Keras casts them
    return call.x, arrays


def _constants(spec: LayerSpec, tolerance: float) -> str:
    """CONSTANTS_SOURCE filled in: the tolerance and what the layer's flags are."""
    return CONSTANTS_SOURCE.format(
        tolerance=float(tolerance),
        units=spec.units,
        n_states=len(spec.state_names),
        state_names=", ".join(spec.state_names),
        return_sequences=spec.return_sequences,
        return_state=spec.return_state,
        go_backwards=spec.go_backwards,
        names=output_names(spec),
    )


def _weight_blobs(spec: LayerSpec, arrays: Sequence[np.ndarray]) -> str:
    """The items of the embedded `WEIGHTS = [...]` list, one commented line each."""
    keras_names = ["kernel", "recurrent_kernel", "bias"][: 3 if spec.use_bias else 2]
    blobs = []
    for k, array in enumerate(arrays):
        name = keras_names[k % len(keras_names)]
        if spec.bidirectional:
            name = f"{spec.directions[k // len(keras_names)]} {name}"
        shape_text = ", ".join(str(n) for n in array.shape)
        blobs.append(f"    {_embedded(array, '    ')},  # {name} ({shape_text})")
    return "\n".join(blobs)


def standalone_script(
    spec: LayerSpec,
    x: np.ndarray,
    weights: Sequence[np.ndarray],
    tolerance: float = 1e-5,
) -> str:
    """The source of a Python script that checks this layer on its own.

    The script depends only on NumPy and Keras 3 (TensorFlow), not on rnn_core. It
    sets TF_CPP_MIN_LOG_LEVEL=3 and TF_ENABLE_ONEDNN_OPTS=0 before importing,
    builds the layer with `spec.keras_code()`, loads the exact weights and input
    (embedded as base64 of zlib-compressed `np.save` bytes, read with
    allow_pickle=False), runs it, recomputes the same with the written-out NumPy
    formulas of the cell, prints max |NumPy − Keras| per returned array and exits
    with status 1 unless it is below `tolerance` everywhere.

    Activations in `NUMPY_ACTIVATIONS` are written out in NumPy; any other is applied
    by `keras.activations.get(name)` on the NumPy arrays (said in the script).

    The script is in English whatever the app's language: its comments sit beside
    Keras' and NumPy's English identifiers, and what it prints is read in terminals
    and CI logs. The translated version of this check is the notebook
    (`rnn_core.notebook_export`, whose markdown follows `language`); the download
    button's help says so in Spanish.

    Args:
        spec: the layer.
        x: input (batch, timesteps, features), within `rnn_core.limits`.
        weights: arrays as `layer.get_weights()`.
        tolerance: the largest max |NumPy − Keras| that passes (positive).

    Raises:
        ValueError: a bad tolerance, an input beyond the limits, or weights that do
            not fit the spec and input.
    """
    x, arrays = _checked(spec, x, weights, tolerance)
    return _SCRIPT.format(
        keras_code=spec.keras_code(),
        environment=ENVIRONMENT_SOURCE,
        third_party_imports=THIRD_PARTY_IMPORTS,
        constants=_constants(spec, tolerance),
        load_array=LOAD_ARRAY_SOURCE,
        keras_layer=KERAS_LAYER_SOURCE.format(keras_code=spec.keras_code()),
        run_direction=RUN_DIRECTION_SOURCE,
        difference=DIFFERENCE_SOURCE,
        functions=_cell_functions(spec),
        numpy_layer=_layer_source(spec),
        x_blob=_embedded(x, ""),
        x_shape=tuple(x.shape),
        weight_blobs=_weight_blobs(spec, arrays),
    )
