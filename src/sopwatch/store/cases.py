"""The Case Queue: queues and cases."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa

from sopwatch.domain.case import Case
from sopwatch.domain.enums import CaseStatus
from sopwatch.store.base import Id, UtcDateTime, metadata, utcnow

queues = sa.Table(
    "queues",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("team_id", Id, sa.ForeignKey("teams.id"), nullable=False),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("description", sa.String(500)),
    sa.Column("created_at", UtcDateTime(), nullable=False, default=utcnow),
    sa.UniqueConstraint("team_id", "name"),
)

cases = sa.Table(
    "cases",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("queue_id", Id, sa.ForeignKey("queues.id"), nullable=False),
    sa.Column("external_id", sa.String(200)),
    sa.Column("title", sa.String(500)),
    sa.Column("status", sa.String(20), nullable=False, default=CaseStatus.PENDING.value),
    sa.Column("data", sa.JSON()),
    sa.Column("postponed_until", UtcDateTime()),
    sa.Column("created_at", UtcDateTime(), nullable=False, default=utcnow),
    sa.Column("updated_at", UtcDateTime(), nullable=False, default=utcnow, onupdate=utcnow),
    sa.UniqueConstraint("queue_id", "external_id"),
    sa.Index(None, "queue_id", "status"),
)


def case_from_row(row: sa.Row[Any]) -> Case:
    """A ``Case`` from a ``cases`` row."""
    return Case(
        id=row.id,
        queue_id=row.queue_id,
        status=CaseStatus(row.status),
        created_at=row.created_at,
        updated_at=row.updated_at,
        external_id=row.external_id,
        title=row.title,
        postponed_until=row.postponed_until,
    )


def ensure_queue(conn: sa.Connection, team_id: int, name: str) -> int:
    """The id of the team's queue called ``name``, created if missing."""
    where = (queues.c.team_id == team_id, queues.c.name == name)
    found = conn.execute(sa.select(queues.c.id).where(*where)).scalar()
    if found is None:
        conn.execute(sa.insert(queues).values(team_id=team_id, name=name, created_at=utcnow()))
        found = conn.execute(sa.select(queues.c.id).where(*where)).scalar_one()
    return int(found)


def upsert_case(
    conn: sa.Connection,
    queue_id: int,
    external_id: str,
    status: CaseStatus,
    title: str | None,
    postponed_until: datetime | None,
    at: datetime,
) -> int:
    """Create or update the case ``external_id`` of a queue; return its id.

    Imported history reports a case's status as it was; the newest report wins.
    """
    where = (cases.c.queue_id == queue_id, cases.c.external_id == external_id)
    found = conn.execute(sa.select(cases.c.id, cases.c.updated_at).where(*where)).one_or_none()
    values = {"status": status.value, "title": title, "postponed_until": postponed_until}
    if found is None:
        conn.execute(
            sa.insert(cases).values(
                queue_id=queue_id, external_id=external_id, created_at=at, updated_at=at, **values
            )
        )
        return int(conn.execute(sa.select(cases.c.id).where(*where)).scalar_one())
    if at >= found.updated_at:
        conn.execute(sa.update(cases).where(cases.c.id == found.id).values(updated_at=at, **values))
    return int(found.id)
