"""Property tests (hypothesis): random specs, shapes, weights, masks and states.

The Keras comparisons carry `@pytest.mark.keras`; everything else runs on NumPy only
(this module never imports TensorFlow itself: `keras_forward` loads it on first use),
so `pytest -m "not keras"` still runs the pure properties.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

import dataclasses

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rnn_core import LayerSpec, describe_output, keras_forward, manual_forward
from rnn_core.activations import get_activation
from rnn_core.spec import ACTIVATIONS, CELLS, FLAGS, MAX_UNITS, MERGE_MODES

TOL = 1e-5

# --------------------------------------------------------------------------------------
# Strategies


# Gate activations with values in [-1, 1]. With an unbounded one ("linear", "relu",
# ...) the gates grow without limit, GRU's z·h + (1 - z)·h~ cancels terms of 1e4,
# and the two engines' rounding can differ by 1e-4: float32 conditioning, not a bug
# (hypothesis found such a case). The grid test covers every recurrent activation
# with small weights instead.
BOUNDED = (
    "sigmoid",
    "hard_sigmoid",
    "sparse_sigmoid",
    "tanh",
    "softsign",
    "hard_tanh",
    "softmax",
    "sparsemax",
)


def spec_strategy(
    activations: tuple[str | None, ...] = (*ACTIVATIONS, None),
    recurrent_activations: tuple[str, ...] = ACTIVATIONS,
) -> st.SearchStrategy[LayerSpec]:
    """Valid specs. The field values are drawn first and filtered before LayerSpec
    sees them (it refuses bidirectional with go_backwards)."""
    return (
        st.fixed_dictionaries(
            {
                "cell": st.sampled_from(CELLS),
                "units": st.integers(1, 5),
                "activation": st.sampled_from(activations),
                "recurrent_activation": st.sampled_from(recurrent_activations),
                **{flag: st.booleans() for flag in FLAGS},
                "merge_mode": st.sampled_from(MERGE_MODES),
            }
        )
        .filter(lambda d: not (d["bidirectional"] and d["go_backwards"]))
        .map(lambda d: LayerSpec(**d))
    )


specs = spec_strategy()
# Well-conditioned specs, for comparisons that cannot be exact (Keras, or NumPy on a
# different batch size, where BLAS may round differently): bounded gates, and no
# "exponential" (exp of exp overflows or loses relative precision; the grid covers
# it with small weights).
tame_specs = spec_strategy(
    activations=tuple(a for a in (*ACTIVATIONS, None) if a != "exponential"),
    recurrent_activations=BOUNDED,
)


@dataclasses.dataclass
class Case:
    """One random call: a spec, its weights, an input, maybe a mask and states."""

    spec: LayerSpec
    weights: list[np.ndarray]
    x: np.ndarray  # (batch, timesteps, features)
    mask: np.ndarray | None  # (batch, timesteps) bool
    initial_state: list[np.ndarray] | None

    def __repr__(self) -> str:  # what hypothesis prints for a failing example
        return (
            f"Case({self.spec!r}, x.shape={self.x.shape}, "
            f"mask={None if self.mask is None else self.mask.astype(int).tolist()}, "
            f"initial_state={self.initial_state is not None})"
        )


def _state_count(spec: LayerSpec) -> int:
    return len(spec.state_names) * len(spec.directions)


@st.composite
def cases(draw: st.DrawFn, spec_strategy: st.SearchStrategy = specs) -> Case:
    spec = draw(spec_strategy)
    batch = draw(st.integers(1, 4))
    timesteps = draw(st.integers(1, 6))
    features = draw(st.integers(1, 5))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    weights = [
        (rng.normal(size=shape) * 0.5).astype(np.float32)
        for shape in spec.weight_shapes(features)
    ]
    x = rng.normal(size=(batch, timesteps, features)).astype(np.float32)
    mask = draw(
        st.none()
        | st.lists(
            st.lists(st.booleans(), min_size=timesteps, max_size=timesteps),
            min_size=batch,
            max_size=batch,
        ).map(lambda rows: np.array(rows, dtype=bool))
    )
    initial_state = None
    if draw(st.booleans()):
        initial_state = [
            (rng.normal(size=(batch, spec.units)) * 0.5).astype(np.float32)
            for _ in range(_state_count(spec))
        ]
    return Case(spec, weights, x, mask, initial_state)


def _parts(result: np.ndarray | tuple) -> tuple[np.ndarray, ...]:
    return result if isinstance(result, tuple) else (result,)


def _shapes(result: np.ndarray | tuple) -> tuple:
    if isinstance(result, tuple):
        return tuple(r.shape for r in result)
    return result.shape


def _run(case: Case, spec: LayerSpec | None = None) -> np.ndarray | tuple:
    return manual_forward(
        spec or case.spec, case.weights, case.x, case.initial_state, case.mask
    )


# --------------------------------------------------------------------------------------
# NumPy against Keras


@pytest.mark.keras
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(case=cases(tame_specs))
def test_manual_matches_keras(case: Case):
    expected = keras_forward(
        case.spec, case.weights, case.x, case.initial_state, case.mask
    )
    manual = _run(case)
    assert isinstance(manual, tuple) == isinstance(expected, tuple)
    assert _shapes(manual) == _shapes(expected)
    assert describe_output(case.spec, case.x.shape) == _shapes(expected)
    for k, (m, e) in enumerate(zip(_parts(manual), _parts(expected), strict=True)):
        assert m.dtype == np.float32
        # 1e-5, relative for values above 1 ("linear", "relu", ... are unbounded).
        np.testing.assert_allclose(m, e, atol=TOL, rtol=TOL, err_msg=f"part {k}")


# --------------------------------------------------------------------------------------
# describe_output (NumPy only)


@given(
    spec=specs,
    shape=st.tuples(st.integers(1, 64), st.integers(1, 64), st.integers(1, 64)),
)
def test_describe_output_rules(spec: LayerSpec, shape: tuple[int, int, int]):
    batch, timesteps, _ = shape
    described = describe_output(spec, shape)
    pair = spec.bidirectional and spec.merge_mode is None
    n_outputs = 2 if pair else 1
    n_states = _state_count(spec) if spec.return_state else 0
    if n_outputs + n_states == 1:
        assert all(isinstance(n, int) for n in described)
        described = (described,)
    assert len(described) == n_outputs + n_states
    width = spec.units
    if spec.bidirectional and spec.merge_mode == "concat":
        width = 2 * spec.units
    output = (batch, timesteps, width) if spec.return_sequences else (batch, width)
    assert described[:n_outputs] == (output,) * n_outputs
    assert described[n_outputs:] == ((batch, spec.units),) * n_states


@settings(max_examples=60, deadline=None)
@given(case=cases())
def test_describe_output_matches_manual(case: Case):
    assert describe_output(case.spec, case.x.shape) == _shapes(_run(case))


@pytest.mark.parametrize("shape", [(3, 4), (1, 2, 3, 4), ()])
def test_describe_output_rejects_other_ranks(shape: tuple[int, ...]):
    with pytest.raises(ValueError, match="input_shape"):
        describe_output(LayerSpec(), shape)  # type: ignore[arg-type]


# --------------------------------------------------------------------------------------
# LayerSpec validation

any_object = (
    st.integers(-1000, 1000)
    | st.floats(allow_nan=True)
    | st.text(max_size=12)
    | st.booleans()
    | st.none()
    | st.binary(max_size=4)
    | st.lists(st.integers(), max_size=3)
    | st.tuples(st.text(max_size=3))
    | st.dictionaries(st.text(max_size=3), st.integers(), max_size=2)
    | st.sampled_from(
        ["LSTM", "Tanh", "tanh ", "simple-rnn", "Concat", "None", "gelu2"]
    )
)


def _is_valid(field: str, value: object) -> bool:
    if field == "cell":
        return isinstance(value, str) and value in CELLS
    if field == "units":
        return type(value) is int and 1 <= value <= MAX_UNITS
    if field == "activation":
        return value is None or (isinstance(value, str) and value in ACTIVATIONS)
    if field == "recurrent_activation":
        return isinstance(value, str) and value in ACTIVATIONS
    if field == "merge_mode":
        return value is None or (isinstance(value, str) and value in MERGE_MODES)
    return isinstance(value, bool)


@given(
    field=st.sampled_from([f.name for f in dataclasses.fields(LayerSpec)]),
    value=any_object,
)
def test_invalid_field_raises_naming_it(field: str, value: object):
    assume(not _is_valid(field, value))
    with pytest.raises(ValueError, match=f"`{field}`"):
        LayerSpec(**{field: value})


@given(field=st.sampled_from(FLAGS), value=any_object)
def test_flags_accept_only_bools(field: str, value: object):
    """1 and 0 are not True and False: a flag must be a real bool."""
    assume(not isinstance(value, bool))
    with pytest.raises(ValueError, match=f"`{field}`"):
        LayerSpec(**{field: value})


@pytest.mark.parametrize("units", [0, -1, MAX_UNITS + 1, 2.0, True, "4", None])
def test_units_out_of_range(units: object):
    with pytest.raises(ValueError, match="`units`"):
        LayerSpec(units=units)  # type: ignore[arg-type]


def test_bidirectional_refuses_go_backwards():
    with pytest.raises(ValueError, match="go_backwards"):
        LayerSpec(bidirectional=True, go_backwards=True)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("cell", np.array(["lstm"])),
        ("activation", np.array(["tanh"])),
        ("recurrent_activation", np.array(["sigmoid"])),
        ("merge_mode", np.array(["sum"])),
        ("cell", np.array(["lstm", "gru"])),
        ("activation", np.array(["relu", "tanh"])),
    ],
    ids=[
        "cell-one",
        "activation-one",
        "recurrent_activation-one",
        "merge_mode-one",
        "cell-two",
        "activation-two",
    ],
)
def test_array_values_are_refused_naming_the_field(field: str, value: np.ndarray):
    """A NumPy array is not a name. Today `value in allowed` compares element-wise:
    a one-element array equal to a valid name is accepted (the spec is then
    unhashable), and a longer one raises NumPy's "truth value ... is ambiguous"
    ValueError, which does not name the field."""
    with pytest.raises(ValueError, match=f"`{field}`"):
        LayerSpec(**{field: value})


@given(spec=specs)
def test_spec_hashable_frozen_and_comparable(spec: LayerSpec):
    twin = LayerSpec(**spec.to_dict())
    assert twin == spec
    assert hash(twin) == hash(spec)
    assert len({spec, twin}) == 1
    assert spec.replace() == spec
    for f in dataclasses.fields(LayerSpec):
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(spec, f.name, getattr(spec, f.name))
    changed = spec.replace(units=spec.units % 5 + 1)
    assert changed != spec
    assert changed.units != spec.units


@given(spec=specs, field=st.sampled_from(["units", "cell", "merge_mode"]))
def test_replace_validates(spec: LayerSpec, field: str):
    with pytest.raises(ValueError, match=f"`{field}`"):
        spec.replace(**{field: "nonsense" if field != "units" else 0})


# --------------------------------------------------------------------------------------
# manual_forward invariants (NumPy only)


@settings(max_examples=60, deadline=None)
@given(case=cases())
def test_manual_forward_is_deterministic_and_pure(case: Case):
    copies = (
        [w.copy() for w in case.weights],
        case.x.copy(),
        None if case.mask is None else case.mask.copy(),
        None if case.initial_state is None else [s.copy() for s in case.initial_state],
    )
    first, second = _run(case), _run(case)
    for a, b in zip(_parts(first), _parts(second), strict=True):
        np.testing.assert_array_equal(a, b)
    weights, x, mask, states = copies
    for w, original in zip(case.weights, weights, strict=True):
        np.testing.assert_array_equal(w, original)
    np.testing.assert_array_equal(case.x, x)
    if mask is not None:
        np.testing.assert_array_equal(case.mask, mask)
    if states is not None:
        for s, original in zip(case.initial_state, states, strict=True):
            np.testing.assert_array_equal(s, original)
    # float64 and non-contiguous inputs give the same float32 result.
    wide = np.asfortranarray(case.x.astype(np.float64))
    again = manual_forward(case.spec, case.weights, wide, case.initial_state, case.mask)
    for a, b in zip(_parts(first), _parts(again), strict=True):
        assert b.dtype == np.float32
        np.testing.assert_array_equal(a, b)


@settings(max_examples=60, deadline=None)
@given(case=cases())
def test_all_masked_keeps_initial_state_and_outputs_zeros(case: Case):
    spec = case.spec.replace(return_state=True)
    case.mask = np.zeros(case.x.shape[:2], bool)
    result = _run(case, spec)
    n_states = _state_count(spec)
    outputs, finals = result[:-n_states], result[-n_states:]
    for output in outputs:
        np.testing.assert_array_equal(output, np.zeros_like(output))
    start = case.initial_state or [np.zeros_like(f) for f in finals]
    for final, initial in zip(finals, start, strict=True):
        np.testing.assert_array_equal(final, initial)


@settings(max_examples=60, deadline=None)
@given(case=cases(tame_specs), data=st.data())
def test_masked_row_is_zero_and_rows_are_independent(case: Case, data: st.DataObject):
    batch = case.x.shape[0]
    assume(batch >= 2)
    row = data.draw(st.integers(0, batch - 1))
    mask = np.ones(case.x.shape[:2], bool) if case.mask is None else case.mask.copy()
    mask[row] = False
    case.mask = mask
    spec = case.spec.replace(return_state=True)
    result = _run(case, spec)
    n_states = _state_count(spec)
    for output in result[:-n_states]:
        np.testing.assert_array_equal(output[row], np.zeros_like(output[row]))
    for k, final in enumerate(result[-n_states:]):
        initial = 0 if case.initial_state is None else case.initial_state[k][row]
        np.testing.assert_array_equal(final[row], np.zeros_like(final[row]) + initial)
    # The other rows are what they are without this row in the batch.
    keep = np.arange(batch) != row
    alone = manual_forward(
        spec,
        case.weights,
        case.x[keep],
        None if case.initial_state is None else [s[keep] for s in case.initial_state],
        mask[keep],
    )
    for a, b in zip(result, alone, strict=True):
        np.testing.assert_allclose(a[keep], b, rtol=TOL, atol=TOL)


unidirectional = specs.filter(lambda s: not s.bidirectional)


@settings(max_examples=60, deadline=None)
@given(case=cases(unidirectional))
def test_go_backwards_is_forward_on_reversed_time(case: Case):
    forward_spec = case.spec.replace(go_backwards=False)
    backward_spec = case.spec.replace(go_backwards=True)
    backwards = _run(case, backward_spec)
    reversed_mask = None if case.mask is None else case.mask[:, ::-1]
    forwards = manual_forward(
        forward_spec, case.weights, case.x[:, ::-1], case.initial_state, reversed_mask
    )
    for a, b in zip(_parts(backwards), _parts(forwards), strict=True):
        np.testing.assert_array_equal(a, b)


@settings(max_examples=60, deadline=None)
@given(case=cases(unidirectional), data=st.data())
def test_outputs_do_not_depend_on_later_steps(case: Case, data: st.DataObject):
    """Causality: the first k outputs of a forward layer only see the first k steps."""
    spec = case.spec.replace(go_backwards=False, return_sequences=True)
    timesteps = case.x.shape[1]
    k = data.draw(st.integers(1, timesteps))
    full = _parts(_run(case, spec))[0]
    prefix = manual_forward(
        spec,
        case.weights,
        case.x[:, :k],
        case.initial_state,
        None if case.mask is None else case.mask[:, :k],
    )
    np.testing.assert_array_equal(_parts(prefix)[0], full[:, :k])


@settings(max_examples=60, deadline=None)
@given(case=cases(unidirectional))
def test_final_state_is_last_output(case: Case):
    """Without an initial state, state_h is the last output, mask or not."""
    case.initial_state = None
    spec = case.spec.replace(return_state=True)
    output, state_h, *_ = _run(case, spec)
    last = output[:, -1] if spec.return_sequences else output
    np.testing.assert_array_equal(last, state_h)


@settings(max_examples=60, deadline=None)
@given(case=cases(specs.filter(lambda s: s.bidirectional)))
@np.errstate(over="ignore", invalid="ignore")  # inf·0 when "exponential" overflows
def test_bidirectional_is_two_layers_merged(case: Case):
    """Bidirectional = a forward and a go_backwards copy, merged by merge_mode."""
    spec = case.spec.replace(return_state=False)
    pair = manual_forward(
        spec.replace(merge_mode=None),
        case.weights,
        case.x,
        case.initial_state,
        case.mask,
    )
    y, y_rev = pair
    merged = _run(case, spec)
    expected = {
        "concat": lambda: np.concatenate([y, y_rev], axis=-1),
        "sum": lambda: y + y_rev,
        "ave": lambda: (y + y_rev) / 2,
        "mul": lambda: y * y_rev,
        None: lambda: pair,
    }[spec.merge_mode]()
    for a, b in zip(_parts(merged), _parts(expected), strict=True):
        np.testing.assert_array_equal(a, b)
    if case.mask is not None:
        return  # Bidirectional zeroes masked steps; plain layers repeat outputs
    half = len(case.weights) // 2
    n = len(spec.state_names)
    states = case.initial_state
    one_way = spec.replace(bidirectional=False)
    forward = manual_forward(
        one_way, case.weights[:half], case.x, None if states is None else states[:n]
    )
    backward = manual_forward(
        one_way.replace(go_backwards=True),
        case.weights[half:],
        case.x,
        None if states is None else states[n:],
    )
    if spec.return_sequences:
        backward = backward[:, ::-1]  # flipped back into input time
    np.testing.assert_array_equal(y, forward)
    np.testing.assert_array_equal(y_rev, backward)


def _zero_at_zero(name: str | None, units: int) -> bool:
    return not get_activation(name)(np.zeros((1, units), np.float32)).any()


@settings(max_examples=60, deadline=None)
@given(case=cases(specs.map(lambda s: s.replace(use_bias=False))))
def test_zero_in_zero_out(case: Case):
    """No bias, zero input, zero state and act(0) = 0: every output is exactly 0.

    (SimpleRNN: act(0); LSTM: c = f·0 + i·act(0) = 0, h = o·act(0); GRU:
    h = z·0 + (1 - z)·act(0 + r·0); whatever the gates are.)
    """
    assume(_zero_at_zero(case.spec.activation, case.spec.units))
    case.x = np.zeros_like(case.x)
    case.initial_state = None
    for part in _parts(_run(case)):
        np.testing.assert_array_equal(part, np.zeros_like(part))


@settings(max_examples=40, deadline=None)
@given(
    case=cases(
        unidirectional.map(
            lambda s: s.replace(activation=None, cell="simple_rnn", use_bias=False)
        )
    ),
    scale=st.sampled_from([-2.0, 0.5, 3.0]),
)
def test_linear_simple_rnn_is_linear(case: Case, scale: float):
    """SimpleRNN(activation=None, use_bias=False) is linear in (x, h0)."""
    base = _parts(_run(case))
    case.x = case.x * np.float32(scale)
    if case.initial_state is not None:
        case.initial_state = [s * np.float32(scale) for s in case.initial_state]
    scaled = _parts(_run(case))
    for a, b in zip(base, scaled, strict=True):
        np.testing.assert_allclose(b, a * scale, rtol=1e-5, atol=1e-5)


# --------------------------------------------------------------------------------------
# The NumPy side never loads TensorFlow


def test_numpy_side_does_not_import_tensorflow(assert_stays_light):
    assert_stays_light(
        """
        import sys
        import numpy as np
        import rnn_core
        from rnn_core import LayerSpec, describe_output, manual_forward, name_weights
        from rnn_core import describe_weights

        spec = LayerSpec(cell="lstm", units=3, return_state=True, bidirectional=True)
        rng = np.random.default_rng(0)
        weights = [rng.normal(size=s).astype(np.float32) for s in spec.weight_shapes(2)]
        x = rng.normal(size=(2, 4, 2)).astype(np.float32)
        result = manual_forward(spec, weights, x, mask=np.ones((2, 4), bool))
        assert tuple(r.shape for r in result) == describe_output(spec, x.shape)
        name_weights(spec, weights)
        describe_weights(spec, 2)
        """
    )
