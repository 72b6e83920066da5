"""Planner statistics kept current while a long import grows the tables.

PostgreSQL plans a query from the statistics ``ANALYZE`` gathers (row counts, value
distributions). A table filled by one import from empty still has the statistics of an
empty table: the plans of the import's own lookups (the duplicate-id lookup of
``store.reimport.stored_jobs``) and of the check that follows are made for a table of a
few rows, and psycopg keeps a prepared statement's plan. Autovacuum analyzes a table only
after 10% of it changed and on its own schedule. ``Statistics`` runs ``ANALYZE`` on the
tables an import writes when it has written a first few thousand jobs and again each time
it has written as many as the tables held at the previous ``ANALYZE`` (so at most about
log2 of the growth times; our choice, issue #7 "statistics kept current during a long
import"). ``ANALYZE`` samples a fixed number of rows (30,000 at the default statistics
target), ~0.1–0.3 s on these tables at a million steps.

SQLite is left alone: its planner takes the unique index for the lookup without
statistics, and its ``ANALYZE`` reads whole tables.
"""

from __future__ import annotations

import sqlalchemy as sa

#: Jobs written by an import before its first ``ANALYZE`` (our choice: a few batches).
FIRST_ANALYZE = 2_000
#: The tables an import writes, analyzed together (``jobs`` size decides when).
TABLES = ("jobs", "steps", "human_requests", "side_effects")


class Statistics:
    """When to ``ANALYZE`` during one import into one database (module docstring).

    ``written(engine, jobs)`` is called after each committed batch with the number of
    jobs it wrote; it runs ``ANALYZE`` (in a transaction of its own) when due. Database
    errors propagate."""

    def __init__(self) -> None:
        self._since = 0  # jobs written since the last ANALYZE (or the start)
        self._due: int | None = None  # jobs to write before the next one; None: not known
        self.runs = 0  # how many times ANALYZE ran

    def written(self, engine: sa.Engine, jobs: int) -> None:
        """Count ``jobs`` more written; ``ANALYZE`` when due (PostgreSQL only)."""
        if engine.dialect.name != "postgresql" or jobs <= 0:
            return
        self._since += jobs
        if self._due is None:
            self._due = max(FIRST_ANALYZE, _estimated_jobs(engine))
        if self._since < self._due:
            return
        with engine.begin() as conn:
            for table in TABLES:
                conn.execute(sa.text(f"ANALYZE {table}"))
            self._due = max(FIRST_ANALYZE, _estimated_jobs(engine, conn))
        self._since = 0
        self.runs += 1


def _estimated_jobs(engine: sa.Engine, conn: sa.Connection | None = None) -> int:
    """The planner's count of ``jobs`` rows (``pg_class.reltuples``; 0 before any)."""
    query = sa.text("SELECT reltuples FROM pg_class WHERE oid = 'jobs'::regclass")
    if conn is not None:
        return max(0, int(conn.execute(query).scalar_one()))
    with engine.connect() as own:
        return max(0, int(own.execute(query).scalar_one()))
