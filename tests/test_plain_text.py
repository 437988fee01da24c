"""A rendered message carries its plain-text twin, for places such as `st.code`
that show characters as they are (Home's code block names the uploaded file)."""

from __future__ import annotations

from rnn_core.errors import Grouped
from tests.markdown_safety import displayed, problems
from ui.i18n import plain_text, translate

HOSTILE = "`![x](http://127.0.0.1:9/t.png)`_$x$.csv"


def test_the_plain_twin_is_the_text_as_typed_and_the_markdown_shows_the_same():
    message = translate("set.input.uploaded", "en", name=HOSTILE)
    assert plain_text(message) == f"uploaded file {HOSTILE}"
    assert not problems(message)  # the Markdown shows it as text
    assert displayed(message) == f"uploaded file {HOSTILE}"


def test_nested_messages_and_numbers_are_plain_in_the_twin():
    inner = translate("set.input.uploaded", "es", name="a*b*.npy")
    outer = translate(
        "page.summary",
        "es",
        code="SimpleRNN(4)",
        shape="(1, 2, 3)",
        source=inner,
        residual="0.0e+00",
    )
    assert "el archivo subido a*b*.npy" in plain_text(outer)
    assert "\\*" in outer  # the Markdown escapes what the twin keeps
    grouped = translate(
        "set.limits",
        "es",
        batch=1,
        timesteps=1,
        features=1,
        values=Grouped(200_000),
        units=1,
        states=Grouped(2_000_000),
        upload_bytes=Grouped(5_000_000),
        upload_mb=5,
    )
    assert "5.000.000" in plain_text(grouped)


def test_any_other_string_is_its_own_plain_text():
    assert plain_text("x_y") == "x_y"
