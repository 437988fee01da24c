"""LayerSpec validation and the facts derived from it (no Keras needed)."""

import dataclasses

import numpy as np
import pytest

from rnn_core import LayerSpec, describe_weights, name_weights
from rnn_core.spec import ACTIVATIONS, MAX_UNITS


def test_defaults_match_the_issue() -> None:
    spec = LayerSpec()
    assert spec.to_dict() == {
        "cell": "simple_rnn",
        "units": 4,
        "activation": "tanh",
        "recurrent_activation": "sigmoid",
        "use_bias": True,
        "return_sequences": False,
        "return_state": False,
        "go_backwards": False,
        "unit_forget_bias": True,
        "reset_after": True,
        "bidirectional": False,
        "merge_mode": "concat",
    }


def test_frozen_and_hashable() -> None:
    spec = LayerSpec(cell="lstm", units=3)
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.units = 5  # type: ignore[misc]
    assert hash(spec) == hash(LayerSpec(cell="lstm", units=3))
    assert {spec: 1}[LayerSpec(cell="lstm", units=3)] == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"cell": "rnn"}, "cell"),
        ({"units": 0}, "units"),
        ({"units": MAX_UNITS + 1}, "units"),
        ({"units": 2.5}, "units"),
        ({"units": True}, "units"),
        ({"activation": "glu"}, "activation"),
        ({"activation": "Tanh"}, "activation"),
        ({"recurrent_activation": None}, "recurrent_activation"),
        ({"use_bias": 1}, "use_bias"),
        ({"return_sequences": "yes"}, "return_sequences"),
        ({"merge_mode": "max"}, "merge_mode"),
        ({"bidirectional": True, "go_backwards": True}, "go_backwards"),
    ],
)
def test_invalid_values_name_the_field(changes: dict, field: str) -> None:
    with pytest.raises(ValueError, match=f"`{field}`") as error:
        LayerSpec(**changes)
    assert "expected" in str(error.value) or "invalid combination" in str(error.value)


def test_replace_validates() -> None:
    spec = LayerSpec()
    assert spec.replace(units=8).units == 8
    with pytest.raises(ValueError, match="`units`"):
        spec.replace(units=-1)


def test_every_activation_is_accepted() -> None:
    for name in ACTIVATIONS:
        assert LayerSpec(activation=name).activation_name == name
    assert LayerSpec(activation=None).activation_name == "linear"


@pytest.mark.parametrize(
    ("spec", "shapes"),
    [
        (LayerSpec(units=4), [(8, 4), (4, 4), (4,)]),
        (LayerSpec(cell="lstm", units=3), [(8, 12), (3, 12), (12,)]),
        (LayerSpec(cell="gru", units=3), [(8, 9), (3, 9), (2, 9)]),
        (LayerSpec(cell="gru", units=3, reset_after=False), [(8, 9), (3, 9), (9,)]),
        (LayerSpec(use_bias=False), [(8, 4), (4, 4)]),
        (LayerSpec(bidirectional=True), [(8, 4), (4, 4), (4,)] * 2),
    ],
)
def test_weight_shapes(spec: LayerSpec, shapes: list) -> None:
    assert spec.weight_shapes(8) == shapes
    assert [info.shape for info in describe_weights(spec, 8)] == shapes


def test_directions_and_states() -> None:
    assert LayerSpec().directions == ("forward",)
    assert LayerSpec(go_backwards=True).directions == ("backward",)
    assert LayerSpec(bidirectional=True).directions == ("forward", "backward")
    assert LayerSpec(cell="lstm").state_names == ("h", "c")
    assert LayerSpec(cell="gru").gate_names == ("z", "r", "h")


def test_named_weights_slice_the_gates() -> None:
    spec = LayerSpec(cell="lstm", units=2)
    rng = np.random.default_rng(0)
    weights = [rng.normal(size=s).astype(np.float32) for s in spec.weight_shapes(3)]
    named = name_weights(spec, weights)
    np.testing.assert_array_equal(named["Wx"], weights[0])
    np.testing.assert_array_equal(named["Wx_f"], weights[0][:, 2:4])
    np.testing.assert_array_equal(named["Wh_o"], weights[1][:, 6:8])
    np.testing.assert_array_equal(named["b_c"], weights[2][4:6])
    assert {k for k in named if k.startswith("Wx_")} == {"Wx_i", "Wx_f", "Wx_c", "Wx_o"}


def test_named_weights_gru_reset_after_and_bidirectional() -> None:
    spec = LayerSpec(cell="gru", units=2, bidirectional=True)
    rng = np.random.default_rng(1)
    weights = [rng.normal(size=s).astype(np.float32) for s in spec.weight_shapes(3)]
    named = name_weights(spec, weights)
    np.testing.assert_array_equal(named["forward/bx_z"], weights[2][0, 0:2])
    np.testing.assert_array_equal(named["forward/bh_h"], weights[2][1, 4:6])
    np.testing.assert_array_equal(named["backward/Wh_r"], weights[4][:, 2:4])
    assert "backward/b" in named
    assert "Wx" not in named


def test_named_weights_reject_wrong_shapes() -> None:
    spec = LayerSpec(units=4)
    expected = r"`recurrent_kernel` must have shape \(4, 4\)"
    with pytest.raises(ValueError, match=expected):
        name_weights(spec, [np.zeros((8, 4)), np.zeros((4, 5)), np.zeros(4)])
    with pytest.raises(ValueError, match="Expected 3 weight arrays"):
        name_weights(spec, [np.zeros((8, 4))])


@pytest.mark.parametrize(
    ("spec", "code"),
    [
        (LayerSpec(), "keras.layers.SimpleRNN(4)"),
        (
            LayerSpec(units=4, activation=None),
            "keras.layers.SimpleRNN(4, activation=None)",
        ),
        (
            LayerSpec(cell="lstm", units=8, activation="relu", use_bias=False),
            'keras.layers.LSTM(8, activation="relu", use_bias=False)',
        ),
        (
            LayerSpec(
                cell="lstm",
                recurrent_activation="hard_sigmoid",
                unit_forget_bias=False,
                go_backwards=True,
            ),
            'keras.layers.LSTM(4, recurrent_activation="hard_sigmoid", '
            "unit_forget_bias=False, go_backwards=True)",
        ),
        (
            LayerSpec(cell="gru", reset_after=False, return_state=True),
            "keras.layers.GRU(4, reset_after=False, return_state=True)",
        ),
        (
            LayerSpec(bidirectional=True),
            "keras.layers.Bidirectional(keras.layers.SimpleRNN(4))",
        ),
        (
            LayerSpec(cell="gru", bidirectional=True, merge_mode="ave"),
            'keras.layers.Bidirectional(keras.layers.GRU(4), merge_mode="ave")',
        ),
        (
            LayerSpec(bidirectional=True, merge_mode=None, return_sequences=True),
            "keras.layers.Bidirectional(keras.layers.SimpleRNN(4, "
            "return_sequences=True), merge_mode=None)",
        ),
    ],
)
def test_keras_code_writes_only_non_default_arguments(
    spec: LayerSpec, code: str
) -> None:
    assert spec.keras_code() == code


def test_keras_code_leaves_out_arguments_of_other_cells() -> None:
    # SimpleRNN has no recurrent_activation, unit_forget_bias or reset_after.
    spec = LayerSpec(recurrent_activation="relu", unit_forget_bias=False)
    assert spec.keras_code() == "keras.layers.SimpleRNN(4)"
    assert "reset_after" not in LayerSpec(cell="lstm", reset_after=False).keras_code()


def _without_names(config: object) -> object:
    """A Keras config with every layer's generated `name` left out."""
    if isinstance(config, dict):
        return {k: _without_names(v) for k, v in config.items() if k != "name"}
    if isinstance(config, list):
        return [_without_names(v) for v in config]
    return config


@pytest.mark.keras
@pytest.mark.parametrize(
    "spec",
    [
        LayerSpec(),
        LayerSpec(activation=None, return_sequences=True, return_state=True),
        LayerSpec(cell="lstm", units=3, activation="relu", go_backwards=True),
        LayerSpec(
            cell="lstm",
            recurrent_activation="hard_sigmoid",
            unit_forget_bias=False,
            use_bias=False,
        ),
        LayerSpec(cell="gru", reset_after=False, activation="selu"),
        LayerSpec(cell="gru", bidirectional=True, merge_mode=None),
        LayerSpec(cell="lstm", bidirectional=True, merge_mode="mul"),
    ],
)
def test_keras_code_builds_the_layer_keras_builds_from_the_spec(
    spec: LayerSpec,
) -> None:
    keras = pytest.importorskip("keras")
    from rnn_core.keras_backend import build_layer

    from_code = eval(spec.keras_code(), {"keras": keras})  # our own code string
    assert _without_names(from_code.get_config()) == _without_names(
        build_layer(spec).get_config()
    )
