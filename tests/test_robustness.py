"""Bad input everywhere: hypothesis over the layer's fields, input shapes and values,
the generators and the command line, at least 1,000 examples each; and numbers beyond
float32's range (relative residuals, exploding states).

Every case ends in a result or a `ValueError` that names what is wrong (the command
line: exit status 0, 1 or 2, and for 2 exactly one line on stderr), never another
exception, a traceback or a large allocation. Only the command-line test can load
TensorFlow (when hypothesis happens to build a valid call, which then runs a small
layer); it carries the `keras` mark.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
import math
import tracemalloc

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from rnn_core import cli
from rnn_core.inputs import GENERATORS, MAX_SEED, check_input_array, generate
from rnn_core.limits import (
    MAX_BATCH,
    MAX_FEATURES,
    MAX_INPUT_ELEMENTS,
    MAX_TIMESTEPS,
    MAX_UPLOAD_BYTES,
    check_input_shape,
)
from rnn_core.spec import ACTIVATIONS, CELLS, FLAGS, MAX_UNITS, MERGE_MODES, LayerSpec
from rnn_core.trace import RELATIVE_FLOOR, relative_residual

PEAK_BYTES = 50 * 2**20
FUZZ = settings(
    max_examples=1000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def peak_of(call: object) -> tuple[object, int]:
    """`call()` (or the ValueError it raised) and the bytes it allocated at peak."""
    tracemalloc.start()
    try:
        try:
            result = call()  # type: ignore[operator]
        except ValueError as error:
            result = error
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


def assert_clear(error: ValueError, *names: str) -> None:
    """A one-line message that names at least one of `names` (in backticks)."""
    message = str(error)
    assert message.isprintable(), repr(message)
    assert len(message) < 1_000
    assert any(f"`{name}`" in message for name in names), (names, message)


# --------------------------------------------------------------------------------------
# LayerSpec: every field at once, each valid or not

JUNK = st.one_of(
    st.integers(-(2**70), 2**70),
    st.floats(allow_nan=True),
    st.text(max_size=12),
    st.binary(max_size=4),
    st.booleans(),
    st.none(),
    st.lists(st.integers(), max_size=2),
    st.tuples(st.text(max_size=3)),
    st.dictionaries(st.text(max_size=2), st.integers(), max_size=1),
    st.sampled_from(
        [
            np.int64(4),
            np.float32(4.0),
            np.bool_(True),
            np.array(["lstm"]),
            np.array([], dtype=str),
            "LSTM",
            "tanh ",
            "None",
            "",
            "\x00",
            "relu\n",
            "ｒｅｌｕ",
            4.0,
            1 + 0j,
        ]
    ),
)
VALID = {
    "cell": st.sampled_from(CELLS),
    "units": st.integers(1, MAX_UNITS),
    "activation": st.sampled_from((*ACTIVATIONS, None)),
    "recurrent_activation": st.sampled_from(ACTIVATIONS),
    "merge_mode": st.sampled_from(MERGE_MODES),
    **{flag: st.booleans() for flag in FLAGS},
}
FIELDS = [f.name for f in dataclasses.fields(LayerSpec)]


def _valid(field: str, value: object) -> bool:
    if field == "cell":
        return isinstance(value, str) and value in CELLS
    if field == "units":
        return type(value) is int and 1 <= value <= MAX_UNITS
    if field in ("activation", "merge_mode"):
        allowed = (*ACTIVATIONS, None) if field == "activation" else MERGE_MODES
        return value is None or (isinstance(value, str) and value in allowed)
    if field == "recurrent_activation":
        return isinstance(value, str) and value in ACTIVATIONS
    return type(value) is bool


@FUZZ
@given(
    fields=st.fixed_dictionaries(
        {},
        optional={name: st.one_of(VALID[name], VALID[name], JUNK) for name in FIELDS},
    )
)
def test_layer_spec_is_valid_or_names_a_bad_field(fields: dict[str, object]):
    bad = [name for name, value in fields.items() if not _valid(name, value)]
    both_ways = (
        fields.get("bidirectional") is True and fields.get("go_backwards") is True
    )
    result, peak = peak_of(lambda: LayerSpec(**fields))
    assert peak < PEAK_BYTES
    if bad or both_ways:
        assert isinstance(result, ValueError), (fields, result)
        assert_clear(result, *(bad or ["go_backwards"]))
        return
    assert isinstance(result, LayerSpec), result
    for name, value in fields.items():
        assert getattr(result, name) == value
    assert hash(result) == hash(LayerSpec(**result.to_dict()))
    assert isinstance(result.keras_code(), str)
    shapes = result.weight_shapes(3)
    assert all(all(isinstance(n, int) and n > 0 for n in s) for s in shapes)


# --------------------------------------------------------------------------------------
# Input shapes and values

SIZES = st.one_of(
    st.integers(-3, 600),
    st.integers(-(2**64), 2**64),
    st.sampled_from([0, 1, MAX_BATCH, MAX_TIMESTEPS, MAX_FEATURES, 10**9]),
    st.floats(allow_nan=True),
    st.sampled_from([True, False, None, "4", np.int32(4), 4.0]),
)


@FUZZ
@given(batch=SIZES, timesteps=SIZES, features=SIZES)
def test_check_input_shape_accepts_exactly_the_limits(
    batch: object, timesteps: object, features: object
):
    sizes = {"batch": batch, "timesteps": timesteps, "features": features}
    limits = {"batch": MAX_BATCH, "timesteps": MAX_TIMESTEPS, "features": MAX_FEATURES}
    out_of_range = [
        name
        for name, value in sizes.items()
        if type(value) is not int or not 1 <= value <= limits[name]
    ]
    result, peak = peak_of(lambda: check_input_shape(batch, timesteps, features))
    assert peak < 1_000_000
    if out_of_range:
        assert isinstance(result, ValueError)
        assert_clear(result, *out_of_range)
    elif batch * timesteps * features > MAX_INPUT_ELEMENTS:  # type: ignore[operator]
        assert isinstance(result, ValueError)
        assert f"at most {MAX_INPUT_ELEMENTS:,}" in str(result)
    else:
        assert result is None


@FUZZ
@given(
    name=st.sampled_from(list(GENERATORS)) | JUNK,
    batch=SIZES,
    timesteps=SIZES,
    features=SIZES,
    seed=st.one_of(st.integers(-5, 2**33), st.sampled_from([MAX_SEED, 0])) | JUNK,
    options=st.dictionaries(
        st.sampled_from(["text", "feature", "scaled", "noise"]),
        st.one_of(st.text(max_size=20), st.integers(-3, 200), st.booleans(), JUNK),
        max_size=2,
    ),
)
def test_generate_returns_the_shape_asked_for_or_an_error(
    name: object,
    batch: object,
    timesteps: object,
    features: object,
    seed: object,
    options: dict[str, object],
):
    result, peak = peak_of(
        lambda: generate(name, batch, timesteps, features, seed, **options)  # type: ignore[arg-type]
    )
    assert peak < PEAK_BYTES, peak
    if isinstance(result, ValueError):
        message = str(result)
        assert message.isprintable()
        assert message.startswith(("`", "Unknown", "The input"))
        event("refused")
        return
    event("generated")
    assert isinstance(result, np.ndarray)
    assert result.dtype == np.float32
    assert np.isfinite(result).all()
    check_input_shape(*result.shape)
    if not (name == "one_hot_text" and (timesteps is None or features is None)):
        assert result.shape == (batch, timesteps, features)


ARRAYS = st.one_of(
    hnp.arrays(
        st.sampled_from(["<f4", "<f8", ">f8", "<f2", "<i4", "|u1", "|b1", "<i8"]).map(
            np.dtype
        ),
        hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=6),
    ),
    hnp.arrays(
        st.sampled_from(["<c8", "<U2", "|S2", "<M8[D]"]).map(np.dtype),
        hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=3),
    ),
    hnp.arrays(object, st.tuples(st.integers(1, 2), st.integers(1, 2), st.just(1))),
    st.sampled_from(
        [
            np.zeros((1, MAX_TIMESTEPS + 1, 1)),
            np.zeros((MAX_BATCH, MAX_TIMESTEPS, 2)),
            np.zeros((1, 2, MAX_FEATURES + 1), np.float32),
            np.broadcast_to(np.float64(1e39), (1, 3, 2)),
            np.zeros((2, 3, 4))[:, ::2],
            np.zeros((2, 3, 4), np.float32).T,
        ]
    ),
    JUNK,
)


@FUZZ
@given(x=ARRAYS)
def test_check_input_array_returns_float32_or_an_error(x: object):
    result, peak = peak_of(lambda: check_input_array(x))  # type: ignore[arg-type]
    assert peak < PEAK_BYTES
    if isinstance(result, ValueError):
        assert str(result).isprintable()
        return
    assert isinstance(x, np.ndarray)
    assert isinstance(result, np.ndarray)
    assert result is not x
    assert result.dtype == np.float32
    assert result.flags.c_contiguous
    assert np.isfinite(result).all()
    np.testing.assert_array_equal(result, x.astype(np.float32))


# --------------------------------------------------------------------------------------
# The command line, in-process


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Input and weights files, good and bad, for --input-file and --weights-file."""
    folder = tmp_path_factory.mktemp("cli-files")
    made = {
        "good.csv": b"a,b\n1,2\n3,4\n",
        "ragged.csv": b"1,2\n3\n",
        "junk.csv": bytes(range(256)),
        "quotes.csv": b',"' * 5_000,
        "good.npy": None,
        "pickled.npy": None,
        "header.npy": b"\x93NUMPY\x01\x00\x46\x00{'descr': '<f4', 'fortran_order': "
        b"False, 'shape': (1000, 1000, 1000), }    \n",
        "good.npz": None,
        "empty.npz": b"",
        "weights.txt": b"1",
    }
    for name, data in made.items():
        path = folder / name
        if name == "good.npy":
            np.save(path, np.ones((1, 2, 2), np.float32))
        elif name == "pickled.npy":
            np.save(path, np.array([{"x": 1}], dtype=object), allow_pickle=True)
        elif name == "good.npz":
            np.savez(path, *[np.zeros(s) for s in LayerSpec().weight_shapes(2)])
        else:
            path.write_bytes(data)
    with open(folder / "huge.csv", "wb") as f:
        f.truncate(MAX_UPLOAD_BYTES + 1)
    (folder / "folder.csv").mkdir()
    return {
        path.name: str(path)
        for path in folder.iterdir()
        if not path.name.startswith(".")
    }


OPTIONS_WITH_VALUES = {
    "--cell": st.sampled_from(CELLS),
    "--units": st.integers(1, 4).map(str),
    "--activation": st.sampled_from(["tanh", "relu", "none", "sigmoid"]),
    "--recurrent-activation": st.sampled_from(["sigmoid", "tanh"]),
    "--merge-mode": st.sampled_from(["concat", "sum", "none"]),
    "--input": st.sampled_from(["uniform", "ramp", "one_hot_text"]),
    "--batch": st.integers(1, 3).map(str),
    "--timesteps": st.integers(1, 4).map(str),
    "--features": st.integers(1, 4).map(str),
    "--input-seed": st.integers(0, 9).map(str),
    "--seed": st.integers(0, 9).map(str),
    "--text": st.sampled_from(["ab", "hello"]),
    "--tolerance": st.sampled_from(["1e-5", "0.5", "1"]),
    "--batch-index": st.sampled_from(["0", "1"]),
    "--input-file": st.just("{good.csv}"),
    "--weights-file": st.just("{good.npz}"),
}
BAD_VALUES = st.one_of(
    st.text(max_size=15),
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(
        [
            "",
            "-1",
            "0",
            "257",
            "501",
            "129",
            "1e9",
            "nan",
            "inf",
            "4.5",
            "None",
            "--units",
            "-",
            "\x00",
            "🙂",
            "{ragged.csv}",
            "{junk.csv}",
            "{quotes.csv}",
            "{pickled.npy}",
            "{header.npy}",
            "{empty.npz}",
            "{huge.csv}",
            "{folder.csv}",
            "{weights.txt}",
            "{good.npy}",
            "/nonexistent/x.csv",
            "/dev/null",
        ]
    ),
)
FLAG_TOKENS = [
    "--json",
    "--return-sequences",
    "--return-state",
    "--no-bias",
    "--go-backwards",
    "--no-unit-forget-bias",
    "--reset-before",
    "--bidirectional",
    "--show-states",
]
ODD_TOKENS = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "--",
            "-",
            "--units=3",
            "--units=",
            "--unit",
            "--UNITS",
            "—units",
            "-u",
            "--json=1",
            "--frobnicate",
            "-h",
            "--help",
            "@args.txt",
        ]
    ),
)


@st.composite
def argvs(draw: st.DrawFn, files: dict[str, str]) -> list[str]:
    """Mostly odd command lines: options with good and bad values, flags, junk."""
    argv: list[str] = []
    for _ in range(draw(st.integers(1, 7))):
        kind = draw(st.integers(0, 9))
        if kind < 5:
            option = draw(st.sampled_from(sorted(OPTIONS_WITH_VALUES)))
            good = draw(st.integers(0, 3)) == 0  # most values are bad
            value = draw(OPTIONS_WITH_VALUES[option] if good else BAD_VALUES)
            argv += [option, files.get(value.strip("{}"), value)]
        elif kind < 8:
            argv.append(draw(st.sampled_from(FLAG_TOKENS)))
        else:
            argv.append(draw(ODD_TOKENS))
    return argv


def run_main(argv: list[str]) -> tuple[int, str, str]:
    """`rnn_core.cli.main(argv)` in this process: (status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(argv)
    return status, out.getvalue(), err.getvalue()


@pytest.mark.keras  # a valid call runs its (small) layer through Keras
@FUZZ
@given(data=st.data())
def test_command_line_exits_0_1_or_2_with_one_line_errors(
    files: dict[str, str], data: st.DataObject
):
    argv = data.draw(argvs(files), label="argv")
    status, out, err = run_main(argv)
    assert status in (0, 1, 2), (argv, status, err)
    assert "Traceback" not in err + out
    lines = [line for line in err.splitlines() if line.strip()]
    if status == 2:
        event("exit 2")
        assert len(lines) == 1, (argv, err)
        assert lines[0].startswith("error: ")
        assert out == ""
        return
    if "-h" in argv or "--help" in argv:
        event("help")
        assert status == 0
        assert "usage: python -m rnn_core" in out
        return
    event(f"ran a layer: exit {status}")
    if status == 1:
        assert lines[-1].startswith("error: the NumPy formulas and Keras disagree")
    if "--json" in argv:
        report = json.loads(out)  # stdout is pure JSON
        assert report["agree"] is (status == 0)
        assert math.isfinite(report["tolerance"])
    else:
        assert out.startswith("Keras and the NumPy formulas ")


def test_command_line_refuses_a_trace_over_the_state_limit():
    """Found while fuzzing: the app refused batch × timesteps × units over
    MAX_STATE_ELEMENTS, the command line ran it (6.5M values per state here)."""
    status, out, err = run_main(
        ["--units", "256", "--batch", "256", "--timesteps", "100", "--features", "1"]
    )
    assert status == 2
    assert out == ""
    (line,) = err.splitlines()
    assert "6,553,600 values per state; at most 2,000,000" in line


def test_every_option_of_the_parser_is_fuzzed():
    """The strategies above know every option the command line has."""
    known = {*OPTIONS_WITH_VALUES, *FLAG_TOKENS, "--help", "-h"}
    options = {o for a in cli.build_parser()._actions for o in a.option_strings}
    assert options == known, options ^ known


# --------------------------------------------------------------------------------------
# Numbers beyond float32: relative residuals and exploding states


@settings(max_examples=300, deadline=None)
@given(
    pair=st.integers(1, 6).flatmap(
        lambda n: st.tuples(
            *[
                hnp.arrays(
                    np.float32,
                    n,
                    elements=st.floats(width=32, allow_nan=True, allow_infinity=True),
                )
            ]
            * 2
        )
    )
)
def test_relative_residual_is_defined_exactly_where_both_are_finite(pair):
    manual, keras = pair
    relative = relative_residual(manual, keras)
    finite = np.isfinite(manual) & np.isfinite(keras)
    np.testing.assert_array_equal(np.isnan(relative), ~finite)
    with np.errstate(invalid="ignore", over="ignore"):  # inf − inf: not compared
        expected = np.abs(manual.astype(np.float64) - keras) / np.maximum(
            np.abs(keras.astype(np.float64)), RELATIVE_FLOOR
        )
    np.testing.assert_array_equal(relative[finite], expected[finite])
    assert (relative[finite] >= 0).all()
    same = finite & (manual == keras)
    np.testing.assert_array_equal(relative[same], 0.0)


def test_relative_residual_refuses_arrays_of_different_shapes():
    with pytest.raises(ValueError, match="same shape"):
        relative_residual(np.zeros(3), np.zeros(4))


EXPLODING = [
    LayerSpec(cell="lstm", units=3, activation="relu"),
    LayerSpec(units=3, activation=None),
    LayerSpec(units=3, activation="exponential"),
    LayerSpec(units=3, activation="relu", bidirectional=True, merge_mode="mul"),
]


@pytest.mark.keras
@pytest.mark.parametrize("spec", EXPLODING, ids=lambda s: s.keras_code())
def test_exploding_states_overflow_alike_and_are_explained(spec: LayerSpec):
    """Every weight 3.0 and 80 steps: the states pass float32's range in Keras and in
    NumPy at the same places; residuals there are NaN or ±inf, never a misleading 0;
    the warning says how many, from which step, and why."""
    from rnn_core.trace import overflow_warning, trace

    weights = [np.full(shape, 3.0, np.float32) for shape in spec.weight_shapes(2)]
    x = generate("uniform", 2, 80, 2, seed=0)  # (batch, timesteps, features)
    result = trace(spec, x, weights)
    overflowed = 0
    for key, keras in result.keras_states.items():
        manual = result.manual_states[key]
        np.testing.assert_array_equal(np.isfinite(keras), np.isfinite(manual))
        undefined = ~np.isfinite(keras)
        overflowed += int(undefined.sum())
        assert not (result.residuals[key][undefined] == 0).any()
        assert np.isnan(result.relative_residual(key, 0)[undefined[0]]).all()
    assert overflowed > 0
    assert result.nonfinite_mismatches == 0
    assert math.isfinite(result.max_abs_residual)
    assert math.isfinite(result.max_relative_residual)
    warning = overflow_warning(result)
    assert warning is not None
    counts = result.nonfinite_counts
    assert f"{sum(counts['keras'].values()):,} of Keras'" in warning
    assert f"from step {result.first_nonfinite_step} on" in warning
    assert "3.4e+38" in warning
    assert f"{spec.activation_name} is unbounded" in warning
    assert "Both computations overflow at the same places" in warning
