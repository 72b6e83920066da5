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
from typing import Any

import sqlalchemy as sa

from sopwatch.domain.enums import HumanRequestStatus, JobStatus, StepKind
from sopwatch.ingest.pricing import RunCosts
from sopwatch.ingest.records import HumanRequestRecord, RunRecord
from sopwatch.store import assignments as assignment_store
from sopwatch.store.base import utcnow
from sopwatch.store.cases import ensure_queue, upsert_case

Row = dict[str, Any]

_DETAIL_COLUMNS = ("finish_reason", "max_tokens", "cache_read_tokens", "cache_write_tokens")
_NO_DETAILS = (None, None, None, None)


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


def _sum(values: list[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


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
        """The ``jobs`` row for ``rec`` (every column but ``id``). Creates the revision
        and upserts the case it names."""
        created = created_at(rec)
        duration = rec.duration_ms
        if duration is None and rec.started_at and rec.finished_at:
            duration = int((rec.finished_at - rec.started_at).total_seconds() * 1000)
        text_in, in_bytes = truncate(rec.input, self.limit)
        text_out, out_bytes = truncate(rec.output, self.limit)
        cost, estimated = job_cost(rec, costs)
        return {
            "team_id": self.team_id,
            "assignment_id": assignment_id,
            "revision_id": self._revision_id(conn, assignment_id, rec),
            "external_id": rec.external_id,
            "status": stored_status(rec).value,
            "source": rec.source.value,
            "imported": True,
            "created_at": created,
            "started_at": rec.started_at,
            "finished_at": rec.finished_at,
            "duration_ms": duration,
            "input": text_in,
            "input_bytes": in_bytes,
            "input_type": rec.input_type,
            "output": text_out,
            "output_bytes": out_bytes,
            "verdict": rec.verdict.value if rec.verdict else None,
            "failure_kind": rec.failure_kind,
            "error": rec.error,
            "cost_micros": cost,
            "input_tokens": _sum([s.input_tokens for s in rec.steps]),
            "output_tokens": _sum([s.output_tokens for s in rec.steps]),
            "model": rec.model,
            "case_id": self._case_id(conn, rec, created),
            "updated_at": rec.finished_at or created,
            "cost_estimated": estimated,
            "content_hash": content_hash,
            "trigger_key": rec.trigger_key,
        }

    def step_rows(self, job_id: int, rec: RunRecord, costs: RunCosts | None) -> list[Row]:
        """The ``steps`` rows of ``rec``, with estimated costs from ``costs``. The
        model-call detail columns are left out (NULL, ``cost_estimated`` false) of rows
        that have none, which makes the common insert cheaper (``store.bulk``)."""
        limit = self.limit
        rows = []
        for i, s in enumerate(rec.steps):
            args, args_bytes = truncate(s.arguments, limit)
            res, res_bytes = truncate(s.result, limit)
            row = {
                "job_id": job_id,
                "seq": s.seq,
                "kind": s.kind.value,
                "name": s.name,
                "status": s.status.value,
                "connection": s.connection,
                "arguments": args,
                "arguments_bytes": args_bytes,
                "result": res,
                "result_bytes": res_bytes,
                "error": s.error,
                "started_at": s.started_at,
                "duration_ms": s.duration_ms,
                "input_tokens": s.input_tokens,
                "output_tokens": s.output_tokens,
                "cost_micros": s.cost_micros if costs is None else costs.costs[i],
                "model": s.model,
            }
            details = (s.finish_reason, s.max_tokens, s.cache_read_tokens, s.cache_write_tokens)
            estimated = costs is not None and costs.estimated[i]
            if estimated or details != _NO_DETAILS:
                row.update(zip(_DETAIL_COLUMNS, details, strict=True))
                row["cost_estimated"] = estimated
            rows.append(row)
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
    """The ``human_requests`` row of one request."""
    return {
        "job_id": job_id,
        "step_seq": h.step_seq,
        "gate": h.gate,
        "type": h.type.value,
        "question": h.question,
        "status": h.status.value,
        "response": h.response,
        "escalations": 0,
        "created_at": h.created_at or job_created,
        "answered_at": h.answered_at,
        "expires_at": h.expires_at,
    }
