"""The bounds an imported record must respect to be stored, checked in one place.

Without them the two databases disagree on the same input: SQLite raises
``OverflowError`` for an integer wider than 64 bits and stores NUL characters and
over-long strings, PostgreSQL refuses all three with a message that names no field, and
both fail to encode a lone surrogate. Values that are well-formed but wrong (a run that
ends before it starts, a timestamp in year 9999 that would hijack the check's default
window) are refused here too. The writer calls ``problems`` on every record before it
builds any row, so a refused record costs nothing else. Field paths are written as in the
JSONL format (``steps[3].duration_ms``, list indices from 0; docs/jsonl-format.md).

Sources of the bounds:

- ``BIGINT_MAX`` (2**63 - 1): PostgreSQL ``bigint`` and SQLite's 8-byte ``INTEGER``.
  Durations (ms), token counts (also ``max_tokens`` and the cache counts) and cost
  (micro-USD), also a job's sums over its steps.
- ``INT_MAX`` (2**31 - 1): PostgreSQL ``integer``. Step ``seq``, a request's ``step``,
  the revision number, and the ``*_bytes`` sizes of cut payloads (hence ``TEXT_CHARS``).
- ``*_CHARS``: the ``VARCHAR(n)`` length of the column (PostgreSQL counts characters, as
  ``len`` does), read from the tables in ``sopwatch.store`` so the two cannot drift.
- ``EARLIEST`` .. now + ``FUTURE_SLACK``: our choice. Agent runs happen after 1970, and
  a clock may run up to a day ahead; anything else is a wrong timestamp.
- A step's ``cache_read_tokens`` and ``cache_write_tokens`` are parts of its
  ``input_tokens`` (OpenAI's ``cached_tokens`` and OpenInference's ``prompt_details``
  are counted in the prompt), so neither, nor their sum, may exceed it (when known).
- NUL (U+0000): PostgreSQL text cannot hold it. Lone surrogates (U+D800..U+DFFF): not
  Unicode, so no UTF-8 encoder (SQLite's or PostgreSQL's driver) can write them.

Hot path (a million steps per import): per field one comparison, and per text one
precompiled regex search; field paths are only formatted for a record that fails.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from operator import attrgetter
from typing import Any

import sqlalchemy as sa

from sopwatch.ingest.records import (
    CaseRecord,
    HumanRequestRecord,
    RecordError,
    RunRecord,
    StepRecord,
)
from sopwatch.store.assignments import assignments
from sopwatch.store.cases import cases, queues
from sopwatch.store.jobs import human_requests, jobs, steps


def _chars(column: sa.Column[Any]) -> int:
    """The declared length of a ``VARCHAR(n)`` column, in characters."""
    length = getattr(column.type, "length", None)
    if not isinstance(length, int):
        raise TypeError(f"column {column} has no length")
    return length


BIGINT_MAX = 2**63 - 1
INT_MAX = 2**31 - 1
TEXT_CHARS = INT_MAX // 4  # a TEXT's UTF-8 size (<= 4 bytes a character) must fit *_bytes
EXTERNAL_ID_CHARS = _chars(jobs.c.external_id)
INPUT_TYPE_CHARS = _chars(jobs.c.input_type)
FAILURE_KIND_CHARS = _chars(jobs.c.failure_kind)
MODEL_CHARS = _chars(jobs.c.model)  # also steps.model and revisions.model
STEP_NAME_CHARS = _chars(steps.c.name)
CONNECTION_CHARS = _chars(steps.c.connection)
FINISH_REASON_CHARS = _chars(steps.c.finish_reason)
GATE_CHARS = _chars(human_requests.c.gate)
CASE_ID_CHARS = _chars(cases.c.external_id)
CASE_TITLE_CHARS = _chars(cases.c.title)
QUEUE_CHARS = _chars(queues.c.name)
ASSIGNMENT_CHARS = _chars(assignments.c.name)
TRIGGER_KEY_CHARS = _chars(jobs.c.trigger_key)
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)

_BAD_CHAR = re.compile("[\x00\ud800-\udfff]")

# (field path, what is wrong with it)
Problem = tuple[str, str]


def problems(record: RunRecord, now: datetime) -> RecordError | None:
    """The first bound ``record`` breaks, as a ``RecordError`` at ``record.where`` (or
    ``run <id>`` when it has no location) reading ``field '<path>': <problem>``; None
    when every value can be stored. ``now`` (aware UTC) sets the latest timestamp.
    The record's own ``assignment`` is not checked here: ``--assignment`` may replace
    it (see ``text_problem``).
    """
    latest = now + FUTURE_SLACK
    found = (
        _run_problem(record, latest)
        or _steps_problem(record.steps, latest, record.cost_micros is None)
        or _requests_problem(record, latest)
        or _case_problem(record.case)
    )
    if found is None:
        return None
    where = record.where or f"run {record.external_id}"
    return RecordError(where=where, problem=f"field '{found[0]}': {found[1]}")


def text_problem(value: str, limit: int, *, blank_ok: bool = True) -> str | None:
    """What keeps ``value`` out of a column of ``limit`` characters, or None.

    Too long, blank (unless ``blank_ok``), a NUL character or a lone surrogate.
    """
    if len(value) > limit:
        return f"{len(value):,} characters; at most {limit:,} fit"
    if not blank_ok and not value.strip():
        return "must not be blank"
    bad = _BAD_CHAR.search(value)
    if bad is None:
        return None
    if bad.group() == "\x00":
        return f"a NUL character (\\u0000) at position {bad.start()}, which PostgreSQL cannot store"
    code = ord(bad.group())
    return f"a lone surrogate \\u{code:04x} at position {bad.start()}, which is not valid Unicode"


_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f]")


def name_problem(value: str, limit: int = ASSIGNMENT_CHARS) -> str | None:
    """What keeps ``value`` from being an assignment's name, or None: what
    ``text_problem`` (not blank) refuses; a control character (C0, DEL, C1: a newline or
    an escape sequence in a name breaks every line that shows it); or blanks at its start
    or end (our choice: ``" padded "`` would be an assignment apart from ``padded`` that
    looks the same)."""
    found = text_problem(value, limit, blank_ok=False)
    if found is not None:
        return found
    bad = _CONTROL.search(value)
    if bad is not None:
        code = f"U+{ord(bad.group()):04X}"
        return f"a control character ({code}) at position {bad.start()}; a name is one line of text"
    if value != value.strip():
        return f"{value!r} starts or ends with a blank; give the name without it"
    return None


def _run_problem(rec: RunRecord, latest: datetime) -> Problem | None:
    """The job-level fields (``created_at`` after ``started_at``, its default in JSONL)."""
    return (
        _id(rec.external_id, EXTERNAL_ID_CHARS, "id")
        or _count(rec.revision, INT_MAX, "revision", 1)
        or _time(rec.started_at, "started_at", latest)
        or _time(rec.finished_at, "finished_at", latest)
        or _time(rec.created_at, "created_at", latest)
        or _order(rec.started_at, rec.finished_at, "finished_at", "started_at")
        or _count(rec.duration_ms, BIGINT_MAX, "duration_ms")
        or _text(rec.input, TEXT_CHARS, "input")
        or _text(rec.input_type, INPUT_TYPE_CHARS, "input_type")
        or _text(rec.output, TEXT_CHARS, "output")
        or _text(rec.failure_kind, FAILURE_KIND_CHARS, "failure_kind")
        or _text(rec.error, TEXT_CHARS, "error")
        or _usd(rec.cost_micros, "cost_usd")
        or _text(rec.model, MODEL_CHARS, "model")
        or _text(rec.trigger_key, TRIGGER_KEY_CHARS, "trigger_key")
    )


def _steps_problem(
    records: tuple[StepRecord, ...], latest: datetime, sum_cost: bool
) -> Problem | None:
    """Each step's fields, then the job's sums over them (tokens; cost when the run
    reports none of its own, as the writer then stores the steps' sum)."""
    inputs = outputs = cost = 0
    for index, step in enumerate(records):
        found = None if _step_fits(step, latest) else _step_problem(step, latest)
        if found is not None:
            return f"steps[{index}].{found[0]}", found[1]
        inputs += step.input_tokens or 0
        outputs += step.output_tokens or 0
        cost += step.cost_micros or 0
    if inputs > BIGINT_MAX or outputs > BIGINT_MAX:
        name, total = (
            ("input_tokens", inputs) if inputs > BIGINT_MAX else ("output_tokens", outputs)
        )
        return (
            f"steps[].{name}",
            f"the steps' sum {total:,} is more than the maximum {BIGINT_MAX:,}",
        )
    if sum_cost and cost > BIGINT_MAX:
        problem = (
            f"the steps' sum {_usd_text(cost)} is more than the maximum {_usd_text(BIGINT_MAX)}"
        )
        return "steps[].cost_usd", problem
    return None


_STEP_TEXTS = attrgetter("name", "connection", "arguments", "result", "error", "model")
_STEP_COUNTS = attrgetter(
    "duration_ms", "input_tokens", "output_tokens", "cost_micros", "max_tokens"
)


def _step_fits(s: StepRecord, latest: datetime) -> bool:
    """True when ``_step_problem`` finds nothing, decided faster for the common step
    (the hot path): every bound tested inline and one search for a bad character over
    the step's texts joined (a character class finds a NUL or lone surrogate in the
    joined text exactly when one of the texts holds one). A step with cache counts
    answers False, leaving it to ``_step_problem``; so does any step that breaks a
    bound. ``tests/ingest/test_limits.py`` checks True implies no problem."""
    name, connection, arguments, result, error, model = _STEP_TEXTS(s)
    reason = s.finish_reason
    if not (
        1 <= s.seq <= INT_MAX
        and len(name) <= STEP_NAME_CHARS
        and (connection is None or len(connection) <= CONNECTION_CHARS)
        and (model is None or len(model) <= MODEL_CHARS)
        and (reason is None or len(reason) <= FINISH_REASON_CHARS)
        and (arguments is None or len(arguments) <= TEXT_CHARS)
        and (result is None or len(result) <= TEXT_CHARS)
        and (error is None or len(error) <= TEXT_CHARS)
        and s.cache_read_tokens is None
        and s.cache_write_tokens is None
    ):
        return False
    started = s.started_at
    if started is not None and not EARLIEST <= started <= latest:
        return False
    for value in _STEP_COUNTS(s):
        if value is not None and not 0 <= value <= BIGINT_MAX:
            return False
    texts = (name, connection or "", arguments or "", result or "", error or "", model or "")
    return _BAD_CHAR.search("".join(texts) + (reason or "")) is None


def _step_problem(s: StepRecord, latest: datetime) -> Problem | None:
    """One step's fields (path relative to the step)."""
    return (
        _count(s.seq, INT_MAX, "seq", 1)
        or _text(s.name, STEP_NAME_CHARS, "name")
        or _text(s.connection, CONNECTION_CHARS, "connection")
        or _text(s.arguments, TEXT_CHARS, "arguments")
        or _text(s.result, TEXT_CHARS, "result")
        or _text(s.error, TEXT_CHARS, "error")
        or _time(s.started_at, "started_at", latest)
        or _count(s.duration_ms, BIGINT_MAX, "duration_ms")
        or _count(s.input_tokens, BIGINT_MAX, "input_tokens")
        or _count(s.output_tokens, BIGINT_MAX, "output_tokens")
        or _usd(s.cost_micros, "cost_usd")
        or _text(s.model, MODEL_CHARS, "model")
        or _text(s.finish_reason, FINISH_REASON_CHARS, "finish_reason")
        or _count(s.max_tokens, BIGINT_MAX, "max_tokens")
        or _count(s.cache_read_tokens, BIGINT_MAX, "cache_read_tokens")
        or _count(s.cache_write_tokens, BIGINT_MAX, "cache_write_tokens")
        or _cache_problem(s)
    )


def _cache_problem(s: StepRecord) -> Problem | None:
    """The cache counts are parts of ``input_tokens``: none may exceed it, nor their sum."""
    total = s.input_tokens
    if total is None or (s.cache_read_tokens is None and s.cache_write_tokens is None):
        return None
    for name, value in (
        ("cache_read_tokens", s.cache_read_tokens),
        ("cache_write_tokens", s.cache_write_tokens),
    ):
        if value is not None and value > total:
            return (
                name,
                f"{value:,} is more than the step's input_tokens {total:,}, which include it",
            )
    both = (s.cache_read_tokens or 0) + (s.cache_write_tokens or 0)
    if both > total:
        return (
            "cache_write_tokens",
            f"cache_read_tokens + cache_write_tokens = {both:,} is more than the step's "
            f"input_tokens {total:,}, which include both",
        )
    return None


def _requests_problem(rec: RunRecord, latest: datetime) -> Problem | None:
    """Each human request's fields; ``answered_at`` must not precede ``created_at``
    (the request's own, else the run's, which the writer then uses)."""
    run_created = rec.created_at or rec.started_at or rec.finished_at
    for index, h in enumerate(rec.human_requests):
        found = _request_problem(h, latest, run_created)
        if found is not None:
            return f"human_requests[{index}].{found[0]}", found[1]
    return None


def _request_problem(
    h: HumanRequestRecord, latest: datetime, run_created: datetime | None
) -> Problem | None:
    """One request's fields (path relative to the request)."""
    found = (
        _text(h.gate, GATE_CHARS, "gate")
        or _text(h.question, TEXT_CHARS, "question")
        or _text(h.response, TEXT_CHARS, "response")
        or _count(h.step_seq, INT_MAX, "step", 1)
        or _time(h.created_at, "created_at", latest)
        or _time(h.answered_at, "answered_at", latest)
        or _order(h.created_at, h.answered_at, "answered_at", "created_at")
        or _time(h.expires_at, "expires_at", datetime.max.replace(tzinfo=UTC))
        or _order(h.created_at, h.expires_at, "expires_at", "created_at")
    )
    if found is None and h.created_at is None:
        found = _order(run_created, h.answered_at, "answered_at", "the run's created_at")
    return found


def _case_problem(case: CaseRecord | None) -> Problem | None:
    """The case's fields; ``postponed_until`` may lie far ahead (that is its point)."""
    if case is None:
        return None
    return (
        _id(case.id, CASE_ID_CHARS, "case.id")
        or _id(case.queue, QUEUE_CHARS, "case.queue")
        or _text(case.title, CASE_TITLE_CHARS, "case.title")
        or _time(case.postponed_until, "case.postponed_until", datetime.max.replace(tzinfo=UTC))
    )


def _id(value: str, limit: int, field: str) -> Problem | None:
    """An id or name that must not be blank."""
    found = text_problem(value, limit, blank_ok=False)
    return None if found is None else (field, found)


def _text(value: str | None, limit: int, field: str) -> Problem | None:
    """Optional text: the cheap test first, the wording only on failure."""
    if value is None or (len(value) <= limit and _BAD_CHAR.search(value) is None):
        return None
    return field, text_problem(value, limit) or ""


def _count(value: int | None, maximum: int, field: str, minimum: int = 0) -> Problem | None:
    """An integer in ``[minimum, maximum]``."""
    if value is None or minimum <= value <= maximum:
        return None
    if value > maximum:
        return field, f"{value:,} is more than the maximum {maximum:,}"
    if minimum == 0:
        return field, f"must not be negative; got {value}"
    return field, f"must be at least {minimum}; got {value}"


def _usd(micros: int | None, field: str) -> Problem | None:
    """A cost in micro-USD, shown in USD."""
    if micros is None or 0 <= micros <= BIGINT_MAX:
        return None
    if micros < 0:
        return field, f"must not be negative; got {_usd_text(micros)}"
    return field, f"{_usd_text(micros)} is more than the maximum {_usd_text(BIGINT_MAX)}"


def _usd_text(micros: int) -> str:
    """Micro-USD as exact USD text with thousands separators and no trailing zeros:
    ``-5`` → ``-0.000005 USD``, ``18 * 10**18`` → ``18,000,000,000,000 USD``."""
    return usd_text(Decimal(micros).scaleb(-6))


def usd_text(amount: Decimal | float) -> str:
    """A USD amount for messages: thousands separators, up to 6 decimals (micro-USD) without
    trailing zeros (``9,223,372,036,854.775807 USD``, ``9,300,000,000,000 USD``,
    ``0.5 USD``); an amount of 10**15 USD or more, which a cost never reaches, in
    scientific notation (``1e+300 USD``)."""
    if abs(float(amount)) >= 1e15:
        return f"{float(amount):.3g} USD"
    text = f"{amount:,.6f}".rstrip("0").rstrip(".")
    return f"{text} USD"


def _time(value: datetime | None, field: str, latest: datetime) -> Problem | None:
    """A timestamp in ``[EARLIEST, latest]``."""
    if value is None or EARLIEST <= value <= latest:
        return None
    if value < EARLIEST:
        return field, f"{iso(value)} is before {EARLIEST:%Y-%m-%d}"
    return field, f"{iso(value)} is more than {FUTURE_SLACK.days} day after now"


def _order(
    first: datetime | None, then: datetime | None, field: str, first_name: str
) -> Problem | None:
    """``then`` (named ``field``) must not precede ``first`` (named ``first_name``)."""
    if first is None or then is None or then >= first:
        return None
    return field, f"{iso(then)} is before {first_name} {iso(first)}"


def iso(value: datetime) -> str:
    """A timestamp for messages, in UTC: ``2026-03-01T10:00:00Z``."""
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
