"""Check yourself: questions on what a Keras recurrent layer returns, checked live.

The questions come from `rnn_core.quiz` (seeded); the right answer is what the real
Keras layer returns, computed when the answer is checked. Session state: "quiz.seed"
(the current question), "quiz.number" (its number in this session: 1, 2, 3, ...; the
seed is never shown), "quiz.kind", "quiz.score" and "quiz.verdicts" (the verdict of
each question checked, by question id). The page's link carries the question: its
seed (`quiz`) and kind (`quiz_kind`), see ui.permalink; not its number or the score.
"""

from __future__ import annotations

import secrets

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from rnn_core import quiz
from ui import compute, permalink, settings
from ui.i18n import language_switch, render, t
from ui.page import guard

SEED_KEY = "quiz.seed"
NUMBER_KEY = "quiz.number"
KIND_KEY = "quiz.kind"
SCORE_KEY = "quiz.score"
VERDICTS_KEY = "quiz.verdicts"
ANY = permalink.ANY_KIND
MAX_SEED = permalink.MAX_QUIZ_SEED
CACHED_ANSWERS = 256
TTL_SECONDS = 3600


@st.cache_data(max_entries=CACHED_ANSWERS, ttl=TTL_SECONDS, show_spinner=False)
def _live_answer(seed: int, kind: str) -> quiz.LiveAnswer:
    """What the real Keras layer returns for the question (cached per question)."""
    return quiz.live_answer(quiz.make_question(seed, kind))


def _question() -> quiz.Question:
    kind = st.session_state[KIND_KEY]
    return quiz.make_question(
        int(st.session_state[SEED_KEY]), None if kind == ANY else kind
    )


def _question_id(question: quiz.Question) -> str:
    return f"{question.kind}-{question.seed}"


def _new_question() -> None:
    st.session_state[SEED_KEY] = (int(st.session_state[SEED_KEY]) + 1) % (MAX_SEED + 1)
    st.session_state[NUMBER_KEY] = int(st.session_state[NUMBER_KEY]) + 1


def _forget_verdict(question_id: str) -> None:
    """An answer changed: its old verdict no longer applies."""
    st.session_state[VERDICTS_KEY].pop(question_id, None)


# --- the question ---------------------------------------------------------------------


def _ask_shapes(question: quiz.Question, answer_key: str) -> object:
    st.markdown(t("quiz.shapes.prompt"))
    return st.text_input(
        t("quiz.shapes.label"),
        key=answer_key,
        placeholder="(2, 3), (2, 3)",
        on_change=_forget_verdict,
        args=(_question_id(question),),
    )


def _ask_equal(question: quiz.Question, answer_key: str) -> object:
    st.markdown(t("quiz.equal.prompt"))
    chosen = []
    for k, statement in enumerate(question.statements):
        if st.checkbox(
            f"`{statement.text}`",
            key=f"{answer_key}.{k}",
            on_change=_forget_verdict,
            args=(_question_id(question),),
        ):
            chosen.append(k)
    return chosen


def _ask_unit(question: quiz.Question, answer_key: str) -> object:
    st.markdown(
        t(
            "quiz.unit.prompt",
            unit=question.unit,
            features=question.input_shape[2],
            act=t(f"quiz.act.{question.spec.activation_name}"),
        )
    )
    givens = quiz.question_latex(question)
    columns = st.columns(len(givens))
    for column, latex in zip(columns, givens.values(), strict=True):
        column.latex(latex)
    return st.container(width=320).number_input(
        t("quiz.unit.label", unit=question.unit),
        value=None,
        step=1.0,
        format="%g",
        key=answer_key,
        on_change=_forget_verdict,
        args=(_question_id(question),),
    )


ASK = {"shapes": _ask_shapes, "equal": _ask_equal, "unit": _ask_unit}


def _judge(question: quiz.Question, response: object) -> quiz.Verdict | None:
    """The verdict on a response, against the live Keras answer (None: unreadable)."""
    compute.keras_ready()
    with st.spinner(t("quiz.running")):
        live = _live_answer(question.seed, question.kind)
    if question.kind == "shapes":
        try:
            return quiz.check_shapes(question, live, str(response or ""))
        except ValueError:
            st.warning(t("quiz.shapes.unreadable"))
            return None
    if question.kind == "equal":
        return quiz.check_equal(question, live, response)  # type: ignore[arg-type]
    if response is None:
        st.warning(t("quiz.unit.empty"))
        return None
    return quiz.check_unit(question, live, float(response))  # type: ignore[arg-type]


def _show_verdict(verdict: quiz.Verdict) -> None:
    if verdict.correct:
        st.success(t("quiz.right", answer=render(verdict.answer)))
    else:
        st.error(t("quiz.wrong", answer=render(verdict.answer)))
    st.markdown(t("quiz.why"))
    st.markdown("\n".join(f"- {render(message)}" for message in verdict.explanation))
    for latex in verdict.math:
        st.latex(latex)


def _score(question_id: str, verdict: quiz.Verdict) -> None:
    """Count a question once: its first checked answer."""
    score = st.session_state[SCORE_KEY]
    if question_id in score["seen"]:
        return
    score["seen"].append(question_id)
    score["answered"] += 1
    score["right"] += int(verdict.correct)


def body() -> None:
    question = _question()
    question_id = _question_id(question)
    st.subheader(
        t(
            "quiz.heading",
            kind=t(f"quiz.kind.{question.kind}"),
            number=st.session_state[NUMBER_KEY],
        )
    )
    st.code(quiz.question_code(question), language="python")
    response = ASK[question.kind](question, f"quiz.answer.{question_id}")
    buttons = st.container(horizontal=True)
    checked = buttons.button(t("quiz.check"), key="quiz.check", type="primary")
    buttons.button(t("quiz.new"), key="quiz.new", on_click=_new_question)
    verdicts = st.session_state[VERDICTS_KEY]
    if checked:
        verdict = _judge(question, response)
        if verdict is not None:
            verdicts[question_id] = verdict
            _score(question_id, verdict)
    if question_id in verdicts:
        _show_verdict(verdicts[question_id])


def sidebar() -> DeltaGenerator:
    """Language and the kind of question; returns the place for the score."""
    state = st.session_state
    state[KIND_KEY] = state.get(KIND_KEY, ANY)  # kept across pages
    state.setdefault(SEED_KEY, secrets.randbelow(MAX_SEED + 1))
    state.setdefault(NUMBER_KEY, 1)
    state.setdefault(SCORE_KEY, {"right": 0, "answered": 0, "seen": []})
    state.setdefault(VERDICTS_KEY, {})
    language_switch()
    # Labels made now, in this run's language (a format_func may be called later).
    labels = {kind: t(f"quiz.kind.{kind}") for kind in (ANY, *quiz.KINDS)}
    st.sidebar.selectbox(
        t("quiz.kind"),
        list(labels),
        format_func=labels.__getitem__,
        key=KIND_KEY,
    )
    return st.sidebar.empty()


def show_score(place: DeltaGenerator) -> None:
    """Right answers / questions answered, drawn after this run's check."""
    score = st.session_state[SCORE_KEY]
    place.metric(
        t("quiz.score"),
        f"{score['right']} / {score['answered']}",
        help=t("quiz.score_help"),
    )


def main() -> None:
    st.set_page_config(layout="wide", initial_sidebar_state="expanded")
    permalink.load()  # a link's question first (app.py may have loaded it already)
    st.session_state.setdefault(SEED_KEY, secrets.randbelow(MAX_SEED + 1))
    permalink.claim("quiz", "quiz_kind")  # the URL and the link box carry it
    problems = settings.keep_settings()  # the other pages' settings survive a visit
    score_place = sidebar()
    st.title(t("quiz.title"))
    for problem in problems:  # a bad setting (e.g. from a link), as pages 1–4 say
        st.error(problem)
    st.caption(t("quiz.intro"))
    guard(body)
    show_score(score_place)
    permalink.link_box()
    st.sidebar.caption(t("link.quiz"))


main()
