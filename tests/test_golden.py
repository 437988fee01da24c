"""Golden numbers from Keras' own test suite, reproduced by both engines.

Every expected array below is copied from a test in keras-team/keras (identical in the
copy shipped with the installed Keras 3.15.1 under `keras/src/layers/rnn/`):

- `keras/src/layers/rnn/simple_rnn_test.py`
- `keras/src/layers/rnn/lstm_test.py`
- `keras/src/layers/rnn/gru_test.py`
- `keras/src/layers/rnn/bidirectional_test.py`
- `keras/src/layers/rnn/rnn_test.py`: the `OneStateRNNCell` there (kernel and recurrent
  kernel "ones", no bias, output = x·K + h·R) is exactly
  `SimpleRNN(activation=None, use_bias=False)` with Constant(1) weights.

Those tests build the layer with constant initializers (kernel 0.01, recurrent 0.02,
bias 0.03 unless noted) on `np.arange` inputs. Here the same weights are written out as
NumPy arrays and fed to `rnn_core.manual_forward` and `rnn_core.keras_forward`. Keras'
`stateful=True` tests (call twice, check the second call) become two calls in which
the final states of the first are the `initial_state` of the second.

Left out, as `LayerSpec` cannot express them: `zero_output_for_mask=True`, the
`TwoStatesRNNCell` and stacked-cell tests (`stacked_rnn_cells_test.py`), ConvLSTM.
Variants that only add `unroll=True`, `implementation=1/2` or the legacy
`implementation=0` config repeat numbers already covered and are kept once.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

from dataclasses import dataclass, field

import numpy as np
import pytest

import rnn_core
from rnn_core.spec import LayerSpec

pytestmark = pytest.mark.keras

# The engines are held to 1e-5, the tolerance Keras' LSTM and Bidirectional tests use;
# the raw-Keras check below uses each source test's own tolerance.
ENGINE_TOL = 1e-5
KERAS_DEFAULT_TOL = 1e-6  # keras.src.testing.TestCase.assertAllClose defaults


def _arange(*shape: int) -> np.ndarray:
    return np.arange(np.prod(shape), dtype=np.float32).reshape(shape)


def _ones(*shape: int) -> np.ndarray:
    return np.ones(shape, dtype=np.float32)


def _rows(values: list[float], units: int) -> np.ndarray:
    """(batch, units) array whose row b repeats `values[b]` (Keras' constant rows)."""
    return np.repeat(np.array(values, dtype=np.float32)[:, None], units, axis=1)


def _bool(rows: list[list[int]]) -> np.ndarray:
    return np.array(rows, dtype=bool)


@dataclass(frozen=True)
class GoldenCase:
    """One hard-coded expectation from Keras' test suite."""

    id: str
    spec: LayerSpec
    x: np.ndarray
    expected: tuple[np.ndarray, ...]  # what the layer returns, in Keras' order
    inits: tuple[float, float, float] = (0.01, 0.02, 0.03)  # kernel, recurrent, bias
    backward_inits: tuple[float, float, float] | None = None  # explicit backward_layer
    initial_state: tuple[np.ndarray, ...] | None = None
    mask: np.ndarray | None = None
    stateful: bool = False  # Keras called a stateful layer twice; check the 2nd call
    keras_extra: dict = field(default_factory=dict)  # unroll etc.: same numbers
    keras_tol: float = KERAS_DEFAULT_TOL


SRNN = LayerSpec(cell="simple_rnn", units=4)
LSTM = LayerSpec(cell="lstm", units=3)
GRU = LayerSpec(cell="gru", units=3)
LINEAR = LayerSpec(cell="simple_rnn", units=2, activation=None, use_bias=False)
ONES = (1.0, 1.0, 0.0)
MASK_A = _bool([[1, 1, 0, 1], [1, 0, 0, 1]])  # simple_rnn / gru / bidirectional
MASK_B = _bool([[1, 1, 1, 0], [1, 1, 0, 0]])  # lstm / rnn_test
BACKWARDS_MASK = _bool([[0, 1, 1, 1], [0, 0, 1, 1]])  # lstm_test go_backwards
LSTM_STATE = (_arange(2, 2), _arange(2, 2))
BIDI_STATE = tuple(_arange(2, 2) * k for k in (1, 2, 3, 4))
S = "simple_rnn_test.py::"
L = "lstm_test.py::"
G = "gru_test.py::"
B = "bidirectional_test.py::"
R = "rnn_test.py::"
LT = 1e-5  # lstm_test.py and bidirectional_test.py pass atol=rtol=1e-5

CASES: list[GoldenCase] = [
    # --- simple_rnn_test.py -----------------------------------------------------------
    GoldenCase(
        S + "test_correctness",
        SRNN,
        _arange(2, 3, 4),
        (_rows([0.405432, 0.73605347], 4),),
    ),
    GoldenCase(
        S + "test_correctness/go_backwards",
        SRNN.replace(go_backwards=True),
        _arange(2, 3, 4),
        (_rows([0.11144729, 0.5528889], 4),),
    ),
    GoldenCase(
        S + "test_statefulness",
        SRNN,
        _arange(2, 3, 4),
        (_rows([0.40559256, 0.7361247], 4),),
        stateful=True,
    ),
    GoldenCase(
        S + "test_pass_initial_state",
        SRNN,
        _arange(2, 4, 3),
        (_rows([0.33621645, 0.6262637], 4),),
        initial_state=(_arange(2, 4),),
    ),
    GoldenCase(
        S + "test_pass_initial_state/go_backwards",
        SRNN.replace(go_backwards=True),
        _arange(2, 4, 3),
        (_rows([0.07344437, 0.43043602], 4),),
        initial_state=(_arange(2, 4),),
    ),
    GoldenCase(
        S + "test_masking/unroll",
        SRNN,
        _arange(2, 4, 3),
        (_rows([0.32951632, 0.61799484], 4),),
        mask=MASK_A,
        keras_extra={"unroll": True},
    ),
    GoldenCase(
        S + "test_masking/return_sequences",
        SRNN.replace(units=2, return_sequences=True),
        _arange(2, 4, 3),
        (
            np.stack(
                [
                    _rows([0.0599281, 0.15122814, 0.15122814, 0.32394567], 2),
                    _rows([0.3969304, 0.3969304, 0.3969304, 0.608085], 2),
                ]
            ),
        ),
        mask=MASK_A,
    ),
    GoldenCase(
        S + "test_masking/go_backwards",
        SRNN.replace(go_backwards=True),
        _arange(2, 4, 3),
        (_rows([0.07376196, 0.43645123], 4),),
        mask=MASK_A,
    ),
    # --- lstm_test.py -----------------------------------------------------------------
    GoldenCase(
        L + "test_correctness",
        LSTM,
        _arange(3, 6, 4),
        (_rows([0.6288687, 0.86899155, 0.9460773], 3),),
        keras_tol=LT,
    ),
    GoldenCase(
        L + "test_correctness/go_backwards",
        LSTM.replace(go_backwards=True),
        _arange(3, 6, 4),
        (_rows([0.35622165, 0.74789524, 0.8872726], 3),),
        keras_tol=LT,
    ),
    GoldenCase(
        L + "test_correctness/unit_forget_bias_false",
        LSTM.replace(unit_forget_bias=False),
        _arange(3, 6, 4),
        (_rows([0.57019705, 0.8661914, 0.9459622], 3),),
        keras_tol=LT,
    ),
    GoldenCase(
        L + "test_correctness/use_bias_false",
        LSTM.replace(use_bias=False),
        _arange(3, 6, 4),
        (_rows([0.54986924, 0.86226785, 0.9443936], 3),),
        keras_tol=LT,
    ),
    GoldenCase(
        L + "test_statefulness",
        LSTM.replace(units=4),
        _arange(2, 3, 4),
        (_rows([0.3124785, 0.6863672], 4),),
        stateful=True,
        keras_tol=LT,
    ),
    GoldenCase(
        L + "test_pass_initial_state",
        LSTM.replace(units=2),
        _arange(2, 4, 3),
        (np.array([[0.20574439, 0.3558822], [0.64930826, 0.66276]], np.float32),),
        initial_state=LSTM_STATE,
        keras_tol=LT,
    ),
    GoldenCase(
        L + "test_pass_initial_state/go_backwards",
        LSTM.replace(units=2, go_backwards=True),
        _arange(2, 4, 3),
        (np.array([[0.13281618, 0.2790356], [0.5839337, 0.5992567]], np.float32),),
        initial_state=LSTM_STATE,
        keras_tol=LT,
    ),
    GoldenCase(
        L + "test_masking/unroll",
        LSTM.replace(units=2),
        _arange(2, 4, 3),
        (_rows([0.11755939, 0.28556206], 2),),
        mask=MASK_B,
        keras_extra={"unroll": True},
        keras_tol=LT,
    ),
    GoldenCase(
        L + "test_masking/return_sequences",
        LSTM.replace(units=2, return_sequences=True),
        _arange(2, 4, 3),
        (
            np.stack(
                [
                    _rows([0.01588910, 0.05552048, 0.11755939, 0.11755939], 2),
                    _rows([0.14185596, 0.28556206, 0.28556206, 0.28556206], 2),
                ]
            ),
        ),
        mask=MASK_B,
        keras_tol=LT,
    ),
    GoldenCase(
        L + "test_masking/go_backwards",
        LSTM.replace(units=2, go_backwards=True),
        _arange(2, 4, 3),
        (_rows([0.15341201, 0.3844719], 2),),
        mask=BACKWARDS_MASK,
        keras_tol=LT,
    ),
    # --- gru_test.py ------------------------------------------------------------------
    GoldenCase(
        G + "test_correctness",
        GRU,
        _arange(3, 6, 4),
        (
            np.array(
                [
                    [0.5217289, 0.5217289, 0.5217289],
                    [0.6371659, 0.6371659, 0.6371659],
                    [0.39384964, 0.39384964, 0.3938496],
                ],
                np.float32,
            ),
        ),
        keras_tol=LT,
    ),
    GoldenCase(
        G + "test_correctness/go_backwards",
        GRU.replace(go_backwards=True),
        _arange(3, 6, 4),
        (_rows([0.24406259, 0.611516, 0.3928808], 3),),
        keras_tol=LT,
    ),
    GoldenCase(
        G + "test_correctness/reset_after_false",
        GRU.replace(reset_after=False),
        _arange(3, 6, 4),
        (_rows([0.51447755, 0.6426879, 0.40208298], 3),),
        keras_tol=LT,
    ),
    GoldenCase(
        G + "test_correctness/use_bias_false",
        GRU.replace(use_bias=False),
        _arange(3, 6, 4),
        (_rows([0.49988455, 0.64701194, 0.4103359], 3),),
        keras_tol=LT,
    ),
    GoldenCase(
        G + "test_statefulness",
        GRU.replace(units=4),
        _arange(2, 3, 4),
        (_rows([0.29542392, 0.5885018], 4),),
        stateful=True,
    ),
    GoldenCase(
        G + "test_pass_initial_state",
        GRU.replace(units=2),
        _arange(2, 4, 3),
        (np.array([[0.23774096, 0.33508456], [0.83659905, 1.0227708]], np.float32),),
        initial_state=(_arange(2, 2),),
    ),
    GoldenCase(
        G + "test_pass_initial_state/go_backwards",
        GRU.replace(units=2, go_backwards=True),
        _arange(2, 4, 3),
        (np.array([[0.13486053, 0.23261218], [0.78257304, 0.9691353]], np.float32),),
        initial_state=(_arange(2, 2),),
    ),
    GoldenCase(
        G + "test_pass_return_state",
        GRU.replace(units=2, return_state=True),
        _arange(2, 4, 3),
        # Keras asserts the output, then state == output.
        (np.array([[0.23774096, 0.33508456], [0.83659905, 1.0227708]], np.float32),)
        * 2,
        initial_state=(_arange(2, 2),),
    ),
    GoldenCase(
        G + "test_pass_return_state/go_backwards",
        GRU.replace(units=2, return_state=True, go_backwards=True),
        _arange(2, 4, 3),
        (np.array([[0.13486053, 0.23261218], [0.78257304, 0.9691353]], np.float32),)
        * 2,
        initial_state=(_arange(2, 2),),
    ),
    GoldenCase(
        G + "test_masking/unroll",
        GRU.replace(units=2),
        _arange(2, 4, 3),
        (_rows([0.19393763, 0.30818558], 2),),
        mask=MASK_A,
        keras_extra={"unroll": True},
    ),
    GoldenCase(
        G + "test_masking/return_sequences",
        GRU.replace(units=2, return_sequences=True),
        _arange(2, 4, 3),
        (
            np.stack(
                [
                    _rows([0.03606692, 0.09497581, 0.09497581, 0.19393763], 2),
                    _rows([0.16051409, 0.16051409, 0.16051409, 0.30818558], 2),
                ]
            ),
        ),
        mask=MASK_A,
    ),
    GoldenCase(
        G + "test_masking/go_backwards",
        GRU.replace(units=2, go_backwards=True),
        _arange(2, 4, 3),
        (_rows([0.11669192, 0.28380975], 2),),
        mask=MASK_A,
    ),
    # --- bidirectional_test.py --------------------------------------------------------
    GoldenCase(
        B + "test_correctness/concat",
        SRNN.replace(units=2, bidirectional=True),
        _arange(2, 3, 4),
        (
            np.array(
                [
                    [0.39687276, 0.39687276, 0.10004295, 0.10004295],
                    [0.7237238, 0.7237238, 0.53391594, 0.53391594],
                ],
                np.float32,
            ),
        ),
        keras_tol=LT,
    ),
    GoldenCase(
        B + "test_correctness/ave",
        SRNN.replace(units=2, bidirectional=True, merge_mode="ave"),
        _arange(2, 3, 4),
        (_rows([0.24845785, 0.6288199], 2),),
        keras_tol=LT,
    ),
    GoldenCase(
        B + "test_correctness/merge_none",
        SRNN.replace(units=2, bidirectional=True, merge_mode=None),
        _arange(2, 3, 4),
        (_rows([0.39687276, 0.7237238], 2), _rows([0.10004295, 0.53391594], 2)),
        keras_tol=LT,
    ),
    GoldenCase(
        B + "test_correctness/mul_backward_layer",
        SRNN.replace(units=2, bidirectional=True, merge_mode="mul"),
        _arange(2, 3, 4),
        (_rows([0.08374989, 0.6740834], 2),),
        backward_inits=(0.03, 0.02, 0.01),
        keras_tol=LT,
    ),
    GoldenCase(
        B + "test_correctness/gru_sum_return_sequences",
        GRU.replace(
            units=2, return_sequences=True, bidirectional=True, merge_mode="sum"
        ),
        _arange(2, 3, 4),
        (
            np.stack(
                [
                    _rows([0.20937867, 0.34462988, 0.40290534], 2),
                    _rows([0.59829646, 0.6734641, 0.6479671], 2),
                ]
            ),
        ),
        keras_tol=LT,
    ),
    GoldenCase(
        B + "test_statefulness",
        LSTM.replace(units=2, bidirectional=True),
        _arange(2, 4, 3),
        (
            np.array(
                [
                    [0.26234663, 0.26234663, 0.16959146, 0.16959146],
                    [0.6137073, 0.6137073, 0.5381646, 0.5381646],
                ],
                np.float32,
            ),
        ),
        stateful=True,
        keras_tol=LT,
    ),
    GoldenCase(
        B + "test_pass_initial_state",
        LSTM.replace(units=2, bidirectional=True),
        _arange(2, 4, 3),
        (
            np.array(
                [
                    [0.20794602, 0.4577124, 0.14046375, 0.48191673],
                    [0.6682636, 0.6711909, 0.60943645, 0.60950446],
                ],
                np.float32,
            ),
        ),
        initial_state=BIDI_STATE,
        keras_tol=LT,
    ),
    GoldenCase(
        B + "test_masking",
        GRU.replace(units=2, bidirectional=True),
        _arange(2, 4, 3),
        (
            np.array(
                [
                    [0.19393763, 0.19393763, 0.11669192, 0.11669192],
                    [0.30818558, 0.30818558, 0.28380975, 0.28380975],
                ],
                np.float32,
            ),
        ),
        mask=MASK_A,
        keras_tol=LT,
    ),
    GoldenCase(
        B + "test_return_state",
        LSTM.replace(units=2, return_state=True, bidirectional=True),
        _arange(2, 4, 3),
        (
            np.array(
                [
                    [0.1990008, 0.1990008, 0.12659755, 0.12659755],
                    [0.52335435, 0.52335435, 0.44717982, 0.44717982],
                ],
                np.float32,
            ),
            _rows([0.1990008, 0.52335435], 2),  # forward h
            _rows([0.35567185, 1.0492687], 2),  # forward c
            _rows([0.12659755, 0.44717982], 2),  # backward h
            _rows([0.2501858, 0.941473], 2),  # backward c
        ),
        keras_tol=LT,
    ),
    # --- rnn_test.py (OneStateRNNCell == linear SimpleRNN, ones, no bias) -------------
    GoldenCase(
        R + "test_forward_pass_single_state",
        LINEAR,
        _ones(1, 2, 3),
        (_rows([9.0], 2),),
        inits=ONES,
    ),
    GoldenCase(
        R + "test_forward_pass_single_state/return_sequences",
        LINEAR.replace(return_sequences=True),
        _ones(1, 2, 3),
        (_rows([3.0, 9.0], 2)[None],),
        inits=ONES,
    ),
    GoldenCase(
        R + "test_forward_pass_single_state/return_state",
        LINEAR.replace(return_state=True),
        _ones(1, 2, 3),
        (_rows([9.0], 2), _rows([9.0], 2)),
        inits=ONES,
    ),
    GoldenCase(
        R + "test_forward_pass_single_state/return_sequences_and_state",
        LINEAR.replace(return_sequences=True, return_state=True),
        _ones(1, 2, 3),
        (_rows([3.0, 9.0], 2)[None], _rows([9.0], 2)),
        inits=ONES,
    ),
    GoldenCase(
        R + "test_passing_initial_state_single_state",
        LINEAR.replace(return_state=True),
        _ones(2, 3, 2),
        (_rows([22.0, 22.0], 2), _rows([22.0, 22.0], 2)),
        inits=ONES,
        initial_state=(_ones(2, 2),),
    ),
    GoldenCase(
        R + "test_statefulness_single_state",
        LINEAR.replace(return_state=True),
        _ones(1, 2, 3),
        (_rows([45.0], 2), _rows([45.0], 2)),
        inits=ONES,
        stateful=True,
    ),
    GoldenCase(
        R + "test_go_backwards",
        LINEAR.replace(go_backwards=True),
        _arange(2, 3, 4),
        (_rows([202.0, 538.0], 2),),
        inits=ONES,
    ),
    GoldenCase(
        R + "test_go_backwards/stateful_return_state",
        LINEAR.replace(return_state=True),
        _arange(2, 3, 4),
        (_rows([954.0, 3978.0], 2), _rows([954.0, 3978.0], 2)),
        inits=ONES,
        stateful=True,
    ),
    GoldenCase(
        R + "test_masking/return_sequences",
        LINEAR.replace(return_sequences=True),
        _arange(2, 4, 3),
        (
            np.stack(
                [
                    _rows([3.0, 18.0, 57.0, 57.0], 2),
                    _rows([39.0, 126.0, 126.0, 126.0], 2),
                ]
            ),
        ),
        inits=ONES,
        mask=MASK_B,
        keras_tol=LT,
    ),
    GoldenCase(
        R + "test_masking/unroll",
        LINEAR,
        _arange(2, 4, 3),
        (_rows([57.0, 126.0], 2),),
        inits=ONES,
        mask=MASK_B,
        keras_extra={"unroll": True},
        keras_tol=LT,
    ),
]

IDS = [case.id for case in CASES]
STATEFUL = [case for case in CASES if case.stateful]


# --- the weights, written out ---------------------------------------------------------


def _direction_weights(
    spec: LayerSpec, inits: tuple[float, float, float], input_dim: int
) -> list[np.ndarray]:
    kernel_value, recurrent_value, bias_value = inits
    gated = spec.units * spec.gate_count
    weights = [
        np.full((input_dim, gated), kernel_value, np.float32),
        np.full((spec.units, gated), recurrent_value, np.float32),
    ]
    if spec.use_bias:
        if spec.cell == "gru" and spec.reset_after:
            bias = np.full((2, gated), bias_value, np.float32)
        else:
            bias = np.full((gated,), bias_value, np.float32)
        if spec.cell == "lstm" and spec.unit_forget_bias:
            bias[spec.units : 2 * spec.units] = 1.0  # gates i, f, c, o: f starts at 1
        weights.append(bias)
    return weights


def golden_weights(case: GoldenCase) -> list[np.ndarray]:
    """What `layer.get_weights()` holds after Keras' initializers ran."""
    input_dim = case.x.shape[-1]
    weights = _direction_weights(case.spec, case.inits, input_dim)
    if case.spec.bidirectional:
        backward = case.backward_inits or case.inits
        weights += _direction_weights(case.spec, backward, input_dim)
    return weights


# --- the real Keras layer, as Keras' test builds it -----------------------------------


def build_keras_layer(case: GoldenCase, *, stateful: bool, return_state: bool):
    """The Keras layer of the source test, with its constant initializers."""
    import keras

    spec = case.spec

    def make(inits: tuple[float, float, float], go_backwards: bool):
        kernel_value, recurrent_value, bias_value = inits
        kwargs = {
            "units": spec.units,
            "activation": spec.activation,
            "use_bias": spec.use_bias,
            "return_sequences": spec.return_sequences,
            "return_state": return_state,
            "go_backwards": go_backwards,
            "stateful": stateful,
            "kernel_initializer": keras.initializers.Constant(kernel_value),
            "recurrent_initializer": keras.initializers.Constant(recurrent_value),
            "bias_initializer": keras.initializers.Constant(bias_value),
            **case.keras_extra,
        }
        if spec.cell == "lstm":
            kwargs["recurrent_activation"] = spec.recurrent_activation
            kwargs["unit_forget_bias"] = spec.unit_forget_bias
        if spec.cell == "gru":
            kwargs["recurrent_activation"] = spec.recurrent_activation
            kwargs["reset_after"] = spec.reset_after
        return getattr(keras.layers, spec.keras_class_name)(**kwargs)

    if not spec.bidirectional:
        return make(case.inits, spec.go_backwards)
    backward = make(case.backward_inits, True) if case.backward_inits else None
    return keras.layers.Bidirectional(
        make(case.inits, False), merge_mode=spec.merge_mode, backward_layer=backward
    )


def _as_tuple(result: object) -> tuple[np.ndarray, ...]:
    if isinstance(result, list | tuple):
        return tuple(np.asarray(r) for r in result)
    return (np.asarray(result),)


def _output_count(spec: LayerSpec) -> int:
    """How many leading items of a return_state result are outputs, not states."""
    return 2 if spec.bidirectional and spec.merge_mode is None else 1


def _call_kwargs(case: GoldenCase) -> dict:
    kwargs: dict = {}
    if case.initial_state is not None:
        kwargs["initial_state"] = list(case.initial_state)
    if case.mask is not None:
        kwargs["mask"] = case.mask
    return kwargs


def _assert_matches(got: tuple, case: GoldenCase, tol: float) -> None:
    assert len(got) == len(case.expected), (
        f"{case.id}: {len(got)} arrays returned, Keras' test expects "
        f"{len(case.expected)}"
    )
    for i, (actual, desired) in enumerate(zip(got, case.expected, strict=True)):
        np.testing.assert_allclose(
            actual, desired, atol=tol, rtol=tol, err_msg=f"{case.id}: item {i}"
        )


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_golden_numbers_hold_for_installed_keras(case):
    """The copied numbers still come out of the installed Keras, built as its test."""
    layer = build_keras_layer(
        case, stateful=case.stateful, return_state=case.spec.return_state
    )
    if case.stateful:
        layer(case.x, **_call_kwargs(case))
    got = _as_tuple(layer(case.x, **_call_kwargs(case)))
    _assert_matches(got, case, case.keras_tol)


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_numpy_weights_equal_keras_initializers(case):
    """Our written-out weights are exactly what the initializers put in the layer."""
    layer = build_keras_layer(case, stateful=False, return_state=case.spec.return_state)
    layer(case.x)  # builds the weights
    keras_weights = layer.get_weights()
    ours = golden_weights(case)
    assert [w.shape for w in ours] == case.spec.weight_shapes(case.x.shape[-1])
    assert len(keras_weights) == len(ours)
    for i, (theirs, mine) in enumerate(zip(keras_weights, ours, strict=True)):
        np.testing.assert_array_equal(theirs, mine, err_msg=f"{case.id}: weight {i}")


@pytest.mark.parametrize("case", STATEFUL, ids=[c.id for c in STATEFUL])
def test_stateful_equals_chained_initial_state_in_keras(case):
    """Two calls of a stateful layer equal feeding the first call's states back."""
    layer = build_keras_layer(case, stateful=False, return_state=True)
    first = _as_tuple(layer(case.x))
    states = list(first[_output_count(case.spec) :])
    second = _as_tuple(layer(case.x, initial_state=states))
    if not case.spec.return_state:
        second = second[: _output_count(case.spec)]
    _assert_matches(second, case, case.keras_tol)


# --- both engines ---------------------------------------------------------------------


def _run_engine(name: str, case: GoldenCase) -> object:
    forward = getattr(rnn_core, name)
    weights = golden_weights(case)
    initial_state = None if case.initial_state is None else list(case.initial_state)
    if case.stateful:
        first = forward(
            case.spec.replace(return_state=True), weights, case.x.copy(), None, None
        )
        initial_state = [np.asarray(s) for s in first[_output_count(case.spec) :]]
    return forward(
        case.spec,
        weights,
        case.x.copy(),
        initial_state=initial_state,
        mask=None if case.mask is None else case.mask.copy(),
    )


@pytest.mark.parametrize("engine", ["manual_forward", "keras_forward"])
@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_engine_reproduces_golden_numbers(case, engine):
    """manual_forward (NumPy) and keras_forward (Keras) both give Keras' numbers."""
    result = _run_engine(engine, case)
    if len(case.expected) == 1:
        assert isinstance(result, np.ndarray), f"{engine} returned {type(result)}"
        got: tuple = (result,)
    else:
        assert isinstance(result, tuple), f"{engine} returned {type(result)}"
        got = result
    _assert_matches(got, case, ENGINE_TOL)
