"""What is in the database: row counts of the main tables (``sopwatch db info``)."""

from __future__ import annotations

import sqlalchemy as sa

from sopwatch.store.schema import metadata

#: The tables ``row_counts`` reports, in the order people read them.
MAIN_TABLES = (
    "teams",
    "assignments",
    "revisions",
    "jobs",
    "steps",
    "human_requests",
    "queues",
    "cases",
    "audit_events",
)


def row_counts(conn: sa.Connection) -> dict[str, int]:
    """Table name → rows in it (all teams), for the ``MAIN_TABLES`` the database has (an
    empty database, before its first migration, gives ``{}``)."""
    inspector = sa.inspect(conn)
    counts: dict[str, int] = {}
    for name in MAIN_TABLES:
        if inspector.has_table(name):
            table = metadata.tables[name]
            query = sa.select(sa.func.count()).select_from(table)
            counts[name] = int(conn.execute(query).scalar_one())
    return counts
