"""The quiz page through AppTest: right and wrong answers, the score, new questions.

The right answers are computed here with the real Keras layer (`rnn_core.quiz`), and
typed into the page's widgets as a user would.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from rnn_core import quiz
from ui.i18n import render, translate

pytestmark = [pytest.mark.app, pytest.mark.keras]

TIMEOUT = 90
PAGE = Path(__file__).resolve().parent.parent / "pages" / "6_Check_yourself.py"


def open_quiz(seed: int, kind: str = "any", language: str = "en") -> AppTest:
    at = AppTest.from_file(str(PAGE), default_timeout=TIMEOUT)
    at.session_state["quiz.seed"] = seed
    at.session_state["quiz.kind"] = kind
    at.session_state["cfg.language"] = language
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def answer(at: AppTest, question: quiz.Question, value: object) -> AppTest:
    """Type or tick `value` in the question's widgets, then press Check."""
    key = f"quiz.answer.{question.kind}-{question.seed}"
    if question.kind == "shapes":
        at.text_input(key=key).input(str(value))
    elif question.kind == "equal":
        for k in range(len(question.statements)):
            box = at.checkbox(key=f"{key}.{k}")
            box.check() if k in value else box.uncheck()
    else:
        at.number_input(key=key).set_value(value)
    at.button(key="quiz.check").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def right_answer(question: quiz.Question) -> object:
    live = quiz.live_answer(question)
    if question.kind == "shapes":
        return quiz.format_shapes(live.shapes)
    if question.kind == "equal":
        return [k for k, holds in enumerate(live.holds) if holds]
    return live.value


def wrong_answer(question: quiz.Question) -> object:
    right = right_answer(question)
    if question.kind == "shapes":
        return right + ", (1, 1)"
    if question.kind == "equal":
        return [k for k in range(len(question.statements)) if k not in right]
    return right + 1


def score(at: AppTest) -> str:
    return next(m.value for m in at.sidebar.get("metric"))


def verdict_of(question: quiz.Question, value: object) -> quiz.Verdict:
    live = quiz.live_answer(question)
    if question.kind == "shapes":
        return quiz.check_shapes(question, live, value)
    if question.kind == "equal":
        return quiz.check_equal(question, live, value)
    return quiz.check_unit(question, live, value)


@pytest.mark.parametrize("seed", [0, 1, 2, 4, 5])
def test_right_answer_gets_a_success_message(seed):
    question = quiz.make_question(seed)
    at = open_quiz(seed)
    assert at.subheader[0].value.startswith("Question 1: ")  # never the seed
    assert quiz.question_code(question) == at.code[0].value
    at = answer(at, question, right_answer(question))
    verdict = verdict_of(question, right_answer(question))
    assert verdict.correct
    assert [s.value for s in at.success] == [
        translate("quiz.right", "en", answer=render(verdict.answer, "en"))
    ]
    assert not at.error
    assert score(at) == "1 / 1"


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_wrong_answer_gets_the_explanation(seed):
    question = quiz.make_question(seed)
    at = answer(open_quiz(seed), question, wrong_answer(question))
    verdict = verdict_of(question, right_answer(question))
    assert [e.value for e in at.error] == [
        translate("quiz.wrong", "en", answer=render(verdict.answer, "en"))
    ]
    shown = "\n".join(m.value for m in at.markdown)
    for message in verdict.explanation:
        assert render(message, "en") in shown
    latex = "\n".join(item.value for item in at.latex)
    for line in verdict.math:
        assert line in latex
    assert score(at) == "0 / 1"


def test_unit_question_shows_its_numbers_and_the_value_of_keras():
    question = quiz.make_question(2, "unit")
    at = open_quiz(2, "unit")
    latex = "\n".join(item.value for item in at.latex)
    for given in quiz.question_latex(question).values():
        assert given in latex
    value = quiz.live_answer(question).value
    at = answer(at, question, value)
    assert f"= {value:g}" in at.success[0].value


def test_only_the_first_check_of_a_question_counts():
    question = quiz.make_question(3)
    at = answer(open_quiz(3), question, wrong_answer(question))
    assert score(at) == "0 / 1"
    at = answer(at, question, right_answer(question))
    assert at.success  # the right answer is confirmed...
    assert score(at) == "0 / 1"  # ...but does not count twice


def test_new_question_moves_on_and_keeps_the_score():
    question = quiz.make_question(6)
    at = answer(open_quiz(6), question, right_answer(question))
    at.button(key="quiz.new").click().run()
    assert at.session_state["quiz.seed"] == 7
    assert at.subheader[0].value.startswith("Question 2: ")  # the session's second
    assert not at.success  # no verdict yet for the new question
    assert not at.error
    assert score(at) == "1 / 1"


def test_kind_of_question_can_be_chosen():
    at = open_quiz(10)
    at.selectbox(key="quiz.kind").set_value("unit").run()
    assert not at.exception
    unit_title = translate("quiz.kind.unit", "en")
    assert at.subheader[0].value == f"Question 1: {unit_title}"


def test_unreadable_shapes_ask_again_without_scoring():
    question = quiz.make_question(0, "shapes")
    at = answer(open_quiz(0, "shapes"), question, "four by two")
    assert [w.value for w in at.warning] == [translate("quiz.shapes.unreadable", "en")]
    assert score(at) == "0 / 0"


def test_changing_the_answer_clears_the_old_verdict():
    question = quiz.make_question(0, "shapes")
    at = answer(open_quiz(0, "shapes"), question, wrong_answer(question))
    assert at.error
    key = f"quiz.answer.{question.kind}-{question.seed}"
    at.text_input(key=key).input(right_answer(question)).run()
    assert not at.error
    assert not at.success
