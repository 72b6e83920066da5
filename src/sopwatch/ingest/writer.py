"""Writes batches of parsed runs to the store with executemany (the import's hot path).

Every record is first checked against ``limits`` (the values both databases can store,
and token counts that add up); a refused record is reported with its location and field
and costs nothing else. Then, per assignment, each run's content hash (``content``)
sorts it: new external id → inserted; known id with the same hash → unchanged (nothing
written); known id with another hash → the stored job is updated (``reimport``, which
may refuse a status change). A run that states no revision (no ``--revision``, none of its
own) keeps the stored job's: it is hashed and updated as if it named that revision, so a
file imported with ``--revision 2`` and again without is unchanged. A second run with an
id this import already kept is a duplicate: an error on the later one, the first stays.

A batch is one transaction. If the database still refuses it (any error a bad value can
raise at insert: SQLAlchemy's, ``OverflowError``, ``ValueError``, ``UnicodeError``), it is
rolled back and each half is written the same way, down to single records, so only the
bad record is refused, with the database's one-line message. Counts and the ids this
import has kept are taken over only once their transaction has committed, so a retried
record counts once.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from sopwatch.domain.facts import SideEffect
from sopwatch.ingest import reimport
from sopwatch.ingest.content import content_hash
from sopwatch.ingest.facts import FACT_COLUMNS, facts_of_values
from sopwatch.ingest.limits import name_problem, problems
from sopwatch.ingest.pricing import Pricer, RunCosts
from sopwatch.ingest.records import RecordError, RunRecord
from sopwatch.ingest.rows import (
    JOB_COLUMNS,
    REQUEST_COLUMNS,
    STEP_COLUMNS,
    RowBuilder,
    created_at,
    request_values,
)
from sopwatch.ingest.tally import Tally
from sopwatch.store import assignments as assignment_store
from sopwatch.store.base import utcnow
from sopwatch.store.bulk import insert_values, insert_values_returning_ids
from sopwatch.store.facts import SIDE_EFFECT_COLUMNS, side_effects
from sopwatch.store.jobs import human_requests, jobs, steps
from sopwatch.store.planner import Statistics
from sopwatch.store.reimport import stored_jobs

if TYPE_CHECKING:
    from sopwatch.ingest.importer import ImportResult

#: What a bad value can raise at insert, on SQLite (``OverflowError`` for an integer
#: beyond 64 bits, ``UnicodeEncodeError`` for a lone surrogate) or PostgreSQL (wrapped
#: ``DataError``); ``limits`` should have refused the record before.
INSERT_ERRORS = (sa.exc.SQLAlchemyError, OverflowError, ValueError, UnicodeError)

_JOB_COLUMNS = (*JOB_COLUMNS, *FACT_COLUMNS)


def _name_problem(name: str) -> str | None:
    """What is wrong with the assignment a record goes to (``--assignment`` or its own)."""
    if not name:
        return "field 'assignment': missing; give --assignment or an 'assignment' field"
    found = name_problem(name)
    return None if found is None else f"field 'assignment': {found}"


def _where(record: RunRecord) -> str:
    return record.where or f"run {record.external_id}"


def _refusal(exc: Exception) -> str:
    """The database's own one-line message for a refused insert (the last resort)."""
    cause = getattr(exc, "orig", None) or exc
    lines = str(cause).strip().splitlines()
    return f"the database refused it: {lines[0] if lines else type(cause).__name__}"


def _grouped(pairs: list[tuple[str, RunRecord]]) -> list[tuple[str, list[RunRecord]]]:
    """(name, record) pairs as (name, records) groups, in order of first appearance."""
    groups: dict[str, list[RunRecord]] = defaultdict(list)
    for name, record in pairs:
        groups[name].append(record)
    return list(groups.items())


class BatchWriter:
    """Stores runs for one team, caching assignment, revision and queue ids and model
    prices between batches.

    Remembers, per assignment name, every external id this import has stored or found
    stored: a later record with the same id is a duplicate (an error), not a skip.
    ``actor`` is who the ``job.updated`` audit events name.
    """

    def __init__(
        self, engine: sa.Engine, team_id: int, payload_limit: int, actor: str = "sopwatch"
    ) -> None:
        self.engine = engine
        self.team_id = team_id
        self.actor = actor
        self._rows = RowBuilder(team_id, payload_limit)
        self._pricer = Pricer()
        self._assignments: dict[str, int] = {}
        self._kept: dict[str, set[str]] = defaultdict(set)
        self._statistics = Statistics()

    def write(self, batch: list[RunRecord], override: str | None, result: ImportResult) -> None:
        """Store ``batch``; count into ``result``; never raise for bad data."""
        groups = self._checked(batch, override, result)
        imported = result.imported
        self._write_groups(list(groups.items()), result)
        self._statistics.written(self.engine, result.imported - imported)

    def _write_groups(
        self, groups: list[tuple[str, list[RunRecord]]], result: ImportResult
    ) -> None:
        """Write ``groups`` (assignment name, records) in one transaction; when the
        database refuses it, roll back and write each half the same way, down to the one
        record it refuses (an error in ``result``)."""
        tally = Tally()
        try:
            with self.engine.begin() as conn:
                for name, records in groups:
                    self._write_group(conn, name, records, tally)
        except INSERT_ERRORS as exc:
            self._reset_caches()
            pairs = [(name, record) for name, records in groups for record in records]
            if len(pairs) == 1:
                record = pairs[0][1]
                result.errors.append(RecordError(where=_where(record), problem=_refusal(exc)))
                return
            half = len(pairs) // 2
            self._write_groups(_grouped(pairs[:half]), result)
            self._write_groups(_grouped(pairs[half:]), result)
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

    def _merge(self, tally: Tally, result: ImportResult) -> None:
        tally.add_to(result)
        for name, ids in tally.kept.items():
            self._kept[name].update(ids)

    def _reset_caches(self) -> None:
        self._assignments.clear()
        self._rows.reset()

    def _write_group(
        self, conn: sa.Connection, name: str, records: list[RunRecord], tally: Tally
    ) -> None:
        assignment_id = self._assignment_id(conn, name)
        firsts = self._firsts(name, records, tally)
        if not firsts:
            return
        stored = stored_jobs(conn, assignment_id, firsts)
        tally.kept[name].extend(firsts)
        fresh: list[tuple[RunRecord, str]] = []
        changes: list[reimport.Change] = []
        for key, record in firsts.items():
            found = stored.get(key)
            if found is not None and record.revision is None and found.revision is not None:
                record = replace(record, revision=found.revision)  # it keeps its revision
            digest = content_hash(record, name)
            if found is None:
                fresh.append((record, digest))
            elif found.content_hash == digest:
                tally.unchanged += 1
            else:
                changes.append(reimport.Change(record, found, digest))
        self._insert(conn, assignment_id, fresh, tally)
        reimport.update_jobs(
            conn, self._rows, self._pricer, assignment_id, changes, tally, self.actor
        )

    def _insert(
        self,
        conn: sa.Connection,
        assignment_id: int,
        fresh: list[tuple[RunRecord, str]],
        tally: Tally,
    ) -> None:
        """Insert new jobs with their steps, requests and side effects: rows built as
        value lists and handed to the driver in bulk (``store.bulk``)."""
        if not fresh:
            return
        builder, pricer = self._rows, self._pricer
        job_rows: list[list[Any]] = []
        built: list[tuple[RunRecord, RunCosts | None, list[list[Any]], list[SideEffect]]] = []
        for record, digest in fresh:
            cost = pricer.run_costs(record)
            job = builder.job_values(conn, assignment_id, record, digest, cost)
            step_rows = builder.step_values(record, cost)  # job id set once known
            facts, effects = facts_of_values(job, step_rows)
            job.extend(facts)
            job_rows.append(job)
            built.append((record, cost, step_rows, effects))
        job_ids = insert_values_returning_ids(conn, jobs, _JOB_COLUMNS, job_rows)
        all_steps: list[list[Any]] = []
        requests: list[list[Any]] = []
        effect_rows: list[tuple[Any, ...]] = []
        for job_id, (record, cost, step_rows, effects) in zip(job_ids, built, strict=True):
            for row in step_rows:
                row[0] = job_id
            all_steps.extend(step_rows)
            for e in effects:
                effect_rows.append((assignment_id, job_id, e.seq, e.tool, e.digest, e.at))
            if record.human_requests:
                created = created_at(record)
                requests.extend(request_values(job_id, h, created) for h in record.human_requests)
            tally.written(record, cost, len(step_rows))
        insert_values(conn, steps, STEP_COLUMNS, all_steps)
        insert_values(conn, human_requests, REQUEST_COLUMNS, requests)
        insert_values(conn, side_effects, SIDE_EFFECT_COLUMNS, effect_rows)
        tally.imported += len(fresh)
        tally.laid_out += sum(record.laid_out for record, _ in fresh)  # stored at that time

    def _assignment_id(self, conn: sa.Connection, name: str) -> int:
        if name not in self._assignments:
            found = assignment_store.ensure_assignment(conn, self.team_id, name)
            self._assignments[name] = found.id
        return self._assignments[name]

    def _firsts(self, name: str, records: list[RunRecord], tally: Tally) -> dict[str, RunRecord]:
        """external id → record, for the records whose id this import has not kept yet.

        One whose id this import already kept, earlier in the batch or in an earlier batch
        or file, is a duplicate: an error on the later record, the first one stays.
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
        return firsts
