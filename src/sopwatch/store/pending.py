"""Pending human requests of an assignment, counted by age in SQL and listed in bounds.

A backlog of pending requests grows with history (every Needs Input job that nobody
answered keeps one), so the daily check never loads it whole: it counts it here with one
aggregate query and loads only the rows its findings list (``monitor.load``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from sopwatch.domain.enums import HumanRequestStatus
from sopwatch.domain.job import HumanRequest, Job
from sopwatch.store.jobs import _job_select, human_requests, job_from_row, jobs, request_from_row


def _pending(assignment_id: int, before: datetime) -> list[sa.ColumnElement[bool]]:
    """The conditions of a pending request of the assignment created before ``before``."""
    return [
        jobs.c.assignment_id == assignment_id,
        human_requests.c.status == HumanRequestStatus.PENDING.value,
        human_requests.c.created_at < before,
    ]


def count_pending(
    conn: sa.Connection,
    assignment_id: int,
    before: datetime,
    stale_before: datetime,
    expired_before: datetime,
) -> tuple[int, int, int]:
    """``(pending, stale, expired)``: the assignment's requests still pending and created
    before ``before``; of those, created before ``stale_before``; and whose ``expires_at``
    is before ``expired_before`` (all UTC). One aggregate query over the pending requests
    (the status index) joined to their jobs."""
    hr = human_requests.c
    query = (
        sa.select(
            sa.func.count(),
            sa.func.count(sa.case((hr.created_at < stale_before, 1))),
            sa.func.count(sa.case((hr.expires_at < expired_before, 1))),
        )
        .select_from(human_requests.join(jobs, jobs.c.id == hr.job_id))
        .where(*_pending(assignment_id, before))
    )
    pending, stale, expired = conn.execute(query).one()
    return int(pending), int(stale), int(expired)


def listed_pending(
    conn: sa.Connection,
    assignment_id: int,
    before: datetime,
    *,
    stale_before: datetime | None = None,
    expired_before: datetime | None = None,
    limit: int,
) -> list[tuple[HumanRequest, Job]]:
    """At most ``limit`` pending requests of the assignment created before ``before``,
    with their jobs (without input/output): with ``stale_before``, those created before
    it, oldest first (``created_at``, id); with ``expired_before``, those whose
    ``expires_at`` is before it, first to expire first (``expires_at``, id)."""
    hr = human_requests.c
    query = (
        _job_select(light=True)
        .add_columns(*[c.label(f"hr_{c.name}") for c in human_requests.c])
        .join(human_requests, hr.job_id == jobs.c.id)
        .where(*_pending(assignment_id, before))
        .limit(limit)
    )
    if stale_before is not None:
        query = query.where(hr.created_at < stale_before).order_by(hr.created_at, hr.id)
    if expired_before is not None:
        query = query.where(hr.expires_at < expired_before).order_by(hr.expires_at, hr.id)
    return [(request_from_row(row, "hr_"), job_from_row(row)) for row in conn.execute(query)]


def stale_gates(
    conn: sa.Connection, assignment_id: int, before: datetime, stale_before: datetime
) -> list[tuple[str | None, int]]:
    """Gate → number of the assignment's pending requests created before ``stale_before``
    (and ``before``), most first, ties in order of each gate's oldest request; a missing
    or empty gate is ``None``. One GROUP BY query."""
    hr = human_requests.c
    query = (
        sa.select(hr.gate, sa.func.count(), sa.func.min(hr.created_at), sa.func.min(hr.id))
        .select_from(human_requests.join(jobs, jobs.c.id == hr.job_id))
        .where(*_pending(assignment_id, before), hr.created_at < stale_before)
        .group_by(hr.gate)
    )
    merged: dict[str | None, list[Any]] = {}
    for gate, count, first, first_id in conn.execute(query):
        key = gate or None
        row = merged.setdefault(key, [0, first, first_id])
        row[0] += count
        row[1:] = min((row[1], row[2]), (first, first_id))
    ranked = sorted(merged.items(), key=lambda item: (-item[1][0], item[1][1], item[1][2]))
    return [(gate, int(row[0])) for gate, row in ranked]
