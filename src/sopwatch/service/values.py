"""The values people type, parsed the same way for every face: times, spans, formats.

Each parser takes the text and the field it came from, and raises
``InvalidInput(field, problem)`` for text it cannot read.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sopwatch.domain.errors import InvalidInput
from sopwatch.ingest.formats import FORMATS
from sopwatch.ingest.layout import MAX_SPAN, parse_span

__all__ = ["EARLIEST", "FORMATS", "LATEST", "MAX_SPAN", "parse_format", "parse_span", "parse_time"]

#: Times given by a person must fall in this range (our choice: agent runs exist after
#: 1970; windows and spreads of up to ten years stay inside ``datetime``).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


def parse_time(text: str, field: str) -> datetime:
    """Parse an ISO 8601 time (``2025-11-26T02:00:00Z``; naive means UTC) or ``now``;
    returns a timezone-aware UTC datetime.

    Raises ``InvalidInput(field, ...)`` when it is neither, or lies outside 1970–2200 (a
    window or spread reaching past ``datetime``'s range would otherwise crash).
    """
    if text.strip().lower() == "now":
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            field, f"{text!r} is not an ISO 8601 time like 2025-11-26T02:00:00Z"
        ) from None
    if not EARLIEST.year <= value.year < LATEST.year:
        raise InvalidInput(field, f"{text!r} is outside {EARLIEST.year}–{LATEST.year}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def parse_format(text: str | None, field: str = "--format") -> str | None:
    """An import format name (one of ``FORMATS``), or None for "detect per file".

    Raises ``InvalidInput(field, ...)`` for any other name.
    """
    if text is None or text in FORMATS:
        return text
    raise InvalidInput(field, f"must be one of {', '.join(FORMATS)}; got {text!r}")
