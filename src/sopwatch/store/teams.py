"""Teams: the tenant table, and the lookup every command starts with."""

from __future__ import annotations

import sqlalchemy as sa

from sopwatch.domain.team import Team
from sopwatch.store.base import Id, UtcDateTime, metadata, utcnow
from sopwatch.store.bulk import insert_if_absent

teams = sa.Table(
    "teams",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(100), nullable=False, unique=True),
    sa.Column("created_at", UtcDateTime(), nullable=False, default=utcnow),
)


def ensure_team(conn: sa.Connection, name: str) -> Team:
    """Return the team called ``name``, creating it when it does not exist yet. Safe when
    several processes create the same team at once: one insert wins, the others read it."""
    row = conn.execute(sa.select(teams).where(teams.c.name == name)).one_or_none()
    if row is None:
        insert_if_absent(conn, teams, {"name": name, "created_at": utcnow()})
        row = conn.execute(sa.select(teams).where(teams.c.name == name)).one()
    return Team(id=row.id, name=row.name, created_at=row.created_at)


def find_team(conn: sa.Connection, name: str) -> Team | None:
    """The team called ``name``, or None (nothing is created)."""
    row = conn.execute(sa.select(teams).where(teams.c.name == name)).one_or_none()
    return None if row is None else Team(id=row.id, name=row.name, created_at=row.created_at)
