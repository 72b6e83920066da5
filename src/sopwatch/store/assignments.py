"""Assignments and their revisions: tables and queries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from sopwatch.domain.assignment import Assignment, Revision
from sopwatch.domain.enums import Stage
from sopwatch.domain.errors import NotFound
from sopwatch.store.alerts import alerts
from sopwatch.store.base import Id, UtcDateTime, metadata, utcnow
from sopwatch.store.bulk import insert_if_absent
from sopwatch.store.jobs import human_requests, jobs, steps
from sopwatch.store.schedules import schedules
from sopwatch.store.triggers import trigger_deliveries, triggers

assignments = sa.Table(
    "assignments",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("team_id", Id, sa.ForeignKey("teams.id"), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("description", sa.Text()),
    sa.Column("stage", sa.String(20), nullable=False, default=Stage.TESTING.value),
    sa.Column("expected_runs_per_day", sa.Float()),
    sa.Column("testing_from", UtcDateTime()),
    sa.Column("testing_until", UtcDateTime()),
    # Tool names that only read (never write) for this assignment: a JSON list of strings.
    sa.Column("read_tools", sa.JSON()),
    sa.Column("created_at", UtcDateTime(), nullable=False, default=utcnow),
    sa.Column("updated_at", UtcDateTime(), nullable=False, default=utcnow, onupdate=utcnow),
    sa.UniqueConstraint("team_id", "name"),
)

revisions = sa.Table(
    "revisions",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("assignment_id", Id, sa.ForeignKey("assignments.id"), nullable=False),
    sa.Column("number", sa.Integer(), nullable=False),
    sa.Column("sop", sa.Text()),
    sa.Column("model", sa.String(200)),
    sa.Column("config", sa.JSON(), nullable=False, default=dict),
    sa.Column("live", sa.Boolean(), nullable=False, default=False),
    sa.Column("known_good", sa.Boolean(), nullable=False, default=False),
    sa.Column("created_by", sa.String(200)),
    sa.Column("created_at", UtcDateTime(), nullable=False, default=utcnow),
    sa.UniqueConstraint("assignment_id", "number"),
)


def _assignment(row: sa.Row[Any]) -> Assignment:
    return Assignment(
        id=row.id,
        team_id=row.team_id,
        name=row.name,
        stage=Stage(row.stage),
        created_at=row.created_at,
        description=row.description,
        expected_runs_per_day=row.expected_runs_per_day,
        testing_from=row.testing_from,
        testing_until=row.testing_until,
        read_tools=tuple(row.read_tools or ()),
    )


def find_assignment(conn: sa.Connection, team_id: int, name: str) -> Assignment | None:
    """The team's assignment called ``name``, or None."""
    row = conn.execute(
        sa.select(assignments).where(assignments.c.team_id == team_id, assignments.c.name == name)
    ).one_or_none()
    return None if row is None else _assignment(row)


def get_assignment(conn: sa.Connection, team_id: int, name: str) -> Assignment:
    """The team's assignment called ``name``. Raises ``NotFound``."""
    found = find_assignment(conn, team_id, name)
    if found is None:
        raise NotFound("assignment", name)
    return found


def list_assignments(conn: sa.Connection, team_id: int) -> list[Assignment]:
    """All the team's assignments, by name."""
    rows = conn.execute(
        sa.select(assignments).where(assignments.c.team_id == team_id).order_by(assignments.c.name)
    )
    return [_assignment(r) for r in rows]


def assignment_names(conn: sa.Connection, team_id: int) -> list[str]:
    """The names of all the team's assignments, sorted."""
    query = (
        sa.select(assignments.c.name)
        .where(assignments.c.team_id == team_id)
        .order_by(assignments.c.name)
    )
    return list(conn.execute(query).scalars())


def ensure_assignment(conn: sa.Connection, team_id: int, name: str) -> Assignment:
    """The team's assignment called ``name``, created (stage ``testing``) if missing; safe
    when several imports create it at once (one insert wins, the others read it)."""
    found = find_assignment(conn, team_id, name)
    if found is not None:
        return found
    now = utcnow()
    row = {"team_id": team_id, "name": name, "stage": Stage.TESTING.value}
    insert_if_absent(conn, assignments, row | {"created_at": now, "updated_at": now})
    return get_assignment(conn, team_id, name)


def update_assignment(conn: sa.Connection, assignment_id: int, **values: Any) -> None:
    """Set columns of one assignment (e.g. ``expected_runs_per_day``, ``testing_from``)."""
    conn.execute(
        sa.update(assignments)
        .where(assignments.c.id == assignment_id)
        .values(updated_at=utcnow(), **values)
    )


def _revision(row: sa.Row[Any]) -> Revision:
    return Revision(
        id=row.id,
        assignment_id=row.assignment_id,
        number=row.number,
        created_at=row.created_at,
        sop=row.sop,
        model=row.model,
        config=dict(row.config or {}),
        live=row.live,
        known_good=row.known_good,
    )


def ensure_revision(
    conn: sa.Connection, assignment_id: int, number: int, model: str | None = None
) -> Revision:
    """Revision ``number`` of the assignment, created if missing.

    A created revision is marked live when it is the highest number so far (imported
    history: the newest revision seen is the one running now).
    """
    where = (revisions.c.assignment_id == assignment_id, revisions.c.number == number)
    row = conn.execute(sa.select(revisions).where(*where)).one_or_none()
    if row is not None:
        return _revision(row)
    highest = conn.execute(
        sa.select(sa.func.max(revisions.c.number)).where(revisions.c.assignment_id == assignment_id)
    ).scalar()
    live = highest is None or number > highest
    if live:
        conn.execute(
            sa.update(revisions)
            .where(revisions.c.assignment_id == assignment_id)
            .values(live=False)
        )
    conn.execute(
        sa.insert(revisions).values(
            assignment_id=assignment_id,
            number=number,
            model=model,
            config={},
            live=live,
            known_good=False,
            created_at=utcnow(),
        )
    )
    return _revision(conn.execute(sa.select(revisions).where(*where)).one())


def list_revisions(conn: sa.Connection, assignment_id: int) -> list[Revision]:
    """The assignment's revisions, by number."""
    rows = conn.execute(
        sa.select(revisions)
        .where(revisions.c.assignment_id == assignment_id)
        .order_by(revisions.c.number)
    )
    return [_revision(r) for r in rows]


def rename_assignment(conn: sa.Connection, assignment_id: int, name: str) -> None:
    """Give one assignment a new ``name``. Raises ``sqlalchemy.exc.IntegrityError`` when
    the team already has an assignment of that name."""
    update_assignment(conn, assignment_id, name=name)


@dataclass(frozen=True, kw_only=True, slots=True)
class AssignmentRows:
    """Rows that belong to one assignment (counts): what deleting it removes.

    ``cases_linked`` counts the distinct cases its jobs worked on; cases belong to their
    queue and are never deleted with an assignment.
    """

    jobs: int = 0
    steps: int = 0
    human_requests: int = 0
    revisions: int = 0
    alerts: int = 0
    schedules: int = 0
    triggers: int = 0
    cases_linked: int = 0


def _job_ids(assignment_id: int) -> sa.Select[Any]:
    return sa.select(jobs.c.id).where(jobs.c.assignment_id == assignment_id)


def _owned_tables() -> dict[str, tuple[sa.Table, sa.ColumnElement[bool]]]:
    """Field of ``AssignmentRows`` → (table, the WHERE clause of rows owned by assignment
    ``:assignment_id``), in the order they must be deleted (children first)."""
    owner: sa.BindParameter[int] = sa.bindparam("assignment_id", type_=Id)
    of_jobs = sa.select(jobs.c.id).where(jobs.c.assignment_id == owner)
    return {
        "human_requests": (human_requests, human_requests.c.job_id.in_(of_jobs)),
        "steps": (steps, steps.c.job_id.in_(of_jobs)),
        "jobs": (jobs, jobs.c.assignment_id == owner),
        "alerts": (alerts, alerts.c.assignment_id == owner),
        "schedules": (schedules, schedules.c.assignment_id == owner),
        "triggers": (triggers, triggers.c.assignment_id == owner),
        "revisions": (revisions, revisions.c.assignment_id == owner),
    }


def count_assignment_rows(conn: sa.Connection, assignment_id: int) -> AssignmentRows:
    """How many rows of each kind belong to the assignment (nothing is changed)."""
    counts = {
        name: int(
            conn.execute(
                sa.select(sa.func.count()).select_from(table).where(where),
                {"assignment_id": assignment_id},
            ).scalar_one()
        )
        for name, (table, where) in _owned_tables().items()
    }
    cases = sa.select(sa.func.count(sa.distinct(jobs.c.case_id))).where(
        jobs.c.assignment_id == assignment_id
    )
    return AssignmentRows(cases_linked=int(conn.execute(cases).scalar_one()), **counts)


def delete_assignment(conn: sa.Connection, assignment_id: int) -> AssignmentRows:
    """Delete the assignment with its jobs, their steps and human requests, its revisions,
    alerts, schedules and triggers (with their deliveries); return what was deleted.

    Cases stay in their queues (the deleted jobs were their only link to them); a trigger
    delivery of another assignment pointing at a deleted job keeps its row, unlinked.
    """
    linked = count_assignment_rows(conn, assignment_id).cases_linked
    conn.execute(
        sa.update(trigger_deliveries)
        .where(trigger_deliveries.c.job_id.in_(_job_ids(assignment_id)))
        .values(job_id=None)
    )
    own_triggers = sa.select(triggers.c.id).where(triggers.c.assignment_id == assignment_id)
    conn.execute(
        sa.delete(trigger_deliveries).where(trigger_deliveries.c.trigger_id.in_(own_triggers))
    )
    deleted = {
        name: conn.execute(sa.delete(table).where(where), {"assignment_id": assignment_id}).rowcount
        for name, (table, where) in _owned_tables().items()
    }
    conn.execute(sa.delete(assignments).where(assignments.c.id == assignment_id))
    return AssignmentRows(cases_linked=linked, **deleted)
