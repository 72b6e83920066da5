"""Small helpers shared by the format parsers: JSON loading, time, canonical JSON, hand-offs.

Units: timestamps come out timezone-aware UTC, durations in integer milliseconds.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import orjson

from sopwatch.domain.enums import HumanRequestStatus, HumanRequestType, Verdict
from sopwatch.domain.job import MICROS_PER_USD
from sopwatch.domain.payload import canonical_json as canonical_json
from sopwatch.ingest.limits import BIGINT_MAX, EARLIEST, FUTURE_SLACK, usd_text
from sopwatch.ingest.records import HumanRequestRecord, StepRecord

HANDOFF_TOOL = "transfer_to_human_agents"

# Exceptions a record builder may hit on an odd shape; parsers turn them into RecordError.
SHAPE_ERRORS = (
    TypeError,
    ValueError,
    KeyError,
    AttributeError,
    IndexError,
    OverflowError,
    RecursionError,
)

_DURATION = re.compile(
    r"P(?:(?P<d>\d+(?:\.\d+)?)D)?"
    r"(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?(?:(?P<s>\d+(?:\.\d+)?)S)?)?"
)


class FieldError(ValueError):
    """A field of a record is missing, of the wrong type, or has a value out of range.

    ``str()`` is ``field '<field>': <problem>``, or just the problem when ``field`` is empty
    (the record as a whole is wrong).
    """

    def __init__(self, field: str, problem: str) -> None:
        self.field = field
        self.problem = problem
        super().__init__(f"field '{field}': {problem}" if field else problem)


def problem_text(exc: Exception) -> str:
    """The ``RecordError.problem`` text for an exception raised while building one record."""
    if isinstance(exc, FieldError):
        return str(exc)
    return f"unexpected shape: {type(exc).__name__}: {exc}"


def json_error(exc: ValueError | RecursionError) -> str:
    """Describe a JSON decoding failure: ``invalid JSON at line L column C: <msg>``."""
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
    return f"invalid JSON: {type(exc).__name__}: {exc}"


#: What may surround a JSON value: JSON whitespace, and BOMs (``cat`` of files saved with
#: one leaves them at the start of a line or document).
_BLANKS = re.compile(r"[ \t\n\r\ufeff]*")
_DECODER = json.JSONDecoder()


def skip_blanks(text: str, at: int) -> int:
    """The index of the first character at or after ``at`` that is not a blank (``_BLANKS``)."""
    return _BLANKS.match(text, at).end()  # type: ignore[union-attr]  # ``*`` always matches


def json_value(text: str) -> Any:
    """The one JSON value ``text`` holds, as ``json.loads`` reads it except that BOMs
    around it are skipped like whitespace. Raises ``ValueError`` (``json.JSONDecodeError``,
    its line and column counted in ``text``) or ``RecursionError``."""
    value, end = _DECODER.raw_decode(text, skip_blanks(text, 0))
    end = skip_blanks(text, end)
    if end != len(text):
        raise json.JSONDecodeError("Extra data", text, end)
    return value


#: A run of 19 digits or more: an integer orjson might read as a float (beyond 64 bits).
_LONG_DIGITS = re.compile(rb"\d{19}")


def json_line(raw: bytes) -> Any:
    """One line's JSON value (JSONL, and format detection's sniffing), read as
    ``json_value``. The bytes must be strict UTF-8, as a whole file's are: unescaped
    surrogates (``ED A0 80``) are not, and raise ``UnicodeDecodeError`` (``start`` is the
    offset in ``raw``).

    Hot path: orjson reads the line first (~2× faster). What it reads is what the json
    module reads, except where it refuses (NaN, Infinity, ``1e400``, lone surrogate
    escapes, BOMs, bytes that are not UTF-8, deep nesting: then the json module reads
    the line, with its own values and error messages) and integers beyond 64 bits, which
    it reads as floats: a line with a run of 19 digits or more goes to the json module
    (``tests/ingest/test_formats_jsonl.py`` compares the two)."""
    if _LONG_DIGITS.search(raw) is None:
        try:
            return orjson.loads(raw)
        except orjson.JSONDecodeError:
            pass
    return json_value(raw.decode("utf-8"))


#: The note for a file with nothing in it (0 bytes, or only blanks).
EMPTY_NOTE = "the file is empty: nothing to import"


#: An epoch number at or above this is milliseconds, below it seconds: 1e11 seconds
#: would be the year 5138, while 1e11 milliseconds is March 1973 (our rule, documented
#: in docs/jsonl-format.md).
EPOCH_MS_FROM = 1e11
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_time(value: object, field: str) -> datetime | None:
    """Parse a timestamp to an aware UTC datetime; None stays None.

    Takes an ISO-8601 string (naive = UTC; ``Z``/``z`` and ``T``/``t`` work) or an epoch
    number, fractional allowed: milliseconds when ``>= EPOCH_MS_FROM`` (1e11), else
    seconds. Raises ``FieldError`` naming ``field`` when the value is neither, not finite,
    or cannot be a UTC datetime (``0001-01-01T00:00:00+05:00``). The range 1970..now+1d is
    checked by ``limits``.
    """
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _epoch(value, field)
    if not isinstance(value, str):
        raise FieldError(
            field, f"must be an ISO-8601 timestamp or epoch seconds/ms; got {show(value)}"
        )
    try:
        moment = datetime.fromisoformat(value[:-1] + "Z" if value.endswith("z") else value)
    except ValueError:
        raise FieldError(field, f"not an ISO-8601 timestamp: {value!r}") from None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        raise FieldError(field, f"{value!r} is out of range: {_TIME_RANGE}") from None


def _epoch(value: float, field: str) -> datetime:
    """An epoch number (seconds, or ms from ``EPOCH_MS_FROM``) as an aware UTC datetime."""
    try:
        if value >= EPOCH_MS_FROM:
            since = timedelta(milliseconds=value)
        else:
            since = timedelta(seconds=value)
        return _EPOCH + since
    except (OverflowError, ValueError):  # beyond datetime's range, NaN, infinity
        shown = _cut(value) if math.isfinite(value) else show(value)
        raise FieldError(field, f"{shown} is out of range: {_TIME_RANGE}") from None


_TIME_RANGE = (
    f"timestamps must lie between {EARLIEST:%Y-%m-%d} and {FUTURE_SLACK.days} day after now"
)


def parse_duration_ms(value: object, field: str) -> int:
    """Parse an ISO-8601 duration such as ``PT1M48.75533S`` to milliseconds (rounded).

    Supports days, hours, minutes and (fractional) seconds. Raises ``FieldError`` when the
    value is not such a string, or is longer than ``BIGINT_MAX`` ms (the column's limit).
    """
    match = _DURATION.fullmatch(value) if isinstance(value, str) else None
    if match is None or value in ("P", "PT"):
        raise FieldError(field, f"must be an ISO-8601 duration like 'PT1M2.5S'; got {show(value)}")
    parts = {k: float(v) if v else 0.0 for k, v in match.groupdict().items()}
    seconds = ((parts["d"] * 24 + parts["h"]) * 60 + parts["m"]) * 60 + parts["s"]
    return _milliseconds(seconds, value, field)


def seconds_ms(value: object, field: str) -> int | None:
    """A duration in seconds (a finite non-negative JSON number) as integer milliseconds
    (rounded); None stays None. Raises ``FieldError`` otherwise or beyond ``BIGINT_MAX`` ms.
    """
    seconds = number(value, field)
    return None if seconds is None else _milliseconds(seconds, value, field)


def _milliseconds(seconds: float, value: object, field: str) -> int:
    """``seconds`` as rounded ms; ``FieldError`` when that does not fit a BIGINT column."""
    if not seconds * 1000 < 2.0**63:  # also catches inf; float(2**63) is exact
        raise FieldError(field, f"{_cut(value)} is more than the maximum {BIGINT_MAX:,} ms")
    return round(seconds * 1000)


def span_ms(start: datetime | None, end: datetime | None) -> int | None:
    """Milliseconds from ``start`` to ``end`` (rounded); None if either is None or end < start."""
    if start is None or end is None or end < start:
        return None
    return round((end - start) / timedelta(milliseconds=1))


def first_text(messages: Iterable[Any], role: str) -> str | None:
    """Content of the first message of ``role`` whose content is a non-empty string."""
    for message in messages:
        if isinstance(message, dict) and message.get("role") == role:
            content = message.get("content")
            if isinstance(content, str) and content:
                return content
    return None


def last_text(messages: list[Any], role: str) -> str | None:
    """Content of the last message of ``role`` whose content is a non-empty string."""
    return first_text(reversed(messages), role)


def verdict_of(reward: object, field: str) -> Verdict | None:
    """The verdict a benchmark reward implies: >= 1 accepted, else rejected; None if absent.

    Raises ``FieldError`` when the reward is present but not a number.
    """
    if reward is None:
        return None
    if isinstance(reward, bool) or not isinstance(reward, int | float):
        raise FieldError(field, f"must be a number; got {show(reward)}")
    if isinstance(reward, float) and not math.isfinite(reward):
        raise FieldError(field, f"must be a finite number; got {show(reward)}")
    return Verdict.ACCEPTED if reward >= 1 else Verdict.REJECTED


def number(value: object, field: str) -> float | None:
    """A finite non-negative JSON number as float; None stays None.

    Raises ``FieldError`` otherwise; ``NaN``, ``Infinity`` and ``1e400`` (which JSON
    readers turn into infinity) are "not finite".
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise FieldError(field, f"must be a non-negative number; got {show(value)}")
    if isinstance(value, float) and not math.isfinite(value):
        raise FieldError(field, f"must be a finite number; got {show(value)}")
    return float(value)


#: The largest USD amount stored: ``BIGINT_MAX`` micro-dollars (about 9.2 trillion USD).
MAX_USD = BIGINT_MAX / MICROS_PER_USD
MAX_USD_EXACT = Decimal(BIGINT_MAX).scaleb(-6)


def usd(value: object, field: str) -> int | None:
    """A USD amount (finite, non-negative JSON number) as integer micro-dollars, rounded
    half to even; None stays None. Raises ``FieldError`` naming ``field`` otherwise, or
    when it exceeds the cost column (``BIGINT_MAX`` micro-dollars).
    """
    amount = number(value, field)
    if amount is None:
        return None
    if not amount * MICROS_PER_USD < 2.0**63:
        problem = f"{usd_text(amount)} is more than the maximum {usd_text(MAX_USD_EXACT)}"
        raise FieldError(field, problem)
    return round(amount * MICROS_PER_USD)


def integer(value: object, field: str, *, digits: bool = False) -> int | None:
    """A non-negative integer (an integral float also works); None stays None.

    With ``digits`` a string of ASCII digits works too (OpenInference token counts).
    Raises ``FieldError`` otherwise, or above ``BIGINT_MAX`` (the column's limit).
    """
    if value is None:
        return None
    raw = value
    if digits and isinstance(value, str) and value.isascii() and value.isdigit():
        value = int(value) if len(value) < 30 else BIGINT_MAX + 1
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise FieldError(field, f"must be a non-negative integer; got {show(value)}")
    if value > BIGINT_MAX:
        raise FieldError(field, f"{_cut(raw)} is more than the maximum {BIGINT_MAX:,}")
    return value


def handoff_request(step: StepRecord, arguments: object, failed: bool) -> HumanRequestRecord:
    """The QUESTION request a ``transfer_to_human_agents`` tool step raises.

    ``arguments`` is the call's parsed arguments: its ``summary`` (a string) is the question,
    else the step's canonical arguments text. PENDING, or EXPIRED when the run ``failed``
    (it ended and nobody answered). ``created_at`` is the step's start (UTC) or None.
    """
    summary = arguments.get("summary") if isinstance(arguments, dict) else None
    return HumanRequestRecord(
        type=HumanRequestType.QUESTION,
        status=HumanRequestStatus.EXPIRED if failed else HumanRequestStatus.PENDING,
        gate=HANDOFF_TOOL,
        question=summary if isinstance(summary, str) else step.arguments,
        step_seq=step.seq,
        created_at=step.started_at,
    )


def parse_arguments(raw: object) -> tuple[object, str | None]:
    """Tool-call arguments as ``(parsed, canonical JSON text)``.

    A string is parsed as JSON first; if that fails it is kept as is (``(raw, raw)``).
    None gives ``(None, None)``.
    """
    if raw is None:
        return None, None
    if isinstance(raw, str):
        try:
            parsed = json.loads(raw)
        except (ValueError, RecursionError):
            return raw, raw
        return parsed, canonical_json(parsed)
    return raw, canonical_json(raw)


def enum_name(value: object) -> str | None:
    """An enumerated value as its lowercase name, whatever its case and with a Python
    enum's class prefix dropped: ``AGENT_STOP``, ``User_Stop``, ``user_stop`` and
    ``TerminationReason.USER_STOP`` (what ``str()`` of a member of a Python ``(str,
    Enum)`` gives) are all ``user_stop``/``agent_stop``; None for what is not a string.
    Producers write enums all these ways (tau2's ``termination_reason``, OpenInference's
    ``openinference.span.kind``, OpenTelemetry's ``StatusCode.ERROR``)."""
    if not isinstance(value, str):
        return None
    text = value.strip()
    prefix, dot, name = text.rpartition(".")
    if dot and name.isidentifier() and all(p.isidentifier() for p in prefix.split(".")):
        text = name
    return text.lower()


_KINDS = {int: "integer", float: "number", str: "string", list: "array", dict: "object"}


def show(value: object) -> str:
    """Short description of a wrong value for error messages, in JSON words: ``null``,
    ``true``, ``string 'x'``, ``number 1.5``, ``integer 12,345``, ``array [1, 2]``,
    ``object {"a": 1}`` (cut at 60 characters, ASCII-safe). A number JSON readers turn
    into infinity (``1e400``, as ``Infinity``) is "a number too large to store"; ``NaN``
    is "NaN (not a number)"."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)
    if isinstance(value, float) and not math.isfinite(value):
        if math.isnan(value):
            return "NaN (not a number)"
        sign = "-" if value < 0 else ""
        return f"a number too large to store ({sign}1e400 or {sign}Infinity)"
    return f"{_KINDS.get(type(value), 'value')} {_cut(value)}"


def _cut(value: object) -> str:
    """``value`` as short printable text: a string's repr, other values as JSON."""
    if isinstance(value, str):
        text = repr(value)
    elif type(value) is int:
        text = f"{value:,}"
    else:
        try:
            text = json.dumps(value)  # ASCII-only; NaN and Infinity as JavaScript writes them
        except (TypeError, ValueError, RecursionError):
            text = repr(value)
    return text[:60] + "..." if len(text) > 60 else text


def tool_messages(messages: list[Any], index: int, id_key: str) -> dict[object, dict[str, Any]]:
    """The ``role: tool`` messages right after ``messages[index]``, by their ``id_key``.

    Chat logs put a call's result right after the assistant message that made it; call ids
    can repeat later in a run, so only this block is searched (first one per id wins).
    """
    found: dict[object, dict[str, Any]] = {}
    index += 1
    while index < len(messages):
        message = messages[index]
        if not isinstance(message, dict) or message.get("role") != "tool":
            break
        found.setdefault(message.get(id_key), message)
        index += 1
    return found


def text_of(value: object) -> str | None:
    """Message or tool content as text: a string as is, other JSON as canonical JSON."""
    if value is None or isinstance(value, str):
        return value
    return canonical_json(value)
