"""rnn_core.export: the states CSV, the weights .npz round trip, and the standalone
script (compiled for every cell and flag, and run for a few against the real Keras)."""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import csv
import io
import itertools
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from rnn_core import LayerSpec, trace
from rnn_core import export as E  # noqa: N812
from rnn_core.activations import get_activation
from rnn_core.export import (
    CSV_HEADER,
    NUMPY_ACTIVATIONS,
    standalone_script,
    states_csv,
    weights_npz,
)
from rnn_core.inputs import parse_weights_npz
from rnn_core.spec import ACTIVATIONS, MERGE_MODES
from tests.arrays import random_normal as _random
from tests.arrays import random_weights as _weights

TOL = 1e-5


def read_csv(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


# --- CSV of the states (real Keras trace) ---------------------------------------------


@pytest.fixture(scope="module")
def lstm_backwards_trace():
    spec = LayerSpec(cell="lstm", units=3, go_backwards=True, return_sequences=True)
    x = _random((2, 4, 5), seed=1)
    return trace(spec, x, _weights(spec, 5, seed=2))


@pytest.mark.keras
def test_states_csv_holds_every_state_value_exactly(lstm_backwards_trace):
    t = lstm_backwards_trace
    data = states_csv(t)
    assert data.decode("utf-8").splitlines()[0] == ",".join(CSV_HEADER)
    rows = read_csv(data)
    assert len(rows) == 2 * 4 * 2 * 3  # batch × steps × states (h, c) × units
    assert {row["state"] for row in rows} == {"h", "c"}
    for row in rows:
        b, s, k = int(row["batch"]), int(row["step"]), int(row["unit"])
        key = row["state"]
        assert int(row["timestep"]) == 3 - s  # go_backwards: step s reads T−1−s
        # 9 significant digits read back to the very same float32.
        assert np.float32(row["keras"]) == t.keras_states[key][b, s, k]
        assert np.float32(row["manual"]) == t.manual_states[key][b, s, k]
        assert np.float32(row["residual"]) == t.residuals[key][b, s, k]
    # Rows run by batch item, step, state, unit.
    first = [(r["batch"], r["step"], r["state"], r["unit"]) for r in rows[:7]]
    assert first == [
        ("0", "0", "h", "0"),
        ("0", "0", "h", "1"),
        ("0", "0", "h", "2"),
        ("0", "0", "c", "0"),
        ("0", "0", "c", "1"),
        ("0", "0", "c", "2"),
        ("0", "1", "h", "0"),
    ]


@pytest.mark.keras
def test_states_csv_of_one_batch_item(lstm_backwards_trace):
    rows = read_csv(states_csv(lstm_backwards_trace, batch_index=1))
    assert len(rows) == 4 * 2 * 3
    assert {row["batch"] for row in rows} == {"1"}
    with pytest.raises(ValueError, match="`batch_index`"):
        states_csv(lstm_backwards_trace, batch_index=2)
    with pytest.raises(ValueError, match="`batch_index`"):
        states_csv(lstm_backwards_trace, batch_index=True)


@pytest.mark.keras
def test_states_csv_bidirectional_keys_and_timesteps():
    spec = LayerSpec(units=2, bidirectional=True, merge_mode="ave")
    t = trace(spec, _random((1, 3, 2), seed=3), _weights(spec, 2, seed=4))
    rows = read_csv(states_csv(t))
    assert {row["state"] for row in rows} == {"forward/h", "backward/h"}
    for row in rows:
        s = int(row["step"])
        expected = s if row["state"] == "forward/h" else 2 - s
        assert int(row["timestep"]) == expected


@pytest.mark.keras
def test_states_csv_writes_nan_and_inf():
    spec = LayerSpec(units=2, activation="relu", return_sequences=True)
    weights = [np.full(s, 1e20, np.float32) for s in spec.weight_shapes(2)]
    t = trace(spec, np.ones((1, 3, 2), np.float32), weights)
    rows = read_csv(states_csv(t))
    last = [row for row in rows if row["step"] == "2"]
    assert {row["keras"] for row in last} == {"inf"}
    assert {row["residual"] for row in last} == {"nan"}  # inf − inf


@pytest.mark.keras
def test_states_csv_refuses_too_many_rows(lstm_backwards_trace, monkeypatch):
    monkeypatch.setattr(E, "MAX_CSV_ROWS", 30)
    with pytest.raises(ValueError, match=r"48 rows.*batch_index"):
        states_csv(lstm_backwards_trace)
    assert len(read_csv(states_csv(lstm_backwards_trace, batch_index=0))) == 24


# --- weights .npz round trip ----------------------------------------------------------


@pytest.mark.keras
@pytest.mark.parametrize(
    "spec",
    [
        LayerSpec(units=4, activation=None),
        LayerSpec(cell="lstm", units=3, use_bias=False),
        LayerSpec(cell="gru", units=3, bidirectional=True),
        LayerSpec(cell="gru", units=2, reset_after=False),
    ],
    ids=lambda s: s.keras_code(),
)
def test_weights_npz_round_trips_through_the_upload_parser(spec):
    x = _random((2, 3, 5), seed=5)
    t = trace(spec, x, seed=6)
    data = weights_npz(t)
    assert data.startswith(b"PK")
    back = parse_weights_npz(data, spec, 5)
    assert len(back) == len(t.raw_weights)
    for original, parsed in zip(t.raw_weights, back, strict=True):
        assert parsed.dtype == np.float32
        np.testing.assert_array_equal(parsed, original)
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        assert sorted(archive.files) == [f"arr_{k}" for k in range(len(back))]


# --- the standalone script: every combination compiles --------------------------------


def _all_specs() -> list[LayerSpec]:
    specs = []
    for cell, use_bias, rs, rst in itertools.product(
        ("simple_rnn", "lstm", "gru"), (True, False), (True, False), (True, False)
    ):
        base = LayerSpec(
            cell=cell,
            units=2,
            use_bias=use_bias,
            return_sequences=rs,
            return_state=rst,
        )
        variants = [base, base.replace(go_backwards=True)]
        variants += [
            base.replace(bidirectional=True, merge_mode=m) for m in MERGE_MODES
        ]
        if cell == "gru":
            variants += [v.replace(reset_after=False) for v in variants]
        specs += variants
    return specs


def test_the_script_compiles_for_every_cell_and_flag():
    x = _random((2, 3, 2), seed=7)
    specs = _all_specs()
    assert len(specs) == 2 * 8 * 7 + 8 * 14  # SimpleRNN and LSTM, then GRU
    for spec in specs:
        source = standalone_script(spec, x, _weights(spec, 2))
        compile(source, spec.keras_code(), "exec")
        assert spec.keras_code() in source
        assert "rnn_core" not in source
        assert "allow_pickle=False" in source
        head = source.index('os.environ["TF_CPP_MIN_LOG_LEVEL"] = "3"')
        assert head < source.index("import keras")
        assert source.index('os.environ["TF_ENABLE_ONEDNN_OPTS"] = "0"') < (
            source.index("import keras")
        )


def test_the_script_compiles_for_every_activation():
    x = _random((1, 2, 2), seed=8)
    for name in ACTIVATIONS:
        for cell in ("simple_rnn", "gru"):
            spec = LayerSpec(cell=cell, units=2, activation=name)
            if cell == "gru":
                spec = spec.replace(recurrent_activation=name)
            compile(standalone_script(spec, x, _weights(spec, 2)), name, "exec")


def test_numpy_activations_of_the_script_match_rnn_core():
    """The formulas the script writes out agree with rnn_core's (which are checked
    against Keras in tests/test_activations.py)."""
    z = np.linspace(-12, 12, 2001, dtype=np.float32).reshape(1, -1)  # (1, 2001)
    for name, expression in NUMPY_ACTIVATIONS.items():
        with np.errstate(over="ignore"):
            mine = eval(expression, {"np": np}, {"z": z})  # the script's expression
            reference = get_activation(name)(z)
        assert np.asarray(mine).dtype == np.float32, name
        np.testing.assert_allclose(mine, reference, rtol=1e-6, atol=1e-6, err_msg=name)


@pytest.mark.keras
def test_activations_the_script_leaves_to_keras_match_rnn_core():
    import keras

    z = np.linspace(-6, 6, 97, dtype=np.float32).reshape(1, -1)  # (1, 97)
    for name in sorted(set(ACTIVATIONS) - set(NUMPY_ACTIVATIONS)):
        namespace: dict[str, object] = {"np": np, "keras": keras}
        exec(E._activation_function("activation", name), namespace)
        mine = namespace["activation"](z)  # type: ignore[operator]
        np.testing.assert_allclose(
            mine, get_activation(name)(z), rtol=1e-5, atol=1e-6, err_msg=name
        )


def test_the_script_refuses_bad_arguments():
    spec = LayerSpec(units=2)
    x = _random((2, 3, 4), seed=9)
    weights = _weights(spec, 4)
    with pytest.raises(ValueError, match="`batch`"):
        standalone_script(spec, np.zeros((257, 1, 4), np.float32), weights)
    with pytest.raises(ValueError, match="at most 200,000"):
        standalone_script(spec, np.zeros((100, 500, 5), np.float32), weights)
    with pytest.raises(ValueError, match="`tolerance`"):
        standalone_script(spec, x, weights, tolerance=0)
    with pytest.raises(ValueError, match="`tolerance`"):
        standalone_script(spec, x, weights, tolerance=float("nan"))
    with pytest.raises(ValueError, match="recurrent_kernel"):
        standalone_script(spec, x, [weights[0], weights[0], weights[2]])
    with pytest.raises(ValueError, match="features"):
        standalone_script(spec, _random((2, 3, 5), seed=10), weights)


def test_the_script_embeds_the_exact_arrays():
    spec = LayerSpec(cell="gru", units=3, bidirectional=True)
    x = _random((2, 3, 4), seed=11)
    weights = _weights(spec, 4, seed=12)
    source = standalone_script(spec, x, weights)
    namespace: dict[str, object] = {}
    # Run everything up to the Keras import's first use: the loader and the data.
    loader = source[source.index("def load_array") : source.index("# --- the layer")]
    data = source[source.index("X = load_array") : source.index("if __name__ ==")]
    exec("import base64, io, zlib\nimport numpy as np\n" + loader + data, namespace)
    np.testing.assert_array_equal(namespace["X"], x)  # type: ignore[arg-type]
    embedded = namespace["WEIGHTS"]
    assert len(embedded) == len(weights)  # type: ignore[arg-type]
    for got, want in zip(embedded, weights, strict=True):  # type: ignore[call-overload]
        assert got.dtype == np.float32
        np.testing.assert_array_equal(got, want)


# --- the standalone script: run against the real Keras --------------------------------

GRU_UPDATE = "h = z * h_prev + (1 - z) * h_tilde"
PAPER_UPDATE = "h = (1 - z) * h_prev + z * h_tilde"  # the other convention: not Keras'

RUN_CASES: dict[str, tuple[LayerSpec, tuple[int, int, int]]] = {
    "notebook": (LayerSpec(units=4, activation=None), (32, 1, 8)),
    "lstm_sequences_state": (
        LayerSpec(cell="lstm", units=3, return_sequences=True, return_state=True),
        (3, 5, 4),
    ),
    "gru_reset_before_backwards": (
        LayerSpec(
            cell="gru",
            units=3,
            reset_after=False,
            go_backwards=True,
            return_sequences=True,
        ),
        (3, 5, 4),
    ),
    "gru_reset_after": (LayerSpec(cell="gru", units=3, return_state=True), (3, 5, 4)),
    "bidirectional_lstm_ave": (
        LayerSpec(
            cell="lstm",
            units=3,
            bidirectional=True,
            merge_mode="ave",
            return_sequences=True,
            return_state=True,
        ),
        (3, 5, 4),
    ),
    "simple_rnn_relu_no_bias": (
        LayerSpec(units=4, activation="relu", use_bias=False, return_sequences=True),
        (3, 5, 4),
    ),
}


def _script(case: str) -> str:
    spec, shape = RUN_CASES[case]
    x = np.random.default_rng(0).random(shape).astype(np.float32)
    return standalone_script(spec, x, _weights(spec, shape[2], seed=13))


def _run(path: Path) -> subprocess.CompletedProcess[str]:
    """Run a script as a user would: a fresh, isolated interpreter (-I: no
    PYTHONPATH, so rnn_core cannot be imported), in a directory of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    return subprocess.run(
        [sys.executable, "-I", str(path)],
        cwd=path.parent,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.fixture(scope="module")
def script_runs(tmp_path_factory) -> dict[str, subprocess.CompletedProcess[str]]:
    """Every case's script, plus a tampered GRU script, run two at a time (each
    imports TensorFlow, about 5 s)."""
    folder = tmp_path_factory.mktemp("scripts")
    sources = {case: _script(case) for case in RUN_CASES}
    tampered = sources["gru_reset_after"]
    assert tampered.count(GRU_UPDATE) == 1
    sources["tampered"] = tampered.replace(GRU_UPDATE, PAPER_UPDATE)
    paths = []
    for case, source in sources.items():
        (folder / case).mkdir()
        path = folder / case / "check_layer.py"
        path.write_text(source, encoding="utf-8")
        paths.append(path)
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(_run, paths))
    return dict(zip(sources, results, strict=True))


@pytest.mark.keras
@pytest.mark.parametrize("case", list(RUN_CASES))
def test_the_script_runs_and_agrees_with_keras(script_runs, case):
    result = script_runs[case]
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.strip().splitlines()
    spec, _ = RUN_CASES[case]
    from rnn_core.manual import output_names

    names = output_names(spec)
    assert len(lines) == len(names) + 1, result.stdout
    for name, line in zip(names, lines, strict=False):
        assert line.startswith(f"{name} ("), line
    verdict = re.fullmatch(r"AGREE: max \|NumPy - Keras\| = (\S+) < 1e-05", lines[-1])
    assert verdict, lines[-1]
    assert float(verdict.group(1)) < TOL


@pytest.mark.keras
def test_a_tampered_script_fails(script_runs):
    """Swapping z and 1 − z in the GRU update (the convention of some papers, not
    Keras') makes the script disagree and exit with status 1."""
    result = script_runs["tampered"]
    assert result.returncode == 1, result.stdout + result.stderr
    verdict = re.search(r"DISAGREE: max \|NumPy - Keras\| = (\S+),", result.stdout)
    assert verdict, result.stdout
    assert float(verdict.group(1)) > 1e-3


@pytest.mark.keras
def test_csv_rows_counts_what_states_csv_writes():
    result = trace(
        LayerSpec(cell="lstm", units=3, return_sequences=True),
        _random((4, 5, 2), seed=3),
    )
    lines = states_csv(result).decode().strip().splitlines()
    assert E.csv_rows(result) == len(lines) - 1 == 4 * 5 * 2 * 3
    one = states_csv(result, batch_index=2).decode().strip().splitlines()
    assert E.csv_rows(result, batch_index=2) == len(one) - 1 == 5 * 2 * 3
