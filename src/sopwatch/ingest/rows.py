"""Rows for the ``jobs``, ``steps`` and ``human_requests`` tables, built from a parsed run.

Rules applied here (docs/importing.md):

- payloads (job input/output, step arguments/result) are cut at the payload limit, with
  the full UTF-8 size kept in ``*_bytes``;
- a run that says ``completed`` while one of its human requests is still ``pending`` is
  stored ``needs_input`` (``stored_status``): the job cannot have finished while it
  waits for a person;
- a step's cost is its own, else estimated from tokens (``pricing``); the job's cost is
  the run's own, else the sum of its steps' when every model step has one (a partial sum
  would understate it, e.g. tau2 runs where only the canned greeting carries
  ``cost: 0.0``); ``cost_estimated`` marks a job whose cost includes an estimate.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa

from sopwatch.domain.enums import HumanRequestStatus, JobStatus, Source, StepKind, StepStatus
from sopwatch.ingest.pricing import RunCosts
from sopwatch.ingest.records import HumanRequestRecord, RunRecord
from sopwatch.store import assignments as assignment_store
from sopwatch.store.base import utcnow
from sopwatch.store.cases import ensure_queue, upsert_case

Row = dict[str, Any]

#: A member of the enums stored as text → its value as a plain ``str`` (an enum's
#: ``.value`` is a property costing ~0.2 µs; the hot path reads a few per step).
_TEXT: dict[StrEnum, str] = {
    member: member.value for enum in (JobStatus, Source, StepKind, StepStatus) for member in enum
}

#: The ``jobs`` columns a new job's row gives, in the order of ``job_values``.
JOB_COLUMNS = (
    "team_id", "assignment_id", "revision_id", "external_id", "status", "source", "imported",
    "created_at", "started_at", "finished_at", "duration_ms", "input", "input_bytes",
    "input_type", "output", "output_bytes", "verdict", "failure_kind", "error", "cost_micros",
    "input_tokens", "output_tokens", "model", "case_id", "updated_at", "cost_estimated",
    "content_hash", "trigger_key",
)  # fmt: skip
#: The ``steps`` columns, in the order of ``step_values``.
STEP_COLUMNS = (
    "job_id", "seq", "kind", "name", "status", "connection", "arguments", "arguments_bytes",
    "result", "result_bytes", "error", "started_at", "duration_ms", "input_tokens",
    "output_tokens", "cost_micros", "model", "finish_reason", "max_tokens",
    "cache_read_tokens", "cache_write_tokens", "cost_estimated",
)  # fmt: skip
#: The ``human_requests`` columns, in the order of ``request_values``.
REQUEST_COLUMNS = (
    "job_id", "step_seq", "gate", "type", "question", "status", "response", "escalations",
    "created_at", "answered_at", "expires_at",
)  # fmt: skip


def truncate(text: str | None, limit: int) -> tuple[str | None, int | None]:
    """``(text, None)`` when ``text`` fits in ``limit`` UTF-8 bytes, else
    ``(first limit bytes, full size in bytes)``. Cuts on a character boundary.
    """
    if text is None or len(text) * 4 <= limit:
        return text, None
    raw = text.encode("utf-8")
    if len(raw) <= limit:
        return text, None
    return raw[:limit].decode("utf-8", errors="ignore"), len(raw)


def stored_status(rec: RunRecord) -> JobStatus:
    """The status the job is stored with: ``needs_input`` for a run that says
    ``completed`` while one of its human requests is still pending, else its own."""
    if rec.status is JobStatus.COMPLETED and any(
        h.status is HumanRequestStatus.PENDING for h in rec.human_requests
    ):
        return JobStatus.NEEDS_INPUT
    return rec.status


def created_at(rec: RunRecord) -> datetime:
    """The job's creation time: ``created_at``, else started, else finished, else now."""
    return rec.created_at or rec.started_at or rec.finished_at or utcnow()


def job_cost(rec: RunRecord, costs: RunCosts | None) -> tuple[int | None, bool]:
    """The job's cost in micro-USD and whether any part of it is estimated (module rule);
    unknown when the steps' costs add up to more than the column holds."""
    if rec.cost_micros is not None:
        return rec.cost_micros, False
    if costs is not None and costs.sum_too_large:
        return None, False
    step_costs = costs.costs if costs is not None else [s.cost_micros for s in rec.steps]
    total: int | None = None
    for step, cost in zip(rec.steps, step_costs, strict=True):
        if cost is None:
            if step.kind is StepKind.MODEL:
                return None, False
        else:
            total = cost if total is None else total + cost
    return total, costs is not None and costs.any_estimated


class RowBuilder:
    """Builds rows for one team, caching revision and queue ids (``reset`` after a rolled
    back transaction, as they may name rows that were never committed)."""

    def __init__(self, team_id: int, payload_limit: int) -> None:
        self.team_id = team_id
        self.limit = payload_limit
        self._revisions: dict[tuple[int, int], int] = {}
        self._queues: dict[str, int] = {}

    def reset(self) -> None:
        """Forget the cached ids."""
        self._revisions.clear()
        self._queues.clear()

    def job_row(
        self,
        conn: sa.Connection,
        assignment_id: int,
        rec: RunRecord,
        content_hash: str,
        costs: RunCosts | None,
    ) -> Row:
        """The ``jobs`` row for ``rec`` (every column of ``JOB_COLUMNS``) as a dict.
        Creates the revision and upserts the case it names."""
        values = self.job_values(conn, assignment_id, rec, content_hash, costs)
        return dict(zip(JOB_COLUMNS, values, strict=True))

    def job_values(
        self,
        conn: sa.Connection,
        assignment_id: int,
        rec: RunRecord,
        content_hash: str,
        costs: RunCosts | None,
    ) -> list[Any]:
        """The ``jobs`` row for ``rec`` as values in ``JOB_COLUMNS`` order (timestamps
        aware UTC). Creates the revision and upserts the case it names."""
        created = created_at(rec)
        duration = rec.duration_ms
        if duration is None and rec.started_at and rec.finished_at:
            duration = int((rec.finished_at - rec.started_at).total_seconds() * 1000)
        text_in, in_bytes = truncate(rec.input, self.limit)
        text_out, out_bytes = truncate(rec.output, self.limit)
        cost, estimated = job_cost(rec, costs)
        input_tokens = output_tokens = None
        for s in rec.steps:
            if s.input_tokens is not None:
                input_tokens = s.input_tokens + (input_tokens or 0)
            if s.output_tokens is not None:
                output_tokens = s.output_tokens + (output_tokens or 0)
        return [
            self.team_id,
            assignment_id,
            self._revision_id(conn, assignment_id, rec),
            rec.external_id,
            _TEXT[stored_status(rec)],
            _TEXT[rec.source],
            True,
            created,
            rec.started_at,
            rec.finished_at,
            duration,
            text_in,
            in_bytes,
            rec.input_type,
            text_out,
            out_bytes,
            rec.verdict.value if rec.verdict else None,
            rec.failure_kind,
            rec.error,
            cost,
            input_tokens,
            output_tokens,
            rec.model,
            self._case_id(conn, rec, created),
            rec.finished_at or created,
            estimated,
            content_hash,
            rec.trigger_key,
        ]

    def step_rows(self, job_id: int, rec: RunRecord, costs: RunCosts | None) -> list[Row]:
        """The ``steps`` rows of ``rec`` as dicts (every column of ``STEP_COLUMNS``),
        with estimated costs from ``costs``."""
        rows = self.step_values(rec, costs)
        for row in rows:
            row[0] = job_id
        return [dict(zip(STEP_COLUMNS, row, strict=True)) for row in rows]

    def step_values(self, rec: RunRecord, costs: RunCosts | None) -> list[list[Any]]:
        """The ``steps`` rows of ``rec`` as value lists in ``STEP_COLUMNS`` order, the
        job id (first) left None for the caller to set, with estimated costs from
        ``costs``. Payloads are cut at the payload limit (``truncate``)."""
        limit = self.limit
        quarter = limit // 4
        rows = []
        estimated = costs.estimated if costs is not None else None
        for i, s in enumerate(rec.steps):
            args, res = s.arguments, s.result
            args_bytes = res_bytes = None
            if args is not None and len(args) > quarter:
                args, args_bytes = truncate(args, limit)
            if res is not None and len(res) > quarter:
                res, res_bytes = truncate(res, limit)
            rows.append(
                [
                    None,
                    s.seq,
                    _TEXT[s.kind],
                    s.name,
                    _TEXT[s.status],
                    s.connection,
                    args,
                    args_bytes,
                    res,
                    res_bytes,
                    s.error,
                    s.started_at,
                    s.duration_ms,
                    s.input_tokens,
                    s.output_tokens,
                    s.cost_micros if costs is None else costs.costs[i],
                    s.model,
                    s.finish_reason,
                    s.max_tokens,
                    s.cache_read_tokens,
                    s.cache_write_tokens,
                    False if estimated is None else estimated[i],
                ]
            )
        return rows

    def request_rows(self, job_id: int, rec: RunRecord) -> list[Row]:
        """The ``human_requests`` rows of ``rec`` (a request without a time of its own
        takes the job's creation time)."""
        created = created_at(rec)
        return [request_row(job_id, h, created) for h in rec.human_requests]

    def _revision_id(self, conn: sa.Connection, assignment_id: int, rec: RunRecord) -> int | None:
        if rec.revision is None:
            return None
        key = (assignment_id, rec.revision)
        if key not in self._revisions:
            found = assignment_store.ensure_revision(conn, assignment_id, rec.revision, rec.model)
            self._revisions[key] = found.id
        return self._revisions[key]

    def _case_id(self, conn: sa.Connection, rec: RunRecord, at: datetime) -> int | None:
        case = rec.case
        if case is None:
            return None
        if case.queue not in self._queues:
            self._queues[case.queue] = ensure_queue(conn, self.team_id, case.queue)
        return upsert_case(
            conn,
            self._queues[case.queue],
            case.id,
            case.status,
            case.title,
            case.postponed_until,
            at,
        )


def request_row(job_id: int, h: HumanRequestRecord, job_created: datetime) -> Row:
    """The ``human_requests`` row of one request, as a dict."""
    return dict(zip(REQUEST_COLUMNS, request_values(job_id, h, job_created), strict=True))


def request_values(job_id: int, h: HumanRequestRecord, job_created: datetime) -> list[Any]:
    """The ``human_requests`` row of one request, in ``REQUEST_COLUMNS`` order (a request
    without a time of its own takes the job's creation time)."""
    return [
        job_id,
        h.step_seq,
        h.gate,
        h.type.value,
        h.question,
        h.status.value,
        h.response,
        0,
        h.created_at or job_created,
        h.answered_at,
        h.expires_at,
    ]
