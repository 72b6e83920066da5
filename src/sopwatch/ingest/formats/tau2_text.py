"""Values that tau2-bench files seen in the wild write as text, read as what they mean.

Some exporters ``str()`` their values: numbers become ``"0.0123"`` or ``"12"``, null
becomes ``"None"`` and ``reward_info`` a Python dict literal (``"{'reward': 1.0}"``).
The rules:

- ``"None"`` in any top-level field of a simulation or of a message is null (``plain``).
- A number field holding decimal text (``-?digits[.digits][e±digits]``) is that number
  (``number_text``); any other text there is a ``FieldError``.
- ``reward_info`` as text is read as JSON, else as a Python literal with
  ``ast.literal_eval`` (never ``eval``) when it is at most ``LITERAL_MAX_CHARS`` long.
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

from sopwatch.ingest.formats._common import FieldError, show

#: The longest text read as a Python literal: our choice, 50 times the largest
#: ``reward_info`` in the bundled tau2-bench files (about 20,000 characters), so a huge
#: string cannot make the parser spend unbounded time and memory.
LITERAL_MAX_CHARS = 1_000_000
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def plain(value: object) -> object:
    """``value``, with the text ``"None"`` read as null."""
    return None if value == "None" else value


def plain_fields(obj: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``obj`` whose top-level ``"None"`` values are None (``plain``)."""
    return {key: None if value == "None" else value for key, value in obj.items()}


def number_text(value: object, field: str) -> object:
    """A number written as text (``"0.0123"``, ``"12"``, ``" 3e2 "``) as the number (int
    when it has no point or exponent); ``"None"`` as None; anything else unchanged (the
    caller checks its type). Raises ``FieldError`` for text that is not a number."""
    value = plain(value)
    if not isinstance(value, str):
        return value
    text = value.strip()
    if _NUMBER.fullmatch(text) is None:
        raise FieldError(field, f"must be a number; got {show(value)}")
    if any(mark in text for mark in ".eE"):
        return float(text)
    return int(text) if len(text) < 40 else float(text)


def literal(value: object, field: str) -> object:
    """A field that may be written as JSON or Python-literal text, as its value.

    Not text: unchanged. ``"None"``: None. Raises ``FieldError`` for text longer than
    ``LITERAL_MAX_CHARS`` or that is neither JSON nor a Python literal.
    """
    value = plain(value)
    if not isinstance(value, str):
        return value
    if len(value) > LITERAL_MAX_CHARS:
        problem = (
            f"text of {len(value):,} characters is too long to read as a Python literal "
            f"(at most {LITERAL_MAX_CHARS:,})"
        )
        raise FieldError(field, problem)
    try:
        return json.loads(value)
    except (ValueError, RecursionError):
        pass
    try:
        return ast.literal_eval(value.strip())
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        problem = f"must be an object, or JSON or Python-dict text of one; got {show(value)}"
        raise FieldError(field, problem) from None
