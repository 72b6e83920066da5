"""sopwatch's generic JSONL run format: one JSON object per line, one run per object.

The fields, their types, units and defaults are documented in ``docs/jsonl-format.md``.
Built for volume (a million steps per import): per step only plain dict access, small
type checks and one ``StepRecord``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar, overload

from sopwatch.domain.enums import (
    CaseStatus,
    HumanRequestStatus,
    HumanRequestType,
    JobStatus,
    Source,
    StepKind,
    StepStatus,
    Verdict,
)
from sopwatch.ingest.formats._common import (
    SHAPE_ERRORS,
    FieldError,
    canonical_json,
    json_error,
    parse_time,
    problem_text,
    show,
    span_ms,
    text_of,
    usd,
)
from sopwatch.ingest.limits import iso
from sopwatch.ingest.records import (
    CaseRecord,
    HumanRequestRecord,
    RecordError,
    RunRecord,
    StepRecord,
)

E = TypeVar("E", bound=StrEnum)

_JOB_STATUS = {
    s.value: s
    for s in (
        JobStatus.COMPLETED,
        JobStatus.FAILED,
        JobStatus.NEEDS_INPUT,
        JobStatus.STOPPED,
        JobStatus.RUNNING,
    )
}
_SOURCE = {s.value: s for s in Source}
_VERDICT = {s.value: s for s in Verdict}
_CASE_STATUS = {s.value: s for s in CaseStatus}
_STEP_KIND = {s.value: s for s in StepKind}
_STEP_STATUS = {s.value: s for s in StepStatus}
_REQUEST_TYPE = {s.value: s for s in HumanRequestType}
_REQUEST_STATUS = {s.value: s for s in HumanRequestStatus}


def parse(path: Path) -> Iterator[RunRecord | RecordError]:
    """Read a JSONL file into one ``RunRecord`` per non-blank line, in file order.

    Times are ISO 8601 (naive = UTC) and come out aware UTC; durations in ms; ``cost_usd``
    becomes micro-dollars. Never raises: a line that is not a JSON object or has a bad
    field yields ``RecordError(where="<path>: line <n>", problem="field '<path.to.field>':
    ...")`` (lines count from 1, list indices in field paths from 0) and the other lines
    still come out; an unreadable file yields one ``RecordError(where=str(path))``. Each
    ``RunRecord`` carries its ``where`` (``"<path>: line <n>"``) too.
    """
    lineno = 0
    prefix = f"{path}: line "
    try:
        with path.open("rb") as lines:
            for lineno, raw in enumerate(lines, 1):
                if raw.isspace():
                    continue
                where = prefix + str(lineno)
                result: RunRecord | RecordError
                try:
                    obj = json.loads(raw)
                except (ValueError, RecursionError) as exc:
                    result = RecordError(where=where, problem=_json_problem(exc))
                else:
                    try:
                        result = _run(obj, where)
                    except SHAPE_ERRORS as exc:
                        result = RecordError(where=where, problem=problem_text(exc))
                yield result
    except OSError as exc:
        where = f"{path}: line {lineno + 1}" if lineno else str(path)
        yield RecordError(where=where, problem=f"cannot read file: {exc.strerror or exc}")


def _json_problem(exc: ValueError | RecursionError) -> str:
    """Problem text for a line that is not JSON: bad JSON (with column) or bad UTF-8."""
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON at column {exc.colno}: {exc.msg}"
    if isinstance(exc, UnicodeDecodeError):
        return f"not UTF-8: {exc}"
    return json_error(exc)


def _run(obj: object, where: str = "") -> RunRecord:
    """One line's object as a ``RunRecord`` located at ``where``; raises ``FieldError`` on
    a bad field."""
    if type(obj) is not dict:
        raise FieldError("", f"must be a JSON object; got {show(obj)}")
    get = obj.get
    steps = _steps(get("steps"))
    requests = _requests(get("human_requests"), steps)
    started = parse_time(get("started_at"), "started_at")
    finished = parse_time(get("finished_at"), "finished_at")
    created = parse_time(get("created_at"), "created_at") or started
    status = _enum(_JOB_STATUS, get("status"), "", "status", None)
    if status is None:
        status = _infer_status(obj, requests, finished)
    duration = _count(get("duration_ms"), "", "duration_ms")
    return RunRecord(
        external_id=_id(get("id"), "id"),
        status=status,
        where=where,
        assignment=_str(get("assignment"), "", "assignment"),
        revision=_count(get("revision"), "", "revision"),
        source=_enum(_SOURCE, get("source"), "", "source", Source.INGESTED),
        created_at=created,
        started_at=started,
        finished_at=finished,
        duration_ms=duration if duration is not None else span_ms(started, finished),
        input=_str(get("input"), "", "input"),
        input_type=_str(get("input_type"), "", "input_type"),
        output=_str(get("output"), "", "output"),
        verdict=_enum(_VERDICT, get("verdict"), "", "verdict", None),
        failure_kind=_str(get("failure_kind"), "", "failure_kind"),
        error=_str(get("error"), "", "error"),
        cost_micros=usd(get("cost_usd"), "cost_usd"),
        model=_str(get("model"), "", "model"),
        case=_case(get("case")),
        steps=steps,
        human_requests=requests,
    )


def _infer_status(
    obj: Mapping[str, Any], requests: tuple[HumanRequestRecord, ...], finished: datetime | None
) -> JobStatus:
    """Status when ``status`` is absent: failed, needs_input, completed or running (in order)."""
    if obj.get("error") is not None or obj.get("failure_kind") is not None:
        return JobStatus.FAILED
    if any(r.status is HumanRequestStatus.PENDING for r in requests):
        return JobStatus.NEEDS_INPUT
    return JobStatus.COMPLETED if finished is not None else JobStatus.RUNNING


def _steps(raw: object) -> tuple[StepRecord, ...]:
    """``steps`` as records; ``seq`` defaults to the 1-based position and must be unique."""
    if raw is None:
        return ()
    if type(raw) is not list:
        raise FieldError("steps", f"must be a list; got {show(raw)}")
    steps = []
    seen: set[int] = set()
    for index, item in enumerate(raw):
        step = _step(item, index)
        if step.seq in seen:
            raise FieldError(f"steps[{index}].seq", f"duplicate seq {step.seq}")
        seen.add(step.seq)
        steps.append(step)
    return tuple(steps)


def _step(d: object, index: int) -> StepRecord:
    """One step object as a ``StepRecord`` (hot path: dict access and type checks only)."""
    at = f"steps[{index}]."
    if type(d) is not dict:
        raise FieldError(at[:-1], f"must be an object; got {show(d)}")
    get = d.get
    seq = get("seq")
    if seq is None:
        seq = index + 1
    elif type(seq) is not int or seq < 1:
        raise FieldError(at + "seq", f"must be an integer >= 1; got {show(seq)}")
    name = get("name")
    if type(name) is not str or not name:
        raise FieldError(at + "name", f"must be a non-empty string; got {show(name)}")
    error = _str(get("error"), at, "error")
    status = get("status")
    status = _enum(_STEP_STATUS, status, at, "status") if status is not None else None
    arguments = get("arguments")
    if arguments is not None and type(arguments) is not str:
        arguments = canonical_json(arguments)
    started, duration = _timing(get, at)
    cost = get("cost_usd")
    return StepRecord(
        seq=seq,
        kind=_enum(_STEP_KIND, get("kind"), at, "kind"),
        name=name,
        status=status or (StepStatus.OK if error is None else StepStatus.ERROR),
        connection=_str(get("connection"), at, "connection"),
        arguments=arguments,
        result=text_of(get("result")),
        error=error,
        started_at=started,
        duration_ms=duration,
        input_tokens=_count(get("input_tokens"), at, "input_tokens"),
        output_tokens=_count(get("output_tokens"), at, "output_tokens"),
        cost_micros=None if cost is None else usd(cost, at + "cost_usd"),
        model=_str(get("model"), at, "model"),
    )


def _timing(get: Callable[[str], Any], at: str) -> tuple[datetime | None, int | None]:
    """``(started_at, duration_ms)`` of a step: ``duration_ms``, else finished − started.

    Raises ``FieldError`` when ``finished_at`` is before ``started_at``.
    """
    started = get("started_at")
    if started is not None:
        started = parse_time(started, at + "started_at")
    duration = get("duration_ms")
    if duration is not None:
        return started, _count(duration, at, "duration_ms")
    finished = get("finished_at")
    if finished is None or started is None:
        return started, None
    end = parse_time(finished, at + "finished_at")
    if end is not None and end < started:
        raise FieldError(at + "finished_at", f"{iso(end)} is before started_at {iso(started)}")
    return started, span_ms(started, end)


def _requests(raw: object, steps: tuple[StepRecord, ...]) -> tuple[HumanRequestRecord, ...]:
    """``human_requests`` as records; a request's ``step`` must be the seq of one of ``steps``."""
    if raw is None:
        return ()
    if type(raw) is not list:
        raise FieldError("human_requests", f"must be a list; got {show(raw)}")
    seqs = {step.seq for step in steps}
    requests = []
    for index, d in enumerate(raw):
        at = f"human_requests[{index}]."
        if type(d) is not dict:
            raise FieldError(at[:-1], f"must be an object; got {show(d)}")
        step = _count(d.get("step"), at, "step")
        if step is not None and step not in seqs:
            raise FieldError(at + "step", f"no step with seq {step} in this run")
        requests.append(
            HumanRequestRecord(
                type=_enum(_REQUEST_TYPE, d.get("type"), at, "type"),
                status=_enum(
                    _REQUEST_STATUS, d.get("status"), at, "status", HumanRequestStatus.PENDING
                ),
                gate=_str(d.get("gate"), at, "gate"),
                question=_str(d.get("question"), at, "question"),
                step_seq=step,
                created_at=parse_time(d.get("created_at"), at + "created_at"),
                answered_at=parse_time(d.get("answered_at"), at + "answered_at"),
            )
        )
    return tuple(requests)


def _case(d: object) -> CaseRecord | None:
    """``case`` as a ``CaseRecord``; ``id``, ``queue`` and ``status`` are required."""
    if d is None:
        return None
    if type(d) is not dict:
        raise FieldError("case", f"must be an object; got {show(d)}")
    queue = d.get("queue")
    if type(queue) is not str or not queue.strip():
        raise FieldError("case.queue", f"must be a non-blank string; got {show(queue)}")
    return CaseRecord(
        id=_id(d.get("id"), "case.id"),
        queue=queue,
        status=_enum(_CASE_STATUS, d.get("status"), "case.", "status"),
        title=_str(d.get("title"), "case.", "title"),
        postponed_until=parse_time(d.get("postponed_until"), "case.postponed_until"),
    )


def _id(value: object, field: str) -> str:
    """An external id: a non-blank string, or an integer turned into its decimal text."""
    if type(value) is int:
        return str(value)
    if type(value) is not str or not value.strip():
        problem = (
            "missing"
            if value is None
            else f"must be a non-blank string or integer; got {show(value)}"
        )
        raise FieldError(field, problem)
    return value


def _str(value: object, at: str, name: str) -> str | None:
    """A string or None; raises ``FieldError`` (field ``at + name``) for any other JSON type."""
    if value is None:
        return None
    if type(value) is str:
        return value
    raise FieldError(at + name, f"must be a string; got {show(value)}")


def _count(value: object, at: str, name: str) -> int | None:
    """A non-negative integer or None (no floats, no booleans); else ``FieldError``."""
    if value is None:
        return None
    if type(value) is int and value >= 0:
        return value
    raise FieldError(at + name, f"must be a non-negative integer; got {show(value)}")


_REQUIRED: Any = object()


@overload
def _enum(table: dict[str, E], value: object, at: str, name: str) -> E: ...
@overload
def _enum(table: dict[str, E], value: object, at: str, name: str, default: E) -> E: ...
@overload
def _enum(table: dict[str, E], value: object, at: str, name: str, default: None) -> E | None: ...
def _enum(
    table: dict[str, E], value: object, at: str, name: str, default: E | None = _REQUIRED
) -> E | None:
    """Look ``value`` up in ``table`` (value -> member); errors name the field ``at + name``.

    None gives ``default``; without a default, None is an error ("missing"). Raises
    ``FieldError`` listing the allowed values for an unknown value or a non-string.
    """
    if value is None:
        if default is _REQUIRED:
            raise FieldError(at + name, f"missing; must be one of {', '.join(table)}")
        return default
    member = table.get(value) if type(value) is str else None
    if member is None:
        got = repr(value) if type(value) is str else show(value)
        raise FieldError(at + name, f"must be one of {', '.join(table)}; got {got}")
    return member
