"""ui.i18n: every message in English and Spanish, and the translated pages in Spanish.

- The catalog: both languages for every id, the same format fields, no Spanish text
  left in English by mistake.
- The code: every message id the translated files use (`t("...")`, `Message("...")`,
  `text(...)` of rnn_core, f-string ids) exists, and every id of the catalog is used.
- The pages, rendered by AppTest with cfg.language = "es" through every step and every
  kind of question (answered right and wrong), and Home and pages 1–4 (with the shared
  sidebar) for every cell and the flags that change their texts: no missing id (an
  unknown id raises), and no English text of the catalog on screen.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from string import Formatter

import pytest
from streamlit.testing.v1 import AppTest

from rnn_core import quiz
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
    ROOT / "rnn_core" / "explain.py",
    ROOT / "rnn_core" / "weights.py",
    # the Gradients through time page, its figures and explanations
    ROOT / "pages" / "7_Gradients_through_time.py",
    ROOT / "rnn_core" / "gradient_figures.py",
    ROOT / "rnn_core" / "gradient_lab.py",
    ROOT / "ui" / "gradient_compute.py",
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
}
# Calls whose first argument is a message id.
ID_CALLS = {"t", "translate", "Message", "text", "say", "Problem"}
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
    return texts


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
