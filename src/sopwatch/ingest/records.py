"""What an importer reads out of a file, before it is stored: runs, steps, human requests.

A parser turns a file into an ordered stream of ``RunRecord`` (one job each) and
``RecordError`` (one record it could not read). Units as in the domain: timestamps are
timezone-aware UTC, durations in ms, money in micro-dollars.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

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


@dataclass(frozen=True, kw_only=True, slots=True)
class StepRecord:
    """One step as read from a file; ``seq`` starts at 1 within its run.

    ``arguments``, ``result`` and ``error`` are text: a string as logged, any other JSON
    value as canonical JSON (``domain.payload.json_text``). The model-call details
    (``finish_reason``, ``max_tokens``, ``cache_read_tokens``, ``cache_write_tokens``) mean
    what they mean on ``domain.job.Step``; the cache counts are parts of ``input_tokens``.
    """

    seq: int
    kind: StepKind
    name: str
    status: StepStatus = StepStatus.OK
    connection: str | None = None
    arguments: str | None = None  # canonical JSON text for tool calls given as JSON
    result: str | None = None
    error: str | None = None
    started_at: datetime | None = None
    duration_ms: int | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    cost_micros: int | None = None
    model: str | None = None
    finish_reason: str | None = None
    max_tokens: int | None = None
    cache_read_tokens: int | None = None
    cache_write_tokens: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class HumanRequestRecord:
    """A human request raised by the run; ``step_seq`` is the step that raised it;
    ``response`` is the person's answer when the log has one; ``expires_at`` (UTC) when
    it stops waiting for one (None: never)."""

    type: HumanRequestType
    status: HumanRequestStatus = HumanRequestStatus.PENDING
    gate: str | None = None
    question: str | None = None
    step_seq: int | None = None
    created_at: datetime | None = None
    answered_at: datetime | None = None
    response: str | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class CaseRecord:
    """The case the run worked on; ``id`` is the case's external id, ``queue`` its queue."""

    id: str
    queue: str
    status: CaseStatus
    title: str | None = None
    postponed_until: datetime | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class RunRecord:
    """One agent run read from a file, to be stored as one job.

    ``external_id`` is required and unique within the assignment (import is idempotent on
    it). ``where`` locates the record in its file, as a ``RecordError`` would (e.g.
    ``"runs.jsonl: line 7"``), so a problem found later still names it. ``created_at``
    is None when the source has no timestamps; the importer then lays the runs out evenly
    (``--spread``/``--end``) and sets ``laid_out`` (such a time is not part of the run's
    content: a re-import laid out differently is the same run). ``cost_micros`` is the
    run's own cost when the source reports one, else None (the store sums the steps' costs).
    """

    external_id: str
    status: JobStatus
    where: str = ""
    assignment: str | None = None
    revision: int | None = None
    source: Source = Source.INGESTED
    created_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None
    duration_ms: int | None = None
    input: str | None = None
    input_type: str | None = None
    output: str | None = None
    verdict: Verdict | None = None
    failure_kind: str | None = None
    error: str | None = None
    cost_micros: int | None = None
    model: str | None = None
    case: CaseRecord | None = None
    steps: tuple[StepRecord, ...] = ()
    human_requests: tuple[HumanRequestRecord, ...] = field(default=())
    laid_out: bool = False
    trigger_key: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class RecordError:
    """A record that could not be read or stored: ``where`` locates it (file and
    line/index/id). ``records`` is how many records it refused: 1 (one record), 0 for an
    error about a whole file or document that refused no record it could count (it cannot
    be read, it is not the format), more for one error standing for several (a JSONL
    file's lines that are not UTF-8, runs without an assignment). The import's counts add
    up with it: records found = new + updated + unchanged + refused.

    ``str()`` is ``<where>: <problem>``, always printable: a lone surrogate copied from
    the input (which no terminal or UTF-8 file can take) is shown as ``\\udXXX``.
    """

    where: str
    problem: str
    records: int = field(default=1, compare=False)  # a count, not what the error is

    def __str__(self) -> str:
        text = f"{self.where}: {self.problem}"
        if text.isascii():
            return text
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


@dataclass(frozen=True, kw_only=True, slots=True)
class FileNote:
    """Something a parser says once about a whole file that is not an error: it is empty,
    or its records lack a field and what was inferred instead (e.g. "no termination
    reason: status inferred from the messages"). ``where`` is the file's name, or
    ``<file>: document N`` for one of several JSON documents in it."""

    where: str
    note: str

    def __str__(self) -> str:
        return f"{self.where}: {self.note}"


#: What a parser yields: a run, a record it could not read, or a note about the file.
ParsedItem = RunRecord | RecordError | FileNote
