"""How the CLI writes numbers, money, sizes and spans: one style everywhere.

Counts with thousands separators (``17,780``), money in USD with 4 decimals
(``$0.0123``), plurals that agree (``1 job``, ``2 jobs``).
"""

from __future__ import annotations

from datetime import datetime, timedelta

MICROS_PER_USD = 1_000_000


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
