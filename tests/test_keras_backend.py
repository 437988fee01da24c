"""The Keras side as a server uses it: cached layers, shared between threads."""

from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from rnn_core import LayerSpec, init_weights, manual_forward
from rnn_core import keras_backend as kb

pytestmark = pytest.mark.keras


def test_threads_sharing_one_cached_layer_each_get_their_own_weights() -> None:
    """Weights are set on the cached layer before each call: calls must not mix."""
    spec = LayerSpec(cell="gru", units=5, return_sequences=True)
    x = np.random.default_rng(0).normal(size=(3, 7, 4)).astype(np.float32)
    weight_sets = [init_weights(spec, 4, seed=s) for s in range(8)]
    expected = [manual_forward(spec, w, x) for w in weight_sets]

    def run(k: int) -> np.ndarray:
        return kb.keras_forward(spec, weight_sets[k % 8], x)

    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(run, range(48)))
    for k, result in enumerate(results):
        np.testing.assert_allclose(result, expected[k % 8], atol=1e-5)


def test_threads_stepping_cells_get_their_own_states() -> None:
    spec = LayerSpec(cell="lstm", units=3)
    x = np.random.default_rng(1).normal(size=(2, 6, 3)).astype(np.float32)
    weight_sets = [init_weights(spec, 3, seed=s) for s in range(4)]

    def run(k: int) -> np.ndarray:
        return kb.keras_step_states(spec, weight_sets[k % 4], x)[0]["c"]

    serial = [run(k) for k in range(4)]
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(run, range(24)))
    for k, result in enumerate(results):
        np.testing.assert_array_equal(result, serial[k % 4])


def test_layer_cache_is_bounded_and_reuses_layers() -> None:
    x = np.zeros((1, 2, 3), np.float32)
    first = LayerSpec(units=2)
    kb.keras_forward(first, init_weights(first, 3), x)
    layer = kb._cached_layer(first, 3).layer
    assert kb._cached_layer(first, 3).layer is layer  # built once per spec
    for units in range(3, 3 + kb.MAX_CACHED_LAYERS + 2):
        spec = LayerSpec(units=units)
        kb.keras_forward(spec, init_weights(spec, 3), x)
    assert len(kb._cache) == kb.MAX_CACHED_LAYERS
    assert (first, 3) not in kb._cache  # the least recently used went first


def test_build_layer_matches_the_spec() -> None:
    spec = LayerSpec(
        cell="lstm",
        units=3,
        activation="relu",
        recurrent_activation="hard_sigmoid",
        return_sequences=True,
        unit_forget_bias=False,
        bidirectional=True,
        merge_mode="ave",
    )
    layer = kb.build_layer(spec)
    assert layer.merge_mode == "ave"
    config = layer.forward_layer.get_config()
    assert config["units"] == 3
    assert config["activation"] == "relu"
    assert config["recurrent_activation"] == "hard_sigmoid"
    assert config["unit_forget_bias"] is False
    assert config["return_sequences"] is True
    assert layer.backward_layer.go_backwards is True


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"input_dim": 0}, "`input_dim` must be a positive integer"),
        ({"seed": -1}, "`seed` must be an integer from 0"),
        ({"seed": 2**32}, "`seed` must be an integer from 0"),
    ],
)
def test_init_weights_rejects_bad_arguments(arguments: dict, message: str) -> None:
    call = {"input_dim": 3, "seed": 0, **arguments}
    with pytest.raises(ValueError, match=message):
        kb.init_weights(LayerSpec(), **call)


@pytest.mark.parametrize("cell", ["simple_rnn", "lstm", "gru"])
def test_short_inputs_run_eagerly_longer_ones_compiled_with_the_same_numbers(
    cell: str,
) -> None:
    """Up to EAGER_MAX_TIMESTEPS the layer and its cells are not traced; beyond, they
    are; both agree with the NumPy formulas (and so with each other)."""
    spec = LayerSpec(cell=cell, units=3, return_sequences=True, go_backwards=True)
    weights = init_weights(spec, 2, seed=4)
    rng = np.random.default_rng(5)
    kb._cache.pop((spec, 2), None)  # a fresh entry: its tracing counts start at 0
    for timesteps in (kb.EAGER_MAX_TIMESTEPS, kb.EAGER_MAX_TIMESTEPS + 1):
        x = rng.normal(size=(4, timesteps, 2)).astype(np.float32)
        output, states = kb.keras_run(spec, weights, x)
        entry = kb._cached_layer(spec, 2)
        traced = (
            entry.call.experimental_get_tracing_count(),
            entry.steppers[0].experimental_get_tracing_count(),
        )
        if timesteps <= kb.EAGER_MAX_TIMESTEPS:
            assert traced == (0, 0)
        else:
            assert min(traced) >= 1
        expected = manual_forward(spec, weights, x)
        np.testing.assert_allclose(output, expected, atol=1e-5)
        np.testing.assert_allclose(states[0]["h"], expected, atol=1e-5)
