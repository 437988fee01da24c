"""Backpropagation through time: NumPy gradients vs Keras and vs finite differences.

Tolerances:
- vs Keras: relative error below GRADIENT_TOLERANCE = 1e-4 for every array (each weight,
  the readout's kernel and bias, dL/dh per direction), measured as
  max |manual − Keras| / max |Keras| over the array. Keras computes in float32, so
  an entry near 0 carries an absolute rounding error of about 1e-7 × the array's scale:
  an entry-by-entry relative error would measure float32 rounding, not the formulas.
  Seen over this grid: at most 5e-7; a wrong term shows as 1e-2 or more.
- vs central finite differences (float64, step 1e-6, small cases): 1e-6 relative to
  the array's largest magnitude (seen: about 1e-8).
"""

from __future__ import annotations

import numpy as np
import pytest

from rnn_core import LayerSpec
from rnn_core.activations import get_activation, is_elementwise
from rnn_core.gradients import (
    GRADIENT_TOLERANCE,
    LOSSES,
    SUPPORTED_ACTIVATIONS,
    Gradients,
    Readout,
    activation_slope,
    activation_vjp,
    hidden_norms,
    manual_gradients,
    manual_loss,
    relative_error,
)
from tests.arrays import random_normal, random_weights

FINITE_DIFFERENCE_TOLERANCE = 1e-6
CELL_VARIANTS = {
    "simple_rnn": LayerSpec(cell="simple_rnn", units=3),
    "lstm": LayerSpec(cell="lstm", units=3),
    "gru": LayerSpec(cell="gru", units=3, reset_after=True),
    "gru_reset_before": LayerSpec(cell="gru", units=3, reset_after=False),
}


def output_width(spec: LayerSpec) -> int:
    concat = spec.bidirectional and spec.merge_mode == "concat"
    return spec.units * (2 if concat else 1)


def make_case(
    spec: LayerSpec,
    loss: str,
    targets: int | None = None,
    shape: tuple[int, int, int] = (3, 5, 2),
    seed: int = 0,
) -> tuple[list[np.ndarray], np.ndarray, np.ndarray, Readout | None]:
    """Seeded float32 weights, input, target and (with `targets`) a readout."""
    batch, timesteps, features = shape
    weights = random_weights(spec, features, seed)
    x = random_normal(shape, seed + 1)
    width = output_width(spec)
    readout = None
    if targets is not None:
        readout = Readout(
            random_normal((width, targets), seed + 2),
            random_normal((targets,), seed + 3),
        )
    n = width if targets is None else targets
    target_shape = (batch, n) if loss == "last" else (batch, timesteps, n)
    return weights, x, random_normal(target_shape, seed + 4), readout


def named(gradients: Gradients) -> dict[str, np.ndarray]:
    arrays = dict(zip(gradients.weight_names, gradients.weights, strict=True))
    if gradients.readout is not None:
        arrays["readout/kernel"], arrays["readout/bias"] = gradients.readout
    arrays.update({f"dh/{d}": h for d, h in gradients.hidden.items()})
    return arrays


# --------------------------------------------------------------------------------------
# The grid against Keras: every cell variant × flags, each flag covered per cell.


def _grid() -> list[tuple[str, LayerSpec, str, int | None]]:
    cases = []
    extra_merges = {"simple_rnn": "sum", "lstm": "ave", "gru": "mul"}
    extra_merges["gru_reset_before"] = "sum"
    for name, base in CELL_VARIANTS.items():
        merge = extra_merges[name]
        cases += [
            (f"{name}-last", base, "last", None),
            (
                f"{name}-no_bias-sequence-readout",
                base.replace(use_bias=False),
                "sequence",
                2,
            ),
            (
                f"{name}-go_backwards-sequence",
                base.replace(go_backwards=True),
                "sequence",
                None,
            ),
            (
                f"{name}-bidirectional_concat-last-readout",
                base.replace(bidirectional=True),
                "last",
                1,
            ),
            (
                f"{name}-bidirectional_{merge}-sequence",
                base.replace(bidirectional=True, merge_mode=merge),
                "sequence",
                None,
            ),
        ]
    activations = [
        ("simple_rnn-relu", CELL_VARIANTS["simple_rnn"].replace(activation="relu")),
        (
            "lstm-elu-hard_sigmoid",
            CELL_VARIANTS["lstm"].replace(
                activation="elu", recurrent_activation="hard_sigmoid"
            ),
        ),
        ("gru-gelu", CELL_VARIANTS["gru"].replace(activation="gelu")),
        (
            "gru_reset_before-softmax",
            CELL_VARIANTS["gru_reset_before"].replace(activation="softmax"),
        ),
        ("simple_rnn-linear", CELL_VARIANTS["simple_rnn"].replace(activation=None)),
    ]
    cases += [(name, spec, "sequence", None) for name, spec in activations]
    return cases


GRID = _grid()


@pytest.mark.keras
@pytest.mark.parametrize(
    ("spec", "loss", "targets"),
    [case[1:] for case in GRID],
    ids=[case[0] for case in GRID],
)
def test_manual_gradients_match_keras(spec: LayerSpec, loss: str, targets: int | None):
    from rnn_core import keras_gradients

    weights, x, target, readout = make_case(spec, loss, targets)
    manual = manual_gradients(spec, weights, x, target, loss, readout)
    keras = keras_gradients(spec, weights, x, target, loss, readout)
    assert manual.loss == pytest.approx(keras.loss, rel=1e-5)
    np.testing.assert_allclose(manual.prediction, keras.prediction, atol=1e-5)
    manual_arrays, keras_arrays = named(manual), named(keras)
    assert manual_arrays.keys() == keras_arrays.keys()
    for name, array in manual_arrays.items():
        assert array.shape == keras_arrays[name].shape, name
        assert np.abs(keras_arrays[name]).max() > 0, name  # a gradient that flows
        error = relative_error(array, keras_arrays[name])
        assert error < GRADIENT_TOLERANCE, f"{name}: relative error {error:.2e}"
    for direction in spec.directions:
        np.testing.assert_array_equal(
            manual.time_index[direction], keras.time_index[direction]
        )


@pytest.mark.keras
def test_trace_gradients_gives_both_sides_and_the_residuals() -> None:
    from rnn_core import trace_gradients

    spec = LayerSpec(cell="lstm", units=3, bidirectional=True, merge_mode="ave")
    weights, x, target, readout = make_case(spec, "last", targets=2)
    traced = trace_gradients(spec, weights, x, target, "last", readout)
    assert traced.spec == spec
    assert traced.tolerance == GRADIENT_TOLERANCE == 1e-4
    assert 0 < traced.max_relative_error < traced.tolerance
    expected_keys = {
        *(f"{d}/{w}" for d in ("forward", "backward") for w in ("Wx", "Wh", "b")),
        "readout/kernel",
        "readout/bias",
        "dh/forward",
        "dh/backward",
    }
    assert set(traced.residuals) == expected_keys
    np.testing.assert_allclose(
        traced.residuals["forward/Wh"],
        traced.manual.weights[1] - traced.keras.weights[1],
    )


@pytest.mark.keras
def test_keras_gradients_ignore_return_flags_of_the_spec() -> None:
    """return_sequences / return_state do not matter: the loss decides."""
    from rnn_core import keras_gradients

    spec = CELL_VARIANTS["gru"]
    weights, x, target, _ = make_case(spec, "last")
    plain = keras_gradients(spec, weights, x, target, "last")
    flagged = keras_gradients(
        spec.replace(return_sequences=True, return_state=True), weights, x, target
    )
    for a, b in zip(plain.weights, flagged.weights, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-6, atol=1e-8)


# --------------------------------------------------------------------------------------
# Central finite differences, float64, small cases


def finite_difference(function, array: np.ndarray, step: float = 1e-6) -> np.ndarray:
    """d function / d array by central differences, entry by entry (float64)."""
    gradient = np.zeros(array.shape)
    for index in np.ndindex(array.shape):
        original = array[index]
        array[index] = original + step
        above = function()
        array[index] = original - step
        below = function()
        array[index] = original
        gradient[index] = (above - below) / (2 * step)
    return gradient


def assert_close_to(numeric: np.ndarray, analytic: np.ndarray, name: str) -> None:
    scale = np.abs(numeric).max()
    assert scale > 0, name
    error = np.abs(numeric - analytic).max() / scale
    assert error < FINITE_DIFFERENCE_TOLERANCE, f"{name}: {error:.2e}"


FINITE_DIFFERENCE_CASES = {
    "simple_rnn": (CELL_VARIANTS["simple_rnn"].replace(units=2), "last", None),
    "lstm-bidirectional_mul-readout": (
        CELL_VARIANTS["lstm"].replace(units=2, bidirectional=True, merge_mode="mul"),
        "sequence",
        2,
    ),
    "gru-go_backwards": (
        CELL_VARIANTS["gru"].replace(units=2, go_backwards=True),
        "sequence",
        None,
    ),
    "gru_reset_before-bidirectional_concat": (
        CELL_VARIANTS["gru_reset_before"].replace(units=2, bidirectional=True),
        "last",
        1,
    ),
}


@pytest.mark.parametrize(
    ("spec", "loss", "targets"),
    list(FINITE_DIFFERENCE_CASES.values()),
    ids=list(FINITE_DIFFERENCE_CASES),
)
def test_gradients_match_finite_differences(
    spec: LayerSpec, loss: str, targets: int | None
) -> None:
    weights, x, target, readout = make_case(spec, loss, targets, shape=(2, 4, 2))
    weights = [w.astype(np.float64) for w in weights]
    x = x.astype(np.float64)
    if readout is not None:
        readout = Readout(readout.kernel.astype(float), readout.bias.astype(float))
    gradients = manual_gradients(spec, weights, x, target, loss, readout)

    def current_loss(h_offsets: dict[str, np.ndarray] | None = None) -> float:
        return manual_loss(spec, weights, x, target, loss, readout, h_offsets)

    for name, weight, analytic in zip(
        gradients.weight_names, weights, gradients.weights, strict=True
    ):
        assert_close_to(finite_difference(current_loss, weight), analytic, name)
    if readout is not None:
        for name, array, analytic in zip(
            ("kernel", "bias"),
            (readout.kernel, readout.bias),
            gradients.readout,
            strict=True,
        ):
            assert_close_to(finite_difference(current_loss, array), analytic, name)
    offsets = {d: np.zeros_like(h) for d, h in gradients.hidden.items()}
    for direction, analytic in gradients.hidden.items():
        numeric = finite_difference(lambda: current_loss(offsets), offsets[direction])
        assert_close_to(numeric, analytic, f"dh/{direction}")
    assert gradients.loss == pytest.approx(current_loss(), rel=1e-12)


@pytest.mark.parametrize("name", SUPPORTED_ACTIVATIONS)
def test_activation_derivatives_match_finite_differences(name: str) -> None:
    # Points away from every kink (0, ±0.5, ±1, ±3, 6).
    x = np.array([-4.2, -2.1, -0.8, -0.3, 0.2, 0.7, 1.6, 4.4, 7.1])[None, :]
    activation = get_activation(name)
    step = 1e-6
    grad = np.linspace(-1, 1, x.size)[None, :]
    numeric_jacobian = np.stack(
        [
            (activation(x + step * e) - activation(x - step * e))[0] / (2 * step)
            for e in np.eye(x.size)
        ]
    )  # (n, n): row j = d act / d x_j
    expected = numeric_jacobian @ grad[0]
    np.testing.assert_allclose(activation_vjp(name, x, grad)[0], expected, atol=1e-6)
    if is_elementwise(name):
        np.testing.assert_allclose(
            activation_slope(name, x)[0], np.diag(numeric_jacobian), atol=1e-6
        )


# --------------------------------------------------------------------------------------
# Shapes, norms, properties


def test_gradients_have_the_shapes_of_the_weights() -> None:
    spec = LayerSpec(cell="gru", units=4, bidirectional=True, merge_mode="sum")
    weights, x, target, readout = make_case(spec, "sequence", targets=3)
    gradients = manual_gradients(spec, weights, x, target, "sequence", readout)
    assert [g.shape for g in gradients.weights] == [w.shape for w in weights]
    assert gradients.weight_names == (
        "forward/Wx",
        "forward/Wh",
        "forward/b",
        "backward/Wx",
        "backward/Wh",
        "backward/b",
    )
    assert gradients.prediction.shape == target.shape
    assert gradients.readout[0].shape == readout.kernel.shape
    assert gradients.readout[1].shape == readout.bias.shape
    assert gradients.hidden["forward"].shape == (3, 5, 4)
    np.testing.assert_array_equal(gradients.time_index["backward"], [4, 3, 2, 1, 0])
    np.testing.assert_array_equal(gradients.time_index["forward"], [0, 1, 2, 3, 4])


def test_loss_last_reaches_early_steps_only_through_the_recurrence() -> None:
    """With loss "last", dL/dh at the last step is the direct 2(pred − target)/N."""
    spec = CELL_VARIANTS["simple_rnn"]
    weights, x, target, _ = make_case(spec, "last")
    gradients = manual_gradients(spec, weights, x, target, "last")
    direct = 2 * (gradients.prediction - target) / target.size
    np.testing.assert_allclose(gradients.hidden["forward"][:, -1], direct, rtol=1e-12)


def test_hidden_norms_vanish_with_small_recurrent_weights() -> None:
    spec = CELL_VARIANTS["simple_rnn"]
    weights, x, target, _ = make_case(spec, "last", shape=(2, 20, 2))
    weights[1] = weights[1] * 0.1  # Wh with a small spectral radius
    gradients = manual_gradients(spec, weights, x, target, "last")
    norms = hidden_norms(gradients)
    assert norms.shape == (20,)
    np.testing.assert_allclose(
        norms, np.linalg.norm(gradients.hidden["forward"], axis=(0, 2)), rtol=1e-12
    )
    assert np.all(np.diff(norms) > 0)  # grows towards the last step
    assert norms[0] < 1e-6 * norms[-1]


def test_hidden_norms_default_and_unknown_direction() -> None:
    spec = CELL_VARIANTS["lstm"].replace(go_backwards=True)
    weights, x, target, _ = make_case(spec, "sequence")
    gradients = manual_gradients(spec, weights, x, target, "sequence")
    np.testing.assert_array_equal(
        hidden_norms(gradients), hidden_norms(gradients, "backward")
    )
    with pytest.raises(ValueError, match="`direction` must be one of backward"):
        hidden_norms(gradients, "forward")


def test_exploding_gradients_are_too_ill_conditioned_for_float32() -> None:
    """Why the tolerance is not met in the chaotic regime: changing the weights by
    float32's rounding (relative 1e-7) already moves the exact gradients by more than
    GRADIENT_TOLERANCE, so float32 Keras cannot agree with float64 NumPy there."""
    spec = CELL_VARIANTS["simple_rnn"].replace(units=16)
    weights, x, target, _ = make_case(spec, "last", shape=(8, 60, 1), seed=3)
    weights[1] = weights[1] * 3  # Wh's spectral radius far above 1
    exact = manual_gradients(spec, weights, x, target)
    rng = np.random.default_rng(0)
    nudged_weights = [
        w.astype(np.float64) * (1 + 1e-7 * rng.standard_normal(w.shape))
        for w in weights
    ]
    nudged = manual_gradients(spec, nudged_weights, x, target)
    norms = hidden_norms(exact)
    assert norms[0] > 1e3 * norms[-1]  # exploding towards the early steps
    error = relative_error(nudged.weights[1], exact.weights[1])
    assert error > GRADIENT_TOLERANCE


def test_relative_error_is_measured_against_the_arrays_scale() -> None:
    keras = np.array([1.0, 0.0, -2.0])
    assert relative_error(keras + np.array([0, 2e-5, 0]), keras) == pytest.approx(1e-5)
    assert relative_error(np.zeros(3), np.zeros(3)) == 0.0
    assert relative_error(np.array([np.inf, 0, 0]), np.zeros(3)) == float("inf")


# --------------------------------------------------------------------------------------
# Bad input: one-line ValueErrors


def _bad_calls() -> dict[str, tuple[dict, str]]:
    spec = CELL_VARIANTS["lstm"]
    weights, x, target, _ = make_case(spec, "last")
    good = {"spec": spec, "weights": weights, "x": x, "target": target, "loss": "last"}
    bad_readout = Readout(np.zeros((4, 2)), np.zeros(2))
    short_bias = Readout(np.zeros((3, 2)), np.zeros(3))
    return {
        "loss": ({**good, "loss": "mse"}, "`loss` must be one of last, sequence"),
        "target": ({**good, "target": target[:, None]}, r"`target` must have shape"),
        "sequence target": (
            {**good, "loss": "sequence"},
            r"\(batch, timesteps, targets\)",
        ),
        "readout kernel": ({**good, "readout": bad_readout}, "`readout.kernel`"),
        "readout bias": ({**good, "readout": short_bias}, "`readout.bias`"),
        "readout type": ({**good, "readout": (1, 2)}, "`readout` must be a Readout"),
        "sparsemax": (
            {**good, "spec": spec.replace(recurrent_activation="sparsemax")},
            "not available for activation 'sparsemax'; supported: tanh",
        ),
        "merge None": (
            {**good, "spec": spec.replace(bidirectional=True, merge_mode=None)},
            "merge_mode None",
        ),
        "weights": ({**good, "weights": weights[:2]}, "Expected 3 weight arrays"),
        "x axes": ({**good, "x": x[0]}, "3 axes"),
        "x features": ({**good, "x": np.zeros((3, 5, 7))}, "7 features"),
        "too long": (
            {**good, "x": np.zeros((3, 501, 2)), "target": target},
            "`timesteps` must be at most 500",
        ),
        "spec": ({**good, "spec": "lstm"}, "`spec` must be a LayerSpec"),
    }


BAD_CALLS = _bad_calls()


@pytest.mark.parametrize("case", list(BAD_CALLS))
def test_bad_input_raises_one_line_value_error(case: str) -> None:
    arguments, message = BAD_CALLS[case]
    with pytest.raises(ValueError, match=message) as raised:
        manual_gradients(**arguments)
    assert "\n" not in str(raised.value)


def test_losses_are_the_contracts() -> None:
    assert LOSSES == ("last", "sequence")
    assert "sparsemax" not in SUPPORTED_ACTIVATIONS
    assert {"softmax", "log_softmax", "tanh"} <= set(SUPPORTED_ACTIVATIONS)


def test_manual_gradients_stay_light(assert_stays_light) -> None:
    assert_stays_light(
        """
        import numpy as np
        import rnn_core
        spec = rnn_core.LayerSpec(cell="gru", units=3)
        rng = np.random.default_rng(0)
        weights = [rng.normal(size=s) for s in spec.weight_shapes(2)]
        g = rnn_core.manual_gradients(spec, weights, rng.normal(size=(2, 4, 2)),
                                      np.zeros((2, 4, 3)), loss="sequence")
        assert rnn_core.hidden_norms(g).shape == (4,)
        """
    )
