"""rnn_core.tasks: the toy tasks' shapes, targets, seeding and refusals (NumPy only)."""

from __future__ import annotations

import numpy as np
import pytest

from rnn_core.tasks import TASK_LOSSES, TASKS, make_task


@pytest.mark.parametrize("name", TASKS)
def test_shapes_dtypes_and_loss(name):
    data = make_task(name, batch=4, timesteps=7, seed=0, delay=3)
    assert data.name == name
    assert data.x.shape == (4, 7, 1)
    assert data.x.dtype == np.float32
    assert data.target.dtype == np.float32
    assert data.loss == TASK_LOSSES[name]
    if data.loss == "last":
        assert data.target.shape == (4, 1)
    else:
        assert data.target.shape == (4, 7, 1)
    assert np.isfinite(data.x).all()
    assert np.isfinite(data.target).all()


@pytest.mark.parametrize("delay", [0, 1, 5, 19])
def test_echo_target_is_the_input_delay_steps_before_the_end(delay):
    data = make_task("echo", batch=8, timesteps=20, seed=3, delay=delay)
    assert data.delay == delay
    np.testing.assert_array_equal(data.target[:, 0], data.x[:, 19 - delay, 0])


def test_echo_inputs_are_standard_normal_so_the_variance_is_about_one():
    data = make_task("echo", batch=256, timesteps=30, seed=1, delay=20)
    assert abs(float(data.x.mean())) < 0.05
    assert 0.9 < float(data.x.var()) < 1.1
    assert 0.8 < data.target_variance < 1.2


def test_sum_target_is_the_sum_and_other_tasks_have_no_delay():
    data = make_task("sum", batch=5, timesteps=9, seed=2, delay=7)
    np.testing.assert_allclose(data.target[:, 0], data.x[:, :, 0].sum(axis=1), 1e-6)
    assert data.delay == 0
    assert np.abs(data.x).max() <= 1.0


def test_sine_target_is_the_next_value_of_one_wave():
    data = make_task("sine", batch=6, timesteps=12, seed=4)
    # the target is the input shifted by one step
    np.testing.assert_array_equal(data.target[:, :-1], data.x[:, 1:])
    assert data.delay == 0
    assert np.abs(data.x).max() <= 1.0
    # a sine of one frequency per item: x_{t+1} + x_{t-1} = 2 cos(w) x_t
    wave = np.concatenate([data.x[:, :, 0], data.target[:, -1:, 0]], axis=1)
    ratio = (wave[:, 2:] + wave[:, :-2]) / (2 * wave[:, 1:-1])
    steady = np.abs(wave[:, 1:-1]) > 0.2
    for item in range(6):
        values = ratio[item][steady[item]]
        assert np.ptp(values) < 1e-3  # the same cos(w) all along the sequence
    # frequencies differ between items
    medians = {
        round(float(np.median(r[s])), 3) for r, s in zip(ratio, steady, strict=True)
    }
    assert len(medians) > 1


@pytest.mark.parametrize("name", TASKS)
def test_same_seed_same_arrays_other_seed_other_arrays(name):
    a = make_task(name, 3, 10, seed=11, delay=2)
    b = make_task(name, 3, 10, seed=11, delay=2)
    c = make_task(name, 3, 10, seed=12, delay=2)
    np.testing.assert_array_equal(a.x, b.x)
    np.testing.assert_array_equal(a.target, b.target)
    assert not np.array_equal(a.x, c.x)


@pytest.mark.parametrize(
    ("arguments", "field"),
    [
        ({"name": "copy"}, "task"),
        ({"batch": 0}, "batch"),
        ({"batch": 257}, "batch"),
        ({"batch": 2.0}, "batch"),
        ({"timesteps": 0}, "timesteps"),
        ({"timesteps": 501}, "timesteps"),
        ({"seed": -1}, "seed"),
        ({"seed": 2**32}, "seed"),
        ({"delay": 10}, "delay"),
        ({"delay": -1}, "delay"),
        ({"delay": True}, "delay"),
    ],
)
def test_bad_arguments_raise_one_line_naming_the_field(arguments, field):
    call = {"name": "echo", "batch": 2, "timesteps": 10, "seed": 0, "delay": 3}
    call.update(arguments)
    with pytest.raises(ValueError, match=f"`{field}`") as error:
        make_task(**call)
    assert "\n" not in str(error.value)


def test_the_largest_task_allowed_is_made():
    data = make_task("sine", batch=256, timesteps=500, seed=0)
    assert data.x.shape == (256, 500, 1)


def test_tasks_stay_light(assert_stays_light):
    assert_stays_light(
        """
        from rnn_core.tasks import make_task
        make_task("echo", 2, 5, 0, delay=2)
        """
    )
