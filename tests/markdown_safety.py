"""Checks that Markdown shown by the app holds nothing active made from user text.

A real CommonMark parser (markdown-it-py) reads the Markdown as Streamlit's renderer
would; on top of CommonMark it checks what Streamlit adds: GFM tables and
strikethrough (parsed), GFM's bare-URL and e-mail links and emoji shortcodes (found
on the parsed text, where Streamlit's remark plugins find them), `$…$` math and
`:name[…]` directives (an unescaped `$` or `:` in the parsed text: the "text_join"
rule is off, so escaped characters stay separate `text_special` tokens).

Used by tests/test_markup.py (the filler), tests/test_safety_app.py (AppTest) and
tests/test_browser_safety.py.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

PARSER = (
    MarkdownIt("commonmark", {"html": True})
    .enable(["table", "strikethrough"])
    .disable("text_join")
)
# Tokens a field must never create (the templates of the checked messages have none).
ACTIVE_TOKENS = frozenset(
    {
        "image",
        "link_open",
        "html_inline",
        "html_block",
        "heading_open",
        "bullet_list_open",
        "ordered_list_open",
        "blockquote_open",
        "table_open",
        "s_open",
        "fence",
        "code_block",
        "hr",
    }
)
# What Streamlit's remark plugins turn into links or emoji in the parsed text.
TEXT_LINK = re.compile(r"https?://|www\.|[\w.+-]@[\w-]+\.[\w-]", re.IGNORECASE)
SHORTCODE = re.compile(r":[\w+-]+:")
DIRECTIVE = re.compile(r":[A-Za-z][\w-]*[\[{]")


def _inline_tokens(source: str) -> list[Token]:
    tokens = []
    for token in PARSER.parse(source):
        tokens.append(token)
        tokens.extend(token.children or ())
    return tokens


def _text_nodes(tokens: list[Token]) -> list[list[Token]]:
    """Runs of text tokens, as Streamlit's renderer (mdast) joins them in one node."""
    runs: list[list[Token]] = [[]]
    for token in tokens:
        if token.type in ("text", "text_special"):
            runs[-1].append(token)
        else:
            runs.append([])
    return [run for run in runs if run]


def problems(source: str) -> list[str]:
    """What in `source` would render as more than text (empty: it is safe)."""
    tokens = _inline_tokens(source)
    found = [f"{t.type} token" for t in tokens if t.type in ACTIVE_TOKENS]
    for run in _text_nodes(tokens):
        shown = "".join(t.content for t in run)
        unescaped = "\x00".join(t.content for t in run if t.type == "text")
        if TEXT_LINK.search(shown):
            found.append(f"a bare link in the text {shown!r}")
        if SHORTCODE.search(shown):
            found.append(f"an emoji shortcode in the text {shown!r}")
        if "$" in unescaped:
            found.append(f"an unescaped $ (math) in the text {shown!r}")
        if DIRECTIVE.search(unescaped):
            found.append(f"a directive in the text {shown!r}")
    # Streamlit looks for ":material/" icons in the source itself, before parsing
    # (in a code span it only shows as ":material_").
    code = "".join(t.content for t in tokens if t.type == "code_inline")
    if source.count(":material/") > code.count(":material/"):
        found.append("a :material/ icon")
    return found


def displayed(source: str) -> str:
    """The text a reader sees: text, code spans and line breaks as spaces."""
    parts = []
    for token in _inline_tokens(source):
        if token.type in ("text", "text_special", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts)
