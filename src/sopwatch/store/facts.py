"""Facts derived from a job's steps: the ``jobs`` fact columns (declared in
``store/jobs.py``) and the ``side_effects`` table of successful write calls
(``domain/facts.py``), with the writes that keep them in step with the steps.

``side_effects`` rows belong to their job (deleted with it) and are replaced whenever the
job's steps are; the duplicate check groups them by (tool, digest) over a window through
the (assignment, at) index.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import sqlalchemy as sa

from sopwatch.domain.facts import JobFacts, SideEffect
from sopwatch.store.base import Id, UtcDateTime, metadata
from sopwatch.store.jobs import jobs

side_effects = sa.Table(
    "side_effects",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("assignment_id", Id, sa.ForeignKey("assignments.id"), nullable=False),
    sa.Column("job_id", Id, sa.ForeignKey("jobs.id", ondelete="CASCADE"), nullable=False),
    sa.Column("seq", sa.Integer(), nullable=False),
    sa.Column("tool", sa.String(200), nullable=False),
    sa.Column("digest", sa.String(12), nullable=False),
    sa.Column("at", UtcDateTime(), nullable=False),
    sa.Index(None, "assignment_id", "at"),
    sa.Index(None, "job_id"),
)

Row = dict[str, Any]

#: The ``side_effects`` columns a row of values gives, in this order.
SIDE_EFFECT_COLUMNS = ("assignment_id", "job_id", "seq", "tool", "digest", "at")


def side_effect_rows(assignment_id: int, job_id: int, effects: Iterable[SideEffect]) -> list[Row]:
    """``side_effects`` rows (all columns but ``id``) for one job's write calls."""
    return [
        {
            "assignment_id": assignment_id,
            "job_id": job_id,
            "seq": effect.seq,
            "tool": effect.tool,
            "digest": effect.digest,
            "at": effect.at,
        }
        for effect in effects
    ]


def replace_facts(
    conn: sa.Connection,
    assignment_id: int,
    derived: Sequence[tuple[int, JobFacts, list[SideEffect]]],
) -> None:
    """Store freshly derived facts: ``(job id, facts, side effects)`` per job; the jobs'
    fact columns are updated and their side effects replaced."""
    if not derived:
        return
    ids = [job_id for job_id, _, _ in derived]
    conn.execute(
        jobs.update().where(jobs.c.id == sa.bindparam("_id")),
        [{"_id": job_id, **facts.columns()} for job_id, facts, _ in derived],
    )
    for i in range(0, len(ids), 900):
        conn.execute(side_effects.delete().where(side_effects.c.job_id.in_(ids[i : i + 900])))
    rows = [
        row
        for job_id, _, effects in derived
        for row in side_effect_rows(assignment_id, job_id, effects)
    ]
    if rows:
        conn.execute(side_effects.insert(), rows)


def jobs_without_facts(
    conn: sa.Connection,
    team_id: int,
    version: int,
    *,
    assignment_id: int | None = None,
    everything: bool = False,
    after_id: int = 0,
    limit: int = 500,
) -> list[tuple[int, int]]:
    """``(job id, assignment id)`` of the team's jobs with id > ``after_id`` whose facts
    are missing or of another version than ``version`` (all of them with
    ``everything``), by id, at most ``limit``; ``assignment_id`` narrows to one."""
    query = sa.select(jobs.c.id, jobs.c.assignment_id).where(
        jobs.c.team_id == team_id, jobs.c.id > after_id
    )
    if assignment_id is not None:
        query = query.where(jobs.c.assignment_id == assignment_id)
    if not everything:
        query = query.where(sa.or_(jobs.c.facts_version.is_(None), jobs.c.facts_version != version))
    return [(row[0], row[1]) for row in conn.execute(query.order_by(jobs.c.id).limit(limit))]
