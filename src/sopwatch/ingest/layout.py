"""Placing imported runs in time: runs without timestamps are laid out evenly."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from sopwatch.domain.errors import InvalidInput

_SPAN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw])\s*$", re.IGNORECASE)
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3_600, "d": 86_400, "w": 604_800}
#: The longest span accepted (our choice: ten years is more than any window or spread
#: needs, and keeps date arithmetic far from ``datetime``'s limits).
MAX_SPAN = timedelta(days=3_650)


def parse_span(text: str, field: str) -> timedelta:
    """Parse a span such as ``24h``, ``7d``, ``90m``, ``2w`` or ``30s`` (a number and a unit,
    in either case: ``24H`` is ``24h``).

    Raises ``InvalidInput(field, ...)`` for anything else, a span of zero, or one longer
    than ``MAX_SPAN``.
    """
    match = _SPAN.match(text)
    if match is None:
        raise InvalidInput(field, f"{text!r} is not a span like 24h, 7d, 90m, 2w or 30s")
    seconds = float(match.group(1)) * _UNIT_SECONDS[match.group(2).lower()]
    if seconds <= 0:
        raise InvalidInput(field, "must be longer than zero")
    if seconds > MAX_SPAN.total_seconds():
        raise InvalidInput(field, f"{text!r} is longer than the limit of {MAX_SPAN.days} days")
    return timedelta(seconds=seconds)


def spread_times(count: int, spread: timedelta, end: datetime) -> list[datetime]:
    """``count`` instants laid out evenly over ``(end - spread, end]``, in order.

    Run ``i`` (0-based, in file order) gets ``end - spread + (i + 1) * spread / count``, so
    the last run sits at ``end``. Returns ``[]`` for ``count == 0``.
    """
    if count <= 0:
        return []
    step = spread / count
    return [end - step * (count - 1 - i) for i in range(count)]
