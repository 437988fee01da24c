"""Tests of rnn_core.inputs: the seeded generators, the upload parsers, the checks."""

from __future__ import annotations

import csv
import io
import time
import tracemalloc
import zipfile
from collections.abc import Callable

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from rnn_core import inputs
from rnn_core.inputs import (
    GENERATORS,
    InputGenerator,
    check_input_array,
    encode_text,
    generate,
    input_digest,
    parse_csv,
    parse_npy,
    parse_weights_npz,
    text_vocabulary,
    weights_npz_byte_limit,
)
from rnn_core.limits import (
    MAX_BATCH,
    MAX_FEATURES,
    MAX_INPUT_ELEMENTS,
    MAX_TIMESTEPS,
    MAX_UPLOAD_BYTES,
)
from rnn_core.spec import LayerSpec

RANDOM = ["uniform", "normal", "sine", "one_hot_text"]


def npy_bytes(x: np.ndarray, **kwargs) -> bytes:
    buf = io.BytesIO()
    np.save(buf, x, **kwargs)
    return buf.getvalue()


def csv_bytes(rows: list[list[object]], delimiter: str = ",") -> bytes:
    buf = io.StringIO(newline="")
    csv.writer(buf, delimiter=delimiter).writerows(rows)
    return buf.getvalue().encode()


def assert_refused_quickly_and_small(parse: Callable[[], object], match: str) -> None:
    """`parse()` raises a ValueError matching `match` within a second, allocating
    less than 1 MB on the way."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(ValueError, match=match):
            parse()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < 1.0
    assert peak < 1_000_000


def npy_header_only(shape: tuple[int, ...], descr: str = "<f4") -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        buf, {"descr": descr, "fortran_order": False, "shape": shape}
    )
    return buf.getvalue()


def features_for(name: str, features: int) -> int:
    # one_hot_text needs at least the vocabulary of "hello world" (8 characters).
    return max(features, 8) if name == "one_hot_text" else features


# --------------------------------------------------------------------------------------
# Generators


def test_registry_entries_are_complete():
    assert set(GENERATORS) == {
        "uniform",
        "normal",
        "sine",
        "ramp",
        "impulse",
        "one_hot_text",
    }
    for name, entry in GENERATORS.items():
        assert isinstance(entry, InputGenerator)
        assert entry.name == name
        assert entry.label
        assert entry.description
        assert "\n" not in entry.description
        assert entry.function.__doc__
        assert callable(entry.function)


@pytest.mark.parametrize("name", sorted(GENERATORS))
@pytest.mark.parametrize(("batch", "timesteps", "features"), [(1, 1, 1), (3, 7, 9)])
def test_generator_shape_dtype_and_determinism(name, batch, timesteps, features):
    features = features_for(name, features)
    x = generate(name, batch, timesteps, features, seed=5)
    assert x.shape == (batch, timesteps, features)
    assert x.dtype == np.float32
    assert x.flags.c_contiguous
    assert np.isfinite(x).all()
    np.testing.assert_array_equal(x, generate(name, batch, timesteps, features, 5))
    # The registry's function can be called the same way, positionally.
    entry = GENERATORS[name]
    np.testing.assert_array_equal(x, entry.function(batch, timesteps, features, 5))
    check_input_array(x)


@pytest.mark.parametrize("name", RANDOM)
def test_random_generators_differ_between_seeds(name):
    a = generate(name, 4, 12, features_for(name, 3), seed=0)
    b = generate(name, 4, 12, features_for(name, 3), seed=1)
    assert not np.array_equal(a, b)
    assert GENERATORS[name].uses_seed


@pytest.mark.parametrize("name", ["ramp", "impulse"])
def test_deterministic_generators_ignore_the_seed(name):
    assert not GENERATORS[name].uses_seed
    np.testing.assert_array_equal(
        generate(name, 2, 5, 3, seed=0), generate(name, 2, 5, 3, seed=123)
    )


def test_uniform_matches_the_seeded_notebook_input():
    expected = np.random.default_rng(0).random((32, 1, 8)).astype(np.float32)
    np.testing.assert_array_equal(generate("uniform", 32, 1, 8), expected)
    np.testing.assert_array_equal(inputs.uniform(32, 1, 8, seed=0), expected)


@given(seed=st.integers(0, 2**32 - 1))
@settings(max_examples=50, deadline=None)
def test_uniform_stays_in_unit_interval(seed):
    x = generate("uniform", 16, 20, 16, seed)
    assert x.min() >= 0.0
    assert x.max() < 1.0


def test_normal_looks_standard():
    x = generate("normal", 64, 50, 32, seed=3)
    assert abs(float(x.mean())) < 0.05
    assert abs(float(x.std()) - 1.0) < 0.05


@given(seed=st.integers(0, 2**32 - 1))
@settings(max_examples=50, deadline=None)
def test_sine_is_bounded_by_one_and_smooth(seed):
    x = generate("sine", 4, 40, 5, seed)
    assert np.abs(x).max() <= 1.0
    # Periods of at least 4 timesteps: a step changes the value by at most 2π/4.
    assert np.abs(np.diff(x, axis=1)).max() <= 2 * np.pi / 4 + 1e-6
    # A different wave per feature and per batch item.
    assert not np.array_equal(x[:, :, 0], x[:, :, 1])
    assert not np.array_equal(x[0], x[1])


def test_ramp_counts_through_the_array_scaled_by_its_size():
    x = generate("ramp", 2, 3, 4)
    expected = (np.arange(24).reshape((2, 3, 4)) / 24).astype(np.float32)
    np.testing.assert_array_equal(x, expected)
    assert x.min() == 0.0
    assert x.max() < 1.0


def test_ramp_unscaled_is_keras_test_sequence():
    # keras/src/layers/rnn/simple_rnn_test.py
    expected = np.arange(24).reshape((2, 3, 4)).astype("float32")
    np.testing.assert_array_equal(generate("ramp", 2, 3, 4, scaled=False), expected)


@pytest.mark.parametrize("feature", [None, 0, 2])
def test_impulse_has_one_nonzero_timestep(feature):
    x = generate("impulse", 3, 6, 4, feature=feature)
    nonzero_steps = np.flatnonzero(np.abs(x).sum(axis=(0, 2)))
    np.testing.assert_array_equal(nonzero_steps, [0])
    if feature is None:
        np.testing.assert_array_equal(x[:, 0, :], 1.0)
    else:
        assert x.sum() == 3
        np.testing.assert_array_equal(x[:, 0, feature], 1.0)
    assert set(np.unique(x)) <= {0.0, 1.0}


@pytest.mark.parametrize("feature", [-1, 4, True, 1.0, "0"])
def test_impulse_rejects_a_bad_feature(feature):
    with pytest.raises(ValueError, match="`feature` must be None or a feature index"):
        generate("impulse", 1, 3, 4, feature=feature)


def test_one_hot_text_rows_sum_to_one_and_spell_the_text():
    text = "hello world"
    vocabulary = text_vocabulary(text)
    assert vocabulary == (" ", "d", "e", "h", "l", "o", "r", "w")
    x = generate("one_hot_text", 3, None, None, seed=0, text=text)
    assert x.shape == (3, len(text), len(vocabulary))
    np.testing.assert_array_equal(x.sum(axis=2), 1.0)
    assert set(np.unique(x)) == {0.0, 1.0}
    # Batch item 0 reads the text from the start; the others are rotations of it.
    assert "".join(vocabulary[i] for i in x[0].argmax(axis=1)) == text
    for b in range(1, 3):
        decoded = "".join(vocabulary[i] for i in x[b].argmax(axis=1))
        assert decoded in text + text


def test_one_hot_text_repeats_cuts_and_pads():
    x = generate("one_hot_text", 1, 7, 5, text="abc")
    assert x.shape == (1, 7, 5)
    np.testing.assert_array_equal(x[0].argmax(axis=1), [0, 1, 2, 0, 1, 2, 0])
    np.testing.assert_array_equal(x[:, :, 3:], 0.0)  # padding features
    np.testing.assert_array_equal(x.sum(axis=2), 1.0)
    cut = generate("one_hot_text", 1, 2, None, text="abc")
    assert cut.shape == (1, 2, 3)


def test_one_hot_text_refuses_too_few_features_and_bad_text():
    with pytest.raises(ValueError, match="vocabulary size 8"):
        generate("one_hot_text", 1, 11, 3)
    with pytest.raises(ValueError, match="non-empty string"):
        generate("one_hot_text", 1, None, None, text="")
    with pytest.raises(ValueError, match=f"at most {MAX_TIMESTEPS} characters"):
        generate("one_hot_text", 1, None, None, text="a" * (MAX_TIMESTEPS + 1))
    text = "".join(chr(0x4E00 + i) for i in range(MAX_FEATURES + 1))
    with pytest.raises(ValueError, match="`features` must be at most"):
        generate("one_hot_text", 1, None, None, text=text)


def test_encode_text_returns_array_and_vocabulary():
    x, vocabulary = encode_text("abca", batch=2)
    assert vocabulary == ("a", "b", "c")
    assert x.shape == (2, 4, 3)
    np.testing.assert_array_equal(x[0], x[1])
    np.testing.assert_array_equal(x[0].argmax(axis=1), [0, 1, 2, 0])


def test_generate_rejects_unknown_names_and_options():
    with pytest.raises(ValueError, match="Unknown input generator 'noise'") as info:
        generate("noise", 1, 1, 1)
    for name in GENERATORS:
        assert repr(name) in str(info.value)
    with pytest.raises(ValueError, match="Unknown input generator"):
        generate(["uniform"], 1, 1, 1)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"Unknown option.*'text'.*'uniform'"):
        generate("uniform", 1, 1, 1, text="abc")


@pytest.mark.parametrize("name", sorted(GENERATORS))
@pytest.mark.parametrize(
    ("sizes", "match"),
    [
        ((MAX_BATCH + 1, 1, 8), "`batch` must be at most"),
        ((1, MAX_TIMESTEPS + 1, 8), "`timesteps` must be at most"),
        ((1, 1, MAX_FEATURES + 1), "`features` must be at most"),
        ((MAX_BATCH, MAX_TIMESTEPS, 8), "at most 200,000"),
        ((0, 1, 8), "`batch` must be a whole number"),
        ((1, 2.0, 8), "`timesteps` must be a whole number"),
        ((1, 2, None), None),
    ],
)
def test_generators_check_sizes_before_allocating(name, sizes, match):
    if sizes[2] is None:
        if GENERATORS[name].derives_shape:
            return  # features=None is allowed here: taken from the text
        match = "`features` must be a whole number"
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=match):
            generate(name, *sizes)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1_000_000


@pytest.mark.parametrize("seed", [-1, 2**32, 1.5, "0", True, None])
def test_seed_must_be_a_32_bit_whole_number(seed):
    with pytest.raises(ValueError, match="`seed` must be"):
        generate("uniform", 1, 1, 1, seed)


def test_largest_seed_and_numpy_integer_seed_work():
    generate("normal", 1, 2, 2, seed=2**32 - 1)
    np.testing.assert_array_equal(
        generate("normal", 1, 2, 2, seed=np.uint32(7)), generate("normal", 1, 2, 2, 7)
    )


# --------------------------------------------------------------------------------------
# check_input_array and input_digest


@pytest.mark.parametrize("dtype", [np.float64, np.float16, np.int32, np.uint8, bool])
def test_check_input_array_converts_to_float32(dtype):
    x = np.asfortranarray(np.ones((2, 3, 4), dtype=dtype))
    out = check_input_array(x)
    assert out.dtype == np.float32
    assert out.flags.c_contiguous
    np.testing.assert_array_equal(out, 1.0)
    assert out is not x


def test_check_input_array_returns_a_copy():
    x = np.zeros((1, 2, 2), dtype=np.float32)
    out = check_input_array(x)
    out[0, 0, 0] = 5
    assert x[0, 0, 0] == 0


@pytest.mark.parametrize(
    ("x", "match"),
    [
        (np.zeros((2, 3)), "rank 3.*got rank 2"),
        (np.zeros((1, 2, 3, 4)), "rank 3.*got rank 4"),
        (np.zeros((1, 2, 3), dtype=complex), "complex"),
        (np.array([[["a"]]]), "text"),
        (np.array([[[{}]]], dtype=object), "pickled content is not accepted"),
        (np.zeros((1, 0, 3)), "`timesteps` must be a whole number from 1"),
        (np.zeros((1, 1, MAX_FEATURES + 1)), "`features` must be at most"),
        ([[[1.0]]], "must be a NumPy array"),
        (np.full((1, 1, 1), 1e300), "too large for float32"),
    ],
)
def test_check_input_array_errors(x, match):
    with pytest.raises(ValueError, match=match):
        check_input_array(x)


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_check_input_array_names_the_first_non_finite_value(bad):
    x = np.zeros((2, 3, 4))
    x[1, 2, 3] = bad
    x[1, 2, 1] = bad
    with pytest.raises(
        ValueError, match=r"x\[1, 2, 1\].*timestep 2.*only finite numbers"
    ):
        check_input_array(x)


def test_input_digest_is_stable_and_sensitive():
    x = generate("uniform", 2, 3, 4, seed=1)
    digest = input_digest(x)
    assert len(digest) == 16
    int(digest, 16)
    assert input_digest(x.copy()) == digest
    assert input_digest(np.asfortranarray(x)) == digest
    y = x.copy()
    y[0, 0, 0] += 1
    assert input_digest(y) != digest
    assert input_digest(x.reshape(2, 4, 3)) != digest
    assert input_digest(x.astype(np.float64)) != digest
    # Fixed across runs and machines: same bytes, same digest.
    ramp = generate("ramp", 2, 3, 4)
    assert input_digest(ramp) == input_digest(
        (np.arange(24).reshape(2, 3, 4) / 24).astype("<f4")
    )


# --------------------------------------------------------------------------------------
# parse_npy


@pytest.mark.parametrize("dtype", ["<f4", ">f4", "<f8", "<i2", ">u4", "|b1", "<f2"])
def test_parse_npy_round_trips_rank_2_and_3(dtype):
    x3 = (np.arange(2 * 3 * 4) % 2).reshape(2, 3, 4).astype(dtype)
    out = parse_npy(npy_bytes(x3))
    assert out.dtype == np.float32
    assert out.shape == (2, 3, 4)
    np.testing.assert_array_equal(out, x3.astype(np.float32))
    out2 = parse_npy(npy_bytes(x3[0]))
    assert out2.shape == (1, 3, 4)
    np.testing.assert_array_equal(out2[0], x3[0].astype(np.float32))


def test_parse_npy_reads_fortran_order_and_version_2():
    x = np.asfortranarray(np.arange(12, dtype=np.float32).reshape(3, 4))
    np.testing.assert_array_equal(parse_npy(npy_bytes(x))[0], x)
    buf = io.BytesIO()
    np.lib.format.write_array(buf, x, version=(2, 0))
    np.testing.assert_array_equal(parse_npy(buf.getvalue())[0], x)


def test_parse_npy_accepts_bytearray_and_memoryview():
    data = npy_bytes(np.ones((2, 2), dtype=np.float32))
    assert parse_npy(bytearray(data)).shape == (1, 2, 2)
    assert parse_npy(memoryview(data)).shape == (1, 2, 2)


def test_parse_npy_refuses_pickled_object_arrays():
    buf = io.BytesIO()
    np.save(buf, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ValueError, match="pickled content is not accepted"):
        parse_npy(buf.getvalue())


def test_parse_npy_refuses_a_plain_pickle():
    import pickle

    with pytest.raises(ValueError, match="pickled content is not accepted"):
        parse_npy(pickle.dumps(np.zeros((2, 2))))


@pytest.mark.parametrize(
    ("x", "match"),
    [
        (np.zeros((2, 3), dtype=complex), "complex"),
        (np.array([["a", "b"]]), "text"),
        (np.array([[b"a", b"b"]]), "bytes"),
        (np.zeros((2, 2), dtype=[("a", "<f4"), ("b", "<i4")]), "structured"),
        (np.zeros((2, 2), dtype="datetime64[s]"), "dates"),
    ],
)
def test_parse_npy_refuses_non_numeric_dtypes(x, match):
    with pytest.raises(ValueError, match=match):
        parse_npy(npy_bytes(x))


@pytest.mark.parametrize(
    ("shape", "match"),
    [
        ((5,), "rank 2 .* or 3 .*got rank 1"),
        ((1, 2, 3, 4), "got rank 4"),
        ((), "got rank 0"),
        ((1000, 1000, 1000), "`batch` must be at most"),
        ((10**9, 1), "`timesteps` must be at most"),
        ((MAX_BATCH, MAX_TIMESTEPS, MAX_FEATURES), "at most 200,000"),
        ((2, 0), "`features` must be a whole number from 1"),
        ((-2, 3), "`timesteps` must be a whole number from 1"),
    ],
)
def test_parse_npy_refuses_declared_shapes_before_allocating(shape, match):
    # Header only, no data: the shape alone must be refused, quickly and without
    # allocating the array the header declares.
    assert_refused_quickly_and_small(lambda: parse_npy(npy_header_only(shape)), match)


def test_parse_npy_refuses_a_billion_element_header_quickly():
    data = npy_header_only((1000, 1000, 1000))
    assert len(data) < 200
    start = time.perf_counter()
    with pytest.raises(ValueError, match="batch"):
        parse_npy(data)
    assert time.perf_counter() - start < 1.0


def test_parse_npy_refuses_a_truncated_file():
    data = npy_bytes(np.ones((10, 4), dtype=np.float32))
    with pytest.raises(ValueError, match=r"truncated.*160 bytes.*holds only 156"):
        parse_npy(data[:-4])
    # Header within limits, no data at all.
    with pytest.raises(ValueError, match="truncated"):
        parse_npy(npy_header_only((MAX_TIMESTEPS, MAX_FEATURES)))
    # Cut inside the header.
    with pytest.raises(ValueError, match="header cannot be read"):
        parse_npy(data[:20])


def test_parse_npy_refuses_trailing_bytes():
    data = npy_bytes(np.ones((2, 2), dtype=np.float32))
    with pytest.raises(ValueError, match="4 unexpected bytes"):
        parse_npy(data + b"\0\0\0\0")


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", "empty"),
        (b"hello", "not a .npy file"),
        (b"PK\x03\x04rest", "zip archive"),
        (b"\x93NUMPY\x09\x00rest", "version 9.0 is not supported"),
        (b"\x93NUMPY\x01\x00\x04\x00{}  ", "header cannot be read"),
    ],
)
def test_parse_npy_refuses_other_content(data, match):
    with pytest.raises(ValueError, match=match):
        parse_npy(data)


def test_parse_npy_refuses_too_many_bytes_first():
    # Far over the limit, and not even a .npy file: the size is what is reported.
    with pytest.raises(ValueError, match=f"at most {MAX_UPLOAD_BYTES:,} bytes"):
        parse_npy(b"x" * (MAX_UPLOAD_BYTES + 1))


def test_parse_npy_refuses_str():
    with pytest.raises(ValueError, match="must be given as bytes"):
        parse_npy("\x93NUMPY")  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_parse_npy_names_the_first_non_finite_value(bad):
    x = np.zeros((4, 3), dtype=np.float32)
    x[2, 1] = bad
    with pytest.raises(ValueError, match=r"x\[0, 2, 1\].*only finite numbers"):
        parse_npy(npy_bytes(x))


# --------------------------------------------------------------------------------------
# parse_csv


def test_parse_csv_round_trips_with_and_without_header():
    x = generate("normal", 1, 6, 3, seed=2)
    rows = [[repr(float(v)) for v in row] for row in x[0]]
    np.testing.assert_array_equal(parse_csv(csv_bytes(rows)), x)
    with_header = parse_csv(csv_bytes([["a", "b", "c"], *rows]))
    np.testing.assert_array_equal(with_header, x)
    assert with_header.dtype == np.float32
    assert with_header.shape == (1, 6, 3)


def test_parse_csv_round_trips_np_savetxt():
    x = generate("uniform", 1, 5, 4, seed=9)
    buf = io.StringIO()
    np.savetxt(buf, x[0], delimiter=",", fmt="%.9g", header="f0,f1,f2,f3", comments="")
    np.testing.assert_array_equal(parse_csv(buf.getvalue()), x)


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_parse_csv_delimiters(delimiter):
    data = csv_bytes([["x", "y"], [1, 2.5], [3, -4e-3]], delimiter=delimiter)
    np.testing.assert_array_equal(
        parse_csv(data), np.array([[[1, 2.5], [3, -4e-3]]], dtype=np.float32)
    )


def test_parse_csv_single_column_bom_blank_lines_and_spaces():
    text = "\ufeffvalue\r\n 1 \r\n\r\n2\r\n3\r\n\r\n"
    out = parse_csv(text.encode("utf-8"))
    np.testing.assert_array_equal(out, [[[1], [2], [3]]])
    assert parse_csv("1, 2\n3 ,4\n,\n").shape == (1, 2, 2)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", "empty"),
        ("", "empty"),
        (b"\n\n  \n", "no rows of numbers"),
        (b"a,b,c\n", "no rows of numbers"),
        (b"1,2,3\n4,5,6\n7,8,9,10,11\n", "row 3 has 5 values, expected 3"),
        (b"a,b\n1,2\n3\n", r"row 3 has 1 value, expected 2 \(as in the header"),
        (b"1,2\n3,x\n", "row 2, column 2 is 'x': expected a number"),
        (b"1,2\n3,\n", "row 2, column 2 is empty"),
        (b"1,2,3,4\n1,2,3,nan\n", "row 2, column 4 is nan: only finite numbers"),
        (b"1,inf\n", "row 1, column 2 is inf: only finite"),
        (b"1,-Infinity\n", "row 1, column 2 is -inf"),
        (b"1e39,1\n", "row 1, column 1 is 1e39, too large for float32"),
        (b"1,2\n\xff\xfe,3\n", "not UTF-8.*0xff at position 4"),
        (b'"abc\n', "could not be read|no rows"),
    ],
)
def test_parse_csv_errors(data, match):
    with pytest.raises(ValueError, match=match):
        parse_csv(data)


def test_parse_csv_limits():
    too_long = "\n".join(["1"] * (MAX_TIMESTEPS + 1))
    with pytest.raises(ValueError, match=f"more than {MAX_TIMESTEPS} data rows"):
        parse_csv(too_long)
    assert parse_csv("h\n" + "\n".join(["1"] * MAX_TIMESTEPS)).shape == (
        1,
        MAX_TIMESTEPS,
        1,
    )
    too_wide = ",".join(["1"] * (MAX_FEATURES + 1))
    with pytest.raises(ValueError, match=f"129 values; at most {MAX_FEATURES}"):
        parse_csv(too_wide)
    with pytest.raises(ValueError, match=f"at most {MAX_UPLOAD_BYTES:,} bytes"):
        parse_csv(b"1," * (MAX_UPLOAD_BYTES // 2 + 1))
    with pytest.raises(ValueError, match=r"line 2 is .* characters long"):
        parse_csv("1\n" + "1," * 40_000 + "1\n")
    assert MAX_TIMESTEPS * MAX_FEATURES <= MAX_INPUT_ELEMENTS  # CSV is batch 1


def test_parse_csv_refuses_non_text_types():
    with pytest.raises(ValueError, match="must be given as bytes"):
        parse_csv(12)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------
# parse_weights_npz

SIMPLE = LayerSpec(units=4)  # on 8 features: kernel (8, 4), recurrent (4, 4), bias (4,)


def npz_bytes(*arrays: np.ndarray, compressed: bool = False, **named) -> bytes:
    buf = io.BytesIO()
    (np.savez_compressed if compressed else np.savez)(buf, *arrays, **named)
    return buf.getvalue()


def zip_of(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


def random_weights(spec: LayerSpec, input_dim: int, dtype=np.float32) -> list:
    rng = np.random.default_rng(0)
    return [rng.uniform(-1, 1, s).astype(dtype) for s in spec.weight_shapes(input_dim)]


@pytest.mark.parametrize(
    "spec",
    [
        SIMPLE,
        LayerSpec(cell="lstm", units=3, use_bias=False),
        LayerSpec(cell="gru", units=2),  # reset_after: bias of shape (2, 6)
        LayerSpec(cell="gru", units=2, bidirectional=True, reset_after=False),
    ],
)
@pytest.mark.parametrize("compressed", [False, True])
def test_parse_weights_npz_round_trips(spec, compressed):
    weights = random_weights(spec, 5)
    out = parse_weights_npz(npz_bytes(*weights, compressed=compressed), spec, 5)
    assert len(out) == len(weights)
    for got, expected in zip(out, weights, strict=True):
        assert got.dtype == np.float32
        assert got.flags.c_contiguous
        np.testing.assert_array_equal(got, expected)


def test_parse_weights_npz_converts_numbers_to_float32():
    weights = random_weights(SIMPLE, 8, dtype=np.float64)
    weights[0] = np.asfortranarray(weights[0])
    weights[2] = np.arange(4, dtype=np.int16)
    out = parse_weights_npz(npz_bytes(*weights), SIMPLE, 8)
    for got, expected in zip(out, weights, strict=True):
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, expected.astype(np.float32))


@pytest.mark.parametrize(
    ("arrays", "match"),
    [
        (
            2,
            r"must hold 3 arrays for this layer \(arr_0 kernel \(8, 4\), arr_1 "
            r"recurrent_kernel \(4, 4\), arr_2 bias \(4,\)\); got arr_0, arr_1\.",
        ),
        (4, r"must hold 3 arrays .*got arr_0, arr_1, arr_2, arr_3\."),
        (0, r"must hold 3 arrays .*got nothing\."),
    ],
)
def test_parse_weights_npz_refuses_the_wrong_count(arrays, match):
    weights = [*random_weights(SIMPLE, 8), np.zeros(4)][:arrays]
    data = npz_bytes(*weights) if weights else zip_of({})
    with pytest.raises(ValueError, match=match):
        parse_weights_npz(data, SIMPLE, 8)


def test_parse_weights_npz_refuses_other_names():
    kernel, recurrent, bias = random_weights(SIMPLE, 8)
    data = npz_bytes(kernel=kernel, recurrent_kernel=recurrent, bias=bias)
    with pytest.raises(ValueError, match="got bias, kernel, recurrent_kernel"):
        parse_weights_npz(data, SIMPLE, 8)


@pytest.mark.parametrize(
    ("index", "shape", "match"),
    [
        (0, (7, 4), r"arr_0 \(kernel, Wx\) must have shape \(8, 4\) .*got \(7, 4\)"),
        (
            1,
            (3, 4),
            r"arr_1 \(recurrent_kernel, Wh\) must have shape \(4, 4\)"
            r" for this layer and 8 features; got \(3, 4\)",
        ),
        (2, (1, 4), r"arr_2 \(bias, b\) must have shape \(4,\) .*got \(1, 4\)"),
        (2, (), r"arr_2 \(bias, b\) must have shape \(4,\) .*got \(\)"),
    ],
)
def test_parse_weights_npz_names_the_array_of_the_wrong_shape(index, shape, match):
    weights = random_weights(SIMPLE, 8)
    weights[index] = np.zeros(shape)
    with pytest.raises(ValueError, match=match):
        parse_weights_npz(npz_bytes(*weights), SIMPLE, 8)


def test_parse_weights_npz_names_the_direction_of_a_bidirectional_layer():
    spec = LayerSpec(bidirectional=True)
    weights = random_weights(spec, 8)
    weights[4] = np.zeros((5, 4))
    with pytest.raises(ValueError, match=r"arr_4 \(recurrent_kernel, backward/Wh\)"):
        parse_weights_npz(npz_bytes(*weights), spec, 8)


def test_parse_weights_npz_refuses_a_pickled_object_member():
    weights = random_weights(SIMPLE, 8)
    weights[1] = np.empty((4, 4), dtype=object)  # np.savez pickles it
    with pytest.raises(
        ValueError,
        match=r"arr_1 \(recurrent_kernel, Wh\) holds Python objects.*"
        "pickled content is not accepted",
    ):
        parse_weights_npz(npz_bytes(*weights), SIMPLE, 8)


@pytest.mark.parametrize(
    ("x", "match"),
    [
        (np.zeros(4, dtype=complex), "complex"),
        (np.array(["a", "b", "c", "d"]), "text"),
        (np.zeros(4, dtype=[("a", "<f4")]), "structured"),
    ],
)
def test_parse_weights_npz_refuses_non_numeric_members(x, match):
    weights = random_weights(SIMPLE, 8)
    weights[2] = x
    with pytest.raises(ValueError, match=rf"arr_2 \(bias, b\) .*{match}"):
        parse_weights_npz(npz_bytes(*weights), SIMPLE, 8)


@pytest.mark.parametrize(
    ("bad", "match"),
    [
        (np.nan, "is nan: only finite numbers"),
        (-np.inf, "is -inf: only finite numbers"),
        (1e300, r"is 1e\+300, too large for float32"),
    ],
)
def test_parse_weights_npz_names_the_first_non_finite_value(bad, match):
    weights = random_weights(SIMPLE, 8, dtype=np.float64)
    weights[0][5, 2] = bad
    with pytest.raises(ValueError, match=rf"arr_0 \(kernel, Wx\) at \[5, 2\] {match}"):
        parse_weights_npz(npz_bytes(*weights), SIMPLE, 8)


def test_parse_weights_npz_refuses_a_huge_declared_shape_before_allocating():
    # The header of arr_0 declares a billion values and no data follows.
    header = npy_header_only((100_000, 10_000))
    weights = random_weights(SIMPLE, 8)
    data = zip_of(
        {
            "arr_0.npy": header,
            "arr_1.npy": npy_bytes(weights[1]),
            "arr_2.npy": npy_bytes(weights[2]),
        }
    )
    assert_refused_quickly_and_small(
        lambda: parse_weights_npz(data, SIMPLE, 8),
        r"must have shape \(8, 4\).*100000",
    )


def test_parse_weights_npz_refuses_members_with_missing_or_extra_data():
    weights = random_weights(SIMPLE, 8)
    members = {f"arr_{k}.npy": npy_bytes(w) for k, w in enumerate(weights)}
    truncated = {**members, "arr_1.npy": members["arr_1.npy"][:-4]}
    with pytest.raises(
        ValueError, match=r"arr_1 \(recurrent_kernel, Wh\) is truncated"
    ):
        parse_weights_npz(zip_of(truncated), SIMPLE, 8)
    padded = {**members, "arr_2.npy": members["arr_2.npy"] + b"\0" * 4}
    with pytest.raises(ValueError, match=r"arr_2 \(bias, b\) has 4 unexpected bytes"):
        parse_weights_npz(zip_of(padded), SIMPLE, 8)
    garbage = {**members, "arr_0.npy": b"not an array"}
    with pytest.raises(ValueError, match=r"header of arr_0 \(kernel, Wx\) cannot be"):
        parse_weights_npz(zip_of(garbage), SIMPLE, 8)


@pytest.mark.parametrize(
    ("data", "match"),
    [
        (b"", "empty"),
        (b"hello", "not an .npz file: it is not a zip archive"),
        (npy_bytes(np.zeros((8, 4))), "not an .npz file: it is a single .npy array"),
        (b"\x80\x04\x95", "looks pickled"),
        (b"PK\x03\x04 damaged", "not a readable .npz file"),
    ],
)
def test_parse_weights_npz_refuses_what_is_not_an_npz(data, match):
    with pytest.raises(ValueError, match=match):
        parse_weights_npz(data, SIMPLE, 8)


def test_parse_weights_npz_refuses_a_file_over_the_layer_limit_first():
    limit = weights_npz_byte_limit(SIMPLE, 8)
    # kernel, recurrent_kernel and bias: 52 values, as float64, plus 4 KiB per array
    # and 4 KiB for the archive.
    assert limit == 8 * (32 + 16 + 4) + 4096 * 4
    with pytest.raises(ValueError, match=f"at most {limit:,} bytes for this layer"):
        parse_weights_npz(b"PK" + b"\0" * limit, SIMPLE, 8)
    # The largest layer's float64 weights fit under its own limit.
    spec = LayerSpec(cell="lstm", units=256, bidirectional=True)
    assert weights_npz_byte_limit(spec, MAX_FEATURES) > MAX_UPLOAD_BYTES


@pytest.mark.parametrize(
    ("spec", "input_dim", "match"),
    [
        ("simple_rnn", 8, "`spec` must be a LayerSpec"),
        (SIMPLE, 0, "`input_dim` must be a whole number from 1 to 128"),
        (SIMPLE, MAX_FEATURES + 1, "`input_dim`"),
        (SIMPLE, 8.0, "`input_dim`"),
        (SIMPLE, True, "`input_dim`"),
    ],
)
def test_parse_weights_npz_checks_its_arguments(spec, input_dim, match):
    data = npz_bytes(*random_weights(SIMPLE, 8))
    with pytest.raises(ValueError, match=match):
        parse_weights_npz(data, spec, input_dim)
    with pytest.raises(ValueError, match=match):
        weights_npz_byte_limit(spec, input_dim)


@st.composite
def _mangled_npz(draw: st.DrawFn) -> bytes:
    spec = draw(st.sampled_from([SIMPLE, LayerSpec(cell="gru", units=4)]))
    data = bytearray(
        npz_bytes(*random_weights(spec, 8), compressed=draw(st.booleans()))
    )
    for _ in range(draw(st.integers(0, 4))):
        i = draw(st.integers(0, len(data) - 1))
        data[i] = draw(st.integers(0, 255))
    cut = draw(st.integers(0, len(data)))
    return bytes(data[:cut]) + draw(st.binary(max_size=8))


@given(data=_mangled_npz() | st.binary(max_size=300).map(lambda b: b"PK" + b))
@settings(max_examples=200, deadline=None)
def test_parse_weights_npz_never_raises_anything_but_value_error(data):
    try:
        out = parse_weights_npz(data, SIMPLE, 8)
    except ValueError:
        return
    assert [w.shape for w in out] == SIMPLE.weight_shapes(8)
    assert all(w.dtype == np.float32 and np.isfinite(w).all() for w in out)


# --------------------------------------------------------------------------------------
# Property tests: untrusted bytes end in a checked array or a ValueError, nothing else


def _valid_npy() -> st.SearchStrategy[bytes]:
    shapes = st.tuples(st.integers(1, 4), st.integers(1, 5)) | st.tuples(
        st.integers(1, 3), st.integers(1, 4), st.integers(1, 4)
    )
    dtypes = st.sampled_from(["<f4", "<f8", "<i4", "|u1", "|b1", ">f4"])
    return st.builds(
        lambda shape, dtype: npy_bytes(np.zeros(shape, dtype=dtype)), shapes, dtypes
    )


@st.composite
def _mangled_npy(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(_valid_npy()))
    for _ in range(draw(st.integers(0, 4))):
        i = draw(st.integers(0, len(data) - 1))
        data[i] = draw(st.integers(0, 255))
    cut = draw(st.integers(0, len(data)))
    return bytes(data[:cut]) + draw(st.binary(max_size=8))


@st.composite
def _mangled_header(draw: st.DrawFn) -> bytes:
    header = draw(
        st.sampled_from(
            [
                "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }",
                "{'descr': (), 'fortran_order': False, 'shape': (2, 3), }",
                "{'descr': [('a',)], 'fortran_order': False, 'shape': (2,), }",
                "{'descr': '<f4', 'fortran_order': 1, 'shape': (2, 3), }",
                "{'descr': '<f4', 'fortran_order': False, 'shape': (True, 3), }",
                "{'descr': 'O', 'fortran_order': False, 'shape': (2, 3), }",
                "{'descr': '<c8', 'fortran_order': False, 'shape': (2, 3), }",
                "[1, 2]",
                "{",
            ]
        )
    )
    text = header.encode("latin1") + draw(st.binary(max_size=4))
    body = draw(st.binary(max_size=32))
    length = len(text).to_bytes(2, "little")
    return b"\x93NUMPY\x01\x00" + length + text + body


def _assert_array_or_value_error(parse, data) -> None:
    try:
        out = parse(data)
    except ValueError:
        return
    assert out.dtype == np.float32
    assert out.ndim == 3
    np.testing.assert_array_equal(check_input_array(out), out)


@given(data=st.binary(max_size=300) | _valid_npy() | _mangled_npy() | _mangled_header())
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_parse_npy_never_raises_anything_but_value_error(data):
    _assert_array_or_value_error(parse_npy, data)


_csv_cells = st.sampled_from(
    ["1", "-2.5", "3e4", "nan", "inf", "x", "", " ", '"4"', "1e39", "0x10", "1_0"]
)


@st.composite
def _csv_text(draw: st.DrawFn) -> str:
    delimiter = draw(st.sampled_from([",", ";", "\t"]))
    rows = draw(st.lists(st.lists(_csv_cells, min_size=1, max_size=4), max_size=6))
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    return newline.join(delimiter.join(cells) for cells in rows)


@given(
    data=st.binary(max_size=300)
    | st.text(max_size=300)
    | _csv_text()
    | _csv_text().map(str.encode)
)
@settings(max_examples=200, deadline=None)
def test_parse_csv_never_raises_anything_but_value_error(data):
    _assert_array_or_value_error(parse_csv, data)


@given(
    x=hnp.arrays(
        dtype=st.sampled_from([np.float32, np.int16, np.uint8, np.bool_]),
        shape=hnp.array_shapes(min_dims=2, max_dims=3, min_side=1, max_side=6),
        elements={"allow_nan": False, "allow_infinity": False},
    ),
    fortran=st.booleans(),
)
@settings(max_examples=200, deadline=None)
def test_valid_arrays_round_trip_exactly_through_npy(x, fortran):
    if fortran:
        x = np.asfortranarray(x)
    out = parse_npy(npy_bytes(x))
    expected = x.astype(np.float32).reshape((1, *x.shape) if x.ndim == 2 else x.shape)
    np.testing.assert_array_equal(out, expected)
    assert out.dtype == np.float32
    assert out.flags.c_contiguous


@given(
    x=hnp.arrays(
        dtype=np.float32,
        shape=hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=6),
        elements={"allow_nan": False, "allow_infinity": False},
    ),
    header=st.booleans(),
)
@settings(max_examples=100, deadline=None)
def test_valid_tables_round_trip_exactly_through_csv(x, header):
    rows = [[repr(float(v)) for v in row] for row in x]
    if header:
        rows.insert(0, [f"f{i}" for i in range(x.shape[1])])
    np.testing.assert_array_equal(parse_csv(csv_bytes(rows)), x[None])


# --------------------------------------------------------------------------------------
# No TensorFlow, Keras or Streamlit


def test_inputs_module_imports_no_tensorflow_keras_or_streamlit(assert_stays_light):
    assert_stays_light(
        """
import io, sys
import numpy as np
import rnn_core.inputs as inputs

for name in inputs.GENERATORS:
    inputs.generate(name, 2, 5, 8, seed=1)
buf = io.BytesIO()
np.save(buf, np.ones((3, 4), dtype=np.float32))
inputs.parse_npy(buf.getvalue())
inputs.parse_csv(b"a,b\\n1,2\\n")
inputs.input_digest(inputs.check_input_array(np.zeros((1, 1, 1))))
from rnn_core.spec import LayerSpec
spec = LayerSpec()
buf = io.BytesIO()
np.savez(buf, *[np.zeros(s) for s in spec.weight_shapes(3)])
inputs.parse_weights_npz(buf.getvalue(), spec, 3)
"""
    )
