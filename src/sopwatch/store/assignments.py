"""Assignments and their revisions: tables and queries."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from sopwatch.domain.assignment import Assignment, Revision
from sopwatch.domain.enums import Stage
from sopwatch.domain.errors import NotFound
from sopwatch.store.base import Id, UtcDateTime, metadata, utcnow

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


def ensure_assignment(conn: sa.Connection, team_id: int, name: str) -> Assignment:
    """The team's assignment called ``name``, created (stage ``testing``) if missing."""
    found = find_assignment(conn, team_id, name)
    if found is not None:
        return found
    now = utcnow()
    conn.execute(
        sa.insert(assignments).values(
            team_id=team_id, name=name, stage=Stage.TESTING.value, created_at=now, updated_at=now
        )
    )
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
