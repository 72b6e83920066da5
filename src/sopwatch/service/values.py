"""The values people type, parsed the same way for every face: times, spans, formats.

Each parser takes the text and the field it came from, and raises
``InvalidInput(field, problem)`` for text it cannot read.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from sopwatch.domain.errors import InvalidInput
from sopwatch.ingest.formats import FORMATS
from sopwatch.ingest.formats._common import FieldError
from sopwatch.ingest.formats._common import parse_time as parse_timestamp
from sopwatch.ingest.layout import MAX_SPAN, parse_span
from sopwatch.ingest.limits import FUTURE_SLACK, iso

__all__ = ["EARLIEST", "FORMATS", "LATEST", "MAX_SPAN", "parse_format", "parse_span", "parse_time"]

#: Times given by a person must fall in this range (our choice: agent runs exist after
#: 1970; windows and spreads of up to ten years stay inside ``datetime``).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)
_EPOCH = re.compile(r"\d+(\.\d+)?")


def parse_time(text: str, field: str, *, ahead: bool = True) -> datetime:
    """Parse a time as the import reads timestamps (``ingest.formats._common.parse_time``,
    docs/jsonl-format.md): ISO 8601 with ``T``/``Z`` in either case (naive means UTC),
    or epoch seconds, or milliseconds from 10¹¹ (``1772000000``, ``1772000000250``); or
    ``now``. Returns a timezone-aware UTC datetime.

    Raises ``InvalidInput(field, ...)`` when it is none of these, lies outside 1970–2200
    (a window or spread reaching past ``datetime``'s range would otherwise crash), or,
    unless ``ahead``, more than ``FUTURE_SLACK`` (1 day) after now, as the import refuses
    such times.
    """
    text = text.strip()
    if text.lower() == "now":
        return datetime.now(UTC)
    value: object = text
    if _EPOCH.fullmatch(text):
        value = float(text) if "." in text else int(text)
    try:
        moment = parse_timestamp(value, field)
    except FieldError:
        problem = f"{text!r} is not an ISO 8601 time like 2025-11-26T02:00:00Z nor epoch s/ms"
        raise InvalidInput(field, problem) from None
    if moment is None or not EARLIEST.year <= moment.year < LATEST.year:
        raise InvalidInput(field, f"{text!r} is outside {EARLIEST.year}–{LATEST.year}")
    if not ahead and moment > datetime.now(UTC) + FUTURE_SLACK:
        raise InvalidInput(field, f"{iso(moment)} is more than {FUTURE_SLACK.days} day after now")
    return moment


def parse_format(text: str | None, field: str = "--format") -> str | None:
    """An import format name (one of ``FORMATS``, in any case), or None for "detect per
    file".

    Raises ``InvalidInput(field, ...)`` for any other name.
    """
    if text is None or text.strip().lower() in FORMATS:
        return None if text is None else text.strip().lower()
    raise InvalidInput(field, f"must be one of {', '.join(FORMATS)}; got {text!r}")
