"""The Train page's state and computation: settings, the live run, the memory curve.

- Settings: one widget key per `TrainConfig` field ("train.<field>"), kept across
  pages like the sidebar's (written back at the start of every run), filled from a
  preset of `rnn_core.trainer.PRESETS` when one is chosen.
- The live run (`LiveRun` under st.session_state["train.run"]): its config and every
  `TrainStep` made so far. Steps are appended as they are made, so when Streamlit
  interrupts the script (the Stop button, or any other widget changed) the steps done
  stay and are shown; the next run marks it "stopped". Training runs are per session
  and never cached: each is bounded by the config's limits, and runs only once it
  holds one of the server's slots (ui/heavy_work.py).
- The memory comparison: every (cell, delay) point of `rnn_core.trainer` trained once
  per server (`st.cache_data`, bounded, expiring), so a class reuses them.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, fields

import numpy as np
import plotly.graph_objects as go
import streamlit as st

from rnn_core import train_figures, trainer
from rnn_core.spec import CELLS
from rnn_core.trainer import Frame, TrainConfig, TrainResult, TrainStep
from ui.compute import keras_ready
from ui.i18n import language, t

RUN_KEY = "train.run"
MEMORY_KEY = "train.memory"
PRESET_KEY = "train.preset"
CUSTOM = "custom"
DEFAULT_PRESET = "echo_lstm"
FIELDS: tuple[str, ...] = tuple(f.name for f in fields(TrainConfig))
# The clip norm's widget holds a number; 0 means "no clipping" (None in the config).
NO_CLIP = 0.0
MEMORY_DELAYS: tuple[int, ...] = (1, 5, 10, 20)
MAX_CACHED_POINTS = 96
TTL_SECONDS = 3600
_run_ids = itertools.count(1)


def key(name: str) -> str:
    """The widget key of a TrainConfig field."""
    return f"train.{name}"


def _widget_values(config: TrainConfig) -> dict[str, object]:
    values = {name: getattr(config, name) for name in FIELDS}
    values["clip_norm"] = NO_CLIP if config.clip_norm is None else config.clip_norm
    return values


def keep_settings() -> None:
    """Give every training widget a value (the default preset's at first) and keep
    the values across pages (Streamlit forgets a widget's value on a page that does
    not draw it)."""
    state = st.session_state
    state[PRESET_KEY] = state.get(PRESET_KEY, DEFAULT_PRESET)
    defaults = _widget_values(trainer.PRESETS[DEFAULT_PRESET])
    for name, default in defaults.items():
        state[key(name)] = state.get(key(name), default)


def apply_preset() -> None:
    """The preset selectbox's callback: copy the preset's settings to the widgets."""
    name = st.session_state.get(PRESET_KEY, CUSTOM)
    if name in trainer.PRESETS:
        for field_name, value in _widget_values(trainer.PRESETS[name]).items():
            st.session_state[key(field_name)] = value


def mark_custom() -> None:
    """A setting changed by hand: the settings are no longer the preset's."""
    name = st.session_state.get(PRESET_KEY)
    if name not in trainer.PRESETS:
        return
    preset = _widget_values(trainer.PRESETS[name])
    if any(st.session_state.get(key(f)) != preset[f] for f in FIELDS):
        st.session_state[PRESET_KEY] = CUSTOM


def read_config() -> TrainConfig:
    """The TrainConfig of the widgets.

    Raises:
        ValueError: a combination the widgets cannot stop (a delay as long as the
            sequence, too much work in all), in the session's language.
    """
    state = st.session_state
    values = {name: state[key(name)] for name in FIELDS}
    values["clip_norm"] = values["clip_norm"] or None
    for name in ("delay", "units", "steps", "batch", "timesteps", "seed"):
        values[name] = int(values[name])
    values["frame_every"] = int(values["frame_every"])
    values["learning_rate"] = float(values["learning_rate"])
    if values["task"] == "echo" and values["delay"] >= values["timesteps"]:
        raise ValueError(
            t("train.error.delay", delay=values["delay"], last=values["timesteps"] - 1)
        )
    if values["frame_every"] > values["steps"]:
        raise ValueError(
            t(
                "train.error.frame_every",
                frame_every=values["frame_every"],
                steps=values["steps"],
            )
        )
    work = values["steps"] * values["batch"] * values["timesteps"] * values["units"]
    if work > trainer.MAX_TRAIN_WORK:
        raise ValueError(
            t("train.error.work", work=f"{work:,}", limit=f"{trainer.MAX_TRAIN_WORK:,}")
        )
    return TrainConfig(**values)


# --- the live run ---------------------------------------------------------------------


@dataclass
class LiveRun:
    """One session's training run, as far as it went."""

    run_id: int
    config: TrainConfig
    steps: list[TrainStep] = field(default_factory=list)
    status: str = "running"  # "running", "stopped" or "finished"

    @property
    def fraction(self) -> float:
        """Share of the planned steps done, 0 to 1 (for st.progress)."""
        return len(self.steps) / self.config.steps

    def result(self) -> TrainResult:
        """The run so far as a TrainResult (its frames, losses, norms)."""
        return trainer.summarize(self.config, self.steps)


def current_run() -> LiveRun | None:
    """This session's last run, if any. A run still marked "running" when a script
    run starts was interrupted (Stop, or another widget): it is marked "stopped"."""
    run = st.session_state.get(RUN_KEY)
    if not isinstance(run, LiveRun):
        return None
    if run.status == "running":
        run.status = "stopped"
    return run


def start_run(config: TrainConfig) -> LiveRun:
    """A new run of `config` for this session (replaces the last one)."""
    if config.optimizer == "adam":
        keras_ready()  # Adam is Keras' own: TensorFlow, imported once per server
    run = LiveRun(next(_run_ids), config)
    st.session_state[RUN_KEY] = run
    return run


def advance(run: LiveRun) -> Iterator[TrainStep]:
    """Train `run`, keeping every step in the session as it is made."""
    for step in trainer.iter_training(run.config):
        run.steps.append(step)
        yield step
    run.status = "finished"


def stop() -> None:
    """The Stop button's callback (the interrupted run is marked in `current_run`)."""
    run = st.session_state.get(RUN_KEY)
    if isinstance(run, LiveRun) and run.status == "running":
        run.status = "stopped"


def latest_loss(run: LiveRun) -> float:
    """Mean loss of the last (up to) 20 steps."""
    return float(np.mean([s.loss for s in run.steps[-20:]])) if run.steps else np.nan


# --- figures --------------------------------------------------------------------------


def loss_figure(result: TrainResult) -> go.Figure:
    """The loss curve of a run (log scale)."""
    return train_figures.loss_figure(
        result.losses, result.target_variance, language(), result.config.steps
    )


def gradient_figure(result: TrainResult) -> go.Figure:
    """The gradient norms of a run (log scale)."""
    return train_figures.gradient_norms_figure(
        result.gradient_norms,
        result.global_norms,
        result.config.clip_norm,
        language(),
        result.config.steps,
    )


def sequence_figure(result: TrainResult, frame: Frame) -> go.Figure:
    """The watched sequence, its target and the prediction at `frame`."""
    config = result.config
    return train_figures.sequence_figure(
        frame, config.task, config.task_delay, language()
    )


def hidden_figure(frame: Frame) -> go.Figure:
    """h_t of the watched sequence at `frame`."""
    return train_figures.hidden_figure(frame, language())


def weight_figure(result: TrainResult, frame: Frame, name: str) -> go.Figure:
    """One weight array at `frame`."""
    return train_figures.frame_weight_figure(
        frame, name, result.config.cell, language()
    )


# --- the memory comparison ------------------------------------------------------------


def memory_delays(config: TrainConfig) -> tuple[int, ...]:
    """The delays compared: 1, 5, 10, 20 and the page's (echo only), each with
    MEMORY_LEAD inputs before the one to echo within the timestep limit."""
    chosen = {config.delay} if config.task == "echo" else set()
    longest = trainer.MAX_TRAIN_TIMESTEPS - 1 - trainer.MEMORY_LEAD
    return tuple(sorted(d for d in {*MEMORY_DELAYS, *chosen} if d <= longest))


def memory_base(config: TrainConfig) -> TrainConfig:
    """The settings of the comparison: the page's, on the echo task (each run sets
    its own delay and timesteps)."""
    return config.replace(
        task="echo", delay=0, timesteps=trainer.MEMORY_LEAD + 1, frame_every=1
    )


@st.cache_data(max_entries=MAX_CACHED_POINTS, ttl=TTL_SECONDS, show_spinner=False)
def memory_point(
    base: TrainConfig,
    cell: str,
    delay: int,
    _between_steps: Callable[[], None] = lambda: None,
) -> float:
    """Held-out echo loss after training `cell` at `delay` (cached per server).

    `_between_steps` (not part of the cache key) runs after every update: the page
    passes Streamlit's stop check, so a stopped comparison ends within a step and
    caches nothing for the point it was on."""
    if base.optimizer == "adam":
        keras_ready()
    (config,) = trainer.memory_runs(base, (cell,), (delay,))
    frame = None
    for step in trainer.iter_training(config):
        frame = step.frame or frame
        _between_steps()
    assert frame is not None  # the last step always records a frame
    return trainer.evaluate(config, trainer.frame_parameters(frame))


def memory_points(
    base: TrainConfig,
    delays: tuple[int, ...],
    between_steps: Callable[[], None] = lambda: None,
) -> Iterator[tuple]:
    """(cell, delay, loss) for every cell and delay, each trained (or read from the
    cache) in turn, so the page can show progress."""
    for cell in CELLS:
        for delay in delays:
            yield cell, delay, memory_point(base, cell, delay, between_steps)


def memory_figure(
    base: TrainConfig, delays: tuple[int, ...], losses: dict[str, list[float]]
) -> go.Figure:
    """The comparison's figure from the points computed so far."""
    curve = trainer.MemoryCurve(
        base, delays, {cell: np.array(values) for cell, values in losses.items()}
    )
    return train_figures.memory_figure(curve, language())
