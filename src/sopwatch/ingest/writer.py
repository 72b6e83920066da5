"""Writes batches of parsed runs to the store with executemany (the import's hot path).

Every record is first checked against ``limits`` (the values both databases can store);
a refused record is reported with its location and field and costs nothing else. A
batch is one transaction. If the database still refuses it (any error a bad value can
raise at insert: SQLAlchemy's, ``OverflowError``, ``ValueError``, ``UnicodeError``), it is
rolled back and its records are written one by one, so only the bad record is refused,
with the database's one-line message. Counts and the ids this import has kept are taken
over only once their transaction has committed, so a retried record counts once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from sopwatch.domain.enums import StepKind
from sopwatch.ingest.limits import ASSIGNMENT_CHARS, problems, text_problem
from sopwatch.ingest.records import RecordError, RunRecord
from sopwatch.store import assignments as assignment_store
from sopwatch.store.base import utcnow
from sopwatch.store.bulk import insert_returning_ids, insert_rows
from sopwatch.store.cases import ensure_queue, upsert_case
from sopwatch.store.jobs import human_requests, jobs, steps

if TYPE_CHECKING:
    from sopwatch.ingest.importer import ImportResult

Row = dict[str, Any]

#: What a bad value can raise at insert, on SQLite (``OverflowError`` for an integer
#: beyond 64 bits, ``UnicodeEncodeError`` for a lone surrogate) or PostgreSQL (wrapped
#: ``DataError``); ``limits`` should have refused the record before.
INSERT_ERRORS = (sa.exc.SQLAlchemyError, OverflowError, ValueError, UnicodeError)


def _name_problem(name: str) -> str | None:
    """What is wrong with the assignment a record goes to (``--assignment`` or its own)."""
    if not name:
        return "field 'assignment': missing; give --assignment or an 'assignment' field"
    found = text_problem(name, ASSIGNMENT_CHARS, blank_ok=False)
    return None if found is None else f"field 'assignment': {found}"


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


def _sum(values: list[int | None]) -> int | None:
    known = [v for v in values if v is not None]
    return sum(known) if known else None


def _steps_cost(rec: RunRecord) -> int | None:
    """The run's cost from its steps: the sum when every model step has a cost, else None
    (a partial sum would understate the job, e.g. tau2 runs where only the canned greeting
    carries ``cost: 0.0``).
    """
    model_costs = [s.cost_micros for s in rec.steps if s.kind is StepKind.MODEL]
    if any(c is None for c in model_costs):
        return None
    return _sum([s.cost_micros for s in rec.steps])


@dataclass
class _Tally:
    """What one transaction did; added to the import's result once it has committed."""

    imported: int = 0
    skipped: int = 0
    steps: int = 0
    errors: list[RecordError] = field(default_factory=list)
    kept: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))


def _where(record: RunRecord) -> str:
    return record.where or f"run {record.external_id}"


def _refusal(exc: Exception) -> str:
    """The database's own one-line message for a refused insert (the last resort)."""
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    return f"the database refused it: {lines[0] if lines else type(cause).__name__}"


class BatchWriter:
    """Stores runs for one team, caching assignment, revision and queue ids between batches.

    Remembers, per assignment name, every external id this import has stored or found
    stored: a later record with the same id is a duplicate (an error), not a skip.
    """

    def __init__(self, engine: sa.Engine, team_id: int, payload_limit: int) -> None:
        self.engine = engine
        self.team_id = team_id
        self.limit = payload_limit
        self._assignments: dict[str, int] = {}
        self._revisions: dict[tuple[int, int], int] = {}
        self._queues: dict[str, int] = {}
        self._kept: dict[str, set[str]] = defaultdict(set)

    def write(self, batch: list[RunRecord], override: str | None, result: ImportResult) -> None:
        """Store ``batch``; count into ``result``; never raise for bad data."""
        groups = self._checked(batch, override, result)
        tally = _Tally()
        try:
            with self.engine.begin() as conn:
                for name, records in groups.items():
                    self._write_group(conn, name, records, tally)
        except INSERT_ERRORS:
            self._reset_caches()
            self._write_one_by_one(groups, result)
        else:
            self._merge(tally, result)

    def _checked(
        self, batch: list[RunRecord], override: str | None, result: ImportResult
    ) -> dict[str, list[RunRecord]]:
        """The records that pass ``limits``, by assignment name; the rest go to ``result``."""
        now = utcnow()
        groups: dict[str, list[RunRecord]] = defaultdict(list)
        name_problems: dict[str, str | None] = {}
        for record in batch:
            name = override or record.assignment or ""
            if name not in name_problems:
                name_problems[name] = _name_problem(name)
            error = problems(record, now)
            bad_name = name_problems[name]
            if error is None and bad_name is not None:
                error = RecordError(where=_where(record), problem=bad_name)
            if error is None:
                groups[name].append(record)
            else:
                result.errors.append(error)
        return groups

    def _write_one_by_one(self, groups: dict[str, list[RunRecord]], result: ImportResult) -> None:
        for name, records in groups.items():
            for record in records:
                tally = _Tally()
                try:
                    with self.engine.begin() as conn:
                        self._write_group(conn, name, [record], tally)
                except INSERT_ERRORS as exc:
                    self._reset_caches()
                    result.errors.append(RecordError(where=_where(record), problem=_refusal(exc)))
                else:
                    self._merge(tally, result)

    def _merge(self, tally: _Tally, result: ImportResult) -> None:
        result.imported += tally.imported
        result.unchanged += tally.skipped
        result.steps += tally.steps
        result.errors.extend(tally.errors)
        for name, ids in tally.kept.items():
            self._kept[name].update(ids)

    def _reset_caches(self) -> None:
        self._assignments.clear()
        self._revisions.clear()
        self._queues.clear()

    def _write_group(
        self, conn: sa.Connection, name: str, records: list[RunRecord], tally: _Tally
    ) -> None:
        assignment_id = self._assignment_id(conn, name)
        fresh = self._new_records(conn, assignment_id, name, records, tally)
        if not fresh:
            return
        rows = [self._job_row(conn, assignment_id, r) for r in fresh]
        job_ids = insert_returning_ids(conn, jobs, rows)
        step_rows: list[Row] = []
        request_rows: list[Row] = []
        for job_id, record in zip(job_ids, fresh, strict=True):
            step_rows.extend(self._step_rows(job_id, record))
            request_rows.extend(self._request_rows(job_id, record))
        insert_rows(conn, steps, step_rows)
        insert_rows(conn, human_requests, request_rows)
        tally.imported += len(fresh)
        tally.steps += len(step_rows)

    def _assignment_id(self, conn: sa.Connection, name: str) -> int:
        if name not in self._assignments:
            found = assignment_store.ensure_assignment(conn, self.team_id, name)
            self._assignments[name] = found.id
        return self._assignments[name]

    def _revision_id(self, conn: sa.Connection, assignment_id: int, rec: RunRecord) -> int | None:
        if rec.revision is None:
            return None
        key = (assignment_id, rec.revision)
        if key not in self._revisions:
            found = assignment_store.ensure_revision(conn, assignment_id, rec.revision, rec.model)
            self._revisions[key] = found.id
        return self._revisions[key]

    def _new_records(
        self,
        conn: sa.Connection,
        assignment_id: int,
        name: str,
        records: list[RunRecord],
        tally: _Tally,
    ) -> list[RunRecord]:
        """The records to insert: those whose external id is new to the assignment.

        A record whose id was stored before this import is skipped (idempotent import); one
        whose id this import already kept, earlier in the batch or in an earlier batch or
        file, is a duplicate: an error on the later record, the first one stays.
        """
        kept = self._kept[name]
        firsts: dict[str, RunRecord] = {}
        for record in records:
            key = record.external_id
            if key in kept or key in firsts:
                problem = f"field 'id': duplicate id {key!r} in this import; the first one was kept"
                tally.errors.append(RecordError(where=_where(record), problem=problem))
            else:
                firsts[key] = record
        if not firsts:
            return []
        stored = set(
            conn.execute(
                sa.select(jobs.c.external_id).where(
                    jobs.c.assignment_id == assignment_id, jobs.c.external_id.in_(list(firsts))
                )
            ).scalars()
        )
        tally.skipped += len(stored)
        tally.kept[name].extend(firsts)
        return [r for key, r in firsts.items() if key not in stored]

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

    def _job_row(self, conn: sa.Connection, assignment_id: int, rec: RunRecord) -> Row:
        created = rec.created_at or rec.started_at or rec.finished_at or utcnow()
        duration = rec.duration_ms
        if duration is None and rec.started_at and rec.finished_at:
            duration = int((rec.finished_at - rec.started_at).total_seconds() * 1000)
        text_in, in_bytes = truncate(rec.input, self.limit)
        text_out, out_bytes = truncate(rec.output, self.limit)
        cost = rec.cost_micros
        if cost is None:
            cost = _steps_cost(rec)
        return {
            "team_id": self.team_id,
            "assignment_id": assignment_id,
            "revision_id": self._revision_id(conn, assignment_id, rec),
            "external_id": rec.external_id,
            "status": rec.status.value,
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
        }

    def _step_rows(self, job_id: int, rec: RunRecord) -> list[Row]:
        limit = self.limit
        rows = []
        for s in rec.steps:
            args, args_bytes = truncate(s.arguments, limit)
            res, res_bytes = truncate(s.result, limit)
            rows.append(
                {
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
                    "cost_micros": s.cost_micros,
                    "model": s.model,
                }
            )
        return rows

    def _request_rows(self, job_id: int, rec: RunRecord) -> list[Row]:
        created = rec.created_at or rec.started_at or rec.finished_at or utcnow()
        return [
            {
                "job_id": job_id,
                "step_seq": h.step_seq,
                "gate": h.gate,
                "type": h.type.value,
                "question": h.question,
                "status": h.status.value,
                "escalations": 0,
                "created_at": h.created_at or created,
                "answered_at": h.answered_at,
            }
            for h in rec.human_requests
        ]
