"""Train: a recurrent layer and a Dense readout learn a toy task, watched step by step.

Pick a preset or the task, cell, units, optimizer and learning rate; Run trains with a
progress bar, redrawing the loss, the gradient norms, the watched sequence, h_t and a
weight every few steps; Stop (or any other change) ends the run and keeps what it did.
Below: how far back SimpleRNN, LSTM and GRU remember on the echo task. The state and
computation live in ui/train_compute.py, the numbers in rnn_core.trainer. A run and a
comparison each take one of the server's few slots first (ui/heavy_work.py: one per
session, a visible queue when every slot is taken, Leave the queue or Stop to leave).
"""

from __future__ import annotations

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from rnn_core import trainer
from rnn_core.spec import CELL_CLASS_NAMES, CELLS
from rnn_core.tasks import TASKS
from rnn_core.trainer import TrainConfig
from ui import heavy_work, settings
from ui import train_compute as compute
from ui.i18n import error_text, language_switch, t
from ui.page import chart, convention, guard
from ui.train_compute import LiveRun, key

WEIGHT_KEY = "train.show_weight"


def controls() -> None:
    """The preset and every setting of the run."""
    presets = {
        name: t(f"train.preset.{name}") for name in (compute.CUSTOM, *trainer.PRESETS)
    }
    st.selectbox(
        t("train.preset"),
        list(presets),
        format_func=presets.__getitem__,
        key=compute.PRESET_KEY,
        on_change=compute.apply_preset,
        help=t("train.preset_help"),
    )
    tasks = {task: t(f"train.task.{task}") for task in TASKS}
    cells = {cell: CELL_CLASS_NAMES[cell] for cell in CELLS}
    optimizers = {name: t(f"train.optimizer.{name}") for name in trainer.OPTIMIZERS}
    changed = {"on_change": compute.mark_custom}
    first, second, third, fourth = st.columns(4)
    first.selectbox(
        t("train.task"),
        list(tasks),
        format_func=tasks.__getitem__,
        key=key("task"),
        **changed,
    )
    first.number_input(
        t("train.delay"),
        0,
        trainer.MAX_TRAIN_TIMESTEPS - 1,
        key=key("delay"),
        help=t("train.delay_help"),
        **changed,
    )
    first.number_input(
        t("train.timesteps"),
        1,
        trainer.MAX_TRAIN_TIMESTEPS,
        key=key("timesteps"),
        **changed,
    )
    second.selectbox(
        t("train.cell"),
        list(cells),
        format_func=cells.__getitem__,
        key=key("cell"),
        **changed,
    )
    second.number_input(
        t("train.units"), 1, trainer.MAX_TRAIN_UNITS, key=key("units"), **changed
    )
    second.number_input(
        t("train.batch"), 1, trainer.MAX_TRAIN_BATCH, key=key("batch"), **changed
    )
    third.selectbox(
        t("train.optimizer"),
        list(optimizers),
        format_func=optimizers.__getitem__,
        key=key("optimizer"),
        **changed,
    )
    third.number_input(
        t("train.learning_rate"),
        1e-5,
        trainer.MAX_LEARNING_RATE,
        key=key("learning_rate"),
        format="%.4g",
        step=0.005,
        **changed,
    )
    third.number_input(
        t("train.clip_norm"),
        0.0,
        trainer.MAX_CLIP_NORM,
        key=key("clip_norm"),
        format="%.4g",
        step=0.5,
        help=t("train.clip_norm_help"),
        **changed,
    )
    fourth.number_input(
        t("train.steps"), 1, trainer.MAX_TRAIN_STEPS, key=key("steps"), **changed
    )
    fourth.number_input(
        t("train.frame_every"),
        1,
        trainer.MAX_TRAIN_STEPS,
        key=key("frame_every"),
        help=t("train.frame_every_help"),
        **changed,
    )
    fourth.number_input(
        t("train.seed"), 0, trainer.MAX_SEED, key=key("seed"), **changed
    )


def show_run(places: dict[str, DeltaGenerator], run: LiveRun, live: bool) -> None:
    """Draw a run (in progress or done) into the page's placeholders."""
    result = run.result()
    status = t(
        f"train.status.{run.status}", done=len(run.steps), steps=run.config.steps
    )
    places["progress"].progress(run.fraction, text=status)
    with places["metrics"].container(horizontal=True):
        st.metric(t("train.metric.step"), f"{len(run.steps)} / {run.config.steps}")
        st.metric(t("train.metric.loss"), f"{compute.latest_loss(run):.4g}")
        st.metric(t("train.metric.variance"), f"{result.target_variance:.4g}")
    suffix = f"{run.run_id}.{len(run.steps)}.{'live' if live else 'done'}"
    with places["loss"].container():
        chart(compute.loss_figure(result), key=f"train.loss.{suffix}")
    with places["gradients"].container():
        chart(compute.gradient_figure(result), key=f"train.gradients.{suffix}")
    frame = result.frames[-1]
    if not live and len(result.frames) > 1:
        with places["frame_picker"].container():
            steps = [f.step for f in result.frames]
            chosen = st.select_slider(
                t("train.frame"),
                steps,
                value=steps[-1],
                key=f"train.frame.{run.run_id}",
            )
            frame = result.frames[steps.index(chosen)]
    with places["sequence"].container():
        chart(compute.sequence_figure(result, frame), key=f"train.seq.{suffix}")
    with places["hidden"].container():
        chart(compute.hidden_figure(frame), key=f"train.hidden.{suffix}")
    with places["weights"].container():
        chart(
            compute.weight_figure(result, frame, st.session_state[WEIGHT_KEY]),
            key=f"train.weights.{suffix}",
        )


def train(places: dict[str, DeltaGenerator], run: LiveRun) -> None:
    """Train `run` to its end, drawing every step (where Streamlit can stop it)."""
    for step in compute.advance(run):
        if step.frame is not None:
            show_run(places, run, live=True)
        else:
            places["progress"].progress(
                run.fraction,
                text=t("train.status.running", done=step.step, steps=run.config.steps),
            )


def stop() -> None:
    """The Stop button's callback: ends the run, or leaves the server's queue."""
    compute.stop()
    heavy_work.leave_queue("train")


def training_section() -> None:
    """Settings, Run and Stop, and the run's figures."""
    controls()
    config: TrainConfig | None = None
    try:
        config = compute.read_config()
    except ValueError as error:  # a CoreError, or a text of train_compute
        st.error(error_text(error))
    buttons = st.container(horizontal=True)
    run_clicked = buttons.button(
        t("train.run"), key="train.run_button", type="primary", disabled=config is None
    )
    buttons.button(t("train.stop"), key="train.stop_button", on_click=stop)
    run = compute.current_run()
    st.caption(t("train.stop_note"))
    places = {"queue": st.empty(), "progress": st.empty(), "metrics": st.empty()}
    heavy_work.show_left(places["queue"], "train")
    st.subheader(t("train.curves"))
    left, right = st.columns(2)
    places["loss"], places["gradients"] = left.empty(), right.empty()
    st.subheader(t("train.watch"))
    st.caption(t("train.watch_note"))
    places["frame_picker"] = st.empty()
    left, right = st.columns(2)
    places["sequence"], places["hidden"] = left.empty(), right.empty()
    weights = {name: name for name in trainer.PARAMETER_NAMES}
    st.session_state[WEIGHT_KEY] = st.session_state.get(WEIGHT_KEY, "Wh")
    st.selectbox(t("train.show_weight"), list(weights), key=WEIGHT_KEY)
    places["weights"] = st.empty()
    if run_clicked and config is not None:
        with heavy_work.turn(places["queue"], "train") as granted:
            if granted:
                run = compute.start_run(config)
                train(places, run)
    if run is None:
        places["progress"].info(t("train.empty"))
        return
    show_run(places, run, live=False)


def compare(place: DeltaGenerator, base: TrainConfig, delays: tuple[int, ...]) -> dict:
    """Train (or read from the cache) every point of the comparison, drawing each."""
    losses: dict[str, list[float]] = {cell: [] for cell in CELLS}
    total = len(CELLS) * len(delays)
    bar = st.progress(0.0, text=t("train.memory.progress", done=0, total=total))
    points = compute.memory_points(base, delays, heavy_work.stop_point())
    for done, (cell, _, loss) in enumerate(points, 1):
        losses[cell].append(loss)
        bar.progress(
            done / total, text=t("train.memory.progress", done=done, total=total)
        )
        with place.container():
            chart(compute.memory_figure(base, delays, losses), key=f"train.mem.{done}")
    bar.empty()
    return {"wanted": (base, delays), "losses": losses}


def memory_section() -> None:
    """SimpleRNN, LSTM and GRU on echo: held-out loss after training, per delay."""
    st.header(t("train.memory.title"))
    st.markdown(t("train.memory.intro"))
    try:
        config = compute.read_config()
    except ValueError:
        st.info(t("train.memory.fix_settings"))
        return
    if config.steps > trainer.MAX_MEMORY_STEPS:
        st.error(t("train.memory.too_many", limit=trainer.MAX_MEMORY_STEPS))
        return
    base = compute.memory_base(config)
    delays = compute.memory_delays(config)
    trainer.memory_runs(base, CELLS, delays)  # over the limits: CoreError, up front
    st.caption(
        t(
            "train.memory.settings",
            delays=", ".join(str(d) for d in delays),
            runs=len(CELLS) * len(delays),
            steps=base.steps,
            lead=trainer.MEMORY_LEAD,
        )
    )
    wanted = (base, delays)
    clicked = st.button(t("train.memory.run"), key="train.memory_button")
    queue = st.empty()
    heavy_work.show_left(queue, "memory")
    place = st.empty()
    stored = st.session_state.get(compute.MEMORY_KEY)
    if clicked:
        with heavy_work.turn(queue, "memory") as granted:
            if granted:
                stored = compare(place, base, delays)
                st.session_state[compute.MEMORY_KEY] = stored
    if stored is None:
        return
    with place.container():
        chart(
            compute.memory_figure(*stored["wanted"], stored["losses"]),
            key="train.mem.done",
        )
    if stored["wanted"] != wanted:
        st.caption(t("train.memory.stale"))


def main() -> None:
    st.set_page_config(layout="wide", initial_sidebar_state="expanded")
    settings.keep_settings()  # the other pages' settings survive a visit here
    compute.keep_settings()
    language_switch()
    st.title(t("train.title"))
    st.markdown(t("train.intro"))
    st.latex(r"\hat y = h_T \, W_{out} + b_{out}")
    st.latex(r"W \leftarrow W - \eta \, \frac{\partial L}{\partial W}")
    st.caption(convention())
    guard(training_section)
    guard(memory_section)


main()
