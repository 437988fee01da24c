"""Filling message templates so that text from a user stays text.

Message templates (`rnn_core.texts`, `ui.i18n`) are trusted Markdown written by the
project; their *fields* are data, and may come from a user: a query parameter, a file
name, an archive member, a CSV cell. `fill(template, fields, markdown=True)` puts each
field in so that Markdown, LaTeX, HTML and Streamlit's directives in it are shown as
typed, never interpreted:

- in prose, every ASCII punctuation character that can start something is
  backslash-escaped (CommonMark allows it for all of them: `$`, `<`, `&`, `*`, `_`,
  backticks, `[`, `!`, `:`, `/`, `#`, `|` …; only the inert `,.;?%'"()=-+` are left,
  and a leading list marker), so no link, image, emphasis, math, HTML or directive
  can start inside a field; a value that GFM would
  still turn into a link after escaping (a bare URL, `www.`, an e-mail address) or
  that holds an emoji shortcode is shown as a code span instead;
- inside a code span of the template (`` `{name}` ``), the whole span is re-fenced
  with a backtick run longer than any run inside the filled content;
- everywhere: newlines and tabs become spaces, invisible control, zero-width and bidi
  characters are shown as `<U+202E>`, and values longer than `MAX_FIELD_CHARS` are
  cut (with "…").

Numbers are formatted as `str.format` does (`{count:,}` works). A `Markup` value
(an already-rendered message, or text the program wrote and vouches for) goes in as
is, so messages can nest. `fill(..., markdown=False)` is the plain-text filler (the
command line, logs, figures): no escaping, only the visible control characters.

Example:
    >>> fill("`{name}={value}` is bad; see {where}.", {"name": "units",
    ...     "value": "`![](http://x/y)`", "where": "**here**"})
    '`` units=`![](http://x/y)` `` is bad; see \\\\*\\\\*here\\\\*\\\\*.'
"""

from __future__ import annotations

import numbers
import re
import string
import unicodedata
from collections.abc import Mapping

__all__ = [
    "MAX_FIELD_CHARS",
    "Markup",
    "code_span",
    "escape",
    "fill",
    "shown",
]

MAX_FIELD_CHARS = 80  # characters of one field's value shown before "…"
# CommonMark may escape any ASCII punctuation; these never start anything inline.
_INERT = frozenset(",.;?%'\"()=-+")
_SPECIAL = frozenset(string.punctuation) - _INERT
_LIST_MARKER = re.compile(r"^( *[0-9]{0,9})([-+.)])(?= |$)")
_SPACES = frozenset("\n\r\t\v\f\x1c\x1d\x1e\x85\u2028\u2029")
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})
# What GFM (a bare URL, www., an e-mail address) or Streamlit (an emoji shortcode)
# turns into a link or an emoji even when every punctuation character is escaped:
# the rule runs on the parsed text, after the escapes are gone.
_ACTIVE_TEXT = re.compile(
    r"https?://|www\.|[\w.+-]@[\w-]+\.[\w-]|:[\w+-]+:", re.IGNORECASE
)
_PLACEHOLDER = "\x00{}\x00"  # templates never hold NUL
_PLACEHOLDER_RE = re.compile("\x00([0-9]+)\x00")
_FORMATTER = string.Formatter()


class Markup(str):
    """Text that is already Markdown (a rendered message) or that the program wrote
    and vouches for: `fill` puts it in as is. Never wrap text from a user in it."""

    __slots__ = ()


def shown(value: str, limit: int | None = MAX_FIELD_CHARS) -> str:
    """`value` on one line, invisible characters made visible, cut at `limit`.

    Newlines, tabs and other line or page breaks become spaces; control, format
    (zero-width, bidi), surrogate, private-use and unassigned characters become
    `<U+XXXX>`. A value over `limit` characters keeps its first `limit` and "…".
    """
    if limit is not None and len(value) > limit:
        value = value[:limit] + "…"
    parts = []
    for char in value:
        if char in _SPACES:
            parts.append(" ")
        elif unicodedata.category(char) in _INVISIBLE:
            parts.append(f"<U+{ord(char):04X}>")
        else:
            parts.append(char)
    return "".join(parts)


def code_span(content: str) -> str:
    """`content` as one CommonMark code span no backtick inside can close.

    The fence is one backtick longer than the longest run inside; a space pads
    content that starts or ends with a backtick (or starts and ends with a space,
    which CommonMark would strip).
    """
    longest = max((len(run) for run in re.findall("`+", content)), default=0)
    fence = "`" * (longest + 1)
    pad = (
        " "
        if content[:1] == "`"
        or content[-1:] == "`"
        or (content[:1] == content[-1:] == " " and content.strip())
        or not content
        else ""
    )
    return f"{fence}{pad}{content}{pad}{fence}"


def escape(value: str) -> Markup:
    """Plain text as Markdown that shows exactly it (one line, nothing cut).

    Every ASCII punctuation character that can start Markdown, LaTeX, HTML or a
    Streamlit directive is backslash-escaped (all but the inert `,.;?%'"()=-+`, so
    numbers and shapes stay readable; a leading `-`, `+` or `1.` that could start a
    list is escaped too); a text GFM or Streamlit would still turn into a link or an
    emoji becomes a code span.
    """
    line = shown(value, limit=None)
    if _ACTIVE_TEXT.search(line):
        return Markup(code_span(line))
    escaped = "".join("\\" + c if c in _SPECIAL else c for c in line)
    return Markup(_LIST_MARKER.sub(r"\1\\\2", escaped, count=1))


def _formatted(value: object, conversion: str | None, spec: str) -> tuple[str, bool]:
    """(the field's text as `str.format` writes it, whether it goes in as is)."""
    if conversion:
        value = _FORMATTER.convert_field(value, conversion)
    if isinstance(value, Markup) and not spec:
        return str(value), True
    is_number = isinstance(value, numbers.Number) and not isinstance(value, bool)
    return format(value, spec), is_number


def _code_spans(skeleton: str) -> list[tuple[int, int]]:
    """(start, end) of every code span of a template (CommonMark's rule: a backtick
    run, up to the next run of the same length; an escaped backtick opens none)."""
    runs = [
        (m.start(), m.end())
        for m in re.finditer("`+", skeleton)
        if not (m.start() > 0 and skeleton[m.start() - 1] == "\\")
    ]
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(runs):
        start, end = runs[i]
        for j in range(i + 1, len(runs)):
            if runs[j][1] - runs[j][0] == end - start:
                spans.append((start, runs[j][1]))
                i = j
                break
        i += 1
    return spans


def fill(template: str, fields: Mapping[str, object], *, markdown: bool = True) -> str:
    """`template.format(**fields)`, every field put in as text (see the module).

    Args:
        template: a `str.format` template (trusted Markdown when `markdown`).
        fields: its fields; a `Markup` value goes in as is, numbers as formatted.
        markdown: False for plain text (no escaping; only `shown`'s visible
            characters, nothing cut).

    Returns:
        A `Markup` when `markdown`, else a plain `str`.

    Raises:
        KeyError, IndexError, AttributeError, ValueError: as `str.format` does.
    """
    pieces: list[str] = []
    values: list[tuple[str, bool]] = []
    for literal, name, spec, conversion in _FORMATTER.parse(template):
        pieces.append(literal)
        if name is None:
            continue
        value, _ = _FORMATTER.get_field(name, (), fields)
        values.append(_formatted(value, conversion, spec or ""))
        pieces.append(_PLACEHOLDER.format(len(values) - 1))
    skeleton = "".join(pieces)
    if not markdown:
        return _PLACEHOLDER_RE.sub(lambda m: _plain(*values[int(m.group(1))]), skeleton)

    def in_code(found: re.Match[str]) -> str:
        text, trusted = values[int(found.group(1))]
        return text if trusted else shown(text)

    def in_prose(found: re.Match[str]) -> str:
        text, trusted = values[int(found.group(1))]
        return text if trusted else escape(shown(text))

    out: list[str] = []
    done = 0
    for start, end in _code_spans(skeleton):
        if not _PLACEHOLDER_RE.search(skeleton, start, end):
            continue
        out.append(_PLACEHOLDER_RE.sub(in_prose, skeleton[done:start]))
        run = len(skeleton[start:end]) - len(skeleton[start:end].lstrip("`"))
        inner = skeleton[start + run : end - run]
        if inner[:1] == inner[-1:] == " " and inner.strip():
            inner = inner[1:-1]  # the space CommonMark strips, put back by code_span
        out.append(code_span(_PLACEHOLDER_RE.sub(in_code, inner)))
        done = end
    out.append(_PLACEHOLDER_RE.sub(in_prose, skeleton[done:]))
    return Markup("".join(out))


def _plain(text: str, trusted: bool) -> str:
    return text if trusted else shown(text, limit=None)
