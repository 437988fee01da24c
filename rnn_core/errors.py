"""Errors and messages `rnn_core` writes for users, in English and Spanish.

`CoreError` is the `ValueError` of every check a user of the app can trip (a bad
upload, a size over the limits, a field of a layer): it carries a message id of
`rnn_core.texts.TEXTS` and its fields, so the app can show it in the user's language.
Its `args[0]` is always the English plain text (what the command line and logs
print); `str(error)` is the plain text in the *message language* of the current
thread, English unless the app set another one with `message_language(...)`
(Streamlit runs each session's script in its own thread, so sessions never see each
other's language). `error.text(language)` is the Markdown a page shows: its fields
(file names, cells: data from a user) show as typed (`rnn_core.markup.fill`); never
put `str(error)` into Markdown.

`Msg` is a piece of text (an id and fields) that goes into another message's field,
e.g. "The .npy file" in "{what} has dtype …", translated with the message.

Example:
    >>> error = CoreError("core.err.limit_above", name="batch", limit=256, value=300)
    >>> str(error)
    '`batch` must be at most 256; got 300.'
    >>> error.text("es")
    '`batch` debe ser como máximo 256; se recibió 300.'
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from rnn_core.markup import Markup
from rnn_core.texts import LANGUAGES, markdown_text, text

__all__ = [
    "CoreError",
    "Grouped",
    "Msg",
    "current_language",
    "message_language",
    "set_message_language",
]

_local = threading.local()


def current_language() -> str:
    """The language `str(CoreError)` uses in this thread ("en" unless set)."""
    return getattr(_local, "language", "en")


def set_message_language(language: str) -> None:
    """Make `str(CoreError)` use `language` in this thread (the app, per run)."""
    if language not in LANGUAGES:
        raise ValueError(
            f"Received an invalid value for `language`: expected one of "
            f"{', '.join(map(repr, LANGUAGES))}; got {language!r}."
        )
    _local.language = language


@contextmanager
def message_language(language: str) -> Iterator[None]:
    """`set_message_language` for a `with` block, restoring the previous one after."""
    previous = current_language()
    set_message_language(language)
    try:
        yield
    finally:
        _local.language = previous


# The digit group separator of each language: 5,000,000 bytes / 5.000.000 bytes.
_GROUP_SEPARATORS = {"en": ",", "es": "."}


class Grouped:
    """A whole number for a message field, its digits grouped as its language writes
    them: `Grouped(5_000_000)` is "5,000,000" in English and "5.000.000" in Spanish.

    Args:
        number: the number.
    """

    def __init__(self, number: int) -> None:
        self.number = int(number)

    def text(self, language: str = "en") -> str:
        """The number in `language`."""
        return f"{self.number:,}".replace(",", _GROUP_SEPARATORS.get(language, ","))

    def __str__(self) -> str:
        return self.text(current_language())

    def __repr__(self) -> str:
        return f"Grouped({self.number!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Grouped) and self.number == other.number

    __hash__ = None  # type: ignore[assignment]


def _filled(
    fields: Mapping[str, object], language: str, markdown: bool
) -> dict[str, object]:
    """The fields, a nested message rendered (as Markdown or plain text) along."""
    return {
        name: Markup(value.text(language) if markdown else value.plain(language))
        if isinstance(value, Msg | CoreError)
        else Markup(value.text(language))
        if isinstance(value, Grouped)
        else value
        for name, value in fields.items()
    }


def _render(
    message_id: str, fields: Mapping[str, object], language: str, markdown: bool
) -> str:
    filled = _filled(fields, language, markdown)
    if markdown:
        return markdown_text(message_id, language, **filled)
    return text(message_id, language, **filled)


class Msg:
    """A text of `rnn_core.texts.TEXTS` (id and fields), for another message's field.

    Args:
        message_id: an id of `rnn_core.texts.TEXTS`.
        **fields: its fields; a `Msg` is translated along.
    """

    def __init__(self, message_id: str, **fields: object) -> None:
        self.id = message_id
        self.fields: dict[str, object] = dict(fields)

    def text(self, language: str = "en") -> str:
        """The Markdown text in `language`, nested messages included."""
        return _render(self.id, self.fields, language, markdown=True)

    def plain(self, language: str = "en") -> str:
        """The plain text in `language`, nested messages included."""
        return _render(self.id, self.fields, language, markdown=False)

    def __str__(self) -> str:
        return self.plain(current_language())

    def __repr__(self) -> str:
        return f"Msg({self.id!r}, **{self.fields!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Msg) and (self.id, self.fields) == (
            other.id,
            other.fields,
        )

    __hash__ = None  # type: ignore[assignment]  # fields may hold unhashable values


class CoreError(ValueError):
    """A `ValueError` whose message has an id and fields, so it can be translated.

    Args:
        message_id: an id of `rnn_core.texts.TEXTS` ("core.err.…").
        **fields: its fields; a `Msg` (or another `CoreError`) is translated along.
    """

    def __init__(self, message_id: str, **fields: object) -> None:
        self.id = message_id
        self.fields: dict[str, object] = dict(fields)
        super().__init__(self.plain("en"))

    def text(self, language: str = "en") -> str:
        """The one-line message in `language`, as Markdown for a page."""
        return _render(self.id, self.fields, language, markdown=True)

    def plain(self, language: str = "en") -> str:
        """The one-line message in `language`, as plain text (command line, logs)."""
        return _render(self.id, self.fields, language, markdown=False)

    def __str__(self) -> str:
        return self.plain(current_language())

    def __reduce__(self) -> tuple[object, ...]:
        return _rebuild, (type(self), self.id, self.fields)


def _rebuild(cls: type[CoreError], message_id: str, fields: dict) -> CoreError:
    return cls(message_id, **fields)
