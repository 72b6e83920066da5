"""sopwatch's generic JSONL run format: one JSON object per line, one run per object.

The fields, their types, units and defaults are documented in ``docs/jsonl-format.md``.
Built for volume (a million steps per import): per step only plain dict access, small
type checks and one ``StepRecord``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

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
from sopwatch.domain.payload import json_text
from sopwatch.ingest.files import SAVE_AS_UTF8, Input, ReadError, as_input
from sopwatch.ingest.formats._common import (
    EMPTY_NOTE,
    SHAPE_ERRORS,
    FieldError,
    json_error,
    json_line,
    parse_arguments,
    parse_time,
    problem_text,
    show,
    span_ms,
    text_of,
    usd,
)
from sopwatch.ingest.formats._values import count, enum_value, id_text, opt_str, seq_value
from sopwatch.ingest.limits import iso
from sopwatch.ingest.records import (
    CaseRecord,
    FileNote,
    HumanRequestRecord,
    ParsedItem,
    RecordError,
    RunRecord,
    StepRecord,
)

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


def parse(source: Path | Input) -> Iterator[ParsedItem]:
    """Read a JSONL file into one ``RunRecord`` per non-blank line, in file order.

    ``source`` is a path or a ``files.Input`` (plain or gzip, UTF-8 or UTF-16 with a BOM).
    Times (ISO 8601, naive = UTC, or epoch seconds/ms) come out aware UTC; durations in ms;
    ``cost_usd`` becomes micro-dollars. Never raises: a line that is not a JSON object or
    has a bad field yields ``RecordError(where="<file>: line <n>", problem="field
    '<path.to.field>': ...")`` (lines count from 1, list indices in field paths from 0) and
    the other lines still come out; a line cut off by the end of the file says so. Lines
    holding bytes that are not UTF-8 give one ``RecordError(where=<file>)`` for the whole
    file (first byte and offset, lines skipped); a file that cannot be read (or whose gzip
    data is cut off) gives one ``RecordError`` at the line it stopped at. An empty file
    yields one ``FileNote``. Each ``RunRecord`` carries its ``where`` too.
    """
    source = as_input(source)
    prefix = f"{source.name}: line "
    lineno = offset = 0
    seen = False
    bad_text: _BadText | None = None
    try:
        for lineno, raw in enumerate(source.lines(), 1):
            start = offset
            offset += len(raw)
            if raw.isspace():
                continue
            seen = True
            try:
                result = _record(raw, prefix + str(lineno))
            except UnicodeDecodeError as exc:
                bad_text = bad_text or _BadText(raw[exc.start], start + exc.start, lineno)
                bad_text.lines += 1
                continue
            yield result
    except ReadError as exc:
        seen = True
        where = prefix + str(lineno + 1) if lineno else source.name
        yield RecordError(where=where, problem=exc.problem, records=0)  # the rest is lost
    if bad_text is not None:
        yield RecordError(where=source.name, problem=bad_text.problem(), records=bad_text.lines)
    if not seen:
        yield FileNote(where=source.name, note=EMPTY_NOTE)


def _record(raw: bytes, where: str) -> RunRecord | RecordError:
    """One non-blank line as a run, or the error that names what is wrong with it. Raises
    ``UnicodeDecodeError`` for a line that is not UTF-8 (the file reports those once)."""
    try:
        obj = json_line(raw)
    except UnicodeDecodeError:
        raise
    except (ValueError, RecursionError) as exc:
        return RecordError(where=where, problem=_json_problem(exc))
    try:
        return _run(obj, where)
    except SHAPE_ERRORS as exc:
        return RecordError(where=where, problem=problem_text(exc))


@dataclass(slots=True)
class _BadText:
    """The lines of a file that are not UTF-8: the first bad byte, its offset in the
    (decompressed) text, its line, and how many lines were skipped."""

    byte: int
    offset: int
    line: int
    lines: int = 0

    def problem(self) -> str:
        skipped = "1 line" if self.lines == 1 else f"{self.lines:,} lines"
        return (
            f"not UTF-8 text (byte 0x{self.byte:02x} at offset {self.offset:,}, line "
            f"{self.line}): {SAVE_AS_UTF8}; {skipped} with such bytes skipped"
        )


def _json_problem(exc: ValueError | RecursionError) -> str:
    """Problem text for a line that is not JSON, at its column in the line; a line that
    ends inside its JSON value says so, and the last line, cut off by the end of the file
    (no newline), says that."""
    if not isinstance(exc, json.JSONDecodeError):
        return json_error(exc)
    doc = exc.doc
    line = doc.rstrip("\r\n")
    column = exc.colno if exc.lineno == 1 else len(line) + 1  # past the newline: its end
    problem = f"invalid JSON at column {column}: {exc.msg}"
    at_end = exc.pos >= len(doc.rstrip()) or exc.msg.startswith("Unterminated string")
    if not at_end:
        return problem
    if line != doc:
        return f"the line ends inside its JSON value ({problem})"
    return f"cut off: the file ends inside this line's JSON ({problem})"


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
    status = enum_value(_JOB_STATUS, get("status"), "", "status", None)
    if status is None:
        status = _infer_status(obj, requests, finished)
    duration = count(get("duration_ms"), "", "duration_ms")
    return RunRecord(
        external_id=id_text(get("id"), "id"),
        status=status,
        where=where,
        assignment=opt_str(get("assignment"), "", "assignment"),
        revision=count(get("revision"), "", "revision"),
        source=enum_value(_SOURCE, get("source"), "", "source", Source.INGESTED),
        created_at=created,
        started_at=started,
        finished_at=finished,
        duration_ms=duration if duration is not None else span_ms(started, finished),
        input=json_text(get("input")),
        input_type=opt_str(get("input_type"), "", "input_type"),
        output=json_text(get("output")),
        verdict=enum_value(_VERDICT, get("verdict"), "", "verdict", None),
        failure_kind=opt_str(get("failure_kind"), "", "failure_kind"),
        error=json_text(get("error")),
        cost_micros=usd(get("cost_usd"), "cost_usd"),
        model=opt_str(get("model"), "", "model"),
        case=_case(get("case")),
        trigger_key=_trigger_key(get("trigger_key")),
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
    """One step object as a ``StepRecord`` (hot path: dict access and type checks only;
    a value of the expected type is taken as it is, anything else goes to the helper
    that converts it or names what is wrong)."""
    at = f"steps[{index}]."
    if type(d) is not dict:
        raise FieldError(at[:-1], f"must be an object; got {show(d)}")
    get = d.get
    seq = get("seq")
    if seq is None:
        seq = index + 1
    elif type(seq) is not int or seq < 1:
        seq = seq_value(seq, at)
    name = get("name")
    if type(name) is not str or not name:
        raise FieldError(at + "name", f"must be a non-empty string; got {show(name)}")
    error = get("error")
    if error is not None and type(error) is not str:
        error = json_text(error)
    status = get("status")
    if status is not None:
        found = _STEP_STATUS.get(status) if type(status) is str else None
        status = found or enum_value(_STEP_STATUS, status, at, "status")
    kind = get("kind")
    kind = (_STEP_KIND.get(kind) if type(kind) is str else None) or enum_value(
        _STEP_KIND, kind, at, "kind"
    )
    arguments = get("arguments")
    if arguments is not None:
        arguments = parse_arguments(arguments)[1]
    result = get("result")
    if result is not None and type(result) is not str:
        result = text_of(result)
    started, duration = _timing(get, at)
    cost = get("cost_usd")
    return StepRecord(
        seq=seq,
        kind=kind,
        name=name,
        status=status or (StepStatus.OK if error is None else StepStatus.ERROR),
        connection=_text(get("connection"), at, "connection"),
        arguments=arguments,
        result=result,
        error=error,
        started_at=started,
        duration_ms=duration,
        input_tokens=_count(get("input_tokens"), at, "input_tokens"),
        output_tokens=_count(get("output_tokens"), at, "output_tokens"),
        cost_micros=None if cost is None else usd(cost, at + "cost_usd"),
        model=_text(get("model"), at, "model"),
        finish_reason=_text(get("finish_reason"), at, "finish_reason"),
        max_tokens=_count(get("max_tokens"), at, "max_tokens"),
        cache_read_tokens=_count(get("cache_read_tokens"), at, "cache_read_tokens"),
        cache_write_tokens=_count(get("cache_write_tokens"), at, "cache_write_tokens"),
    )


def _text(value: Any, at: str, name: str) -> str | None:
    """``opt_str`` with its common answers (None, a string) first."""
    if value is None or type(value) is str:
        return value
    return opt_str(value, at, name)


def _count(value: Any, at: str, name: str) -> int | None:
    """``count`` with its common answers (None, a non-negative int) first."""
    if value is None or (type(value) is int and value >= 0):
        return value
    return count(value, at, name)


def _timing(get: Callable[[str], Any], at: str) -> tuple[datetime | None, int | None]:
    """``(started_at, duration_ms)`` of a step: ``duration_ms``, else finished − started.

    Raises ``FieldError`` when ``finished_at`` is before ``started_at``.
    """
    started = get("started_at")
    if started is not None:
        started = parse_time(started, at + "started_at")
    duration = get("duration_ms")
    if duration is not None:
        return started, count(duration, at, "duration_ms")
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
        step = count(d.get("step"), at, "step")
        if step is not None and step not in seqs:
            raise FieldError(at + "step", f"no step with seq {step} in this run")
        requests.append(
            HumanRequestRecord(
                type=enum_value(_REQUEST_TYPE, d.get("type"), at, "type"),
                status=enum_value(
                    _REQUEST_STATUS, d.get("status"), at, "status", HumanRequestStatus.PENDING
                ),
                gate=opt_str(d.get("gate"), at, "gate"),
                question=opt_str(d.get("question"), at, "question"),
                step_seq=step,
                created_at=parse_time(d.get("created_at"), at + "created_at"),
                answered_at=parse_time(d.get("answered_at"), at + "answered_at"),
                response=json_text(d.get("response")),
                expires_at=parse_time(d.get("expires_at"), at + "expires_at"),
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
        id=id_text(d.get("id"), "case.id"),
        queue=queue,
        status=enum_value(_CASE_STATUS, d.get("status"), "case.", "status"),
        title=opt_str(d.get("title"), "case.", "title"),
        postponed_until=parse_time(d.get("postponed_until"), "case.postponed_until"),
    )


def _trigger_key(value: object) -> str | None:
    """``trigger_key``: a string, or an integer as its decimal text (a record id); None
    when absent. Raises ``FieldError`` for any other JSON type."""
    if type(value) is int:
        return str(value)
    return opt_str(value, "", "trigger_key")
