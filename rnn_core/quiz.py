"""Check yourself: seeded questions on what a Keras recurrent layer returns.

Three kinds of question, each drawn from a seed so the same seed gives the same
question:

- "shapes": a random layer and input; what shapes does the call return?
- "equal": a layer with `return_state=True`; which equalities between the returned
  arrays hold exactly?
- "unit": a SimpleRNN with small integer weights and input; the value of one unit of
  h_1, by hand.

The right answer is never written here: `live_answer` runs the real Keras layer
(`rnn_core.keras_forward`, which loads TensorFlow) and the `check_*` functions compare
the user's answer with what it returned, then explain the right one. Explanations are
`Message`s (a message id and its fields) for the app's catalog (`ui/i18n.py`), so this
module stays free of Streamlit and of any language; LaTeX lines are language-neutral.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

import numpy as np

from rnn_core.explain import format_number
from rnn_core.manual import output_names
from rnn_core.markup import Markup
from rnn_core.spec import CELLS, MERGE_MODES, LayerSpec

__all__ = [
    "KINDS",
    "LiveAnswer",
    "Message",
    "Question",
    "Statement",
    "Verdict",
    "check_equal",
    "check_shapes",
    "check_unit",
    "format_shapes",
    "live_answer",
    "make_question",
    "parse_shapes",
    "question_code",
    "question_latex",
]

KINDS: tuple[str, ...] = ("shapes", "equal", "unit")
VALUE_TOLERANCE = 1e-4  # an answer this close to Keras' value is right
SMALL_INTEGERS = (-2, -1, 0, 1, 2)  # the entries of "unit" questions
UNIT_ACTIVATIONS: tuple[str | None, ...] = (None, "relu")  # computable by hand


@dataclass(frozen=True)
class Message:
    """A text for the user: a message id of the catalog and its fields."""

    id: str
    fields: Mapping[str, str | Message] = field(default_factory=dict)


@dataclass(frozen=True)
class Statement:
    """A candidate equality between two returned arrays, e.g. output[:, -1] == state_h.

    `index` picks a timestep of a sequence output (0 or -1), or None for the array.
    """

    left: str
    index: int | None
    right: str

    @property
    def text(self) -> str:
        """As Python: "output[:, -1] == state_h"."""
        left = self.left if self.index is None else f"{self.left}[:, {self.index}]"
        return f"{left} == {self.right}"


@dataclass(frozen=True, eq=False)
class Question:
    """One question: the layer, its input and weights, and what is asked."""

    kind: str
    seed: int
    spec: LayerSpec
    x: np.ndarray  # (batch, timesteps, features) float32
    weights: tuple[np.ndarray, ...]  # as layer.get_weights(), float32
    statements: tuple[Statement, ...] = ()  # "equal": the candidates, in shown order
    unit: int = 0  # "unit": which unit of h_1

    @property
    def input_shape(self) -> tuple[int, int, int]:
        """(batch, timesteps, features)."""
        batch, timesteps, features = self.x.shape
        return int(batch), int(timesteps), int(features)

    @property
    def names(self) -> tuple[str, ...]:
        """The names of the arrays the layer returns, in Keras' order."""
        return output_names(self.spec)


@dataclass(frozen=True)
class LiveAnswer:
    """What the real Keras layer returned for a question."""

    names: tuple[str, ...]
    shapes: tuple[tuple[int, ...], ...]
    holds: tuple[bool, ...] = ()  # "equal": per statement, checked bit for bit
    value: float | None = None  # "unit": output[0, unit]


@dataclass(frozen=True)
class Verdict:
    """Whether an answer is right, the right answer and why."""

    correct: bool
    answer: Message  # the right answer
    explanation: tuple[Message, ...]
    math: tuple[str, ...] = ()  # LaTeX lines of a worked computation


# --- questions ----------------------------------------------------------------------


def _rng(seed: int, kind: str) -> np.random.Generator:
    return np.random.default_rng([int(seed), KINDS.index(kind)])


def _check_seed(seed: object) -> int:
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or seed < 0:
        raise ValueError(
            f"Received an invalid value for `seed`: expected an integer >= 0; got "
            f"{seed!r}."
        )
    return int(seed)


def _float_weights(
    spec: LayerSpec, features: int, rng: np.random.Generator
) -> tuple[np.ndarray, ...]:
    return tuple(
        (rng.normal(size=shape) * 0.5).astype(np.float32)
        for shape in spec.weight_shapes(features)
    )


def _shapes_question(seed: int) -> Question:
    rng = _rng(seed, "shapes")
    # Four different sizes, so every number in a shape says where it came from.
    batch, timesteps, features, units = (int(n) for n in rng.permutation(11)[:4] + 2)
    bidirectional = bool(rng.random() < 0.3)
    spec = LayerSpec(
        cell=str(rng.choice(CELLS)),
        units=units,
        return_sequences=bool(rng.random() < 0.5),
        return_state=bool(rng.random() < 0.5),
        go_backwards=not bidirectional and bool(rng.random() < 0.3),
        bidirectional=bidirectional,
        merge_mode=MERGE_MODES[int(rng.integers(len(MERGE_MODES)))],
    )
    x = rng.random((batch, timesteps, features)).astype(np.float32)
    return Question("shapes", seed, spec, x, _float_weights(spec, features, rng))


def _equal_question(seed: int) -> Question:
    rng = _rng(seed, "equal")
    spec = LayerSpec(
        cell=str(rng.choice(CELLS)),
        units=int(rng.integers(2, 6)),
        return_sequences=bool(rng.random() < 0.6),
        return_state=True,
        go_backwards=bool(rng.random() < 0.3),
    )
    batch, timesteps, features = (
        int(rng.integers(2, 5)),
        int(rng.choice([1, 2, 3, 4])),
        int(rng.integers(2, 6)),
    )
    candidates: list[Statement] = []
    if spec.return_sequences:
        candidates += [
            Statement("output", -1, "state_h"),
            Statement("output", 0, "state_h"),
            Statement("output", None, "state_h"),
        ]
        if spec.cell == "lstm":
            candidates.append(Statement("output", -1, "state_c"))
    else:
        candidates.append(Statement("output", None, "state_h"))
        if spec.cell == "lstm":
            candidates.append(Statement("output", None, "state_c"))
    if spec.cell == "lstm":
        candidates.append(Statement("state_h", None, "state_c"))
    order = rng.permutation(len(candidates))
    x = rng.random((batch, timesteps, features)).astype(np.float32)
    return Question(
        "equal",
        seed,
        spec,
        x,
        _float_weights(spec, features, rng),
        statements=tuple(candidates[int(k)] for k in order),
    )


def _unit_question(seed: int) -> Question:
    rng = _rng(seed, "unit")
    units, features = int(rng.integers(2, 5)), int(rng.integers(2, 5))
    activation = UNIT_ACTIVATIONS[int(rng.integers(len(UNIT_ACTIVATIONS)))]
    spec = LayerSpec(cell="simple_rnn", units=units, activation=activation)
    weights = tuple(
        rng.choice(SMALL_INTEGERS, size=shape).astype(np.float32)
        for shape in spec.weight_shapes(features)
    )
    x = rng.choice(SMALL_INTEGERS, size=(1, 1, features)).astype(np.float32)
    return Question("unit", seed, spec, x, weights, unit=int(rng.integers(units)))


_MAKERS = {"shapes": _shapes_question, "equal": _equal_question, "unit": _unit_question}


def make_question(seed: int, kind: str | None = None) -> Question:
    """The question drawn from `seed` (NumPy only, no Keras).

    Args:
        seed: any integer >= 0; the same seed and kind give the same question.
        kind: "shapes", "equal" or "unit"; None takes them in turn by seed.
    """
    seed = _check_seed(seed)
    if kind is None:
        kind = KINDS[seed % len(KINDS)]
    if kind not in KINDS:
        raise ValueError(
            f"Received an invalid value for `kind`: expected one of "
            f"{', '.join(map(repr, KINDS))} or None; got {kind!r}."
        )
    return _MAKERS[kind](seed)


# --- the live answer ----------------------------------------------------------------


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    return a.shape == b.shape and bool(np.array_equal(a, b))


def _pick(arrays: Mapping[str, np.ndarray], name: str, index: int | None) -> np.ndarray:
    array = arrays[name]
    return array if index is None else array[:, index]


def live_answer(question: Question) -> LiveAnswer:
    """Call the real Keras layer on the question's input and weights (loads TensorFlow).

    The shapes, the equalities and the unit's value all come from the arrays it
    returned.
    """
    from rnn_core import keras_forward  # loads TensorFlow on first use

    result = keras_forward(question.spec, question.weights, question.x)
    arrays = result if isinstance(result, tuple) else (result,)
    named = dict(zip(question.names, arrays, strict=True))
    holds = tuple(
        _same(_pick(named, s.left, s.index), named[s.right])
        for s in question.statements
    )
    value = float(arrays[0][0, question.unit]) if question.kind == "unit" else None
    return LiveAnswer(
        names=question.names,
        shapes=tuple(tuple(int(n) for n in a.shape) for a in arrays),
        holds=holds,
        value=value,
    )


# --- shapes -------------------------------------------------------------------------

_SHAPE = re.compile(r"\(([^()]*)\)")


def format_shapes(shapes: Collection[tuple[int, ...]]) -> str:
    """Shapes as Python writes them: "(2, 3), (2, 3)"."""
    return ", ".join(str(tuple(int(n) for n in shape)) for shape in shapes)


def parse_shapes(text: str) -> tuple[tuple[int, ...], ...]:
    """The shapes in a typed answer such as "(2, 5, 3), (2, 3)".

    Each shape is in parentheses, its sizes separated by commas; anything between
    the shapes (commas, brackets, names) is ignored.

    Raises:
        ValueError: no shape, or a size that is not a whole number.
    """
    shapes = []
    for inside in _SHAPE.findall(str(text)):
        sizes = [piece.strip() for piece in inside.split(",")]
        if sizes and sizes[-1] == "":
            sizes.pop()  # "(4,)"
        if not sizes or not all(re.fullmatch(r"\d+", size) for size in sizes):
            raise ValueError(f"Not a shape: ({inside}).")
        shapes.append(tuple(int(size) for size in sizes))
    if not shapes:
        raise ValueError("No shape found: write each one in parentheses.")
    return tuple(shapes)


def _shape_reasons(question: Question, live: LiveAnswer) -> list[Message]:
    spec = question.spec
    features = question.input_shape[2]
    units = str(spec.units)
    output = format_shapes(live.shapes[:1])
    reasons = []
    if spec.return_sequences:
        reasons.append(Message("quiz.why.sequences_on", {"shape": output}))
    else:
        reasons.append(Message("quiz.why.sequences_off", {"shape": output}))
    if not spec.bidirectional:
        reasons.append(Message("quiz.why.width_units", {"units": units}))
    elif spec.merge_mode == "concat":
        width = str(2 * spec.units)
        reasons.append(
            Message("quiz.why.width_concat", {"units": units, "width": width})
        )
    elif spec.merge_mode is None:
        reasons.append(Message("quiz.why.width_none", {"units": units}))
    else:
        reasons.append(
            Message(
                "quiz.why.width_merged", {"units": units, "mode": str(spec.merge_mode)}
            )
        )
    if spec.return_state:
        outputs = 2 if spec.bidirectional and spec.merge_mode is None else 1
        states = live.names[outputs:]
        reasons.append(
            Message(
                "quiz.why.state_on",
                {
                    "names": ", ".join(states),
                    "shape": format_shapes(live.shapes[outputs : outputs + 1]),
                },
            )
        )
        if spec.cell == "lstm":
            reasons.append(Message("quiz.why.state_lstm"))
        if spec.bidirectional:
            reasons.append(Message("quiz.why.state_bidirectional"))
    else:
        reasons.append(Message("quiz.why.state_off"))
    if spec.go_backwards:
        reasons.append(Message("quiz.why.backwards"))
    reasons.append(Message("quiz.why.features", {"features": str(features)}))
    return reasons


def check_shapes(question: Question, live: LiveAnswer, text: str) -> Verdict:
    """Check typed shapes against the live ones (same count, order and sizes).

    Raises:
        ValueError: the text holds no readable shape (nothing to judge yet).
    """
    given = parse_shapes(text)
    shapes = format_shapes(live.shapes)
    returned = ", ".join(
        f"{name} {shape}" for name, shape in zip(live.names, live.shapes, strict=True)
    )
    explanation = [
        Message(
            "quiz.shapes.returned",
            {"count": str(len(live.shapes)), "arrays": Markup(returned)},
        ),
        *_shape_reasons(question, live),
    ]
    return Verdict(
        correct=given == live.shapes,
        answer=Message("quiz.answer.shapes", {"shapes": shapes}),
        explanation=tuple(explanation),
    )


# --- equal arrays -------------------------------------------------------------------


def _statement_reason(
    question: Question, statement: Statement, live: LiveAnswer
) -> tuple[bool, Message]:
    """What the equality should be by the layer's definition, and why."""
    spec = question.spec
    timesteps = question.input_shape[1]
    shapes = dict(zip(live.names, live.shapes, strict=True))
    if "state_c" in (statement.left, statement.right):
        return False, Message("quiz.eq.why.cell_state")
    if spec.return_sequences and statement.index is None:
        return False, Message(
            "quiz.eq.why.shape_mismatch",
            {
                "left": str(shapes[statement.left]),
                "right": str(shapes[statement.right]),
            },
        )
    if statement.index is None:
        return True, Message("quiz.eq.why.last_is_state")
    if statement.index == -1:
        return True, Message("quiz.eq.why.seq_last_is_state")
    if timesteps == 1:
        return True, Message("quiz.eq.why.first_one_step")
    return False, Message("quiz.eq.why.first_not_last", {"timesteps": str(timesteps)})


def check_equal(
    question: Question, live: LiveAnswer, chosen: Collection[int]
) -> Verdict:
    """Check the set of statements the user says hold (indices into `statements`)."""
    chosen_set = {int(k) for k in chosen}
    if not chosen_set <= set(range(len(question.statements))):
        raise ValueError(
            f"Received an invalid value for `chosen`: expected indices from 0 to "
            f"{len(question.statements) - 1}; got {sorted(chosen_set)}."
        )
    truth = {k for k, holds in enumerate(live.holds) if holds}
    explanation = []
    for statement, holds in zip(question.statements, live.holds, strict=True):
        expected, reason = _statement_reason(question, statement, live)
        # The reason is the layer's definition; if Keras ever disagreed with it, say
        # only what was checked rather than a reason that would not fit.
        if expected != holds:
            reason = Message("quiz.eq.why.live")
        explanation.append(
            Message(
                "quiz.eq.holds" if holds else "quiz.eq.fails",
                {"statement": statement.text, "reason": reason},
            )
        )
    if truth:
        texts = ", ".join(f"`{question.statements[k].text}`" for k in sorted(truth))
        answer = Message("quiz.answer.equal", {"statements": Markup(texts)})
    else:
        answer = Message("quiz.answer.equal_none")
    return Verdict(
        correct=chosen_set == truth, answer=answer, explanation=tuple(explanation)
    )


# --- one unit of h_1 ----------------------------------------------------------------


def _integer(value: float) -> str:
    """A small whole number as LaTeX, negative ones in parentheses."""
    number = format_number(value)
    return f"({number})" if value < 0 else number


def question_code(question: Question) -> str:
    """The Python that builds the question's layer and calls it, as shown to the user.

    A "unit" question writes out its integer input and sets its weights (shown as
    matrices next to it); the others draw a random input of the right shape.
    """
    spec = question.spec
    batch, timesteps, features = question.input_shape
    lines = ["import keras", "import numpy as np", ""]
    if question.kind == "unit":
        values = ", ".join(format_number(v) for v in question.x[0, 0])
        lines += [
            f"x = np.array([[[{values}]]], dtype=np.float32)  # (1, 1, {features})",
            f"layer = {spec.keras_code()}",
            f"layer.build((None, None, {features}))",
            "layer.set_weights([Wx, Wh, b])",
        ]
    else:
        lines += [
            f"x = np.random.random(({batch}, {timesteps}, {features}))"
            ".astype(np.float32)",
            f"layer = {spec.keras_code()}",
        ]
    lines.append("result = layer(x)")
    return "\n".join(lines)


def question_latex(question: Question) -> dict[str, str]:
    """The given values of a "unit" question as LaTeX: x_1, W_x, W_h, b."""
    if question.kind != "unit":
        return {}
    wx, wh, b = question.weights

    def matrix(array: np.ndarray) -> str:
        rows = [" & ".join(format_number(v) for v in row) for row in array]
        return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"

    return {
        "x": r"x_1 = " + matrix(question.x[0, :1]),
        "Wx": r"W_x = " + matrix(wx),
        "Wh": r"W_h = " + matrix(wh),
        "b": r"b = " + matrix(b[None]),
    }


def check_unit(question: Question, live: LiveAnswer, value: float) -> Verdict:
    """Check a value for unit `question.unit` of h_1 against Keras' output."""
    if live.value is None:
        raise ValueError("This question does not ask for a unit's value.")
    k = question.unit
    wx, _, b = question.weights
    x1 = question.x[0, 0]  # (features,)
    terms = [
        f"{_integer(x)} \\cdot {_integer(w)}" for x, w in zip(x1, wx[:, k], strict=True)
    ]
    pre = float(np.dot(x1.astype(np.float64), wx[:, k]) + b[k])  # the formula, by hand
    activation = question.spec.activation
    shown = format_number(live.value)
    math = [
        rf"a_{{1,{k}}} = x_1 \cdot W_x[:, {k}] + h_0 \cdot W_h[:, {k}] + b_{{{k}}}",
        rf"a_{{1,{k}}} = {' + '.join(terms)} + 0 + {_integer(b[k])} = "
        + format_number(pre),
    ]
    if activation == "relu":
        relu = format_number(pre if pre > 0 else 0.0)
        math.append(rf"h_{{1,{k}}} = \max(0, {format_number(pre)}) = {relu}")
        why = Message("quiz.unit.why.relu", {"pre": format_number(pre), "value": relu})
    else:
        math.append(rf"h_{{1,{k}}} = a_{{1,{k}}} = {format_number(pre)}")
        why = Message("quiz.unit.why.linear")
    explanation = (
        Message("quiz.unit.why.zero_state"),
        Message("quiz.unit.why.column", {"unit": str(k)}),
        why,
    )
    try:
        given = float(value)
    except (TypeError, ValueError):
        given = float("nan")
    return Verdict(
        correct=abs(given - live.value) <= VALUE_TOLERANCE,
        answer=Message("quiz.answer.unit", {"unit": str(k), "value": shown}),
        explanation=explanation,
        math=tuple(math),
    )
