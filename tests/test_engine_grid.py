"""Both engines over a grid of layer settings: NumPy formulas vs the real Keras layer.

Every cell (SimpleRNN, LSTM with and without `unit_forget_bias`, GRU with
`reset_after` True and False) is combined with every value of `return_sequences`,
`return_state`, `go_backwards`, `use_bias` and the Bidirectional wrapper (each
`merge_mode`; Bidirectional excludes `go_backwards`), each with and without a mask and
an initial state. The full product (5 cells x 56 layers x 4 = 1120 calls) took over
four minutes on 2 cores, mostly building and tracing 280 layers four times each, so
every one of the 280 layers runs once, with one (mask, initial_state) combination
chosen so that each combination meets every cell, mode and flag value (see `_grid`
and the test that checks it). Weights are drawn once per weight layout.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import functools
import itertools
import zlib

import keras
import numpy as np
import pytest

from rnn_core import describe_output, init_weights, keras_forward, manual_forward
from rnn_core.keras_backend import build_layer
from rnn_core.spec import ACTIVATIONS, MERGE_MODES, LayerSpec

pytestmark = pytest.mark.keras

TOL = 1e-5
BATCH, TIMESTEPS, FEATURES = 3, 5, 4
UNITS = 6  # differs from batch, timesteps and features, so a swapped axis shows

# (cell, extra LayerSpec fields) for every cell variant.
CELL_VARIANTS: dict[str, dict[str, object]] = {
    "simple_rnn": {"cell": "simple_rnn"},
    "lstm-forget_bias": {"cell": "lstm", "unit_forget_bias": True},
    "lstm-no_forget_bias": {"cell": "lstm", "unit_forget_bias": False},
    "gru-reset_after": {"cell": "gru", "reset_after": True},
    "gru-reset_before": {"cell": "gru", "reset_after": False},
}

_RNG = np.random.default_rng(20240611)
X = _RNG.normal(size=(BATCH, TIMESTEPS, FEATURES)).astype(np.float32)
# Row 0: leading masked step (and one in the middle); row 1: fully masked;
# row 2: trailing masked steps (leading ones in processing order under go_backwards).
MASK = np.array(
    [
        [False, True, True, False, True],
        [False, False, False, False, False],
        [True, True, True, False, False],
    ]
)
# Enough random states for Bidirectional LSTM: h_f, c_f, h_b, c_b.
STATES = [(_RNG.normal(size=(BATCH, UNITS)) * 0.5).astype(np.float32) for _ in range(4)]


# How the layer runs: one direction (forwards or go_backwards) or Bidirectional with
# each merge mode (Bidirectional refuses go_backwards).
MODES: dict[str, dict[str, object]] = {
    "forward": {},
    "backwards": {"go_backwards": True},
    **{f"bidi_{m}": {"bidirectional": True, "merge_mode": m} for m in MERGE_MODES},
}


def _grid() -> list:
    """Every (cell, mode, return_sequences, return_state, use_bias) layer, once.

    Each layer runs with one of the four (mask, initial_state) combinations, chosen
    as mask = return_sequences XOR use_bias XOR a, state = return_state XOR use_bias
    XOR b with (a, b) rotating over cells and modes. So, for every cell and mode, each
    (mask, state) combination appears twice, and each value of every flag meets both
    values of mask and of state.
    """
    cases = []
    for v, (variant, cell_fields) in enumerate(CELL_VARIANTS.items()):
        for m, (mode, mode_fields) in enumerate(MODES.items()):
            a, b = (v + m) % 2, (v + m) // 2 % 2
            for sequences, state, bias in itertools.product([False, True], repeat=3):
                spec = LayerSpec(
                    units=UNITS,
                    use_bias=bias,
                    return_sequences=sequences,
                    return_state=state,
                    **cell_fields,
                    **mode_fields,
                )
                with_mask = bool(sequences ^ bias ^ a)
                with_state = bool(state ^ bias ^ b)
                flags = [variant, mode, "bias" if bias else "nobias"]
                flags += ["seq"] * sequences + ["state"] * state
                flags += ["mask"] * with_mask + ["init"] * with_state
                cases.append(
                    pytest.param(spec, with_mask, with_state, id="-".join(flags))
                )
    return cases


GRID = _grid()


@functools.cache
def _weights_for(
    cell: str, use_bias: bool, unit_forget_bias: bool, reset_after: bool, bidi: bool
) -> tuple[np.ndarray, ...]:
    """Keras' initial weights plus noise, so no bias is zero and no block is special.

    Only the fields that change the weights are in the key, so most specs share them.
    """
    spec = LayerSpec(
        cell=cell,
        units=UNITS,
        use_bias=use_bias,
        unit_forget_bias=unit_forget_bias,
        reset_after=reset_after,
        bidirectional=bidi,
    )
    key = repr((cell, use_bias, unit_forget_bias, reset_after, bidi)).encode()
    rng = np.random.default_rng(zlib.crc32(key))  # stable across processes
    return tuple(
        (w + rng.normal(size=w.shape) * 0.3).astype(np.float32)
        for w in init_weights(spec, FEATURES, seed=7)
    )


def _weights(spec: LayerSpec) -> list[np.ndarray]:
    return list(
        _weights_for(
            spec.cell,
            spec.use_bias,
            spec.unit_forget_bias,
            spec.reset_after,
            spec.bidirectional,
        )
    )


def _states(spec: LayerSpec) -> list[np.ndarray]:
    count = len(spec.state_names) * len(spec.directions)
    return STATES[:count]


def _shapes(result: np.ndarray | tuple) -> tuple:
    if isinstance(result, tuple):
        return tuple(r.shape for r in result)
    return result.shape


def assert_same_result(
    manual: np.ndarray | tuple,
    expected: np.ndarray | tuple,
    atol: float = TOL,
    rtol: float = 0.0,
) -> None:
    """Same structure (array vs tuple, length), same shapes, close values."""
    assert isinstance(manual, tuple) == isinstance(expected, tuple), (
        f"manual returned {type(manual).__name__}, Keras {type(expected).__name__}"
    )
    manual_parts = manual if isinstance(manual, tuple) else (manual,)
    expected_parts = expected if isinstance(expected, tuple) else (expected,)
    assert len(manual_parts) == len(expected_parts)
    for k, (m, e) in enumerate(zip(manual_parts, expected_parts, strict=True)):
        assert isinstance(m, np.ndarray)
        assert m.dtype == np.float32, f"part {k}: dtype {m.dtype}"
        assert m.shape == e.shape, f"part {k}: shape {m.shape} vs Keras {e.shape}"
        np.testing.assert_allclose(m, e, atol=atol, rtol=rtol, err_msg=f"part {k}")


@pytest.mark.parametrize(("spec", "with_mask", "with_state"), GRID)
def test_manual_matches_keras(spec: LayerSpec, with_mask: bool, with_state: bool):
    weights = _weights(spec)
    mask = MASK if with_mask else None
    states = _states(spec) if with_state else None
    expected = keras_forward(spec, weights, X, initial_state=states, mask=mask)
    manual = manual_forward(spec, weights, X, initial_state=states, mask=mask)
    assert_same_result(manual, expected)
    assert describe_output(spec, X.shape) == _shapes(expected)


BOTH_BOTH = list(itertools.product([False, True], repeat=2))


def test_grid_covers_every_flag_with_every_cell():
    """Guard the covering design of GRID against a careless edit."""
    cases = [tuple(p.values) for p in GRID]
    specs = {spec for spec, _, _ in cases}
    assert len(specs) == len(cases) == 5 * 7 * 8  # every layer, each once
    for fields in CELL_VARIANTS.values():
        of_cell = [
            c for c in cases if all(getattr(c[0], k) == v for k, v in fields.items())
        ]
        for mode_fields in MODES.values():
            of_mode = [
                c
                for c in of_cell
                if c[0].bidirectional == mode_fields.get("bidirectional", False)
                and c[0].go_backwards == mode_fields.get("go_backwards", False)
                and (
                    not c[0].bidirectional
                    or c[0].merge_mode == mode_fields["merge_mode"]
                )
            ]
            combos = sorted((m, st) for _, m, st in of_mode)
            assert combos == sorted(BOTH_BOTH * 2), combos
        for flag in ("return_sequences", "return_state", "go_backwards", "use_bias"):
            for value in (False, True):
                extras = {
                    (m, st) for spec, m, st in of_cell if getattr(spec, flag) == value
                }
                assert {m for m, _ in extras} == {False, True}, (flag, value)
                assert {st for _, st in extras} == {False, True}, (flag, value)


# --------------------------------------------------------------------------------------
# Activations

# Activations whose values can grow fast: compared with a relative tolerance too.
UNBOUNDED = {"exponential"}


def _small_weights(spec: LayerSpec, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [
        (rng.normal(size=shape) * 0.3).astype(np.float32)
        for shape in spec.weight_shapes(FEATURES)
    ]


ACTIVATION_CASES = [
    *[
        pytest.param("simple_rnn", "activation", name, id=f"simple_rnn-{name}")
        for name in ACTIVATIONS
    ],
    *[
        pytest.param("gru", "activation", name, id=f"gru-{name}")
        for name in ACTIVATIONS
    ],
    *[
        pytest.param("lstm", "recurrent_activation", name, id=f"lstm-rec-{name}")
        for name in ACTIVATIONS
    ],
    *[
        pytest.param("lstm", "activation", name, id=f"lstm-{name}")
        for name in ("relu", "softsign", "gelu", "hard_tanh", "softmax", "sparsemax")
    ],
    *[
        pytest.param("gru", "recurrent_activation", name, id=f"gru-rec-{name}")
        for name in ("hard_sigmoid", "sparse_sigmoid", "tanh", "softmax", "relu6")
    ],
]


@pytest.mark.parametrize(("cell", "field", "name"), ACTIVATION_CASES)
def test_activation_matches_keras(cell: str, field: str, name: str):
    spec = LayerSpec(
        cell=cell,
        units=UNITS,
        return_sequences=True,
        return_state=True,
        **{field: name},
    )
    weights = _small_weights(spec, seed=ACTIVATIONS.index(name))
    x = X * 0.5
    expected = keras_forward(spec, weights, x, mask=MASK)
    manual = manual_forward(spec, weights, x, mask=MASK)
    assert all(np.isfinite(e).all() for e in expected), "weights too large"
    rtol = TOL if name in UNBOUNDED else 0.0
    assert_same_result(manual, expected, rtol=rtol)


def test_activation_none_is_linear():
    """`activation=None` (the seed notebook's SimpleRNN) computes as "linear"."""
    spec = LayerSpec(units=UNITS, activation=None, return_sequences=True)
    weights = _small_weights(spec, seed=1)
    none_result = keras_forward(spec, weights, X)
    linear_result = keras_forward(spec.replace(activation="linear"), weights, X)
    np.testing.assert_array_equal(none_result, linear_result)
    assert_same_result(manual_forward(spec, weights, X), none_result)


# --------------------------------------------------------------------------------------
# init_weights


def _real_keras_layer(spec: LayerSpec) -> keras.layers.Layer:
    """Built independently of rnn_core, from the Keras classes themselves."""
    cls = {"simple_rnn": keras.layers.SimpleRNN, "lstm": keras.layers.LSTM}.get(
        spec.cell, keras.layers.GRU
    )
    options: dict[str, object] = {"units": spec.units, "use_bias": spec.use_bias}
    if spec.cell == "gru":
        options["reset_after"] = spec.reset_after
    layer = cls(**options)
    if spec.bidirectional:
        layer = keras.layers.Bidirectional(layer, merge_mode=spec.merge_mode)
    layer.build((None, TIMESTEPS, FEATURES))
    return layer


WEIGHT_SPECS = [
    pytest.param(
        LayerSpec(units=UNITS, use_bias=use_bias, bidirectional=bidi, **fields),
        id=f"{variant}-{'bias' if use_bias else 'nobias'}{'-bidi' if bidi else ''}",
    )
    for variant, fields in CELL_VARIANTS.items()
    for use_bias in (True, False)
    for bidi in (False, True)
]


@pytest.mark.parametrize("spec", WEIGHT_SPECS)
def test_init_weights_shapes_are_keras_shapes(spec: LayerSpec):
    weights = init_weights(spec, FEATURES, seed=3)
    layer = _real_keras_layer(spec)
    assert [w.shape for w in weights] == [w.shape for w in layer.get_weights()]
    assert [w.shape for w in weights] == spec.weight_shapes(FEATURES)
    assert all(w.dtype == np.float32 for w in weights)
    layer.set_weights(weights)  # the real layer accepts them as they are


@pytest.mark.parametrize("spec", WEIGHT_SPECS)
def test_init_weights_deterministic_and_seeded(spec: LayerSpec):
    first = init_weights(spec, FEATURES, seed=11)
    again = init_weights(spec, FEATURES, seed=11)
    other = init_weights(spec, FEATURES, seed=12)
    for a, b in zip(first, again, strict=True):
        np.testing.assert_array_equal(a, b)
    per_direction = 3 if spec.use_bias else 2
    # kernel and recurrent kernel change with the seed (biases are constants).
    for k in range(len(first)):
        if k % per_direction < 2:
            assert not np.array_equal(first[k], other[k]), f"array {k} ignores the seed"
    if spec.bidirectional:
        forward, backward = first[:per_direction], first[per_direction:]
        assert not np.array_equal(forward[0], backward[0])
        assert not np.array_equal(forward[1], backward[1])


def test_init_weights_follow_keras_initializers():
    """Glorot-uniform kernel bound, orthogonal recurrent kernel, zero bias."""
    spec = LayerSpec(cell="gru", units=UNITS)
    kernel, recurrent, bias = init_weights(spec, FEATURES, seed=5)
    limit = np.sqrt(6 / (FEATURES + 3 * UNITS))
    assert np.abs(kernel).max() <= limit + 1e-7
    # Orthogonal (units, 3·units): rows orthonormal.
    np.testing.assert_allclose(recurrent @ recurrent.T, np.eye(UNITS), atol=1e-5)
    np.testing.assert_array_equal(bias, np.zeros_like(bias))


@pytest.mark.parametrize("bidi", [False, True])
def test_init_weights_unit_forget_bias(bidi: bool):
    spec = LayerSpec(cell="lstm", units=UNITS, bidirectional=bidi)
    weights = init_weights(spec, FEATURES, seed=2)
    for bias in weights[2::3]:
        expected = np.zeros(4 * UNITS, np.float32)
        expected[UNITS : 2 * UNITS] = 1.0  # i, [f], c, o
        np.testing.assert_array_equal(bias, expected)
    no_forget = init_weights(spec.replace(unit_forget_bias=False), FEATURES, seed=2)
    for bias in no_forget[2::3]:
        np.testing.assert_array_equal(bias, np.zeros(4 * UNITS, np.float32))


@pytest.mark.parametrize("unit_forget_bias", [False, True])
def test_build_layer_passes_unit_forget_bias(unit_forget_bias: bool):
    """The only LSTM flag the forward pass cannot reveal: check the config."""
    layer = build_layer(
        LayerSpec(cell="lstm", units=UNITS, unit_forget_bias=unit_forget_bias)
    )
    assert layer.get_config()["unit_forget_bias"] is unit_forget_bias
