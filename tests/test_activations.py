"""Every NumPy activation against the real `keras.activations` function."""

import numpy as np
import pytest

from rnn_core.activations import get_activation, latex_name
from rnn_core.spec import ACTIVATIONS

pytestmark = pytest.mark.keras


@pytest.fixture(scope="module")
def sample() -> np.ndarray:
    """Values around every kink of the piecewise activations, plus a wide spread."""
    rng = np.random.default_rng(0)
    wide = rng.normal(scale=3.0, size=(16, 7)).astype(np.float32)  # (rows, units)
    wide[0, :7] = [-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0]
    wide[1, :7] = [-6.0, -2.9, -0.49, 1e-4, 0.51, 2.9, 6.5]
    return wide


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_matches_keras(name: str, sample: np.ndarray) -> None:
    import keras

    expected = np.asarray(keras.activations.get(name)(sample))
    got = get_activation(name)(sample)
    assert got.dtype == np.float32
    assert got.shape == sample.shape
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)


def test_none_is_linear(sample: np.ndarray) -> None:
    np.testing.assert_array_equal(get_activation(None)(sample), sample)


def test_unknown_name_lists_the_allowed_ones() -> None:
    with pytest.raises(ValueError, match=r"Unknown activation 'glu'.*tanh"):
        get_activation("glu")


def test_hard_sigmoid_is_keras3_definition() -> None:
    """Keras 3 uses x/6 + 1/2 (Keras 2 used 0.2·x + 0.5): the slope must be 1/6."""
    x = np.array([-3.0, 0.0, 1.5, 3.0], np.float32)
    np.testing.assert_allclose(get_activation("hard_sigmoid")(x), [0, 0.5, 0.75, 1])


def test_latex_names() -> None:
    assert latex_name("tanh") == r"\tanh"
    assert latex_name(None) == r"\mathrm{id}"
    assert latex_name("hard_sigmoid") == r"\mathrm{hard\_sigmoid}"
