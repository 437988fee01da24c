"""How a number is written in text a user types: links of the app and the command line.

One rule for both, stricter than Python's `int()` and `float()` (which also take
Arabic-Indic, Devanagari or fullwidth digits such as "٤", "४" or "４", underscores
such as "1_000" and Unicode spaces): ASCII only.

- A whole number: an optional sign and 1 to 12 of the digits 0-9 ("4", "+4", "-3",
  "007").
- A decimal number: an optional sign, the digits 0-9 with an optional "." and
  fraction, and an optional exponent ("0", "1e-6", "2.5E-7", ".5"); no "nan", no "inf".

Spaces, tabs and line breaks around the number are allowed (a "+" in a URL's query
is a space), other characters are not.
"""

from __future__ import annotations

import re

__all__ = ["DECIMAL", "SPACE", "WHOLE_NUMBER", "parse_decimal", "parse_whole_number"]

WHOLE_NUMBER = re.compile(r"[+-]?[0-9]{1,12}")
DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,4})?")
SPACE = " \t\n\r\f\v"  # ASCII whitespace only: str.strip() would take U+3000 too


def parse_whole_number(text: str) -> int | None:
    """The whole number `text` writes, or None if it is not one by the rule above."""
    if not isinstance(text, str):
        return None
    core = text.strip(SPACE)
    return int(core) if WHOLE_NUMBER.fullmatch(core) else None


def parse_decimal(text: str) -> float | None:
    """The number `text` writes, or None if it is not one by the rule above.

    A number too large for a float (such as "1e999") is infinity: callers check the
    range they allow.
    """
    if not isinstance(text, str):
        return None
    core = text.strip(SPACE)
    return float(core) if DECIMAL.fullmatch(core) else None
