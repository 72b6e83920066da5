"""The check's window reads: the window's jobs with their derived facts, and the writes
that repeat (so the duplicate check reads no step).

Both read the window through the jobs' (team, assignment, created_at) index; the facts
are columns of the same rows (``domain/facts.py``, migration 0004), so knowing each job's
counts, loop figures and connections costs no step read.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa

from sopwatch.domain.facts import FACTS_VERSION, JobFacts
from sopwatch.domain.job import BaselineJob, Job
from sopwatch.store.facts import side_effects
from sopwatch.store.jobs import JOB_STATUS_OF, SOURCE_OF, VERDICT_OF, human_requests, jobs, steps

#: The ``jobs`` columns a ``Job`` is built from, in ``_job_tuple``'s order, and the fact
#: columns read after them (``_facts``'s order).
_JOB_COLUMNS = (
    "id", "team_id", "assignment_id", "status", "source", "created_at", "revision_id",
    "external_id", "started_at", "finished_at", "duration_ms", "input", "input_type",
    "output", "verdict", "failure_kind", "error", "cost_micros", "input_tokens",
    "output_tokens", "case_id", "cost_estimated", "trigger_key", "input_bytes",
    "output_bytes",
)  # fmt: skip
_FACT_COLUMNS = (
    "facts_version", "tool_calls", "model_calls", "failed_steps", "truncated_calls",
    "loop_calls", "loop_rounds", "first_failed_seq", "ending_seq", "ending_name",
    "error_class", "error_fingerprint", "connections", "input_digest",
)  # fmt: skip


def _job(row: Sequence[Any], revision_number: int | None) -> Job:
    """A ``Job`` from the first ``len(_JOB_COLUMNS)`` values of ``row``, by position
    (several times cheaper than by name for the tens of thousands of a window)."""
    return Job(
        id=row[0],
        team_id=row[1],
        assignment_id=row[2],
        status=JOB_STATUS_OF[row[3]],
        source=SOURCE_OF[row[4]],
        created_at=row[5],
        revision_id=row[6],
        revision_number=revision_number,
        external_id=row[7],
        started_at=row[8],
        finished_at=row[9],
        duration_ms=row[10],
        input=row[11],
        input_type=row[12],
        output=row[13],
        verdict=VERDICT_OF[row[14]] if row[14] else None,
        failure_kind=row[15],
        error=row[16],
        cost_micros=row[17],
        input_tokens=row[18],
        output_tokens=row[19],
        case_id=row[20],
        cost_estimated=bool(row[21]),
        trigger_key=row[22],
        input_bytes=row[23],
        output_bytes=row[24],
    )


def _facts(values: Sequence[Any]) -> JobFacts | None:
    """The ``JobFacts`` of a row's fact columns (``_FACT_COLUMNS`` order); None when they
    were not derived, or by rules of another ``FACTS_VERSION`` (the check then reads the
    job's steps)."""
    if values[0] != FACTS_VERSION:
        return None
    connections = values[12]
    return JobFacts(
        tool_calls=values[1] or 0,
        model_calls=values[2] or 0,
        failed_steps=values[3] or 0,
        truncated_calls=values[4] or 0,
        loop_calls=values[5] or 0,
        loop_rounds=values[6] or 0,
        first_failed_seq=values[7],
        ending_seq=values[8],
        ending_name=values[9],
        error_class=values[10],
        error_fingerprint=values[11],
        connections=tuple(connections.split("\n")) if connections else (),
        input_digest=values[13],
    )


def created_between(
    team_id: int, assignment_id: int, start: datetime, end: datetime
) -> list[sa.ColumnElement[bool]]:
    """The conditions of the assignment's jobs created in ``[start, end)``: with the team,
    so the (team, assignment, created_at) index reads the range alone (without it SQLite
    reads every job of the assignment through the (assignment, status) index, a cost
    that grows with history)."""
    return [
        jobs.c.team_id == team_id,
        jobs.c.assignment_id == assignment_id,
        jobs.c.created_at >= start,
        jobs.c.created_at < end,
    ]


def window_jobs(
    conn: sa.Connection,
    team_id: int,
    assignment_id: int,
    start: datetime,
    end: datetime,
    *,
    text: bool = True,
    with_facts: bool = True,
) -> tuple[list[Job], dict[int, JobFacts]]:
    """The assignment's jobs created in ``[start, end)`` (UTC), oldest first, and job id
    → facts for those whose facts are current. ``text``: with input and output (else
    both None: a baseline only counts); ``with_facts``: read the facts (else ``{}``).
    One query through the (team, assignment, created_at) index, rows read by position."""
    from sopwatch.store.assignments import revisions

    columns: list[sa.ColumnElement[Any]] = [
        jobs.c[name] if text or name not in ("input", "output") else sa.null()
        for name in _JOB_COLUMNS
    ]
    if with_facts:
        columns += [jobs.c[name] for name in _FACT_COLUMNS]
    query = (
        sa.select(*columns, revisions.c.number)
        .outerjoin(revisions, revisions.c.id == jobs.c.revision_id)
        .where(*created_between(team_id, assignment_id, start, end))
        .order_by(jobs.c.created_at, jobs.c.id)
    )
    found: list[Job] = []
    facts: dict[int, JobFacts] = {}
    split = len(_JOB_COLUMNS)
    for row in conn.execute(query):
        job = _job(row, row[-1])
        found.append(job)
        derived = _facts(row[split:-1]) if with_facts else None
        if derived is not None:
            facts[job.id] = derived
    return found, facts


#: The ``jobs`` columns of a ``BaselineJob``, in its field order (``revision_number`` is
#: the joined revision's number).
_BASELINE_COLUMNS = (
    "id", "external_id", "status", "source", "created_at", "revision_number",
    "duration_ms", "cost_micros", "cost_estimated", "verdict", "trigger_key", "case_id",
)  # fmt: skip


def baseline_jobs(
    conn: sa.Connection, team_id: int, assignment_id: int, start: datetime, end: datetime
) -> list[BaselineJob]:
    """The assignment's jobs created in ``[start, end)`` (UTC), oldest first (by
    ``created_at``, id), as ``BaselineJob``: only the columns the checks compare, one
    query through the (team, assignment, created_at) index, the driver's rows read by
    position (no ``Job`` built, no SQLAlchemy value processing: docs/performance.md
    "The check's read path")."""
    from sopwatch.store.assignments import revisions

    columns = [
        revisions.c.number if name == "revision_number" else jobs.c[name]
        for name in _BASELINE_COLUMNS
    ]
    query = (
        sa.select(*columns)
        .outerjoin(revisions, revisions.c.id == jobs.c.revision_id)
        .where(*created_between(team_id, assignment_id, start, end))
        .order_by(jobs.c.created_at, jobs.c.id)
    )
    status, source, verdict = JOB_STATUS_OF, SOURCE_OF, VERDICT_OF
    utc = _utc_of(conn.dialect.name)
    with conn.execute(query) as result:
        rows = result.cursor.fetchall()  # the driver's tuples: no per-value processing
    return [
        BaselineJob(
            r[0],
            r[1],
            status[r[2]],
            source[r[3]],
            utc(r[4]),
            r[5],
            r[6],
            r[7],
            bool(r[8]),
            verdict[r[9]] if r[9] else None,
            r[10],
            r[11],
        )
        for r in rows
    ]


def _utc_of(dialect: str) -> Callable[[Any], datetime]:
    """The conversion of a driver's ``created_at`` value to an aware UTC datetime, as
    ``store.base.UtcDateTime`` reads it: SQLite stores naive UTC text, PostgreSQL
    returns an aware datetime."""
    if dialect == "sqlite":
        return lambda value: datetime.fromisoformat(value).replace(tzinfo=UTC)
    return lambda value: value.astimezone(UTC)


def repeated_writes(
    conn: sa.Connection,
    team_id: int,
    assignment_id: int,
    start: datetime,
    end: datetime,
    within_ms: int | None = None,
) -> list[tuple[int, int, str, str, datetime]]:
    """``(job id, seq, tool, arguments, at)`` of every successful write (``side_effects``)
    of the assignment's jobs created in ``[start, end)`` whose tool and arguments digest
    another of those writes has too: the only calls a duplicate side effect can be made
    of. With ``within_ms``, only the writes of a (tool, digest) that one job made twice
    or that two jobs made within ``within_ms`` (+1 ms, for the float arithmetic of
    SQLite's ``julianday``) of each other: the others are never a duplicate
    (``monitor.checks.duplicates._close``), and on a busy window they are most rows.
    ``arguments`` is the step's text (one row through the steps' (job_id, seq) index),
    ``at`` the step's time (UTC). One grouped query; no step is built."""
    se = side_effects.c
    in_window = (
        sa.select(se.job_id, se.seq, se.tool, se.digest, se.at)
        .join(jobs, jobs.c.id == se.job_id)
        .where(*created_between(team_id, assignment_id, start, end))
        .cte("in_window")
    )
    w = in_window.c
    if within_ms is None:
        repeated = (
            sa.select(w.tool, w.digest)
            .group_by(w.tool, w.digest)
            .having(sa.func.count() > 1)
            .subquery("repeated")
        )
    else:
        repeated = _close_keys(conn.dialect.name, in_window, within_ms)
    query = (
        sa.select(w.job_id, w.seq, w.tool, steps.c.arguments, w.at)
        .join(repeated, sa.and_(repeated.c.tool == w.tool, repeated.c.digest == w.digest))
        .join(steps, sa.and_(steps.c.job_id == w.job_id, steps.c.seq == w.seq))
    )
    return [(r[0], r[1], r[2], r[3], r[4]) for r in conn.execute(query)]


def _close_keys(dialect: str, in_window: sa.CTE, within_ms: int) -> sa.Subquery:
    """The (tool, digest) pairs of ``in_window`` with more than one write, and either
    more writes than jobs, or two writes within ``within_ms`` (+1 ms) of each other (the
    gap to the previous write of the pair, ``lag``, in both dialects)."""
    w = in_window.c
    prev = sa.func.lag(w.at).over(partition_by=(w.tool, w.digest), order_by=w.at)
    lagged = sa.select(w.tool, w.digest, w.job_id, w.at, prev.label("prev")).subquery("lagged")
    g = lagged.c
    gap_ms: sa.ColumnElement[Any]
    if dialect == "sqlite":
        gap_ms = (sa.func.julianday(g.at) - sa.func.julianday(g.prev)) * 86_400_000.0
    else:
        gap_ms = sa.extract("epoch", g.at - g.prev) * 1000
    close = sa.case((gap_ms <= within_ms + 1, 1), else_=0)
    return (
        sa.select(g.tool, g.digest)
        .group_by(g.tool, g.digest)
        .having(
            sa.func.count() > 1,
            sa.or_(
                sa.func.count() > sa.func.count(sa.distinct(g.job_id)),
                sa.func.max(close) == 1,
            ),
        )
        .subquery("repeated")
    )


def count_requests_between(
    conn: sa.Connection, team_id: int, assignment_id: int, start: datetime, end: datetime
) -> int:
    """How many human requests the assignment's jobs created in ``[start, end)`` raised
    (one join query through the jobs' (team, assignment, created_at) index)."""
    query = (
        sa.select(sa.func.count())
        .select_from(human_requests.join(jobs, jobs.c.id == human_requests.c.job_id))
        .where(*created_between(team_id, assignment_id, start, end))
    )
    return int(conn.execute(query).scalar_one())
