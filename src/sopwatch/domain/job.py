"""The job aggregate: a job, its steps and the human requests it raised.

Units: timestamps are timezone-aware UTC, durations in milliseconds, money in integer
micro-dollars (``cost_micros``; 1 USD = 1,000,000).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from sopwatch.domain.enums import (
    HumanRequestStatus,
    HumanRequestType,
    JobStatus,
    Source,
    StepKind,
    StepStatus,
    Verdict,
)

MICROS_PER_USD = 1_000_000


def usd_to_micros(usd: float | None) -> int | None:
    """Convert a USD amount to integer micro-dollars (rounded half to even); None stays None."""
    if usd is None:
        return None
    return round(usd * MICROS_PER_USD)


@dataclass(frozen=True, kw_only=True, slots=True)
class Step:
    """One step of a job: a model call, a tool call, a gate wait, or an agent-logic error.

    ``seq`` starts at 1 and orders the steps. ``arguments`` and ``result`` are text
    (canonical JSON for anything but a string, ``domain.payload``), truncated at the
    store's payload limit; ``arguments_bytes``/``result_bytes`` then give the full UTF-8
    size (None: the text is whole). For model steps: ``finish_reason`` as the provider
    reports it (``stop``, ``length``, ``tool_calls``…), ``max_tokens`` the output limit the
    call asked for, ``cache_read_tokens``/``cache_write_tokens`` the parts of
    ``input_tokens`` read from or written to the prompt cache; ``cost_estimated`` is True
    when ``cost_micros`` was computed from tokens (genai-prices) rather than reported.
    """

    job_id: int
    seq: int
    kind: StepKind
    name: str
    status: StepStatus
    connection: str | None = None
    arguments: str | None = None
    result: str | None = None
    error: str | None = None
    started_at: datetime | None = None
    duration_ms: int | None = None
    input_tokens: int | None = None
    output_tokens: int | None = None
    cost_micros: int | None = None
    model: str | None = None
    arguments_bytes: int | None = None
    result_bytes: int | None = None
    finish_reason: str | None = None
    max_tokens: int | None = None
    cache_read_tokens: int | None = None
    cache_write_tokens: int | None = None
    cost_estimated: bool = False


@dataclass(frozen=True, kw_only=True, slots=True)
class HumanRequest:
    """An Activity Inbox item raised by a job at a gate; a pending one pauses the job."""

    id: int
    job_id: int
    type: HumanRequestType
    status: HumanRequestStatus
    created_at: datetime
    gate: str | None = None
    step_seq: int | None = None
    question: str | None = None
    answered_at: datetime | None = None
    response: str | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Job:
    """One execution of one revision of an assignment.

    ``external_id`` is the id an imported run had where it came from (unique within the
    assignment); jobs are named by it in reports when present. ``cost_micros`` is the
    job's model cost as reported, else the sum of its steps' costs; None when unknown;
    ``cost_estimated`` is True when any part of it was computed from tokens. ``input`` and
    ``output`` are text (canonical JSON for anything but a string), cut at the payload
    limit; ``input_bytes``/``output_bytes`` then give the full UTF-8 size.
    """

    id: int
    team_id: int
    assignment_id: int
    status: JobStatus
    source: Source
    created_at: datetime
    revision_id: int | None = None
    revision_number: int | None = None
    external_id: str | None = None
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
    input_tokens: int | None = None
    output_tokens: int | None = None
    case_id: int | None = None
    cost_estimated: bool = False
    trigger_key: str | None = None
    input_bytes: int | None = None
    output_bytes: int | None = None

    @property
    def label(self) -> str:
        """How reports name the job: its external id when imported, else ``job-<id>``."""
        return self.external_id if self.external_id is not None else f"job-{self.id}"


def step_time(step: Step, job: Job) -> datetime:
    """When a step ran (UTC): its ``started_at``, else its job's start, else its job's
    creation."""
    return step.started_at or job.started_at or job.created_at


class BaselineJob(NamedTuple):
    """One job of the daily check's baseline (``monitor.context.Baseline``) as the checks
    read it: only the fields they compare (counts by status, source, verdict, revision
    and trigger key; cost and duration spreads; the scheduled runs' times; the cases),
    read by position from one query (``store.window.baseline_jobs``), several times
    cheaper to build than a ``Job`` for the hundreds of thousands of a long baseline
    (docs/performance.md). Same meaning and
    units as the ``Job`` fields of the same names: ``created_at`` UTC, ``duration_ms`` in
    ms, ``cost_micros`` in micro-dollars."""

    id: int
    external_id: str | None
    status: JobStatus
    source: Source
    created_at: datetime
    revision_number: int | None
    duration_ms: int | None
    cost_micros: int | None
    cost_estimated: bool
    verdict: Verdict | None
    trigger_key: str | None
    case_id: int | None

    @property
    def label(self) -> str:
        """How reports name the job (as ``Job.label``)."""
        return self.external_id if self.external_id is not None else f"job-{self.id}"

    @classmethod
    def of(cls, job: Job) -> BaselineJob:
        """The baseline fields of a ``Job`` (for a baseline built by hand)."""
        return cls(
            job.id,
            job.external_id,
            job.status,
            job.source,
            job.created_at,
            job.revision_number,
            job.duration_ms,
            job.cost_micros,
            job.cost_estimated,
            job.verdict,
            job.trigger_key,
            job.case_id,
        )
