"""Text from a user is text: the message filler against a corpus of injections.

Every payload goes into templates of the real catalogs (a code span, prose, the
start of a line, a nested message) through `ui.i18n.translate` and `rnn_core`'s
`CoreError`; a CommonMark parser (tests/markdown_safety.py) then checks that the
Markdown holds no image, link, HTML, math, directive or emoji made from it, and that
a reader sees the payload itself (invisible characters shown as <U+…>, long values
cut).
"""

from __future__ import annotations

import pytest

from rnn_core.errors import CoreError, Msg
from rnn_core.markup import MAX_FIELD_CHARS, Markup, code_span, fill, shown
from tests.markdown_safety import displayed, problems
from ui.i18n import translate

EVIL = "http://127.0.0.1:9"  # a loopback port nothing listens on
PAYLOADS = {
    "backtick breakout image": f"`![]({EVIL}/t.png)`",
    "double backtick breakout": f"``![]({EVIL}/t.png)``",
    "image": "![](http://ev.il/x)",
    "link": "[clk](http://ev.il/l)",
    "bold link": f"**[Log in]({EVIL}/l)**",
    "autolink": f"<{EVIL}/a>",
    "bare url": f"see {EVIL}/b now",
    "www": "www.ev.il",
    "email": "root@ev.il",
    "reference": f"[x]: {EVIL}/ref",
    "html img": "<img src=x onerror=alert(1)>",
    "entity": "&lt;img src=x&gt;",
    "katex href": "$\\href{javascript:alert(1)}{x}$",
    "display math": "$$x$$",
    "javascript": "javascript:alert(1)",
    "bold": "**bold**",
    "emphasis": "_x_ *y*",
    "strike": "~~gone~~",
    "directive": ":red[x]",
    "icon": ":material/home:",
    "emoji": ":smile:",
    "table": "| a | b |\n|---|---|\n| 1 | 2 |",
    "zero width": "a\u200bb\u200dc\ufeff",
    "bidi": "\u202eevil\u202c \u2066x\u2069",
    "control": "bell\x07esc\x1b[31m",
    "newlines": f"x\n# heading\n- list\n\n![]({EVIL}/n.png)",
    "list start": "1. one",
    "dash start": "- one",
    "quote": "> q",
    "backslashes": "\\`\\*\\",
    "long": "x" * 10_000,
    "long image": "a" * (MAX_FIELD_CHARS - 5) + "![](http://ev.il/x)",
}
IDS = list(PAYLOADS)


def _check(source: str, expected: str) -> None:
    assert problems(source) == [], source
    assert displayed(source) == expected, source


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=IDS)
def test_a_value_in_a_code_span_stays_in_it(payload):
    problem = {"name": "units", "value": repr(payload), "allowed": "1 to 256"}
    source = translate("link.bad.choice", "en", **problem)
    _check(source, f"units={shown(repr(payload))} is not allowed (allowed: 1 to 256).")


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=IDS)
def test_a_parameter_name_in_a_code_span_stays_in_it(payload):
    source = translate("link.unknown", "es", name=payload)
    assert problems(source) == [], source
    assert displayed(source).startswith(f"{shown(payload)} no es una opción")


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=IDS)
def test_a_value_in_prose_is_plain_text(payload):
    source = translate("set.bad.bool", "en", label="Units", value=payload, fallback=3)
    _check(source, f"Units: {shown(payload)} is not on or off; kept 3.")


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=IDS)
def test_a_value_at_the_start_of_a_line_starts_nothing(payload):
    source = fill("{value} was read.", {"value": payload})
    _check(source.lstrip(), f"{shown(payload)} was read.".lstrip())


@pytest.mark.parametrize("payload", PAYLOADS.values(), ids=IDS)
def test_an_upload_error_quotes_names_and_cells_as_text(payload):
    """A CoreError of rnn_core (a CSV cell), nested in the app's upload messages."""
    error = CoreError(
        "core.err.too_large",
        where=Msg("core.csv.cell", row=2, column=3),
        value=payload,
        most=9,
    )
    upload = translate("set.problem.upload", "en", name=payload, error=error)
    source = translate("set.problem.input", "en", error=ValueError(upload))
    assert problems(source) == [], source
    seen = displayed(source)
    assert seen.startswith(f"Input: file {shown(payload)}: ")
    assert shown(payload) in seen
    assert "row 2, column 3" in seen


def test_invisible_characters_are_shown_and_long_values_cut():
    assert (
        shown("a\u202eb\u200bc\u2066d\ufeff") == "a<U+202E>b<U+200B>c<U+2066>d<U+FEFF>"
    )
    assert shown("a\nb\tc\r\n") == "a b c  "
    long = shown("é" * 10_000)
    assert long == "é" * MAX_FIELD_CHARS + "…"
    assert shown("😀" * 100).startswith("😀" * MAX_FIELD_CHARS)  # whole characters


def test_a_code_span_fence_is_longer_than_any_backtick_run_inside():
    for content in ["a", "`", "a``b", "```", "` x `", " ", ""]:
        source = code_span(content)
        assert problems(source) == [], source
        assert displayed(source) == content or (content == "" and source.strip("`"))


def test_numbers_and_format_specs_are_formatted_as_before():
    assert fill("{n:,} of {x:.2f}; {b}", {"n": 1234567, "x": 0.5, "b": True}) == (
        "1,234,567 of 0.50; True"
    )
    assert fill("{v!r}", {"v": "a*b"}) == "'a\\*b'"


def test_rendered_messages_nest_unescaped():
    inner = translate("link.bad.int", "en", name="units", value="'0'", low=1, high=9)
    outer = translate("link.notice", "en", problem=inner)
    assert isinstance(outer, Markup)
    assert "`units='0'`" in outer  # the inner code span is still a code span
    assert fill("{x}", {"x": Markup("**b**")}) == "**b**"
    assert fill("{x}", {"x": "**b**"}) == "\\*\\*b\\*\\*"


def test_plain_text_for_the_command_line_is_not_escaped():
    error = CoreError(
        "core.err.too_large",
        where=Msg("core.csv.cell", row=1, column=1),
        value="a_b*",
        most=9,
    )
    assert "a_b*" in error.args[0]
    assert "a_b*" in str(error)
    assert "\\" not in error.args[0]
    assert "a\\_b\\*" in error.text("en")
    bidi = CoreError("core.err.text_empty", value="\u202e")
    assert "\u202e" not in bidi.args[0]
    assert "<U+202E>" in bidi.args[0]
