"""Input sequences for the recurrent layers: seeded generators and upload parsers.

Every array this module returns is float32 of shape (batch, timesteps, features), the
layout Keras' recurrent layers expect, and has passed `check_input_array`: it is
finite and within the sizes of `rnn_core.limits`.

Generators are named and listed in `GENERATORS`, so the app can offer them in a menu and
call any of them the same way through `generate`. The parsers read user uploads (CSV
text or a `.npy` file for the input, an `.npz` file for the weights) as untrusted data:
sizes are checked before anything large is allocated, and every problem is reported as
a ValueError that says what is wrong, where, and what is allowed.

NumPy, the standard library and rnn_core's NumPy code only: this module never imports
TensorFlow, Keras or Streamlit.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import math
import re
import struct
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import numpy as np

from rnn_core.errors import CoreError, Grouped, Msg
from rnn_core.limits import (
    MAX_FEATURES,
    MAX_TIMESTEPS,
    MAX_UPLOAD_BYTES,
    check_input_shape,
)
from rnn_core.markup import Markup
from rnn_core.spec import LayerSpec
from rnn_core.weights import WeightInfo, describe_weights

__all__ = [
    "DEFAULT_TEXT",
    "GENERATORS",
    "MAX_SEED",
    "InputGenerator",
    "check_input_array",
    "check_upload_size",
    "encode_text",
    "generate",
    "impulse",
    "input_digest",
    "normal",
    "one_hot_text",
    "parse_csv",
    "parse_npy",
    "parse_weights_npz",
    "ramp",
    "sine",
    "text_vocabulary",
    "uniform",
    "weights_npz_byte_limit",
]

MAX_SEED = 2**32 - 1
DEFAULT_TEXT = "hello world"
# Longest physical line a CSV upload may have. 128 features of 30 characters each need
# about 4 KB; the cap keeps one absurd line from becoming millions of cells at once.
_MAX_CSV_LINE_CHARS = 64 * 1024
# Physical lines a CSV upload may have: the rows of numbers (at most MAX_TIMESTEPS), a
# header and blank lines. Stops a file of millions of empty lines from costing seconds.
_MAX_CSV_LINES = 10_000
# Tab, semicolon, comma: the first that splits every sampled line alike wins, so
# "1,5;2,5" (decimal commas) is read with semicolons.
_CSV_DELIMITERS = "\t;,"
_CSV_SNIFF_LINES = 20
_CSV_LINE_BREAK = re.compile(r"\r\n|\r|\n")
_NPY_MAX_HEADER_CHARS = 10_000  # NumPy's own default for allow_pickle=False
# The most bytes a .npy header can take: magic string and version (8), length (4),
# header. Only this much is read before the header's length has been checked.
_NPY_MAX_PREFIX_BYTES = 12 + _NPY_MAX_HEADER_CHARS
_NUMERIC_KINDS = "biuf"  # bool, signed int, unsigned int, real float
_FLOAT32_MAX = float(np.finfo(np.float32).max)
# The largest float32 below 1: `uniform` clips to it so its values stay in [0, 1).
_BELOW_ONE = np.nextafter(np.float32(1), np.float32(0))


# --------------------------------------------------------------------------------------
# Validation shared by the generators and the parsers


def _check_seed(seed: object) -> int:
    """Return `seed` as an int, or raise ValueError if it is not one in [0, 2**32-1]."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer):
        raise ValueError(
            f"`seed` must be a whole number from 0 to {MAX_SEED}; got {seed!r}."
        )
    if not 0 <= int(seed) <= MAX_SEED:
        raise ValueError(f"`seed` must be from 0 to {MAX_SEED}; got {int(seed)}.")
    return int(seed)


# dtype.kind -> the message naming what such an array holds
_DTYPE_KINDS = {
    "c": "complex",
    "U": "text",
    "S": "bytes",
    "V": "records",
    "M": "dates",
    "m": "spans",
}


def _describe_dtype(dtype: np.dtype) -> str | Msg:
    if dtype.hasobject:
        return Msg(
            "core.dtype.described", dtype=str(dtype), kind=Msg("core.dtype.objects")
        )
    kind = "structured" if dtype.names is not None else _DTYPE_KINDS.get(dtype.kind)
    if kind is None:
        return str(dtype)
    return Msg("core.dtype.described", dtype=str(dtype), kind=Msg(f"core.dtype.{kind}"))


def _check_numeric_dtype(dtype: np.dtype, what: Msg) -> None:
    """Raise ValueError unless `dtype` is bool, integer or real floating point."""
    if dtype.hasobject:
        raise CoreError("core.err.dtype_objects", what=what, dtype=str(dtype))
    if dtype.names is not None or dtype.subdtype is not None:
        raise CoreError("core.err.dtype_structured", what=what, dtype=str(dtype))
    if dtype.kind not in _NUMERIC_KINDS:
        raise CoreError("core.err.dtype_kind", what=what, dtype=_describe_dtype(dtype))


def _position(index: tuple[int, ...]) -> Msg:
    b, t, f = index
    return Msg("core.what.input_at", b=b, t=t, f=f)


def check_input_array(x: np.ndarray) -> np.ndarray:
    """Check that `x` is a usable input and return it as float32.

    Used by the parsers and by any code that accepts an input array from elsewhere.

    Args:
        x: a NumPy array of shape (batch, timesteps, features), with dtype bool,
            int, uint or real float.

    Returns:
        A new float32, C-contiguous copy of `x`, same shape.

    Raises:
        ValueError: if `x` is not a NumPy array, not rank 3, not numeric, holds NaN or
            infinity or a value too large for float32, or is bigger than the limits
            of `rnn_core.limits` allow (the message names which).
    """
    if not isinstance(x, np.ndarray):
        raise ValueError(
            "The input must be a NumPy array of shape (batch, timesteps, features); "
            f"got {type(x).__name__}."
        )
    _check_numeric_dtype(x.dtype, Msg("core.what.input"))
    if x.ndim != 3:
        raise CoreError("core.err.input_rank", rank=x.ndim, shape=x.shape)
    check_input_shape(*(int(n) for n in x.shape))
    return _finite_float32(x, _position)


def _finite_float32(
    x: np.ndarray, where: Callable[[tuple[int, ...]], Msg]
) -> np.ndarray:
    """A float32, C-contiguous copy of the numeric array `x`, or a ValueError that
    names the first value that is NaN, infinite or too large for float32 as
    `where(index)`."""
    if x.dtype.kind == "f":
        bad = ~np.isfinite(x)
        if bad.any():
            index = tuple(int(i) for i in np.argwhere(bad)[0])
            raise CoreError("core.err.not_finite", where=where(index), value=x[index])
    with np.errstate(over="ignore"):  # float64 beyond float32 is reported below
        out = np.array(x, dtype=np.float32, order="C", copy=True)  # same shape
    if x.dtype.kind == "f" and x.dtype.itemsize > 4:
        too_big = ~np.isfinite(out)
        if too_big.any():
            index = tuple(int(i) for i in np.argwhere(too_big)[0])
            raise CoreError(
                "core.err.too_large",
                where=where(index),
                value=x[index],
                most=f"{_FLOAT32_MAX:.4g}",
            )
    return out


def input_digest(x: np.ndarray) -> str:
    """A short, stable hex digest of an array's dtype, shape and values.

    Equal arrays of equal dtype and shape give equal digests across runs and machines
    (the byte order is part of the dtype string), so it can serve as a cache key.

    Args:
        x: a numeric NumPy array (any shape).

    Returns:
        16 hex characters: the start of a SHA-256 over dtype, shape and C-order bytes.
    """
    if not isinstance(x, np.ndarray):
        raise ValueError(f"Expected a NumPy array; got {type(x).__name__}.")
    if x.dtype.hasobject:
        raise ValueError(
            f"Cannot digest an array of Python objects (dtype {x.dtype}); expected "
            "a numeric array."
        )
    digest = hashlib.sha256()
    digest.update(f"{x.dtype.str}|{x.shape}|".encode())
    digest.update(np.ascontiguousarray(x).tobytes())
    return digest.hexdigest()[:16]


# --------------------------------------------------------------------------------------
# Generators


def uniform(batch: int, timesteps: int, features: int, seed: int = 0) -> np.ndarray:
    """Uniform random values in [0, 1): the seed notebook's input, seeded.

    `uniform(32, 1, 8, seed)` equals
    `np.random.default_rng(seed).random((32, 1, 8)).astype(np.float32)`, the seeded
    form of the notebook's `np.random.random([32, 1, 8]).astype(np.float32)`, except
    that a value which rounds up to 1.0 in float32 (about one in 30 million) is set to
    the largest float32 below 1, so the range stays [0, 1).

    Args:
        batch: number of sequences.
        timesteps: length of each sequence.
        features: values per timestep.
        seed: seed of `np.random.default_rng`, 0 to 2**32-1.

    Returns:
        float32 array of shape (batch, timesteps, features).
    """
    check_input_shape(batch, timesteps, features)
    rng = np.random.default_rng(_check_seed(seed))
    x = rng.random((batch, timesteps, features)).astype(np.float32)
    return np.minimum(x, _BELOW_ONE, out=x)


def normal(batch: int, timesteps: int, features: int, seed: int = 0) -> np.ndarray:
    """Standard normal values (mean 0, standard deviation 1), seeded.

    Args:
        batch: number of sequences.
        timesteps: length of each sequence.
        features: values per timestep.
        seed: seed of `np.random.default_rng`, 0 to 2**32-1.

    Returns:
        float32 array of shape (batch, timesteps, features).
    """
    check_input_shape(batch, timesteps, features)
    rng = np.random.default_rng(_check_seed(seed))
    return rng.standard_normal((batch, timesteps, features), dtype=np.float32)


def sine(batch: int, timesteps: int, features: int, seed: int = 0) -> np.ndarray:
    """Sine waves over time, amplitude 1, one wave per feature and batch item.

    `x[b, t, f] = sin(2π t / period[b, f] + phase[b, f])` where each period is drawn
    uniformly from 4 to 20 timesteps and each phase from 0 to 2π, seeded. Values lie
    in [-1, 1].

    Args:
        batch: number of sequences.
        timesteps: length of each sequence.
        features: values per timestep.
        seed: seed of `np.random.default_rng`, 0 to 2**32-1.

    Returns:
        float32 array of shape (batch, timesteps, features).
    """
    check_input_shape(batch, timesteps, features)
    rng = np.random.default_rng(_check_seed(seed))
    period = rng.uniform(4.0, 20.0, size=(batch, 1, features))
    phase = rng.uniform(0.0, 2 * np.pi, size=(batch, 1, features))
    t = np.arange(timesteps, dtype=np.float64).reshape(1, timesteps, 1)
    x = np.sin(2 * np.pi * t / period + phase)  # (batch, timesteps, features)
    return x.astype(np.float32)


def ramp(
    batch: int, timesteps: int, features: int, seed: int = 0, *, scaled: bool = True
) -> np.ndarray:
    """The counting input of Keras' own RNN tests, scaled into [0, 1).

    Keras' `simple_rnn_test.py` feeds `np.arange(24).reshape((2, 3, 4))` as float32.
    This is `np.arange(n).reshape((batch, timesteps, features)) / n` with
    `n = batch * timesteps * features`, so the values run 0, 1/n, ..., (n-1)/n in
    C order and stay small enough for tanh not to saturate. Not random: `seed` is
    accepted for a uniform call and ignored.

    Args:
        batch: number of sequences.
        timesteps: length of each sequence.
        features: values per timestep.
        seed: ignored (checked like the other generators' seeds).
        scaled: divide by n (default). False gives Keras' raw 0, 1, ..., n-1.

    Returns:
        float32 array of shape (batch, timesteps, features).
    """
    check_input_shape(batch, timesteps, features)
    _check_seed(seed)
    if not isinstance(scaled, bool):
        raise ValueError(f"`scaled` must be True or False; got {scaled!r}.")
    n = batch * timesteps * features
    x = np.arange(n, dtype=np.float64).reshape((batch, timesteps, features))
    if scaled:
        x /= n
    return x.astype(np.float32)


def impulse(
    batch: int,
    timesteps: int,
    features: int,
    seed: int = 0,
    *,
    feature: int | None = None,
) -> np.ndarray:
    """A single 1.0 at the first timestep and zeros after it: watch memory decay.

    By default every feature is 1.0 at t = 0; with `feature=k` only feature k is.
    Every batch item is the same. Not random: `seed` is accepted and ignored.

    Args:
        batch: number of sequences.
        timesteps: length of each sequence.
        features: values per timestep.
        seed: ignored (checked like the other generators' seeds).
        feature: None for all features (default), or the index of the one feature
            that receives the impulse, 0 to features - 1.

    Returns:
        float32 array of shape (batch, timesteps, features), nonzero only at t = 0.
    """
    check_input_shape(batch, timesteps, features)
    _check_seed(seed)
    if feature is not None and (
        isinstance(feature, bool)
        or not isinstance(feature, int)
        or not 0 <= feature < features
    ):
        raise CoreError(
            "core.err.impulse_feature", last=features - 1, value=repr(feature)
        )
    x = np.zeros((batch, timesteps, features), dtype=np.float32)
    if feature is None:
        x[:, 0, :] = 1.0
    else:
        x[:, 0, feature] = 1.0
    return x


def _check_text(text: object) -> str:
    if not isinstance(text, str) or not text:
        raise CoreError("core.err.text_empty", value=repr(text))
    if len(text) > MAX_TIMESTEPS:
        raise CoreError("core.err.text_long", most=MAX_TIMESTEPS, count=len(text))
    return text


def text_vocabulary(text: str) -> tuple[str, ...]:
    """The distinct characters of `text`, sorted: feature i is the i-th of them.

    Args:
        text: a non-empty string of at most `MAX_TIMESTEPS` characters.

    Returns:
        The sorted distinct characters, e.g. `text_vocabulary("hello")` is
        `("e", "h", "l", "o")`.
    """
    return tuple(sorted(set(_check_text(text))))


def encode_text(text: str, batch: int = 1) -> tuple[np.ndarray, tuple[str, ...]]:
    """One-hot encode `text`, one character per timestep, with its vocabulary.

    Args:
        text: a non-empty string of at most `MAX_TIMESTEPS` characters.
        batch: how many identical copies to stack.

    Returns:
        `(x, vocabulary)`: x is float32 of shape (batch, len(text), len(vocabulary))
        with `x[b, t, i] == 1` exactly when `text[t] == vocabulary[i]`.
    """
    vocabulary = text_vocabulary(text)
    check_input_shape(batch, len(text), len(vocabulary))
    starts = np.zeros(batch, dtype=np.int64)  # (batch,): every copy from the start
    x = _one_hot(text, vocabulary, starts, len(text), len(vocabulary))
    return x, vocabulary


def _one_hot(
    text: str,
    vocabulary: tuple[str, ...],
    starts: np.ndarray,
    timesteps: int,
    features: int,
) -> np.ndarray:
    """Batch item b reads the (repeated) text from position starts[b]."""
    codes = np.array([vocabulary.index(c) for c in text])  # (len(text),)
    positions = (starts[:, None] + np.arange(timesteps)) % len(text)  # (batch, T)
    x = np.zeros((len(starts), timesteps, features), dtype=np.float32)
    np.put_along_axis(x, codes[positions][:, :, None], 1.0, axis=2)
    return x


def one_hot_text(
    batch: int,
    timesteps: int | None,
    features: int | None,
    seed: int = 0,
    *,
    text: str = DEFAULT_TEXT,
) -> np.ndarray:
    """One-hot characters of a short text: one character per timestep.

    The vocabulary is the sorted distinct characters of the whole text
    (`text_vocabulary`); feature i is 1 when the character is `vocabulary[i]`, so
    every timestep has exactly one 1. Batch item 0 reads the text from its start;
    items 1, 2, ... start at seeded random positions. The text repeats as needed to
    fill `timesteps`, or is cut to it.

    Args:
        batch: number of sequences.
        timesteps: length of each sequence; None means `len(text)`.
        features: None means `len(vocabulary)`; a larger number pads every timestep
            with zero features after the vocabulary; a smaller one is an error.
        seed: chooses the start positions of batch items 1, 2, ...
        text: the text, 1 to `MAX_TIMESTEPS` characters; default "hello world".

    Returns:
        float32 array of shape (batch, timesteps, features).
    """
    vocabulary = text_vocabulary(text)
    if timesteps is None:
        timesteps = len(text)
    if features is None:
        features = len(vocabulary)
    check_input_shape(batch, timesteps, features)
    if features < len(vocabulary):
        raise CoreError(
            "core.err.vocabulary",
            size=len(vocabulary),
            letters=repr("".join(vocabulary)),
            value=features,
        )
    rng = np.random.default_rng(_check_seed(seed))
    starts = rng.integers(0, len(text), size=batch)  # (batch,)
    starts[0] = 0
    return _one_hot(text, vocabulary, starts, timesteps, features)


@dataclass(frozen=True)
class InputGenerator:
    """One entry of the generator menu.

    Args:
        name: the key in `GENERATORS` and the `name` of `generate`.
        label: a short title for a menu.
        description: one line for people, shown beside the menu.
        function: called as `function(batch, timesteps, features, seed, **options)`;
            returns float32 of shape (batch, timesteps, features).
        uses_seed: False when the output does not depend on the seed.
        options: the keyword options `function` accepts besides the sizes and seed.
        derives_shape: True when timesteps and features may be None, and are then
            taken from the options (the text of `one_hot_text`).
    """

    name: str
    label: str
    description: str
    function: Callable[..., np.ndarray]
    uses_seed: bool = True
    options: tuple[str, ...] = ()
    derives_shape: bool = False


GENERATORS: dict[str, InputGenerator] = {
    g.name: g
    for g in (
        InputGenerator(
            "uniform",
            "Uniform [0, 1)",
            "Random values between 0 and 1, like the notebook's np.random.random.",
            uniform,
        ),
        InputGenerator(
            "normal",
            "Normal (0, 1)",
            "Random values from a bell curve around 0 with standard deviation 1.",
            normal,
        ),
        InputGenerator(
            "sine",
            "Sine waves",
            "A smooth wave in [-1, 1] per feature, random period and phase.",
            sine,
        ),
        InputGenerator(
            "ramp",
            "Ramp (Keras tests)",
            "0, 1/n, 2/n, ... counted through the array, as in Keras' own RNN tests.",
            ramp,
            uses_seed=False,
            options=("scaled",),
        ),
        InputGenerator(
            "impulse",
            "Impulse",
            "A single 1 at the first timestep, then zeros: see how memory fades.",
            impulse,
            uses_seed=False,
            options=("feature",),
        ),
        InputGenerator(
            "one_hot_text",
            "One-hot text",
            "One character per timestep, one feature per distinct character.",
            one_hot_text,
            options=("text",),
            derives_shape=True,
        ),
    )
}


def generate(
    name: str,
    batch: int,
    timesteps: int | None,
    features: int | None,
    seed: int = 0,
    **options: object,
) -> np.ndarray:
    """Generate an input by the name of its generator.

    Args:
        name: a key of `GENERATORS`: "uniform", "normal", "sine", "ramp", "impulse"
            or "one_hot_text".
        batch: number of sequences.
        timesteps: length of each sequence (None only for "one_hot_text": the
            length of the text).
        features: values per timestep (None only for "one_hot_text": the size of
            the text's vocabulary).
        seed: 0 to 2**32-1; the same seed gives the same array.
        **options: the generator's own options, listed in
            `GENERATORS[name].options`.

    Returns:
        float32 array of shape (batch, timesteps, features).

    Raises:
        ValueError: for an unknown name or option, a size out of the limits or a
            bad seed.
    """
    if not isinstance(name, str) or name not in GENERATORS:
        allowed = ", ".join(repr(n) for n in GENERATORS)
        raise ValueError(
            f"Unknown input generator {name!r}: expected one of {allowed}."
        )
    entry = GENERATORS[name]
    unknown = sorted(set(options) - set(entry.options))
    if unknown:
        allowed = ", ".join(repr(o) for o in entry.options) or "none"
        raise ValueError(
            f"Unknown option(s) {', '.join(repr(o) for o in unknown)} for input "
            f"generator {name!r}: its options are {allowed}."
        )
    return entry.function(batch, timesteps, features, seed, **options)


# --------------------------------------------------------------------------------------
# Parsers for uploads


def _as_bytes(data: object, what: str) -> bytes:
    if isinstance(data, bytearray | memoryview):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise ValueError(
            f"The {what} must be given as bytes; got {type(data).__name__}."
        )
    return data


def check_upload_size(
    size: int, what: Msg | None = None, limit: int = MAX_UPLOAD_BYTES
) -> None:
    """Refuse an empty upload, or one over `limit` bytes (the upload limit).

    Args:
        size: the file's size in bytes.
        what: what the message calls the file ("The file" when None).
        limit: the most bytes allowed.

    Raises:
        ValueError: naming the file's size and the limit, in bytes.
    """
    what = Msg("core.what.upload_file") if what is None else what
    if size > limit:
        raise CoreError(
            "core.err.upload_too_big",
            what=what,
            size=Grouped(size),
            limit=Grouped(limit),
        )
    if size == 0:
        raise CoreError("core.err.upload_empty", what=what)


def _read_npy_header(fp: io.IOBase, what: Msg) -> tuple[tuple[int, ...], np.dtype, int]:
    """The shape and dtype a .npy header declares, and where its data starts.

    Reads at most `_NPY_MAX_PREFIX_BYTES` from `fp` (a header declaring itself longer
    than `_NPY_MAX_HEADER_CHARS` is refused before it is read, so a compressed member
    of an .npz cannot inflate into gigabytes), never the data. `what` names the header
    in messages, e.g. "The .npy header".

    Returns:
        (shape, dtype, offset): offset is the number of bytes before the data.
    """
    try:
        head = io.BytesIO(fp.read(_NPY_MAX_PREFIX_BYTES))
        version = np.lib.format.read_magic(head)
        if version not in ((1, 0), (2, 0)):
            raise CoreError(
                "core.err.npy_version", version=f"{version[0]}.{version[1]}"
            )
        length_format = "<H" if version == (1, 0) else "<I"
        length_bytes = head.read(struct.calcsize(length_format))
        if len(length_bytes) < struct.calcsize(length_format):
            raise CoreError("core.err.npy_header_cut")
        (length,) = struct.unpack(length_format, length_bytes)
        if length > _NPY_MAX_HEADER_CHARS:
            raise CoreError(
                "core.err.npy_header_long",
                length=f"{length:,}",
                most=f"{_NPY_MAX_HEADER_CHARS:,}",
            )
        head.seek(0)
        read_header = (
            np.lib.format.read_array_header_1_0
            if version == (1, 0)
            else np.lib.format.read_array_header_2_0
        )
        np.lib.format.read_magic(head)
        shape, _fortran_order, dtype = read_header(
            head, max_header_size=_NPY_MAX_HEADER_CHARS
        )
    except CoreError as e:
        raise CoreError("core.err.unreadable", what=what, reason=e) from None
    except Exception as e:  # a malformed header can raise almost anything
        reason = " ".join(str(e).split())  # NumPy's messages can span lines
        raise CoreError("core.err.unreadable", what=what, reason=reason[:300]) from None
    return tuple(shape), dtype, head.tell()


def _check_npy_data_size(
    shape: tuple[int, ...], dtype: np.dtype, held: int, what: Msg
) -> None:
    """Raise ValueError unless `held` bytes are exactly the data the header declares."""
    declared = math.prod(shape) * dtype.itemsize
    sizes = {
        "what": what,
        "shape": shape,
        "dtype": str(dtype),
        "declared": f"{declared:,}",
    }
    if held < declared:
        raise CoreError("core.err.npy_truncated", held=f"{held:,}", **sizes)
    if held > declared:
        raise CoreError("core.err.npy_extra", extra=f"{held - declared:,}", **sizes)


def _csv_lines(text: str) -> Iterator[str]:
    """The physical lines of `text` with their line breaks, for csv.reader.

    Lines end at \\n, \\r\\n or \\r. Refuses, before slicing it out, a line longer
    than `_MAX_CSV_LINE_CHARS`, and a file of more than `_MAX_CSV_LINES` lines.
    """
    start = 0
    for number in itertools.count(1):
        if start >= len(text):
            return
        if number > _MAX_CSV_LINES:
            raise CoreError(
                "core.err.csv_lines", lines=f"{_MAX_CSV_LINES:,}", most=MAX_TIMESTEPS
            )
        # Search no further than just past the longest allowed line and its break.
        match = _CSV_LINE_BREAK.search(
            text, start, min(len(text), start + _MAX_CSV_LINE_CHARS + 2)
        )
        line_end, end = (match.start(), match.end()) if match else (len(text),) * 2
        if line_end - start > _MAX_CSV_LINE_CHARS:
            raise CoreError(
                "core.err.csv_line_long",
                line=number,
                most=f"{_MAX_CSV_LINE_CHARS:,}",
                features=MAX_FEATURES,
            )
        yield text[start:end]
        start = end


def _sniff_delimiter(text: str) -> str:
    """The delimiter of a CSV text: tab, semicolon or comma (comma when unsure).

    Looks at the first `_CSV_SNIFF_LINES` non-blank lines (each already held to the
    line limit): the first candidate found the same number of times, at least once,
    on every one of them wins; else the most frequent one. Linear in the sample, unlike
    `csv.Sniffer`, whose regular expressions take minutes on lines of quotes.
    """
    non_blank = (line for line in _csv_lines(text) if line.strip())
    sample = list(itertools.islice(non_blank, _CSV_SNIFF_LINES))
    counts = {d: [line.count(d) for line in sample] for d in _CSV_DELIMITERS}
    for delimiter, found in counts.items():
        if found and found[0] > 0 and all(n == found[0] for n in found):
            return delimiter
    totals = {d: sum(found) for d, found in counts.items()}
    best = max(_CSV_DELIMITERS, key=lambda d: totals[d])
    return best if totals[best] > 0 else ","


def _to_number(cell: str) -> float | None:
    try:
        return float(cell)
    except ValueError:
        return None


def parse_csv(data: bytes | str) -> np.ndarray:
    """Read an uploaded CSV table: one row per timestep, one column per feature.

    Cells are separated by commas, semicolons or tabs (guessed by `csv.Sniffer`
    from the first lines; comma when unsure). The first row may be a header of
    column names: it is skipped when none of its cells is a number. Blank rows are
    skipped. Rows and columns in messages are numbered from 1 as in a spreadsheet,
    counting the header. Bytes must be UTF-8 (a byte-order mark is allowed).

    Args:
        data: the file's bytes, or its text (then its length in characters is
            held to the byte limit).

    Returns:
        float32 array of shape (1, timesteps, features).

    Raises:
        ValueError: if the file is too large, empty, not UTF-8, ragged, has a cell
            that is not a finite number, or more rows or columns than the limits.
    """
    if isinstance(data, str):
        check_upload_size(len(data), Msg("core.what.csv_file"))
        text = data
    else:
        data = _as_bytes(data, "CSV file")
        check_upload_size(len(data), Msg("core.what.csv_file"))
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise CoreError(
                "core.err.csv_utf8", byte=f"0x{data[e.start]:02x}", position=e.start
            ) from None
    delimiter = _sniff_delimiter(text)
    rows: list[list[float]] = []  # (timesteps, features)
    expected: int | None = None
    expected_from = ""
    reader = csv.reader(_csv_lines(text), delimiter=delimiter)
    try:
        for cells in reader:
            row = reader.line_num
            cells = [c.strip() for c in cells]
            if not any(cells):
                continue  # a blank row
            if expected is None:
                expected, expected_from = len(cells), Msg("core.csv.row", row=row)
                if expected > MAX_FEATURES:
                    raise CoreError(
                        "core.err.csv_columns",
                        row=row,
                        count=expected,
                        most=MAX_FEATURES,
                    )
                if all(_to_number(c) is None for c in cells):
                    expected_from = Msg("core.csv.header", row=row)
                    continue
            if len(cells) != expected:
                raise CoreError(
                    "core.err.csv_ragged_one"
                    if len(cells) == 1
                    else "core.err.csv_ragged",
                    row=row,
                    count=len(cells),
                    expected=expected,
                    source=expected_from,
                )
            if len(rows) == MAX_TIMESTEPS:
                raise CoreError("core.err.csv_rows", most=MAX_TIMESTEPS)
            values = []
            for column, cell in enumerate(cells, start=1):
                value = _to_number(cell)
                if value is None:
                    shown = "empty" if not cell else f"{cell[:20]!r}"
                    raise CoreError(
                        "core.err.csv_not_number", row=row, column=column, value=shown
                    )
                where = Msg("core.csv.cell", row=row, column=column)
                if not np.isfinite(value):
                    raise CoreError("core.err.not_finite", where=where, value=value)
                if abs(value) > _FLOAT32_MAX:
                    raise CoreError(
                        "core.err.too_large",
                        where=where,
                        value=cell[:20],
                        most=f"{_FLOAT32_MAX:.4g}",
                    )
                values.append(value)
            rows.append(values)
    except csv.Error as e:
        raise CoreError(
            "core.err.csv_unreadable", line=reader.line_num, reason=e
        ) from None
    if not rows:
        raise CoreError("core.err.csv_empty")
    check_input_shape(1, len(rows), len(rows[0]))
    return check_input_array(np.array([rows], dtype=np.float64))


def parse_npy(data: bytes) -> np.ndarray:
    """Read an uploaded `.npy` file (as written by `np.save`).

    Everything is checked from the header before the array is allocated: the dtype
    (bool, int, uint or real float; never pickled objects), the rank (2: timesteps ×
    features, or 3: batch × timesteps × features), every size against the limits, and
    that the file holds exactly the bytes the header declares. Only then is it read,
    with `np.load(..., allow_pickle=False)`.

    Args:
        data: the file's bytes.

    Returns:
        float32 array of shape (batch, timesteps, features); a rank-2 array becomes
        batch 1.

    Raises:
        ValueError: if the file is too large, not a `.npy` file, truncated, holds
            objects or a non-numeric dtype, has the wrong rank or sizes, or holds
            NaN or infinity.
    """
    data = _as_bytes(data, ".npy file")
    npy_file = Msg("core.what.npy_file")
    check_upload_size(len(data), npy_file)
    if data.startswith(b"PK"):
        raise CoreError("core.err.npy_zip")
    magic = b"\x93NUMPY"
    if not data.startswith(magic):
        hint = Msg(
            "core.hint.pickled" if data[:1] == b"\x80" else "core.hint.expected_npy"
        )
        raise CoreError("core.err.npy_magic", magic=repr(magic), hint=hint)
    shape, dtype, offset = _read_npy_header(
        io.BytesIO(data), Msg("core.what.npy_header")
    )
    _check_numeric_dtype(dtype, npy_file)
    if len(shape) not in (2, 3):
        raise CoreError("core.err.npy_rank", rank=len(shape), shape=shape)
    full_shape = shape if len(shape) == 3 else (1, *shape)  # (batch, T, features)
    try:
        check_input_shape(*full_shape)
    except ValueError as e:
        raise CoreError(
            "core.err.npy_shape", shape=shape, full_shape=full_shape, reason=e
        ) from None
    _check_npy_data_size(shape, dtype, len(data) - offset, npy_file)
    try:
        x = np.load(io.BytesIO(data), allow_pickle=False)
    except (ValueError, OSError, EOFError) as e:
        raise CoreError(
            "core.err.unreadable", what=npy_file, reason=str(e)[:300]
        ) from None
    return check_input_array(x.reshape(full_shape))


def _check_weights_call(spec: object, input_dim: object) -> list[tuple[int, ...]]:
    """The shapes of the layer's weights, after checking the arguments."""
    if not isinstance(spec, LayerSpec):
        raise ValueError(f"`spec` must be a LayerSpec; got {type(spec).__name__}.")
    if (
        isinstance(input_dim, bool)
        or not isinstance(input_dim, int | np.integer)
        or not 1 <= input_dim <= MAX_FEATURES
    ):
        raise ValueError(
            f"`input_dim` must be a whole number from 1 to {MAX_FEATURES}; got "
            f"{input_dim!r}."
        )
    return spec.weight_shapes(int(input_dim))


def weights_npz_byte_limit(spec: LayerSpec, input_dim: int) -> int:
    """The most bytes a weights `.npz` for this layer may have.

    Room for every array in float64, plus 4 KiB for each array's zip and .npy headers
    and 4 KiB for the zip's directory: `parse_weights_npz` refuses larger files before
    reading them, and a caller reading a file can stop at this many bytes.

    Args:
        spec: the layer.
        input_dim: features per timestep of the input, 1 to `MAX_FEATURES`.
    """
    shapes = _check_weights_call(spec, input_dim)
    return 8 * sum(math.prod(shape) for shape in shapes) + 4096 * (len(shapes) + 1)


def parse_weights_npz(data: bytes, spec: LayerSpec, input_dim: int) -> list[np.ndarray]:
    """Read uploaded weights: an `.npz` of the arrays of `layer.get_weights()`.

    The file is what `np.savez(path, *layer.get_weights())` writes (compressed or
    not): the arrays in Keras' order under the keys arr_0, arr_1, ... Everything is
    checked before an array is read: the file's size against
    `weights_npz_byte_limit`, the names of the arrays, and each array's dtype (bool,
    int, uint or real float; never pickled objects), shape (exactly
    `spec.weight_shapes(input_dim)`) and byte count, from its .npy header. Only then
    is each one read, with `allow_pickle=False`.

    Args:
        data: the file's bytes.
        spec: the layer the weights are for.
        input_dim: features per timestep of the input, 1 to `MAX_FEATURES`.

    Returns:
        The arrays in `layer.get_weights()` order, each float32 and C-contiguous.

    Raises:
        ValueError: if the file is too large, not an .npz, holds other arrays than
            the layer has or an array of the wrong dtype or shape (the message names
            it, e.g. "arr_1 (recurrent_kernel, Wh)", with the expected and received
            shapes), is damaged, or holds NaN, infinity or a value too large for
            float32.
    """
    shapes = _check_weights_call(spec, input_dim)
    data = _as_bytes(data, "weights file")
    weights_file = Msg("core.what.weights_file")
    limit = weights_npz_byte_limit(spec, input_dim)
    if len(data) > limit:
        raise CoreError(
            "core.err.weights_too_big",
            size=f"{len(data):,}",
            limit=f"{limit:,}",
            count=len(shapes),
        )
    check_upload_size(len(data), weights_file, limit)
    if not data.startswith(b"PK"):
        if data.startswith(b"\x93NUMPY"):
            hint = Msg("core.hint.single_npy")
        elif data[:1] == b"\x80":
            hint = Msg("core.hint.pickled")
        else:
            hint = Msg("core.hint.not_zip")
        raise CoreError("core.err.weights_not_npz", hint=hint)
    infos = describe_weights(spec, int(input_dim))
    keys = [f"arr_{k}" for k in range(len(infos))]
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = sorted(archive.namelist())
    except Exception as e:  # a damaged zip can raise almost anything
        raise CoreError("core.err.weights_unreadable", reason=str(e)[:300]) from None
    with archive:
        if members != sorted(f"{key}.npy" for key in keys):
            expected = ", ".join(
                f"{key} {info.keras_name} {info.shape}"
                for key, info in zip(keys, infos, strict=True)
            )
            got = ", ".join(_shown_name(m.removesuffix(".npy")) for m in members)
            raise CoreError(
                "core.err.weights_members",
                count=len(keys),
                expected=Markup(expected),  # the layer's own names, long: not cut
                got=_shorten(got) if got else Msg("core.hint.nothing"),
            )
        return [
            _read_weights_member(archive, key, info, input_dim)
            for key, info in zip(keys, infos, strict=True)
        ]


def _shorten(text: str, limit: int = 300) -> str:
    return text if len(text) <= limit else text[:limit] + "…"


def _shown_name(name: str, limit: int = 40) -> str:
    """A name from an uploaded file, safe to show on one line: quoted with escapes
    when it holds control or other unprintable characters, and cut when long."""
    name = name if len(name) <= limit else name[:limit] + "…"
    return name if name.isprintable() and name.strip() == name and name else repr(name)


def _read_weights_member(
    archive: zipfile.ZipFile, key: str, info: WeightInfo, input_dim: int
) -> np.ndarray:
    """One array of a weights .npz, checked from its header before it is read."""
    label = f"{key} ({info.keras_name}, {info.name})"  # arr_1 (recurrent_kernel, Wh)
    what = Msg("core.what.weights_member", label=label)
    shape = info.shape
    member = archive.getinfo(f"{key}.npy")
    if member.flag_bits & 0x1:  # zipfile's message would show the raw ZipInfo
        raise CoreError(
            "core.err.encrypted", what=what, member=_shown_name(member.filename)
        )
    try:
        with archive.open(member) as f:
            declared, dtype, offset = _read_npy_header(
                f, Msg("core.what.weights_header", label=label)
            )
        held = member.file_size - offset
    except ValueError:
        raise
    except Exception as e:  # encrypted, unknown compression, damaged zip entry
        raise CoreError("core.err.unreadable", what=what, reason=str(e)[:300]) from None
    _check_numeric_dtype(dtype, what)
    if declared != shape:
        raise CoreError(
            "core.err.weights_shape",
            what=what,
            shape=shape,
            features=input_dim,
            got=declared,
        )
    _check_npy_data_size(shape, dtype, held, what)
    try:
        with archive.open(member) as f:
            array = np.lib.format.read_array(
                f, allow_pickle=False, max_header_size=_NPY_MAX_HEADER_CHARS
            )
    except Exception as e:  # a damaged entry (bad CRC, bad deflate data)
        raise CoreError("core.err.unreadable", what=what, reason=str(e)[:300]) from None
    return _finite_float32(
        array, lambda index: Msg("core.what.at", what=what, index=list(index))
    )
