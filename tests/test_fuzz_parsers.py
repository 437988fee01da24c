"""Fuzzing the upload parsers: whatever the bytes, an array or a clear ValueError.

`parse_csv`, `parse_npy` and `parse_weights_npz` read files that anyone with the app's
link can send. For each, hypothesis builds at least 1,000 inputs: random bytes, files
that are almost right (truncated, a byte changed, junk appended), crafted `.npy`
headers (any shape up to 10⁹ and more elements, any dtype, lengths up to 4 GB, other
format versions), pickles, object arrays, NaN and infinity, ragged CSV rows, empty
files, Unicode junk, and files of pathological shape near the size limits. Every
call must

- return a finite float32 array within the limits (or the layer's weights), or raise
  `ValueError` with a one-line, printable message; never another exception;
- allocate less than `PEAK_BYTES` on the way (traced with tracemalloc, which sees
  NumPy's array buffers as well as Python objects);
- finish before `WATCHDOG_SECONDS`: a watchdog, not a speed test, that turns a hang
  (such as `csv.Sniffer`'s regular expressions on a few KB of quotes, found here)
  into a failure instead of a stuck run.

NumPy only: nothing here imports TensorFlow or Streamlit.
"""

from __future__ import annotations

import contextlib
import io
import pickle
import signal
import struct
import tracemalloc
import zipfile
from collections.abc import Callable, Iterator

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from rnn_core.inputs import (
    parse_csv,
    parse_npy,
    parse_weights_npz,
    weights_npz_byte_limit,
)
from rnn_core.limits import (
    MAX_BATCH,
    MAX_FEATURES,
    MAX_INPUT_ELEMENTS,
    MAX_TIMESTEPS,
    MAX_UPLOAD_BYTES,
)
from rnn_core.spec import CELLS, LayerSpec

PEAK_BYTES = 50 * 2**20  # most memory one parse may allocate
WATCHDOG_SECONDS = 60  # a hang, not slowness: every parse here takes milliseconds
MAX_MESSAGE_CHARS = 1_000
FUZZ = settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


class Hang(BaseException):
    """Raised by the watchdog; a BaseException, so no `except Exception` hides it."""


@contextlib.contextmanager
def watchdog(seconds: float = WATCHDOG_SECONDS) -> Iterator[None]:
    """Raise `Hang` in the main thread if the block runs longer than `seconds`."""

    def fire(signum: int, frame: object) -> None:
        raise Hang(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def outcome(parse: Callable[..., object], *args: object) -> object:
    """`parse(*args)`, or the ValueError it raised, after checking the memory it
    allocated and, for an error, its message. Any other exception propagates."""
    tracemalloc.start()
    try:
        with watchdog():
            try:
                result = parse(*args)
            except ValueError as error:
                result = error
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < PEAK_BYTES, f"allocated {peak:,} bytes"
    if isinstance(result, ValueError):
        message = str(result)
        assert message, "an empty message"
        assert len(message) <= MAX_MESSAGE_CHARS, message
        assert message.isprintable(), repr(message)  # one line, no control bytes
        assert "Traceback" not in message
    return result


def assert_usable_input(x: object) -> None:
    """What the parsers promise when they accept a file."""
    assert isinstance(x, np.ndarray)
    assert x.dtype == np.float32
    assert x.ndim == 3
    assert x.flags.c_contiguous
    batch, timesteps, features = x.shape
    assert 1 <= batch <= MAX_BATCH
    assert 1 <= timesteps <= MAX_TIMESTEPS
    assert 1 <= features <= MAX_FEATURES
    assert x.size <= MAX_INPUT_ELEMENTS
    assert np.isfinite(x).all()


def npy_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)  # object arrays are pickled
    return buffer.getvalue()


def npy_header(
    header: bytes, version: tuple[int, int] = (1, 0), length: int | None = None
) -> bytes:
    """A .npy prefix with any header text and any declared header length."""
    length = len(header) if length is None else length
    fmt = "<H" if version == (1, 0) else "<I"
    limit = 2**16 - 1 if fmt == "<H" else 2**32 - 1
    return b"\x93NUMPY" + bytes(version) + struct.pack(fmt, min(length, limit)) + header


# --------------------------------------------------------------------------------------
# Mutations shared by every format


@st.composite
def mutated(draw: st.DrawFn, base: st.SearchStrategy[bytes]) -> bytes:
    """A file, maybe truncated, with bytes changed, inserted or appended."""
    data = bytearray(draw(base))
    for _ in range(draw(st.integers(0, 3))):
        kind = draw(st.sampled_from(["truncate", "flip", "insert", "append"]))
        position = draw(st.integers(0, len(data)))
        if kind == "truncate":
            del data[position:]
        elif kind == "flip" and position < len(data):
            data[position] = draw(st.integers(0, 255))
        elif kind == "insert":
            data[position:position] = draw(st.binary(min_size=1, max_size=16))
        else:
            data += draw(st.binary(min_size=1, max_size=64))
    return bytes(data)


PICKLES = st.one_of(
    st.builds(pickle.dumps, st.integers() | st.text() | st.lists(st.floats())),
    st.builds(
        lambda shape, protocol: pickle.dumps(np.zeros(shape), protocol=protocol),
        st.tuples(st.integers(1, 4), st.integers(1, 4)),
        st.integers(0, pickle.HIGHEST_PROTOCOL),
    ),
)


# --------------------------------------------------------------------------------------
# CSV

CELLS_TEXT = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(width=32).map(lambda v: f"{v:.9g}"),
    st.integers(-(10**40), 10**40).map(str),
    st.sampled_from(
        [
            "",
            " ",
            "nan",
            "NaN",
            "-inf",
            "Infinity",
            "1e39",
            "-3.4e38",
            "3.4028236e38",
            "0x10",
            "1_000",
            "١٢",
            "１２",
            '"1"',
            '"',
            "'",
            "1,5",
            "\u00a0",
            "e",
            "-",
            ".",
            "1e",
            "\x00",
            "\ufeff1",
            "🙂",
            "=1+1",
        ]
    ),
    st.text(max_size=10),
)


@st.composite
def csv_documents(draw: st.DrawFn) -> bytes | str:
    """Tables of numbers and junk: ragged or not, any delimiter, line break and
    encoding, with or without a header and a byte-order mark."""
    rows = draw(
        st.lists(st.lists(CELLS_TEXT, min_size=0, max_size=6), min_size=0, max_size=12)
    )
    if draw(st.booleans()):
        width = draw(st.integers(1, 6))
        rows = [(row + ["0"] * width)[:width] for row in rows]  # rectangular
    if draw(st.booleans()):
        rows.insert(0, draw(st.lists(st.text(max_size=6), min_size=1, max_size=6)))
    delimiter = draw(st.sampled_from([",", ";", "\t", "|", " "]))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join(delimiter.join(row) for row in rows)
    if draw(st.booleans()):
        text += newline
    if draw(st.booleans()):
        text = "\ufeff" + text
    if draw(st.integers(0, 9)) == 0:
        return text  # parse_csv also takes text
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-16", "latin-1", "cp1252"]))
    return text.encode(encoding, errors="replace")


def _repeat(unit: bytes, count: int) -> bytes:
    return unit * count


# Files of pathological shape, up to and just over the 5 MiB limit.
PATHOLOGICAL_CSV = st.one_of(
    st.builds(
        _repeat,
        st.sampled_from(
            [b'"', b',"', b'\t"', b';"a', b'", "', b"\n", b"\r", b"\r\n", b",", b"\0"]
        ),
        st.integers(1, MAX_UPLOAD_BYTES // 2),
    ),
    st.sampled_from(
        [b',"' * 2000 + b"\n", b"1," * 128 + b"1\n", b"1,2\n", b"a\n", b" \n"]
    ).flatmap(
        lambda line: st.integers(1, MAX_UPLOAD_BYTES // len(line) + 2).map(
            lambda count: line * count
        )
    ),
    st.builds(
        lambda width: b",".join([b"1"] * width) + b"\n",
        st.integers(MAX_FEATURES - 2, 40_000),
    ),
    st.builds(
        lambda rows: b"h\n" + b"1\n" * rows, st.integers(MAX_TIMESTEPS - 2, 60_000)
    ),
    st.builds(
        lambda char, count: (char * count).encode(),
        st.sampled_from(["🙂", "é", "\u2028", "１,"]),
        st.integers(1, MAX_UPLOAD_BYTES // 4 + 10),
    ),
    st.just(b"1\n" * (MAX_UPLOAD_BYTES // 2) + b"1"),  # one byte over the limit
)


@FUZZ
@given(
    data=st.one_of(
        st.binary(max_size=2_000),
        csv_documents(),
        mutated(
            csv_documents().map(lambda d: d if isinstance(d, bytes) else d.encode())
        ),
        PATHOLOGICAL_CSV,
        PICKLES,
    )
)
def test_parse_csv_returns_an_input_or_a_clear_error(data: bytes | str):
    result = outcome(parse_csv, data)
    if not isinstance(result, ValueError):
        assert_usable_input(result)
        assert result.shape[0] == 1  # a CSV is one sequence


@FUZZ
@given(
    rows=st.integers(1, 8).flatmap(
        lambda width: st.lists(
            st.lists(
                st.floats(allow_nan=False, allow_infinity=False, width=32),
                min_size=width,
                max_size=width,
            ),
            min_size=1,
            max_size=20,
        )
    ),
    delimiter=st.sampled_from([",", ";", "\t"]),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    header=st.booleans(),
)
def test_parse_csv_reads_every_table_of_finite_numbers(
    rows: list[list[float]], delimiter: str, newline: str, header: bool
):
    """The other side: any rectangular table of float32 numbers is read back exactly,
    whatever its delimiter and line breaks."""
    lines = [delimiter.join(repr(v) for v in row) for row in rows]
    if header:
        lines.insert(0, delimiter.join(f"f{j}" for j in range(len(rows[0]))))
    x = outcome(parse_csv, (newline.join(lines) + newline).encode())
    assert not isinstance(x, ValueError), x
    np.testing.assert_array_equal(x, np.array([rows], dtype=np.float32))


# --------------------------------------------------------------------------------------
# .npy

NUMERIC_DTYPES = ["<f4", ">f4", "<f8", ">f8", "<f2", "<i1", ">i2", "<i8", "<u4", "|b1"]
OTHER_DTYPES = [
    "<c8",
    "<U3",
    "|S2",
    "<M8[s]",
    "<m8[ms]",
    [("a", "<f4"), ("b", "<i2")],
]


def array_strategy(min_dims: int = 0, max_dims: int = 4) -> st.SearchStrategy:
    shapes = hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=0)
    numeric = st.sampled_from(NUMERIC_DTYPES).flatmap(
        lambda dtype: hnp.arrays(np.dtype(dtype), shapes)
    )
    other = st.sampled_from(OTHER_DTYPES).flatmap(
        lambda dtype: hnp.arrays(np.dtype(dtype), shapes)
    )
    objects = hnp.arrays(
        object, shapes, elements=st.integers() | st.text(max_size=3) | st.none()
    )
    raw = st.sampled_from(["|V4", [("a", "<f4", (2,))]]).flatmap(
        lambda dtype: shapes.map(lambda shape: np.zeros(shape, dtype))
    )
    return st.one_of(numeric, numeric, other, objects, raw)


SHAPES = st.one_of(
    st.tuples(),
    st.tuples(st.integers(-5, 10**9)),
    st.tuples(st.integers(-5, 10**9), st.integers(-5, 10**9)),
    st.tuples(*[st.integers(-5, 600)] * 3),
    st.sampled_from(
        [
            (1000, 1000, 1000),  # 10⁹ elements
            (10**9, 1),
            (1, 10**9, 1),
            (2**62, 2**62),
            (10**30, 1, 1),
            (MAX_BATCH, MAX_TIMESTEPS, MAX_FEATURES),
            (1, MAX_TIMESTEPS, MAX_FEATURES),
            (2, 3, 4, 5),
        ]
    ),
)
DESCRS = st.one_of(
    st.sampled_from(
        [
            "'<f4'",
            "'>f8'",
            "'|O'",
            "'<U1000000'",
            "'<f4', (1000000000,)",
            "[('a', '<f4')]",
            "'<V1000000000'",
            "'float32'",
            "'<c16'",
            "'<f16'",
            "None",
            "1",
        ]
    ),
    st.text(max_size=12).map(repr),
)


@st.composite
def crafted_npy(draw: st.DrawFn) -> bytes:
    """A .npy header written by hand: any shape, dtype, version and declared length,
    followed by any amount of data."""
    shape = draw(SHAPES)
    descr = draw(DESCRS)
    fortran = draw(st.sampled_from(["False", "True", "0", "'yes'"]))
    header = draw(
        st.one_of(
            st.just(
                f"{{'descr': {descr}, 'fortran_order': {fortran}, "
                f"'shape': {shape!r}, }}"
            ),
            st.text(max_size=80),
            st.just("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 2)}"),
        )
    ).encode("latin-1", errors="replace")
    header = header.ljust(draw(st.integers(0, 200)), b" ") + b"\n"
    version = draw(st.sampled_from([(1, 0), (2, 0), (3, 0), (0, 1), (9, 9)]))
    length = draw(st.none() | st.integers(0, 2**32 - 1))
    payload = draw(
        st.one_of(
            st.binary(max_size=512),
            st.integers(0, MAX_UPLOAD_BYTES // 4).map(lambda n: b"\0" * n),
        )
    )
    return npy_header(header, version, length) + payload


NPY_FILES = st.one_of(
    array_strategy().map(npy_bytes),
    mutated(array_strategy(2, 3).map(npy_bytes)),
    crafted_npy(),
    st.binary(max_size=2_000),
    st.binary(max_size=200).map(lambda rest: b"\x93NUMPY" + rest),
    st.binary(max_size=200).map(lambda rest: b"PK\x03\x04" + rest),
    PICKLES,
    st.just(b"\0" * (MAX_UPLOAD_BYTES + 1)),
)


@FUZZ
@given(data=NPY_FILES)
def test_parse_npy_returns_an_input_or_a_clear_error(data: bytes):
    result = outcome(parse_npy, data)
    if not isinstance(result, ValueError):
        assert_usable_input(result)


@FUZZ
@given(
    x=st.sampled_from(NUMERIC_DTYPES).flatmap(
        lambda dtype: hnp.arrays(
            np.dtype(dtype),
            hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=6),
            elements={"allow_nan": False, "allow_infinity": False}
            if np.dtype(dtype).kind == "f"
            else None,
        )
    )
)
def test_parse_npy_reads_every_numeric_array_within_the_limits(x: np.ndarray):
    """The other side: every finite numeric rank-2 or rank-3 array np.save writes is
    read back as float32 (rank 2 as batch 1), unless a float64 value is beyond
    float32's range, which is refused by name."""
    result = outcome(parse_npy, npy_bytes(x))
    with np.errstate(over="ignore"):
        as_float32 = x.astype(np.float32).reshape((1,) * (3 - x.ndim) + x.shape)
    if not np.isfinite(as_float32).all():
        assert isinstance(result, ValueError)
        assert "too large for float32" in str(result)
        return
    assert not isinstance(result, ValueError), result
    np.testing.assert_array_equal(result, as_float32)


# --------------------------------------------------------------------------------------
# Weights .npz

SPECS = st.builds(
    lambda cell, units, use_bias, bidirectional: LayerSpec(
        cell=cell, units=units, use_bias=use_bias, bidirectional=bidirectional
    ),
    st.sampled_from(CELLS),
    st.integers(1, 4),
    st.booleans(),
    st.booleans(),
)


def zip_bytes(members: dict[str, bytes], compression: int) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@st.composite
def weights_files(draw: st.DrawFn) -> tuple[bytes, LayerSpec, int]:
    """A layer, its input width, and an .npz that is right, nearly right or hostile."""
    spec = draw(SPECS)
    features = draw(st.integers(1, 4))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    arrays: list[np.ndarray] = [
        rng.uniform(-1, 1, shape).astype(draw(st.sampled_from(NUMERIC_DTYPES[:4])))
        for shape in spec.weight_shapes(features)
    ]
    members = {f"arr_{k}.npy": npy_bytes(a) for k, a in enumerate(arrays)}
    names = sorted(members)
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(names))
        change = draw(
            st.sampled_from(
                [
                    "drop",
                    "rename",
                    "extra",
                    "array",
                    "crafted",
                    "bomb",
                    "special",
                    "mutate",
                ]
            )
        )
        if change == "drop":
            members.pop(name, None)
        elif change == "rename":
            members[draw(st.text(min_size=1, max_size=12))] = members.pop(name, b"")
        elif change == "extra":
            members[f"arr_{len(arrays) + draw(st.integers(0, 3))}.npy"] = b""
        elif change == "array":
            members[name] = npy_bytes(draw(array_strategy()))
        elif change == "crafted":
            members[name] = draw(crafted_npy())
        elif change == "bomb":  # a header that says it is gigabytes long
            members[name] = npy_header(b"{", (2, 0), 2**32 - 1) + b" " * draw(
                st.integers(0, 5_000_000)
            )
        elif change == "special":  # one NaN, ±inf or float64-only value
            array = arrays[names.index(name)].astype(np.float64)
            if array.size:
                array.flat[draw(st.integers(0, array.size - 1))] = draw(
                    st.sampled_from([np.nan, np.inf, -np.inf, 1e300])
                )
            members[name] = npy_bytes(array)
        elif change == "mutate" and name in members:
            members[name] = draw(mutated(st.just(members[name])))
    compression = draw(st.sampled_from([zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED]))
    data = zip_bytes(members, compression)
    data = draw(
        st.one_of(
            st.just(data),
            st.just(data),
            mutated(st.just(data)),
            st.binary(max_size=500),
            PICKLES,
            array_strategy().map(npy_bytes),
        )
    )
    return data, spec, features


@FUZZ
@given(case=weights_files())
def test_parse_weights_npz_returns_weights_or_a_clear_error(
    case: tuple[bytes, LayerSpec, int],
):
    data, spec, features = case
    result = outcome(parse_weights_npz, data, spec, features)
    if isinstance(result, ValueError):
        return
    shapes = spec.weight_shapes(features)
    assert isinstance(result, list)
    assert [w.shape for w in result] == shapes
    for w in result:
        assert w.dtype == np.float32
        assert w.flags.c_contiguous
        assert np.isfinite(w).all()


# --------------------------------------------------------------------------------------
# The two bugs the fuzzing found, as plain regression tests


@pytest.mark.parametrize(
    "data",
    [
        b',"' * 2_000 + b"\n",  # 4 KB: csv.Sniffer took minutes per line like this
        (b',"' * 2_000 + b"\n") * 20,
        b'\t"' * 2_500_000,
        b"\n" * MAX_UPLOAD_BYTES,  # took seconds, line by line
    ],
    ids=["one-line-of-quotes", "twenty-lines", "5-MiB", "5-MiB-of-newlines"],
)
def test_parse_csv_refuses_pathological_files_at_once(data):
    assert isinstance(outcome(parse_csv, data), ValueError)


def test_parse_weights_npz_does_not_inflate_a_gigabyte_header():
    """An .npz member whose .npy header declares 4 GB: before the fix, the header was
    read whole, decompressing ~150 MB from a 146 KB upload (up to 4 GB for a large
    layer); now it is refused from its 4-byte length field."""
    spec = LayerSpec(cell="lstm", units=64)
    bomb = npy_header(b"{", (2, 0), 2**32 - 16) + b" " * 150_000_000
    data = zip_bytes(
        {"arr_0.npy": bomb, "arr_1.npy": b"", "arr_2.npy": b""}, zipfile.ZIP_DEFLATED
    )
    assert len(data) < weights_npz_byte_limit(spec, 8)
    error = outcome(parse_weights_npz, data, spec, 8)
    assert isinstance(error, ValueError)
    assert "4,294,967,280 bytes; at most 10,000" in str(error)
