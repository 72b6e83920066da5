"""Engine setup: SQLite (WAL, one commented pragma each) or PostgreSQL through psycopg 3."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import make_url


def make_engine(url: str, **kwargs: Any) -> sa.Engine:
    """Create an engine for ``url``; for a SQLite file, create its directory first.

    Raises ``sqlalchemy.exc.ArgumentError`` for an unparseable URL.
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return sa.create_engine(url, pool_pre_ping=True, **kwargs)


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # Wait up to 30 s for a lock instead of failing with "database is locked": another
    # import may hold it for a batch or two on a loaded machine (first: the
    # switch to WAL below needs the lock when several processes open a new file at once).
    cur.execute("PRAGMA busy_timeout=30000")
    # Readers never block the writer and the writer never blocks readers.
    cur.execute("PRAGMA journal_mode=WAL")
    # Enforce foreign keys (off by default in SQLite).
    cur.execute("PRAGMA foreign_keys=ON")
    # Durable at checkpoints; safe with WAL and much faster than FULL for bulk import.
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()
