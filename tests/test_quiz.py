"""rnn_core.quiz: questions are seeded, and checked against the real Keras layer.

Each kind is checked over many seeds: the live answer is what Keras returns (and what
an independent computation says it should be), the right answer passes, wrong ones
are refused, and the explanation names the right values.
"""

from __future__ import annotations

import numpy as np
import pytest

from rnn_core import describe_output, keras_forward, manual_forward, quiz
from rnn_core.quiz import (
    KINDS,
    Message,
    check_equal,
    check_shapes,
    check_unit,
    format_shapes,
    live_answer,
    make_question,
    parse_shapes,
    question_code,
    question_latex,
)
from ui.i18n import MESSAGES, render

SEEDS = range(24)


def rendered(verdict: quiz.Verdict, language: str = "en") -> str:
    """The verdict's answer and explanation as the page shows them."""
    return "\n".join(
        render(message, language) for message in (verdict.answer, *verdict.explanation)
    )


def message_ids(message: Message) -> list[str]:
    nested = [v for v in message.fields.values() if isinstance(v, Message)]
    return [message.id, *(i for m in nested for i in message_ids(m))]


# --- without Keras --------------------------------------------------------------------


def test_questions_are_seeded_and_take_turns():
    for seed in SEEDS:
        first, again = make_question(seed), make_question(seed)
        assert first.kind == KINDS[seed % 3]
        assert first.spec == again.spec
        np.testing.assert_array_equal(first.x, again.x)
        for a, b in zip(first.weights, again.weights, strict=True):
            np.testing.assert_array_equal(a, b)
    kinds = {make_question(seed, "unit").spec.units for seed in SEEDS}
    assert len(kinds) > 1  # seeds differ


@pytest.mark.parametrize(
    ("seed", "kind", "message"),
    [(-1, None, "`seed`"), (True, None, "`seed`"), (0, "essay", "`kind`")],
)
def test_bad_seed_or_kind(seed, kind, message):
    with pytest.raises(ValueError, match=message):
        make_question(seed, kind)


def test_unit_questions_use_small_integers():
    for seed in SEEDS:
        question = make_question(seed, "unit")
        assert question.input_shape[:2] == (1, 1)
        assert question.spec.cell == "simple_rnn"
        assert question.spec.activation in (None, "relu")
        for array in (question.x, *question.weights):
            assert set(np.unique(array)) <= {-2.0, -1.0, 0.0, 1.0, 2.0}
        assert 0 <= question.unit < question.spec.units
        latex = question_latex(question)
        assert set(latex) == {"x", "Wx", "Wh", "b"}
        code = question_code(question)
        compile(code.replace("[Wx, Wh, b]", "[]"), "<question>", "exec")


def test_shapes_questions_vary_every_flag():
    specs = [make_question(seed, "shapes").spec for seed in range(60)]
    for flag in ("return_sequences", "return_state", "go_backwards", "bidirectional"):
        assert {getattr(spec, flag) for spec in specs} == {False, True}, flag
    assert {spec.cell for spec in specs} == {"simple_rnn", "lstm", "gru"}
    for seed in range(10):
        question = make_question(seed, "shapes")
        sizes = (*question.input_shape, question.spec.units)
        assert len(set(sizes)) == 4  # every size is different: no ambiguity
        assert f"np.random.random({question.input_shape})" in question_code(question)


@pytest.mark.parametrize(
    ("text", "shapes"),
    [
        ("(32, 4)", ((32, 4),)),
        ("[(2, 5, 3), (2, 3)]", ((2, 5, 3), (2, 3))),
        ("output (4,), state_h ( 4 , 2 )", ((4,), (4, 2))),
    ],
)
def test_parse_shapes(text, shapes):
    assert parse_shapes(text) == shapes


@pytest.mark.parametrize("text", ["", "32, 4", "(a, 4)", "(2.5, 4)", "()"])
def test_parse_shapes_refuses(text):
    with pytest.raises(ValueError, match="shape"):
        parse_shapes(text)


# --- against Keras --------------------------------------------------------------------


SHAPE_SEEDS = range(60)  # enough for every flag and merge mode to come up


@pytest.fixture(scope="module")
def shape_questions() -> list[tuple[quiz.Question, quiz.LiveAnswer]]:
    """Shape questions with what Keras returned (one Keras call each, shared)."""
    questions = [make_question(seed, "shapes") for seed in SHAPE_SEEDS]
    return [(question, live_answer(question)) for question in questions]


@pytest.mark.keras
def test_shapes_are_what_keras_returns(shape_questions):
    for question, live in shape_questions:
        returned = keras_forward(question.spec, question.weights, question.x)
        arrays = returned if isinstance(returned, tuple) else (returned,)
        assert live.shapes == tuple(a.shape for a in arrays)
        expected = describe_output(question.spec, question.input_shape)
        expected = expected if isinstance(expected[0], tuple) else (expected,)
        assert live.shapes == expected  # the documented rule agrees with Keras

        right = check_shapes(question, live, format_shapes(live.shapes))
        assert right.correct
        text = rendered(right)
        assert format_shapes(live.shapes) in text
        for name, shape in zip(live.names, live.shapes, strict=True):
            assert f"{name} {shape}" in text
        for wrong in _wrong_shapes(live.shapes):
            assert not check_shapes(question, live, format_shapes(wrong)).correct


def _wrong_shapes(shapes):
    """Typical mistakes: a state forgotten or added, the time axis kept or dropped,
    the order swapped, a size off by one."""
    yield shapes[:-1] or ((1,),)
    yield (*shapes, shapes[-1])
    first = shapes[0]
    if len(first) == 3:
        yield (first[:1] + first[2:], *shapes[1:])
    else:
        yield ((first[0], 7, first[1]), *shapes[1:])
    if len(shapes) > 1 and shapes[0] != shapes[1]:
        yield (shapes[1], shapes[0], *shapes[2:])
    yield ((first[0] + 1, *first[1:]), *shapes[1:])


@pytest.mark.keras
def test_explanations_follow_the_flags(shape_questions):
    seen = set()
    for question, live in shape_questions:
        verdict = check_shapes(question, live, "(1, 1)")
        assert not verdict.correct
        ids = {m.id for m in verdict.explanation}
        spec = question.spec
        assert ("quiz.why.sequences_on" in ids) == spec.return_sequences
        assert ("quiz.why.state_on" in ids) == spec.return_state
        assert ("quiz.why.state_lstm" in ids) == (
            spec.return_state and spec.cell == "lstm"
        )
        assert ("quiz.why.backwards" in ids) == spec.go_backwards
        if spec.bidirectional and spec.merge_mode == "concat":
            assert f"2 × {spec.units} = {2 * spec.units}" in rendered(verdict)
        seen |= ids
    assert {i for i in MESSAGES if i.startswith("quiz.why.")} <= seen


@pytest.mark.keras
def test_equalities_are_checked_on_keras_arrays():
    for seed in range(36):
        question = make_question(seed, "equal")
        assert question.spec.return_state
        live = live_answer(question)
        assert len(live.holds) == len(question.statements) >= 1
        result = keras_forward(question.spec, question.weights, question.x)
        arrays = dict(zip(question.names, result, strict=True))
        for statement, holds in zip(question.statements, live.holds, strict=True):
            left = arrays[statement.left]
            if statement.index is not None:
                left = left[:, statement.index]
            right = arrays[statement.right]
            assert holds == (left.shape == right.shape and np.array_equal(left, right))
        truth = [k for k, holds in enumerate(live.holds) if holds]
        assert truth, "the output always equals a state in some way"
        right = check_equal(question, live, truth)
        assert right.correct
        # The definition's reason fits what Keras did: no "checked live" fallback.
        ids = {i for m in right.explanation for i in message_ids(m)}
        assert "quiz.eq.why.live" not in ids
        text = rendered(right)
        for k in truth:
            assert f"`{question.statements[k].text}`" in render(right.answer, "en")
        for k in range(len(question.statements)):
            wrong = set(truth) ^ {k}  # one statement ticked or unticked wrongly
            assert not check_equal(question, live, wrong).correct
        assert not check_equal(question, live, []).correct
        assert "holds" in text


@pytest.mark.keras
def test_equal_question_refuses_unknown_statements():
    question = make_question(1, "equal")
    live = live_answer(question)
    with pytest.raises(ValueError, match="`chosen`"):
        check_equal(question, live, [len(question.statements)])


@pytest.mark.keras
def test_unit_value_is_keras_and_the_hand_computation():
    for seed in SEEDS:
        question = make_question(seed, "unit")
        live = live_answer(question)
        k = question.unit
        wx, _, b = (w.astype(np.float64) for w in question.weights)
        pre = question.x[0, 0].astype(np.float64) @ wx[:, k] + b[k]
        expected = max(pre, 0.0) if question.spec.activation == "relu" else pre
        assert live.value == expected  # small integers: exact in float32
        assert live.value == float(
            manual_forward(question.spec, question.weights, question.x)[0, k]
        )
        right = check_unit(question, live, expected)
        assert right.correct
        value = f"{live.value:g}".replace("-0", "0")
        assert f"= {value}." in render(right.answer, "en")
        assert right.math[-1].endswith(f"= {value}")
        assert not check_unit(question, live, expected + 1).correct
        assert not check_unit(question, live, -expected - 1).correct
        assert not check_unit(question, live, float("nan")).correct


@pytest.mark.keras
def test_explanations_render_in_both_languages():
    for seed in range(12):
        question = make_question(seed)
        live = live_answer(question)
        if question.kind == "shapes":
            verdict = check_shapes(question, live, "(1, 2)")
        elif question.kind == "equal":
            verdict = check_equal(question, live, [0])
        else:
            verdict = check_unit(question, live, 0.5)
        english, spanish = rendered(verdict, "en"), rendered(verdict, "es")
        assert english != spanish
        for message in (verdict.answer, *verdict.explanation):
            for message_id in message_ids(message):
                assert message_id in MESSAGES
