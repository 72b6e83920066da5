"""Queries for what is unfinished, for the checks of what is absent or too old: running
jobs of any age, the last step of given jobs, and jobs whose case is still postponed.

Each reads through an index and is bounded (a limit, one row per job, or a created_at
range), so a check stays cheap however long the history (docs/architecture.md "Facts
measured").
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa

from sopwatch.domain.case import Case
from sopwatch.domain.enums import CaseStatus, JobStatus
from sopwatch.domain.job import Job, Step
from sopwatch.store.cases import cases
from sopwatch.store.jobs import _chunks, _job_select, job_from_row, jobs, step_from_row, steps


def running_jobs_before(
    conn: sa.Connection, assignment_id: int, before: datetime, limit: int
) -> list[Job]:
    """The assignment's jobs with status ``running`` created before ``before``, oldest
    first, at most ``limit`` (through the (assignment, status) index), without
    input/output."""
    query = (
        _job_select(light=True)
        .where(
            jobs.c.assignment_id == assignment_id,
            jobs.c.status == JobStatus.RUNNING.value,
            jobs.c.created_at < before,
        )
        .order_by(jobs.c.created_at, jobs.c.id)
        .limit(limit)
    )
    return [job_from_row(r) for r in conn.execute(query)]


def last_steps_of(conn: sa.Connection, job_ids: Sequence[int]) -> dict[int, Step]:
    """job id → that job's last step (highest ``seq``), for the given jobs that have steps;
    one row per job through the (job, seq) index, however many steps a job has."""
    found: dict[int, Step] = {}
    for chunk in _chunks(job_ids, 900):
        last = (
            sa.select(steps.c.job_id, sa.func.max(steps.c.seq).label("seq"))
            .where(steps.c.job_id.in_(chunk))
            .group_by(steps.c.job_id)
            .subquery()
        )
        query = sa.select(steps).join(
            last, sa.and_(steps.c.job_id == last.c.job_id, steps.c.seq == last.c.seq)
        )
        for row in conn.execute(query):
            found[row.job_id] = step_from_row(row)
    return found


def jobs_on_postponed_cases(
    conn: sa.Connection, team_id: int, assignment_id: int, start: datetime, end: datetime
) -> list[tuple[Job, Case]]:
    """(job, its case) for the assignment's jobs created in ``[start, end)`` whose case is
    ``postponed`` now, oldest first; jobs without input/output. Reads the jobs through the
    (team, assignment, created_at) index and their cases by primary key."""
    query = (
        _job_select(light=True)
        .add_columns(*[c.label(f"pc_{c.name}") for c in cases.c if c.name != "data"])
        .join(cases, cases.c.id == jobs.c.case_id)
        .where(
            jobs.c.team_id == team_id,
            jobs.c.assignment_id == assignment_id,
            jobs.c.created_at >= start,
            jobs.c.created_at < end,
            cases.c.status == CaseStatus.POSTPONED.value,
        )
        .order_by(jobs.c.created_at, jobs.c.id)
    )
    found: list[tuple[Job, Case]] = []
    for row in conn.execute(query):
        m = row._mapping
        case = Case(
            id=m["pc_id"],
            queue_id=m["pc_queue_id"],
            status=CaseStatus(m["pc_status"]),
            created_at=m["pc_created_at"],
            updated_at=m["pc_updated_at"],
            external_id=m["pc_external_id"],
            title=m["pc_title"],
            postponed_until=m["pc_postponed_until"],
        )
        found.append((job_from_row(row), case))
    return found
