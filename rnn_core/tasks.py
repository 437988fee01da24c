"""Classic toy tasks for training a recurrent layer: echo, sum and sine.

Each task is a seeded batch of one-feature sequences and their targets, in the shapes
`rnn_core.gradients.manual_gradients` takes (`loss="last"`: one target per sequence;
`loss="sequence"`: one target per timestep).

- echo: the layer must output the input it saw `delay` steps before the end, the
  classic memory test: target = x[:, timesteps - 1 - delay]. The inputs are standard
  normal, so a layer that remembers nothing can do no better than predicting 0, a mean
  squared error of 1 (the variance of the target).
- sum: the target is the sum of the sequence; inputs uniform in [-1, 1], so the target's
  variance is timesteps / 3.
- sine: x is a sine wave of random frequency and phase, the target at each step is the
  wave's next value.

NumPy only: this module never imports TensorFlow, Keras or Streamlit.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from rnn_core.errors import CoreError
from rnn_core.inputs import MAX_SEED
from rnn_core.limits import MAX_BATCH, MAX_TIMESTEPS, check_input_shape

__all__ = [
    "MAX_SINE_FREQUENCY",
    "MIN_SINE_FREQUENCY",
    "TASKS",
    "TASK_LOSSES",
    "TaskData",
    "make_task",
]

TASKS: tuple[str, ...] = ("echo", "sum", "sine")
# The loss each task is trained with (as rnn_core.gradients.LOSSES).
TASK_LOSSES: dict[str, str] = {"echo": "last", "sum": "last", "sine": "sequence"}
# Angular frequency of the sine task, radians per timestep: periods of about 8 to 60.
MIN_SINE_FREQUENCY = 0.1
MAX_SINE_FREQUENCY = 0.8


@dataclass(frozen=True)
class TaskData:
    """One seeded batch of a toy task."""

    name: str
    x: np.ndarray  # (batch, timesteps, 1) float32
    target: np.ndarray  # (batch, 1) for loss "last"; (batch, timesteps, 1) "sequence"
    loss: str  # "last" or "sequence"
    delay: int  # the echo delay k (0 for the other tasks)

    @property
    def target_variance(self) -> float:
        """The mean squared error of always predicting the target's mean: the loss a
        model that learned nothing about the inputs is left with."""
        return float(np.var(self.target))


def _check_int(name: str, value: object, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise CoreError(
            "core.err.whole_range", name=name, low=low, high=high, value=repr(value)
        )
    if not low <= value <= high:
        raise CoreError("core.err.range", name=name, low=low, high=high, value=value)
    return int(value)


def make_task(
    name: str, batch: int, timesteps: int, seed: int, delay: int = 5
) -> TaskData:
    """A seeded batch of the toy task `name` ("echo", "sum" or "sine").

    Args:
        name: one of TASKS.
        batch: sequences, 1 to 256.
        timesteps: length of each sequence, 1 to 500.
        seed: 0 to 2**32 - 1; the same seed gives the same arrays.
        delay: echo only, how many steps back the target lies, 0 to timesteps - 1
            (ignored by the other tasks, whose `delay` is 0).

    Returns:
        TaskData with x of shape (batch, timesteps, 1) and float32 targets.

    Raises:
        CoreError: (a ValueError, in English and Spanish) one line naming the
            argument and what is allowed.
    """
    if name not in TASKS:
        raise CoreError(
            "core.err.one_of", name="task", allowed=", ".join(TASKS), value=repr(name)
        )
    batch = _check_int("batch", batch, 1, MAX_BATCH)
    timesteps = _check_int("timesteps", timesteps, 1, MAX_TIMESTEPS)
    check_input_shape(batch, timesteps, 1)
    seed = _check_int("seed", seed, 0, MAX_SEED)
    rng = np.random.default_rng(seed)
    if name == "echo":
        delay = _check_int("delay", delay, 0, timesteps - 1)
        x = rng.standard_normal((batch, timesteps, 1)).astype(np.float32)
        target = x[:, timesteps - 1 - delay, :].copy()  # (batch, 1)
        return TaskData(name, x, target, TASK_LOSSES[name], delay)
    if name == "sum":
        x = rng.uniform(-1.0, 1.0, (batch, timesteps, 1)).astype(np.float32)
        target = x.sum(axis=1, dtype=np.float32)  # (batch, 1)
        return TaskData(name, x, target, TASK_LOSSES[name], 0)
    frequency = rng.uniform(MIN_SINE_FREQUENCY, MAX_SINE_FREQUENCY, (batch, 1))
    phase = rng.uniform(0.0, 2 * np.pi, (batch, 1))
    wave = np.sin(frequency * np.arange(timesteps + 1) + phase)  # (batch, timesteps+1)
    x = wave[:, :-1, None].astype(np.float32)  # (batch, timesteps, 1)
    target = wave[:, 1:, None].astype(np.float32)  # (batch, timesteps, 1)
    return TaskData(name, x, target, TASK_LOSSES[name], 0)
