"""The command line: `python -m rnn_core`, one layer computed twice and compared.

Everything the user typed is checked first, with NumPy only: the options, the layer
(`LayerSpec`), the input sizes against `rnn_core.limits`, the input and weights files.
Only then is TensorFlow imported (about 3 s) to run the real Keras layer beside the
NumPy formulas (`rnn_core.trace`). A bad call therefore answers at once, with one line
on stderr and exit status 2; it never shows a traceback.

Example:
    $ python -m rnn_core --units 4 --activation none --batch 32 --timesteps 1 \\
        --features 8
    # SimpleRNN(4, activation=None) on a (32, 1, 8) input: the output is (32, 4).
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import argparse
import contextlib
import json
import math
import re
import sys
import textwrap
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import numpy as np

from rnn_core import inputs
from rnn_core.inputs import MAX_SEED
from rnn_core.limits import (
    MAX_BATCH,
    MAX_FEATURES,
    MAX_INPUT_ELEMENTS,
    MAX_STATE_ELEMENTS,
    MAX_TIMESTEPS,
    MAX_UNITS,
    MAX_UPLOAD_BYTES,
    check_trace_size,
)
from rnn_core.manual import describe_output
from rnn_core.number_text import parse_decimal, parse_whole_number
from rnn_core.spec import ACTIVATIONS, CELLS, LayerSpec
from rnn_core.std_streams import (
    STREAM_ERRORS,
    ForgivingStream,
    silence,
    write_line,
)
from rnn_core.trace import compare
from rnn_core.weights import describe_weights

if TYPE_CHECKING:
    from rnn_core.trace import Trace

__all__ = ["TOLERANCE", "build_parser", "main"]

# The default of --tolerance: the computations agree when max |manual − Keras| < it.
TOLERANCE = 1e-5
DEFAULT_BATCH = 32
DEFAULT_TIMESTEPS = 5
DEFAULT_FEATURES = 8
EXIT_OK, EXIT_DISAGREE, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
_MERGE_CHOICES = ("concat", "sum", "ave", "mul", "none")


class UsageError(Exception):
    """A bad command line or input file: one line for stderr, exit status 2."""


# --------------------------------------------------------------------------------------
# The parser


def _shown(text: str, limit: int = 40) -> str:
    """The user's text as given, quoted when it would be ambiguous or span lines."""
    if text and text.isprintable() and " " not in text and len(text) <= limit:
        return text
    return repr(text if len(text) <= limit else text[:limit] + "…")


def _path(path: Path) -> str:
    """A file name the user gave, whole, on one line."""
    return _shown(str(path), limit=1000)


def _unusual(text: str) -> str:
    """Names the first character of `text` that is not plain ASCII, for a message:
    "٤" and "4" look alike, "U+0664 ARABIC-INDIC DIGIT FOUR" does not."""
    for char in text:
        if not char.isascii():
            name = unicodedata.name(char, "unnamed character")
            return f" (U+{ord(char):04X} {name}, not an ASCII digit)"
    return ""


def _int_in(low: int, high: int) -> Callable[[str], int]:
    def parse(text: str) -> int:
        value = parse_whole_number(text)  # the rule of the app's links
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(
                f"must be a whole number from {low} to {high:,}, written with the "
                f"digits 0-9; got {_shown(text)}{_unusual(text)}"
            )
        return value

    return parse


def _tolerance(text: str) -> float:
    value = parse_decimal(text)  # the digits 0-9, as in links; no nan, no inf
    if value is None or not (math.isfinite(value) and 0 <= value <= 1):
        raise argparse.ArgumentTypeError(
            "must be a number from 0 to 1 written with the digits 0-9, such as 1e-6; "
            f"got {_shown(text)}{_unusual(text)}"
        )
    return value + 0.0  # -0.0 becomes 0.0


def _choice(
    allowed: Sequence[str], none_words: Sequence[str] = ()
) -> Callable[[str], str | None]:
    def parse(text: str) -> str | None:
        if text in none_words:
            return None
        if text not in allowed:
            shown = ", ".join([*allowed, *none_words])
            raise argparse.ArgumentTypeError(
                f"must be one of {shown}; got {_shown(text)}"
            )
        return text

    return parse


class _Formatter(argparse.RawDescriptionHelpFormatter):
    """Wraps help without breaking option names such as --no-unit-forget-bias."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        text = self._whitespace_matcher.sub(" ", text).strip()
        return textwrap.wrap(text, width, break_on_hyphens=False)


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line naming the option, not a usage."""

    def error(self, message: str) -> NoReturn:
        # argparse says "argument --units: must be ..."; we say "--units must be ...".
        message = re.sub(
            r"^argument ([^:]+): ",
            lambda m: m.group(1).split("/")[-1] + " ",
            message,
        )
        raise UsageError(message)


_DESCRIPTION = """\
Compute one Keras recurrent layer twice, timestep by timestep: with the real Keras
layer and with the written-out NumPy formulas, and report the output shapes and the
largest difference |manual − Keras| of every output and every state."""

_EPILOG = f"""\
limits:
  --units 1 to {MAX_UNITS}, --batch 1 to {MAX_BATCH}, --timesteps 1 to {MAX_TIMESTEPS},
  --features 1 to {MAX_FEATURES}, and batch × timesteps × features at most \
{MAX_INPUT_ELEMENTS:,} values;
  batch × timesteps × units (× 2 with --bidirectional) at most \
{MAX_STATE_ELEMENTS:,} values per state;
  --input-file at most {MAX_UPLOAD_BYTES:,} bytes; \
seeds 0 to {MAX_SEED:,}.

exit status:
  0  the two computations agree: max |manual − Keras| < --tolerance everywhere
  1  they disagree (the report is printed, then one line on stderr says so)
  2  bad arguments or input/weights file: one line on stderr, TensorFlow not loaded
  3  an unexpected internal error (one line on stderr)

examples:
  # the seed notebook: SimpleRNN(4, activation=None) on a (32, 1, 8) input
  python -m rnn_core --units 4 --activation none --batch 32 --timesteps 1 --features 8
  # every h_t of a SimpleRNN, as JSON
  python -m rnn_core --cell simple_rnn --units 4 --batch 32 --timesteps 5 \\
      --features 8 --return-sequences --seed 0 --json
  # a bidirectional LSTM returning both directions and their final states
  python -m rnn_core --cell lstm --units 3 --bidirectional --merge-mode none \\
      --return-state --input sine --show-states
"""


def build_parser() -> argparse.ArgumentParser:
    """The parser of `python -m rnn_core`; it raises UsageError instead of exiting."""
    parser = _Parser(
        prog="python -m rnn_core",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=_Formatter,
        allow_abbrev=False,
    )
    activations = ", ".join(ACTIVATIONS)

    layer = parser.add_argument_group("layer")
    layer.add_argument(
        "--cell",
        type=_choice(CELLS),
        choices=CELLS,
        default="simple_rnn",
        help="the recurrent layer: SimpleRNN, LSTM or GRU (default: %(default)s)",
    )
    layer.add_argument(
        "--units",
        type=_int_in(1, MAX_UNITS),
        default=4,
        metavar="N",
        help=f"size of the hidden state, 1 to {MAX_UNITS} (default: %(default)s)",
    )
    layer.add_argument(
        "--activation",
        type=_choice(ACTIVATIONS, ("none",)),
        default="tanh",
        metavar="NAME",
        help="activation of the state (default: %(default)s); 'none' means "
        "activation=None, no activation, as in the seed notebook (like 'linear'). "
        f"One of: {activations}, none",
    )
    layer.add_argument(
        "--recurrent-activation",
        type=_choice(ACTIVATIONS),
        default=None,
        metavar="NAME",
        help="activation of the gates, LSTM and GRU only (default: sigmoid); "
        "one of the --activation names except none",
    )
    layer.add_argument(
        "--no-bias",
        action="store_true",
        help="use_bias=False: no bias vector (default: with bias)",
    )
    layer.add_argument(
        "--return-sequences",
        action="store_true",
        help="return h_t of every timestep, not just the last (default: off)",
    )
    layer.add_argument(
        "--return-state",
        action="store_true",
        help="also return the final state(s): (output, h) or (output, h, c) for "
        "LSTM (default: off)",
    )
    layer.add_argument(
        "--go-backwards",
        action="store_true",
        help="read the sequence from its last timestep to its first; not with "
        "--bidirectional (default: off)",
    )
    layer.add_argument(
        "--no-unit-forget-bias",
        action="store_true",
        help="LSTM only: unit_forget_bias=False, forget-gate bias starts at 0 "
        "instead of 1; not with --no-bias or --weights-file (default: off)",
    )
    layer.add_argument(
        "--reset-before",
        action="store_true",
        help="GRU only: reset_after=False, the reset gate is applied before the "
        "recurrent matmul (default: off, Keras' reset_after=True)",
    )
    layer.add_argument(
        "--bidirectional",
        action="store_true",
        help="wrap the layer in keras.layers.Bidirectional (default: off)",
    )
    layer.add_argument(
        "--merge-mode",
        type=_choice(_MERGE_CHOICES),
        choices=_MERGE_CHOICES,
        default=None,  # None: not given, concat
        metavar="{" + ",".join(_MERGE_CHOICES) + "}",
        help="with --bidirectional only: how the two directions are joined; none "
        "returns both outputs (default: concat)",
    )

    data = parser.add_argument_group("input")
    data.add_argument(
        "--input",
        type=_choice(tuple(inputs.GENERATORS)),
        choices=tuple(inputs.GENERATORS),
        default=None,
        help="generator of the input sequences (default: uniform, like the "
        "notebook's np.random.random)",
    )
    data.add_argument(
        "--batch",
        type=_int_in(1, MAX_BATCH),
        default=None,
        metavar="N",
        help=f"sequences in the batch, 1 to {MAX_BATCH} (default: {DEFAULT_BATCH})",
    )
    data.add_argument(
        "--timesteps",
        type=_int_in(1, MAX_TIMESTEPS),
        default=None,
        metavar="N",
        help=f"length of each sequence, 1 to {MAX_TIMESTEPS} (default: "
        f"{DEFAULT_TIMESTEPS}; with --input one_hot_text, the text's length: a "
        "larger value repeats the text, a smaller one cuts it)",
    )
    data.add_argument(
        "--features",
        type=_int_in(1, MAX_FEATURES),
        default=None,
        metavar="N",
        help=f"values per timestep, 1 to {MAX_FEATURES} (default: "
        f"{DEFAULT_FEATURES}; with --input one_hot_text, the text's distinct "
        "characters, and a larger value pads with zero features). batch × "
        "timesteps × features must be at most "
        f"{MAX_INPUT_ELEMENTS:,}",
    )
    data.add_argument(
        "--input-seed",
        type=_int_in(0, MAX_SEED),
        default=None,
        metavar="N",
        help=f"seed of a random input generator, 0 to {MAX_SEED:,}; not with "
        "ramp or impulse, which are the same for every seed, nor with one_hot_text "
        "and --batch 1 (default: 0)",
    )
    data.add_argument(
        "--text",
        default=None,
        metavar="TEXT",
        help="with --input one_hot_text: the text, one character per timestep, "
        f"1 to {MAX_TIMESTEPS} characters (default: {inputs.DEFAULT_TEXT!r})",
    )
    data.add_argument(
        "--input-file",
        type=Path,
        default=None,
        metavar="PATH",
        help="read the input from a .csv file (one row per timestep, one column per "
        "feature; batch 1) or a .npy file of shape (timesteps, features) or (batch, "
        f"timesteps, features), at most {MAX_UPLOAD_BYTES:,} bytes; replaces "
        "--input, --batch, --timesteps, --features, --input-seed and --text "
        "(default: none, generate the input)",
    )

    weights = parser.add_argument_group("weights")
    weights.add_argument(
        "--seed",
        type=_int_in(0, MAX_SEED),
        default=None,
        metavar="N",
        help="seed of Keras' own initializers for the weights (GlorotUniform, "
        f"Orthogonal, zeros), 0 to {MAX_SEED:,} (default: 0)",
    )
    weights.add_argument(
        "--weights-file",
        type=Path,
        default=None,
        metavar="PATH.npz",
        help="use these weights instead: an .npz of the arrays of "
        "layer.get_weights() in order, keys arr_0, arr_1, ... as written by "
        "np.savez(path, *layer.get_weights()); no pickles; at most 8 bytes per "
        "value plus 4 KiB per array and 4 KiB more (default: none, draw them with "
        "--seed)",
    )

    comparison = parser.add_argument_group("comparison")
    comparison.add_argument(
        "--tolerance",
        type=_tolerance,
        default=TOLERANCE,
        metavar="T",
        help="the two computations agree when max |manual − Keras| < T over every "
        "output and state; a number from 0 to 1 (default: %(default)g). Keras and "
        "the formulas round float32 differently and usually differ by about 1e-7; "
        "with 0 nothing agrees, not even identical results, so every run reports a "
        "disagreement",
    )

    output = parser.add_argument_group("output")
    output.add_argument(
        "--json",
        action="store_true",
        help="print the report as JSON; stdout then holds nothing else (default: a "
        "table)",
    )
    output.add_argument(
        "--show-states",
        action="store_true",
        help="also show every state h_t (and c_t) of one batch item, step by step, "
        "from both computations (default: off)",
    )
    output.add_argument(
        "--batch-index",
        type=_int_in(0, MAX_BATCH - 1),
        default=None,
        metavar="N",
        help="with --show-states: the batch item to show, from 0 to below --batch "
        "(default: 0)",
    )
    return parser


# --------------------------------------------------------------------------------------
# Checking the call and preparing the input and weights (NumPy only)


@dataclass(frozen=True)
class _Plan:
    """A checked call, ready to run."""

    spec: LayerSpec
    x: np.ndarray  # (batch, timesteps, features)
    input_info: dict[str, object]
    weights: list[np.ndarray] | None  # None: draw with `seed`
    weights_source: dict[str, object]
    seed: int
    tolerance: float
    show_states: bool
    batch_index: int
    as_json: bool


def _given(args: argparse.Namespace, *names: str) -> list[str]:
    """The options among `names` that were given on the command line."""
    return [
        "--" + name.replace("_", "-")
        for name in names
        if getattr(args, name) not in (None, False)
    ]


def _build_spec(args: argparse.Namespace) -> LayerSpec:
    cell_only = {
        "recurrent_activation": ("lstm", "gru"),
        "no_unit_forget_bias": ("lstm",),
        "reset_before": ("gru",),
    }
    for name, cells in cell_only.items():
        if getattr(args, name) not in (None, False) and args.cell not in cells:
            option = "--" + name.replace("_", "-")
            allowed = " or ".join(cells)
            raise UsageError(
                f"{option} applies only to --cell {allowed}; got --cell {args.cell}"
            )
    if args.bidirectional and args.go_backwards:
        raise UsageError(
            "--go-backwards cannot be combined with --bidirectional (Bidirectional "
            "already runs one copy backwards); got both"
        )
    if args.merge_mode is not None and not args.bidirectional:
        raise UsageError(
            "--merge-mode applies only with --bidirectional; got --merge-mode "
            f"{args.merge_mode} without it"
        )
    if args.no_unit_forget_bias and args.no_bias:
        raise UsageError(
            "--no-unit-forget-bias sets where the forget-gate bias starts, so it has "
            "no effect with --no-bias (no bias at all); got both"
        )
    merge_mode = {None: "concat", "none": None}.get(args.merge_mode, args.merge_mode)
    try:
        return LayerSpec(
            cell=args.cell,
            units=args.units,
            activation=args.activation,
            recurrent_activation=args.recurrent_activation or "sigmoid",
            use_bias=not args.no_bias,
            return_sequences=args.return_sequences,
            return_state=args.return_state,
            go_backwards=args.go_backwards,
            unit_forget_bias=not args.no_unit_forget_bias,
            reset_after=not args.reset_before,
            bidirectional=args.bidirectional,
            merge_mode=merge_mode,
        )
    except ValueError as e:
        raise UsageError(f"the layer is invalid: {e}") from None


def _read_bounded(
    path: Path, option: str, limit: int, suffixes: Sequence[str]
) -> bytes:
    """The bytes of a file the user named, after checking its suffix and size."""
    if path.suffix.lower() not in suffixes:
        raise UsageError(
            f"{option} must be a {' or '.join(suffixes)} file; got {_path(path)}"
        )
    try:
        if not path.is_file():
            raise UsageError(f"{option} must name an existing file; got {_path(path)}")
        size = path.stat().st_size
        if size > limit:
            raise UsageError(
                f"{option} must be at most {limit:,} bytes; got "
                f"{_path(path)} of {size:,} bytes"
            )
        return path.read_bytes()
    except OSError as e:
        reason = e.strerror or type(e).__name__
        raise UsageError(
            f"{option} cannot be read: {reason}; got {_path(path)}"
        ) from None


def _input_from_file(args: argparse.Namespace) -> tuple[np.ndarray, dict[str, object]]:
    conflicts = _given(args, "input", "batch", "timesteps", "features", "input_seed")
    conflicts += _given(args, "text")
    if conflicts:
        raise UsageError(
            f"--input-file sets the input, so it cannot be combined with "
            f"{', '.join(conflicts)}; got both"
        )
    path: Path = args.input_file
    data = _read_bounded(path, "--input-file", MAX_UPLOAD_BYTES, (".csv", ".npy"))
    kind = path.suffix.lower().lstrip(".")
    try:
        x = inputs.parse_csv(data) if kind == "csv" else inputs.parse_npy(data)
    except ValueError as e:
        raise UsageError(f"--input-file {_path(path)}: {e}") from None
    info = {"source": "file", "path": str(path), "format": kind}
    return x, info


def _check_input_seed_used(args: argparse.Namespace, name: str, batch: int) -> None:
    """Refuse an --input-seed that the generator would silently ignore."""
    if args.input_seed is None:
        return
    if not inputs.GENERATORS[name].uses_seed:
        seeded = ", ".join(n for n, g in inputs.GENERATORS.items() if g.uses_seed)
        raise UsageError(
            f"--input-seed applies only to a random input ({seeded}); --input {name} "
            f"is the same for every seed; got --input-seed {args.input_seed}"
        )
    if name == "one_hot_text" and batch == 1:
        raise UsageError(
            "--input-seed has no effect with --input one_hot_text and --batch 1: it "
            "picks where batch items 1, 2, ... start in the text, and item 0 starts "
            f"at its beginning; got --input-seed {args.input_seed}"
        )


def _generated_input(
    args: argparse.Namespace,
) -> tuple[np.ndarray, dict[str, object]]:
    name = args.input or "uniform"
    options: dict[str, object] = {}
    if args.text is not None:
        if name != "one_hot_text":
            raise UsageError(
                f"--text applies only to --input one_hot_text; got --input {name}"
            )
        options["text"] = args.text
    batch = DEFAULT_BATCH if args.batch is None else args.batch
    _check_input_seed_used(args, name, batch)
    derived = inputs.GENERATORS[name].derives_shape
    timesteps = args.timesteps
    features = args.features
    if not derived:
        timesteps = DEFAULT_TIMESTEPS if timesteps is None else timesteps
        features = DEFAULT_FEATURES if features is None else features
    if timesteps is not None and features is not None:
        elements = batch * timesteps * features
        if elements > MAX_INPUT_ELEMENTS:
            raise UsageError(
                f"--batch × --timesteps × --features must be at most "
                f"{MAX_INPUT_ELEMENTS:,} values; got {batch} × {timesteps} × "
                f"{features} = {elements:,}"
            )
    seed = 0 if args.input_seed is None else args.input_seed
    try:
        x = inputs.generate(name, batch, timesteps, features, seed, **options)
    except ValueError as e:
        raise UsageError(f"--input {name}: {e}") from None
    info = {"source": "generator", "generator": name, "seed": seed, "options": options}
    if name == "one_hot_text":
        info["text_fit"] = _text_fit(str(options.get("text", inputs.DEFAULT_TEXT)), x)
    return x, info


def _text_fit(text: str, x: np.ndarray) -> str:
    """How --timesteps and --features fitted the one-hot text, in words."""
    timesteps, features = int(x.shape[1]), int(x.shape[2])
    vocabulary = len(inputs.text_vocabulary(text))
    if timesteps > len(text):
        words = [f"{len(text)} characters repeated to {timesteps} timesteps"]
    elif timesteps < len(text):
        words = [f"{len(text)} characters cut to {timesteps} timesteps"]
    else:
        words = [f"{len(text)} characters, one per timestep"]
    if features > vocabulary:
        words.append(f"{vocabulary} distinct characters padded to {features} features")
    else:
        words.append(f"{vocabulary} distinct characters, one feature each")
    return "; ".join(words)


def _weights_from_file(path: Path, spec: LayerSpec, input_dim: int) -> list[np.ndarray]:
    limit = inputs.weights_npz_byte_limit(spec, input_dim)
    data = _read_bounded(path, "--weights-file", limit, (".npz",))
    try:
        return inputs.parse_weights_npz(data, spec, input_dim)
    except ValueError as e:
        raise UsageError(f"--weights-file {_path(path)}: {e}") from None


def _prepare(args: argparse.Namespace) -> _Plan:
    """Check the whole call and build the input and weights; never loads TensorFlow."""
    spec = _build_spec(args)
    if args.input_file is not None:
        x, input_info = _input_from_file(args)
    else:
        x, input_info = _generated_input(args)
    try:
        check_trace_size(spec, int(x.shape[0]), int(x.shape[1]))
    except ValueError as e:
        raise UsageError(f"--units with this input: {e}") from None
    input_info["shape"] = list(x.shape)
    input_info["dtype"] = str(x.dtype)
    input_info["digest"] = inputs.input_digest(x)

    if args.weights_file is not None:
        if args.no_unit_forget_bias:
            raise UsageError(
                "--no-unit-forget-bias sets where the forget-gate bias starts, so it "
                "has no effect with --weights-file (the file holds the bias); got both"
            )
        if args.seed is not None:
            raise UsageError(
                "--seed draws the weights, so it cannot be combined with "
                "--weights-file; got both"
            )
        weights = _weights_from_file(args.weights_file, spec, x.shape[2])
        weights_source: dict[str, object] = {
            "source": "file",
            "path": str(args.weights_file),
        }
    else:
        weights = None
        weights_source = {"source": "init_weights", "seed": args.seed or 0}

    if args.batch_index is not None and not args.show_states:
        raise UsageError(
            f"--batch-index applies only with --show-states; got --batch-index "
            f"{args.batch_index} without it"
        )
    batch_index = args.batch_index or 0
    if batch_index >= x.shape[0]:
        raise UsageError(
            f"--batch-index must be from 0 to {x.shape[0] - 1} (the batch has "
            f"{x.shape[0]} items); got {batch_index}"
        )
    return _Plan(
        spec=spec,
        x=x,
        input_info=input_info,
        weights=weights,
        weights_source=weights_source,
        seed=args.seed or 0,
        tolerance=args.tolerance,
        show_states=args.show_states,
        batch_index=batch_index,
        as_json=args.json,
    )


# --------------------------------------------------------------------------------------
# Running both computations and reporting


def _load_trace() -> Callable:
    """`rnn_core.trace.trace`, after loading TensorFlow and Keras (seconds)."""
    from rnn_core import keras_backend  # noqa: F401  (the TensorFlow import)
    from rnn_core.trace import trace

    return trace


def _as_shapes(shape: object) -> list[tuple[int, ...]]:
    """describe_output's answer as a list of shapes."""
    assert isinstance(shape, tuple)
    return [shape] if all(isinstance(n, int) for n in shape) else list(shape)


def _finite_list(array: np.ndarray) -> list:
    """array.tolist() with NaN and infinity as None, so the JSON stays valid."""
    values = array.astype(np.float64)
    if np.isfinite(values).all():
        return values.tolist()
    return np.where(np.isfinite(values), values, None).tolist()


def _json_number(value: float) -> float | None:
    """JSON has no infinity or NaN: those become null."""
    return value if math.isfinite(value) else None


def _report(plan: _Plan, result: Trace, seconds: dict[str, float]) -> dict:
    """Everything the run showed, as plain JSON-ready values."""
    spec = plan.spec
    expected = _as_shapes(describe_output(spec, plan.x.shape))
    residuals: list[float] = []  # every output's and state's max |manual − Keras|
    outputs = []
    for k, name in enumerate(result.output_names):
        manual = result.manual_outputs[k]
        keras = result.keras_outputs[k]
        residual, mismatched = compare(manual, keras)
        residuals.append(residual)
        expected_shape = expected[k] if k < len(expected) else None
        outputs.append(
            {
                "name": name,
                "shape": list(keras.shape),
                "expected_shape": None
                if expected_shape is None
                else list(expected_shape),
                "manual_shape": list(manual.shape),
                "shape_ok": keras.shape == manual.shape == expected_shape,
                "max_abs_residual": _json_number(residual),
                "nonfinite_mismatches": mismatched,
                "keras_digest": inputs.input_digest(np.asarray(keras)),
            }
        )
    states = []
    for key in result.manual_states:
        residual, mismatched = compare(
            result.manual_states[key], result.keras_states[key]
        )
        residuals.append(residual)
        states.append(
            {
                "name": key,
                "direction": key.split("/")[0] if "/" in key else spec.directions[0],
                "shape": list(result.keras_states[key].shape),
                "max_abs_residual": _json_number(residual),
                "nonfinite_mismatches": mismatched,
            }
        )
    largest = max(residuals)
    mismatches = sum(item["nonfinite_mismatches"] for item in [*outputs, *states])
    shapes_ok = len(outputs) == len(expected) and all(o["shape_ok"] for o in outputs)
    agree = shapes_ok and mismatches == 0 and largest < plan.tolerance
    report: dict[str, object] = {
        "spec": spec.to_dict(),
        "keras_code": spec.keras_code(),
        "input": plan.input_info,
        "weights_source": plan.weights_source,
        "weights": [
            {
                "name": info.name,
                "keras_name": info.keras_name,
                "shape": list(info.shape),
                "description": info.description,
            }
            for info in describe_weights(spec, plan.x.shape[2])
        ],
        "output_names": list(result.output_names),
        "outputs": outputs,
        "states": states,
        "max_abs_residual": _json_number(largest),
        "nonfinite_mismatches": mismatches,
        "shapes_ok": shapes_ok,
        "tolerance": plan.tolerance,
        "agree": agree,
        "seconds": seconds,
    }
    if plan.show_states:
        b = plan.batch_index
        steps: dict[str, object] = {}
        for key in result.manual_states:
            manual = result.manual_states[key][b]  # (timesteps, units)
            keras = result.keras_states[key][b]  # (timesteps, units)
            direction = key.split("/")[0] if "/" in key else spec.directions[0]
            per_step = [compare(manual[s], keras[s])[0] for s in range(len(manual))]
            steps[key] = {
                "direction": direction,
                "time_index": result.time_index[direction].tolist(),
                "manual": _finite_list(manual),
                "keras": _finite_list(keras),
                "max_abs_residual": [_json_number(r) for r in per_step],
            }
        report["step_states"] = {"batch_index": b, "states": steps}
    return report


def _shape_text(shape: Sequence[int]) -> str:
    return str(tuple(shape))


def _table(report: dict) -> str:
    """The report as aligned, readable text."""
    lines: list[str] = []
    verdict = "agree" if report["agree"] else "DISAGREE"
    largest = report["max_abs_residual"]
    shown = "n/a" if largest is None else f"{largest:.1e}"
    relation = "<" if report["agree"] else "vs tolerance"
    lines.append(
        f"Keras and the NumPy formulas {verdict}: max |manual − Keras| = {shown} "
        f"{relation} {report['tolerance']:g}"
    )
    lines.append(f"layer    {report['keras_code']}")
    source = report["input"]
    if source["source"] == "file":
        origin = f"{source['format']} file {source['path']}"
    else:
        origin = f"{source['generator']}, seed {source['seed']}"
        if source["options"]:
            origin += ", " + ", ".join(
                f"{k}={v!r}" for k, v in source["options"].items()
            )
        if "text_fit" in source:
            origin += f"; {source['text_fit']}"
    lines.append(
        f"input    {_shape_text(source['shape'])} {source['dtype']} ({origin})"
    )
    ws = report["weights_source"]
    weights_origin = (
        f"from {ws['path']}"
        if ws["source"] == "file"
        else f"Keras initializers, seed {ws['seed']}"
    )
    lines.append(f"weights  {weights_origin}")
    rows = [
        (w["name"], w["keras_name"], _shape_text(w["shape"])) for w in report["weights"]
    ]
    lines += _aligned(rows, indent="  ")
    output_rows = [
        (o["name"], _shape_text(o["shape"]), _residual_text(o))
        for o in report["outputs"]
    ]
    state_rows = [
        (s["name"], _shape_text(s["shape"]), _residual_text(s))
        for s in report["states"]
    ]
    aligned = _aligned([*output_rows, *state_rows], indent="  ")
    lines.append("outputs, as Keras returns them:")
    lines += aligned[: len(output_rows)]
    lines.append("states, after every step:")
    lines += aligned[len(output_rows) :]
    step_states = report.get("step_states")
    if step_states:
        b = step_states["batch_index"]
        for key, record in step_states["states"].items():
            lines.append(f"{key} of batch item {b}, step by step (manual values):")
            rows = [("step", "t", f"{key}_t", "max |manual − Keras|")]
            for s, (t, values, residual) in enumerate(
                zip(
                    record["time_index"],
                    record["manual"],
                    record["max_abs_residual"],
                    strict=True,
                )
            ):
                shown_values = " ".join(
                    "nan" if v is None else f"{v:+.4f}" for v in values[:8]
                )
                if len(values) > 8:
                    shown_values += f" … ({len(values)} units)"
                rows.append(
                    (
                        str(s),
                        str(t),
                        f"[{shown_values}]",
                        "n/a" if residual is None else f"{residual:.1e}",
                    )
                )
            lines += _aligned(rows, indent="  ")
    sec = report["seconds"]
    lines.append(
        f"seconds  manual {sec['manual']:.3f}, Keras {sec['keras']:.3f}, "
        f"TensorFlow import {sec['import']:.2f}, total {sec['total']:.2f}"
    )
    return "\n".join(lines)


def _residual_text(item: dict) -> str:
    residual = item["max_abs_residual"]
    shown = "n/a" if residual is None else f"{residual:.1e}"
    text = f"max |manual − Keras| = {shown}"
    if not item.get("shape_ok", True):
        text += f"  SHAPE differs from the expected {item['expected_shape']}"
    if item["nonfinite_mismatches"]:
        text += f"  {item['nonfinite_mismatches']} NaN/inf mismatches"
    return text


def _aligned(rows: Sequence[Sequence[str]], indent: str = "") -> list[str]:
    widths = [max(len(row[c]) for row in rows) for c in range(len(rows[0]))]
    return [
        indent
        + "   ".join(
            cell.ljust(width) for cell, width in zip(row, widths, strict=True)
        ).rstrip()
        for row in rows
    ]


def _error(message: str) -> None:
    """Exactly one line on stderr, if stderr can take it."""
    one_line = " ".join(str(message).split())
    write_line(f"error: {one_line}", sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run `python -m rnn_core` with `argv` (default: sys.argv[1:]).

    Returns:
        The exit status: 0 the computations agree, 1 they disagree, 2 bad arguments
        or files (TensorFlow not loaded), 3 an unexpected error.
    """
    started = time.perf_counter()
    try:
        args = build_parser().parse_args(argv)
        plan = _prepare(args)
    except SystemExit as e:  # --help
        try:
            sys.stdout.flush()  # the help, written by argparse
        except STREAM_ERRORS:
            silence(sys.stdout)
        return e.code if isinstance(e.code, int) else EXIT_OK
    except (UsageError, ValueError, OSError) as e:
        _error(str(e))
        return EXIT_USAGE
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    prepared = time.perf_counter()

    try:
        # Anything a library prints goes to stderr, so stdout holds only the report.
        with contextlib.redirect_stdout(ForgivingStream(sys.stderr)):
            trace = _load_trace()
            imported = time.perf_counter()
            result = trace(plan.spec, plan.x, weights=plan.weights, seed=plan.seed)
            seconds = {
                "prepare": prepared - started,
                "import": imported - prepared,
                "manual": result.seconds["manual"],
                "keras": result.seconds["keras"],
            }
            seconds["total"] = time.perf_counter() - started
            report = _report(plan, result, seconds)
    except (ValueError, OSError) as e:
        _error(str(e))
        return EXIT_USAGE
    except KeyboardInterrupt:
        _error("interrupted")
        return 130
    except Exception as e:  # never a traceback; the type and message say enough
        _error(f"unexpected {type(e).__name__}: {e}")
        return EXIT_INTERNAL

    text = json.dumps(report, indent=2, allow_nan=False) if plan.as_json else None
    failure = write_line(text or _table(report), sys.stdout)
    if failure is not None:  # the exit status still says whether they agree
        _error(f"cannot write the report to stdout: {failure}")
    if report["agree"]:
        return EXIT_OK
    largest = report["max_abs_residual"]
    details = [] if report["shapes_ok"] else ["output shapes differ from Keras'"]
    if report["nonfinite_mismatches"]:
        details.append(f"{report['nonfinite_mismatches']} NaN/inf entries differ")
    if largest is not None and largest >= plan.tolerance:
        details.append(f"max |manual − Keras| = {largest:.2e} ≥ {plan.tolerance:g}")
    _error("the NumPy formulas and Keras disagree: " + "; ".join(details))
    return EXIT_DISAGREE
