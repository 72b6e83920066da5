"""How the CLI writes numbers, money, sizes and spans, and text from the data: one style
everywhere.

Counts with thousands separators (``17,780``), money in USD with 4 decimals
(``$0.0123``), plurals that agree (``1 job``, ``2 jobs``). Text that comes from the data
(ids, names, errors, payloads, file names) goes through ``visible`` before it reaches the
terminal.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

MICROS_PER_USD = 1_000_000

#: What a terminal would act on rather than show: the C0 controls (U+0000–U+001F), DEL
#: (U+007F) and the C1 controls (U+0080–U+009F; U+009B is a CSI in some terminals), e.g.
#: ``\x1b[2J`` clears the screen and ``\x1b]0;…`` sets the window title; and lone
#: surrogates, which no UTF-8 terminal can take.
_UNSHOWABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_UNSHOWABLE_BUT_LAYOUT = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\t": "\\t", "\r": "\\r"}


def _escape(found: re.Match[str]) -> str:
    char = found.group()
    code = ord(char)
    named = _NAMED.get(char)
    if named is not None:
        return named
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def visible(text: str, *, layout: bool = False) -> str:
    """``text`` safe to write to a terminal: each control character (``_UNSHOWABLE``)
    shown as an escape as Python writes it: ``\\x1b`` for ESC, ``\\n``, ``\\x9b``,
    ``\\udc80``. With ``layout``, newline and tab are kept (text laid out on several
    lines, such as a report); without, they are escaped too (one line: an error, a table
    cell, a line of a job's view)."""
    pattern = _UNSHOWABLE_BUT_LAYOUT if layout else _UNSHOWABLE
    if text.isascii() and text.isprintable():
        return text
    return pattern.sub(_escape, text)


def number(value: int | float) -> str:
    """``17,780``; a float keeps up to 2 decimals (``2.5``, ``1,234.57``)."""
    if isinstance(value, int):
        return f"{value:,}"
    return f"{value:,.2f}".rstrip("0").rstrip(".")


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 job``, ``17,780 jobs``; ``many`` for an irregular plural
    (``plural(2, "human request")``→``2 human requests``)."""
    if count == 1:
        return f"1 {word}"
    return f"{count:,} {many or word + 's'}"


def usd(micros: int | None, unknown: str = "?") -> str:
    """``$0.0123`` from integer micro-dollars; ``unknown`` for None."""
    if micros is None:
        return unknown
    return f"${micros / MICROS_PER_USD:,.4f}"


def usd_value(micros: int | None) -> float | None:
    """Micro-dollars as a USD number for JSON (None stays None)."""
    return None if micros is None else micros / MICROS_PER_USD


def span(value: timedelta) -> str:
    """``7d``, ``36h``, ``90m`` or ``30s``: the shortest exact unit."""
    seconds = int(value.total_seconds())
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds and seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{value.total_seconds():g}s"


def when(moment: datetime | None) -> str:
    """``2025-11-26 02:00:00`` (UTC), or ``-``."""
    return "-" if moment is None else f"{moment:%Y-%m-%d %H:%M:%S}"


def listing(items: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} and {items[-1]}"
