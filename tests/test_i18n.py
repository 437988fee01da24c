"""ui.i18n: every message in English and Spanish, and the translated pages in Spanish.

- The catalog: both languages for every id, the same format fields, no Spanish text
  left in English by mistake.
- The code: every message id the translated files use (`t("...")`, `Message("...")`,
  `text(...)` of rnn_core, f-string ids) exists, and every id of the catalog is used.
- The pages, rendered by AppTest with cfg.language = "es" through every step and every
  kind of question (answered right and wrong), and Home and pages 1–4 (with the shared
  sidebar) for every cell and the flags that change their texts: no missing id (an
  unknown id raises), and no English text of the catalog on screen, in the Plotly
  figures' titles, axes, notes, legends and hover texts included.
- rnn_core in Spanish: every kind of figure (summarised, non-finite, backwards,
  Bidirectional), the overflow warning, and the errors a user can cause (bad uploads,
  sizes over the limits, a layer Keras refuses), also as the pages show them.
"""

from __future__ import annotations

import ast
import io
import json
import re
from pathlib import Path
from string import Formatter

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from rnn_core import LayerSpec, figures, quiz
from rnn_core.errors import CoreError, message_language
from rnn_core.gradient_lab import rescale_recurrent
from rnn_core.gradients import Readout, manual_gradients
from rnn_core.inputs import (
    generate,
    parse_csv,
    parse_npy,
    parse_weights_npz,
)
from rnn_core.limits import check_input_shape, check_trace_size
from rnn_core.tasks import make_task
from rnn_core.trace import overflow_warning, trace
from rnn_core.trainer import TrainConfig, memory_runs
from ui.i18n import LANGUAGES, MESSAGES, translate

ROOT = Path(__file__).resolve().parent.parent
TRANSLATED = [
    ROOT / "pages" / "5_Walkthrough.py",
    ROOT / "pages" / "6_Check_yourself.py",
    ROOT / "rnn_core" / "quiz.py",
    ROOT / "app.py",
    ROOT / "ui" / "i18n.py",
    *sorted((ROOT / "pages").glob("[1-4]_*.py")),
    ROOT / "ui" / "settings.py",
    ROOT / "ui" / "page.py",
    ROOT / "ui" / "compute.py",
    ROOT / "ui" / "permalink.py",
    ROOT / "ui" / "restart.py",
    ROOT / "rnn_core" / "explain.py",
    ROOT / "rnn_core" / "weights.py",
    # rnn_core's figures, overflow warning and errors (CoreError and Msg ids)
    ROOT / "rnn_core" / "figures.py",
    ROOT / "rnn_core" / "trace.py",
    ROOT / "rnn_core" / "inputs.py",
    ROOT / "rnn_core" / "limits.py",
    ROOT / "rnn_core" / "spec.py",
    # the Gradients through time page, its figures and explanations
    ROOT / "pages" / "7_Gradients_through_time.py",
    ROOT / "rnn_core" / "gradient_figures.py",
    ROOT / "rnn_core" / "gradient_lab.py",
    ROOT / "rnn_core" / "gradients.py",
    ROOT / "ui" / "gradient_compute.py",
    # the Train page and its figures
    ROOT / "pages" / "8_Train.py",
    ROOT / "ui" / "train_compute.py",
    ROOT / "ui" / "heavy_work.py",
    ROOT / "rnn_core" / "train_figures.py",
    ROOT / "rnn_core" / "trainer.py",
    ROOT / "rnn_core" / "tasks.py",
]
# Texts that are the same in both languages on purpose (names, code, formulas).
SAME_IN_BOTH = {
    "walk.source.keras",
    "quiz.act.relu",
    "set.label.merge_mode",
    "gen.normal.label",
    "core.formula.gate",
    "core.step.x",
    "core.step.difference",
    "core.dtype.described",
}
# Calls whose first argument is a message id.
ID_CALLS = {"t", "translate", "Message", "text", "say", "Problem", "CoreError", "Msg"}
TIMEOUT = 90


def fields(text: str) -> set[str]:
    return {name for _, name, _, _ in Formatter().parse(text) if name is not None}


# --- the catalog ----------------------------------------------------------------------


def test_every_message_has_both_languages_with_the_same_fields():
    for message_id, texts in MESSAGES.items():
        assert set(texts) == set(LANGUAGES), message_id
        assert all(text.strip() for text in texts.values()), message_id
        assert fields(texts["en"]) == fields(texts["es"]), message_id
        dummy = dict.fromkeys(fields(texts["en"]), "1")
        for language in LANGUAGES:
            translate(message_id, language, **dummy)  # formats without error


def test_spanish_is_not_english_left_behind():
    for message_id, texts in MESSAGES.items():
        if message_id in SAME_IN_BOTH:
            assert texts["en"] == texts["es"], message_id
        else:
            assert texts["en"] != texts["es"], message_id


def test_unknown_ids_and_languages_fail_loudly():
    with pytest.raises(KeyError):
        translate("walk.no_such_message", "en")
    with pytest.raises(KeyError):
        translate("walk.title", "fr")


# --- the code -------------------------------------------------------------------------


def _id_patterns(path: Path) -> tuple[set[str], list[re.Pattern]]:
    """Message ids a file uses: literal ids, and f-string ids as patterns."""
    literal: set[str] = set()
    patterns: list[re.Pattern] = []

    def collect(node: ast.AST) -> None:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            literal.add(node.value)
        elif isinstance(node, ast.IfExp):
            collect(node.body)
            collect(node.orelse)
        elif isinstance(node, ast.JoinedStr):
            regex = "".join(
                re.escape(part.value)
                if isinstance(part, ast.Constant)
                else r"[A-Za-z_]+"
                for part in node.values
            )
            patterns.append(re.compile(regex + "$"))

    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Call) and node.args:
            name = getattr(node.func, "id", getattr(node.func, "attr", ""))
            if name in ID_CALLS:
                collect(node.args[0])
        if isinstance(node, ast.Subscript) and getattr(node.value, "id", "") == (
            "MESSAGES"
        ):
            collect(node.slice)
    return literal, patterns


def _string_constants(path: Path) -> set[str]:
    """Every string literal of a file (an id kept in a variable before its call)."""
    return {
        node.value
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


def test_every_id_used_in_the_code_exists_and_every_message_is_used():
    literal: set[str] = set()
    patterns: list[re.Pattern] = []
    constants: set[str] = set()
    for path in TRANSLATED:
        found, dynamic = _id_patterns(path)
        literal |= found
        patterns += dynamic
        constants |= _string_constants(path)
    missing = sorted(literal - set(MESSAGES))
    assert not missing, missing
    for pattern in patterns:
        assert any(pattern.match(i) for i in MESSAGES), pattern.pattern
    unused = sorted(
        i
        for i in MESSAGES
        if i not in literal | constants and not any(p.match(i) for p in patterns)
    )
    assert not unused, unused


# --- the pages in Spanish -------------------------------------------------------------


def _shown(at: AppTest) -> list[str]:
    """Every text a user sees on the page (and in its sidebar)."""
    texts = [e.value for kind in ("title", "header", "subheader") for e in at.get(kind)]
    texts += [m.value for m in at.markdown] + [c.value for c in at.caption]
    for kind in ("success", "error", "warning", "info"):
        texts += [e.value for e in at.get(kind)]
    for kind in ("button", "checkbox", "radio", "selectbox", "number_input"):
        texts += [w.label for w in at.get(kind)]
    texts += [w.label for w in at.get("text_input")]
    for kind in ("radio", "selectbox"):
        for widget in at.get(kind):
            texts += [str(option) for option in widget.options]
    texts += [m.label for m in at.metric] + [e.proto.label for e in at.expander]
    for kind in ("slider", "toggle"):
        texts += [w.label for w in at.get(kind)]
    texts += [p.proto.text for p in at.get("progress")]
    for table in at.table:
        texts += [str(column) for column in table.value.columns]
    for chart in at.get("plotly_chart"):
        texts += figure_texts(json.loads(chart.proto.spec))
    return texts


MARKUP = re.compile(r"<[^>]+>|%\{[^}]*\}")  # HTML tags, Plotly's %{x} placeholders


def figure_texts(fig: dict) -> list[str]:
    """Every text a Plotly figure (as JSON) shows: its title and notes, axis and
    colour-bar titles, annotations, legend, hover texts and category labels."""
    layout = fig.get("layout", {})

    def title(part: dict) -> str:
        return part.get("title", {}).get("text", "") or ""

    texts = [title(layout), title(layout.get("legend", {}))]
    texts += [title(v) for k, v in layout.items() if re.fullmatch(r"[xy]axis\d*", k)]
    texts.append(title(layout.get("coloraxis", {}).get("colorbar", {})))
    texts += [a.get("text", "") for a in layout.get("annotations", ())]
    for data in fig.get("data", ()):
        texts += [data.get("hovertemplate", ""), title(data.get("colorbar", {}))]
        hover = data.get("hovertext") or []
        texts += hover if isinstance(hover, list) else [hover]
        if data.get("type") == "scatter" and data.get("showlegend") is not False:
            texts.append(data.get("name", ""))
        labels = data.get("y")
        if isinstance(labels, list) and all(isinstance(v, str) for v in labels):
            texts += labels
    return [MARKUP.sub(" ", text) for text in texts if text]


def _english_only_chunks() -> list[str]:
    """Pieces of English catalog text (between fields) absent from the Spanish."""
    chunks = []
    for message_id, texts in MESSAGES.items():
        if message_id in SAME_IN_BOTH or message_id == "lang.label":
            continue
        for literal, *_ in Formatter().parse(texts["en"]):
            piece = literal.strip()
            if " " in piece and len(piece) >= 10 and piece not in texts["es"]:
                chunks.append(piece)
    return chunks


# Common English words that no Spanish sentence has: a hard-coded English text left in
# a translated page shows up here even when it is not in the catalog.
ENGLISH_WORDS = re.compile(r"\b(the|and|with|which|what|is|are|of|to|you)\b", re.I)
CODE_OR_MATH = re.compile(r"`[^`]*`|\$[^$]*\$")


def assert_spanish(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]
    shown = "\n".join(_shown(at))
    prose = CODE_OR_MATH.sub(" ", shown)
    assert not ENGLISH_WORDS.search(prose), ENGLISH_WORDS.findall(prose)
    leaked = [chunk for chunk in _english_only_chunks() if chunk in shown]
    assert not leaked, leaked
    english_labels = {t["en"] for t in MESSAGES.values() if not fields(t["en"])}
    spanish_labels = {texts["es"] for texts in MESSAGES.values()}
    for text in _shown(at):
        assert text not in english_labels - spanish_labels, text


@pytest.mark.app
@pytest.mark.keras
def test_walkthrough_in_spanish_every_step():
    at = AppTest.from_file(str(TRANSLATED[0]), default_timeout=TIMEOUT)
    at.session_state["cfg.language"] = "es"
    at.run()
    titles = []
    for step in range(8):
        assert not at.error, [e.value for e in at.error]
        assert_spanish(at)
        titles.append(at.main.header[0].value)
        if step < 7:
            at.button(key="walk.next").click().run()
    assert titles[0] == "Un lote de secuencias aleatorias"
    assert at.button(key="walk.back").label == "← Atrás"
    assert at.title[0].value == translate("walk.title", "es")
    at.radio(key="walk.step").set_value(3).run()
    assert_spanish(at)  # with the one-unit expander's radio


@pytest.mark.app
@pytest.mark.keras
@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4, 5])
def test_quiz_in_spanish_right_and_wrong(seed):
    question = quiz.make_question(seed)
    live = quiz.live_answer(question)
    at = AppTest.from_file(str(TRANSLATED[1]), default_timeout=TIMEOUT)
    at.session_state["cfg.language"] = "es"
    at.session_state["quiz.seed"] = seed
    at.run()
    assert_spanish(at)
    key = f"quiz.answer.{question.kind}-{seed}"
    right = seed < 3  # the first three answered right, the others wrong
    if question.kind == "shapes":
        text = quiz.format_shapes(live.shapes)
        at.text_input(key=key).input(text if right else text + ", (1, 1)")
    elif question.kind == "equal":
        for k, holds in enumerate(live.holds):
            box = at.checkbox(key=f"{key}.{k}")
            box.check() if holds == right else box.uncheck()
    else:
        at.number_input(key=key).set_value(live.value + (0 if right else 1))
    at.button(key="quiz.check").click().run()
    assert_spanish(at)
    if right:
        assert at.success[0].value.startswith("¡Correcto!")
    else:
        assert at.error[0].value.startswith("No exactamente.")
        assert "**Por qué:**" in [m.value for m in at.markdown]
    assert at.button(key="quiz.new").label == "Nueva pregunta"


@pytest.mark.app
def test_the_language_switch_changes_the_page():
    at = AppTest.from_file(str(TRANSLATED[1]), default_timeout=TIMEOUT)
    at.session_state["quiz.seed"] = 0
    at.run()
    assert at.title[0].value == "Check yourself"
    at.selectbox(key="cfg.language").set_value("es").run()
    assert at.title[0].value == "Ponte a prueba"
    assert at.selectbox(key="cfg.language").value == "es"


@pytest.mark.app
def test_the_language_survives_pages_without_the_switch():
    """Streamlit forgets "cfg.language" on a page that does not draw the switch
    (Home, this pass); the language comes back on the next translated page."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.run()
    at.switch_page(str(TRANSLATED[1])).run()
    at.selectbox(key="cfg.language").set_value("es").run()
    assert at.title[0].value == "Ponte a prueba"
    at.switch_page(str(ROOT / "app.py")).run()
    assert not at.exception
    at.switch_page(str(TRANSLATED[0])).run()
    assert at.title[0].value == translate("walk.title", "es")
    assert at.selectbox(key="cfg.language").value == "es"


# Home and pages 1–4 with the shared sidebar: every cell, and the flags that add texts
# (gates, Bidirectional and its merge, go_backwards, GRU's reset_after, no bias).
PAGE_CASES = [
    ("app.py", {}),
    ("app.py", {"cell": "lstm", "return_state": True, "timesteps": 3}),
    ("app.py", {"cell": "gru", "bidirectional": True, "merge_mode": "None"}),
    ("pages/1_Step_through_time.py", {"timesteps": 3, "go_backwards": True}),
    ("pages/1_Step_through_time.py", {"cell": "lstm", "use_bias": False}),
    ("pages/1_Step_through_time.py", {"cell": "gru", "reset_after": False}),
    ("pages/1_Step_through_time.py", {"cell": "gru", "bidirectional": True}),
    ("pages/2_Weights.py", {"cell": "lstm"}),
    ("pages/2_Weights.py", {"bidirectional": True, "use_bias": False}),
    ("pages/3_Hidden_states.py", {"cell": "lstm", "bidirectional": True}),
    ("pages/4_Output_shapes.py", {"timesteps": 2}),
    ("pages/4_Output_shapes.py", {"cell": "gru", "bidirectional": True}),
    ("pages/7_Gradients_through_time.py", {"cell": "lstm", "activation": "tanh"}),
    ("pages/7_Gradients_through_time.py", {"cell": "gru", "bidirectional": True}),
    ("pages/8_Train.py", {}),
]


@pytest.mark.app
@pytest.mark.keras
@pytest.mark.parametrize(("page", "settings"), PAGE_CASES)
def test_every_page_in_spanish(page, settings):
    at = AppTest.from_file(str(ROOT / page), default_timeout=TIMEOUT)
    at.session_state["cfg.language"] = "es"
    for name, value in settings.items():
        at.session_state[f"cfg.{name}"] = value
    at.run()
    assert not at.error, [e.value for e in at.error]
    assert_spanish(at)
    assert at.selectbox(key="cfg.language").value == "es"


@pytest.mark.app
@pytest.mark.keras
@pytest.mark.parametrize("source", ["upload", "table"])
def test_the_other_input_sources_in_spanish(source):
    """The upload's prompt (an error until a file comes) and the table's controls."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.session_state["cfg.language"] = "es"
    at.session_state["cfg.source"] = source
    at.run()
    assert_spanish(at)
    if source == "upload":
        assert at.error[0].value.startswith("Entrada: Sube un archivo CSV")


@pytest.mark.app
def test_bad_settings_and_links_are_reported_in_spanish():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.query_params["lang"] = "es"
    at.query_params["cell"] = "transformer"
    at.session_state["cfg.units"] = 1000
    at.run()
    assert_spanish(at)
    assert at.warning[0].value.startswith("Enlace: `cell='transformer'`")
    assert at.error[0].value.startswith("Unidades: 1000 está fuera de rango")


# --- rnn_core's figures, overflow warning and errors in Spanish ----------------------


def english_in(texts: list[str]) -> list[str]:
    """English words and English-only catalog pieces in `texts` (code and maths
    between backticks or dollars aside)."""
    shown = "\n".join(texts)
    found = ENGLISH_WORDS.findall(CODE_OR_MATH.sub(" ", shown))
    return found + [chunk for chunk in _english_only_chunks() if chunk in shown]


# Wx: 0.5 everywhere; Wh = 10·I (spectral radius 10); no bias: relu overflows float32.
EXPLODING_WEIGHTS = [
    np.full((8, 4), 0.5, np.float32),
    10 * np.eye(4, dtype=np.float32),
    np.zeros(4, np.float32),
]


@pytest.fixture(scope="module")
def traces() -> dict[str, object]:
    """Traces whose figures have every kind of note: gates, Bidirectional, reading
    backwards, summarised time, non-finite states."""
    x = generate("uniform", 2, 12, 8, seed=0)  # (batch, timesteps, features)
    return {
        "lstm": trace(
            LayerSpec(cell="lstm", units=3, bidirectional=True, return_sequences=True),
            x,
        ),
        "gru": trace(LayerSpec(cell="gru", units=4, go_backwards=True), x),
        "exploding": trace(
            LayerSpec(units=4, activation="relu"),
            generate("uniform", 2, 60, 8, seed=0),
            EXPLODING_WEIGHTS,
        ),
    }


def every_figure(traces: dict, language: str) -> list[dict]:
    """Every builder of rnn_core.figures, with the options that add notes."""
    made = []
    for result in traces.values():
        spec = result.spec
        small = {"language": language, "max_cells": 16}  # summarised along time
        for direction in spec.directions:
            for state in spec.state_names:
                common = {"state": state, "direction": direction}
                made += [
                    figures.states_heatmap(result, "manual", **common, **small),
                    figures.residual_heatmap(result, **common, **small),
                    figures.residual_heatmap(
                        result, relative=True, **common, language=language
                    ),
                    figures.state_lines(
                        result, **common, units=[0, 1], max_points=20, language=language
                    ),
                ]
            if spec.cell != "simple_rnn":
                made.append(figures.gate_heatmaps(result, direction=direction, **small))
            for which in ("Wx", "Wh", "b"):
                made.append(
                    figures.gate_weight_figure(
                        result, which=which, direction=direction, **small
                    )
                )
        made.append(
            figures.weight_heatmap(
                "Wx", result.raw_weights[0], gates=spec.gate_names, **small
            )
        )
        for step in (0, 11):
            made.append(
                figures.unrolled_diagram(spec, 12, step, max_steps=5, language=language)
            )
    return [json.loads(fig.to_json()) for fig in made]


@pytest.mark.keras
def test_every_figure_in_spanish(traces):
    english = every_figure(traces, "en")
    spanish = every_figure(traces, "es")
    assert len(spanish) == len(english) > 40
    for en_fig, es_fig in zip(english, spanish, strict=True):
        en_texts, es_texts = figure_texts(en_fig), figure_texts(es_fig)
        assert not english_in(es_texts), (english_in(es_texts), es_texts[0])
        assert es_texts != en_texts
    # The check would see English: every figure of one trace, together, has some.
    assert english_in([t for fig in english for t in figure_texts(fig)])
    notes = " ".join(figure_texts(fig)[0] for fig in spanish)
    for note in ("resumido: se muestra 1 de cada", "huecos grises", "desplegada"):
        assert note in notes, note


@pytest.mark.keras
def test_the_overflow_warning_in_spanish(traces):
    english = overflow_warning(traces["exploding"])
    spanish = overflow_warning(traces["exploding"], "es")
    assert english.startswith("The states overflowed:")
    assert spanish.startswith("Los estados se desbordaron:")
    assert "ρ = 10 > 1" in spanish
    assert not english_in([spanish]), english_in([spanish])
    assert overflow_warning(traces["lstm"], "es") is None


def _npz(*arrays: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, *arrays)
    return buffer.getvalue()


def _npy(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=True)
    return buffer.getvalue()


SPEC = LayerSpec(units=4)
# What a user can do wrong: uploads, sizes and layers (callables raising CoreError).
BAD_INPUTS = {
    "ragged csv": lambda: parse_csv(b"1,2\n3\n"),
    "ragged csv, header": lambda: parse_csv(b"a,b\n1,2\n3,4,5\n"),
    "word in csv": lambda: parse_csv(b"1,2\n3,abc\n"),
    "nan in csv": lambda: parse_csv(b"1,2\n3,nan\n"),
    "huge in csv": lambda: parse_csv(b"1,1e39\n"),
    "latin-1 csv": lambda: parse_csv("1;é\n".encode("latin-1")),
    "empty csv": lambda: parse_csv(b""),
    "blank csv": lambda: parse_csv(b"\n\n"),
    "csv too wide": lambda: parse_csv((",".join(["1"] * 200)).encode()),
    "csv too long": lambda: parse_csv(b"1\n" * 600),
    "pickled npy": lambda: parse_npy(_npy(np.array([{"a": 1}], dtype=object))),
    "text npy": lambda: parse_npy(_npy(np.array([["a", "b"]]))),
    "complex npy": lambda: parse_npy(_npy(np.zeros((2, 2), complex))),
    "rank 4 npy": lambda: parse_npy(_npy(np.zeros((1, 2, 3, 4)))),
    "inf npy": lambda: parse_npy(_npy(np.full((2, 2), np.inf))),
    "npz as npy": lambda: parse_npy(_npz(np.zeros(2))),
    "not npy": lambda: parse_npy(b"hello"),
    "cut npy": lambda: parse_npy(_npy(np.zeros((4, 4)))[:-8]),
    "npy too big": lambda: parse_npy(_npy(np.zeros((1, 600, 2)))),
    "npy as weights": lambda: parse_weights_npz(_npy(np.zeros(2)), SPEC, 8),
    "weights missing": lambda: parse_weights_npz(_npz(np.zeros((8, 4))), SPEC, 8),
    "weights shape": lambda: parse_weights_npz(
        _npz(np.zeros((8, 4)), np.zeros((4, 5)), np.zeros(4)), SPEC, 8
    ),
    "weights nan": lambda: parse_weights_npz(
        _npz(np.zeros((8, 4)), np.full((4, 4), np.nan), np.zeros(4)), SPEC, 8
    ),
    "batch too big": lambda: check_input_shape(300, 2, 2),
    "input too big": lambda: check_input_shape(256, 500, 8),
    "trace too big": lambda: check_trace_size(LayerSpec(units=256), 256, 500),
    "text too small": lambda: generate("one_hot_text", 2, 5, 2, seed=0, text="hello"),
    "impulse feature": lambda: generate("impulse", 1, 2, 2, feature=5),
    "backwards and bidirectional": lambda: LayerSpec(
        go_backwards=True, bidirectional=True
    ),
    "unknown cell": lambda: LayerSpec(cell="transformer"),
    # the Gradients through time and Train pages
    "gradients of sparsemax": lambda: manual_gradients(
        LayerSpec(cell="lstm", units=2, activation="sparsemax"),
        [],
        np.zeros((1, 3, 1)),
        np.zeros((1, 2)),
    ),
    "gradients of two outputs": lambda: manual_gradients(
        LayerSpec(units=2, bidirectional=True, merge_mode=None),
        [],
        np.zeros((1, 3, 1)),
        np.zeros((1, 2)),
    ),
    "gradients loss": lambda: manual_gradients(
        SPEC, [], np.zeros((1, 3, 1)), np.zeros((1, 4)), loss="mse"
    ),
    "prediction too big": lambda: manual_gradients(
        LayerSpec(units=1),
        [np.ones((1, 1)), np.ones((1, 1)), np.zeros(1)],
        np.zeros((1, 500, 1)),  # (batch, timesteps, features)
        np.zeros((1, 500, 4001)),
        loss="sequence",
        readout=Readout(np.zeros((1, 4001)), np.zeros(4001)),
    ),
    "radius not a number": lambda: rescale_recurrent(SPEC, [], "big"),
    "radius too big": lambda: rescale_recurrent(SPEC, [], 11.0),
    "train task": lambda: TrainConfig(task="copy"),
    "train units": lambda: TrainConfig(units=2.5),
    "train delay": lambda: TrainConfig(task="echo", delay=10, timesteps=10),
    "train rate": lambda: TrainConfig(learning_rate="fast"),
    "train rate too big": lambda: TrainConfig(learning_rate=11.0),
    "train work": lambda: TrainConfig(
        steps=2000, batch=128, timesteps=100, units=64, frame_every=20
    ),
    "memory steps": lambda: memory_runs(
        TrainConfig(steps=1001, frame_every=1), delays=(1,)
    ),
    "task name": lambda: make_task("copy", 2, 5, 0),
}


@pytest.mark.parametrize("case", BAD_INPUTS, ids=list(BAD_INPUTS))
def test_errors_a_user_can_cause_are_in_both_languages(case):
    with pytest.raises(CoreError) as caught:
        BAD_INPUTS[case]()
    error = caught.value
    english, spanish = str(error), error.plain("es")
    assert english == error.args[0] == error.plain("en")  # the CLI's one line
    assert "\n" not in english
    assert "\n" not in spanish
    assert spanish != english
    assert not english_in([spanish]), (english_in([spanish]), spanish)
    with message_language("es"):
        assert str(error) == spanish  # plain text; pages show error.text("es")
    assert str(error) == english


@pytest.mark.app
def test_a_bad_upload_is_reported_in_spanish():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.session_state["cfg.language"] = "es"
    at.session_state["cfg.source"] = "upload"
    at.session_state["upload.file"] = ("malo.csv", b"1,2\n3\n")
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = " | ".join(e.value for e in at.error)
    assert "malo.csv" in errors
    assert "La fila 2 del CSV tiene 1 valor, se esperaban 2 (como en la fila 1)" in (
        errors
    )
    assert_spanish(at)


@pytest.mark.app
def test_an_input_over_the_limits_is_reported_in_spanish():
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=TIMEOUT)
    at.session_state["cfg.language"] = "es"
    for name, value in {"batch": 256, "timesteps": 500, "features": 8}.items():
        at.session_state[f"cfg.{name}"] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    errors = " | ".join(e.value for e in at.error)
    assert "256 × 500 × 8 = 1,024,000 valores; se admiten como máximo 200,000" in errors
    assert_spanish(at)


@pytest.mark.app
@pytest.mark.keras
@pytest.mark.parametrize("page", ["app.py", "pages/3_Hidden_states.py"])
def test_exploding_states_are_explained_in_spanish(page):
    at = AppTest.from_file(str(ROOT / page), default_timeout=TIMEOUT)
    at.session_state["cfg.language"] = "es"
    for name, value in {"activation": "relu", "timesteps": 60, "batch": 2}.items():
        at.session_state[f"cfg.{name}"] = value
    at.session_state["weights.file"] = ("grandes.npz", _npz(*EXPLODING_WEIGHTS))
    at.run()
    assert not at.error, [e.value for e in at.error]
    assert at.warning[0].value.startswith("Los estados se desbordaron")
    assert_spanish(at)


@pytest.mark.app
@pytest.mark.parametrize(
    "page", ["pages/5_Walkthrough.py", "pages/6_Check_yourself.py"]
)
def test_walkthrough_and_quiz_report_bad_settings_and_link_in_spanish(page):
    at = AppTest.from_file(str(ROOT / page), default_timeout=TIMEOUT)
    at.session_state["cfg.language"] = "es"
    at.session_state["cfg.units"] = 1000
    at.session_state["quiz.seed"] = 0
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.error[0].value.startswith("Unidades: 1000 está fuera de rango")
    assert translate("link.header", "es") in [h.value for h in at.sidebar.header]
    assert "lang=es" in at.sidebar.code[0].value
    assert_spanish(at)
