"""Apply the Alembic migrations programmatically (one history for SQLite and PostgreSQL).

Alembic itself is imported only when the database is not yet at ``HEAD``, so an
up-to-date database costs one small query at start-up.

Several commands may start at once on a new database (cron, parallel CI). A migration
therefore runs in one transaction that first takes the database's migration lock, then
reads the schema revision again, and migrates only if it is still behind; the others
wait for the lock and then find the schema current:

- PostgreSQL: ``pg_advisory_xact_lock(MIGRATION_LOCK)``, released when the transaction
  ends (PostgreSQL's DDL is transactional, so a migration is all or nothing).
- SQLite: ``BEGIN IMMEDIATE``, which takes the database's write lock at once (another
  writer waits up to the busy timeout, ``store.engine``). Without an explicit ``BEGIN``
  the sqlite3 module runs DDL outside any transaction, so two processes would each
  create half of the tables.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
#: The newest migration's revision id; a test checks it is the one head of the history.
HEAD = "0004"
#: Key of the PostgreSQL advisory lock migrations take (any 64-bit number no other
#: lock of ours uses; this one spells "sopwatch" in ASCII).
MIGRATION_LOCK = 0x736F707761746368


def alembic_config() -> Config:
    """An Alembic ``Config`` pointing at the packaged migrations."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def current_revision(engine: sa.Engine) -> str | None:
    """The database's migration revision, or None for an empty database."""
    with engine.connect() as conn:
        return _revision(conn)


def _revision(conn: sa.Connection) -> str | None:
    if not sa.inspect(conn).has_table("alembic_version"):
        return None
    return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def _lock(conn: sa.Connection) -> None:
    """Begin ``conn``'s transaction holding the migration lock (module docstring)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif conn.dialect.name == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(MIGRATION_LOCK)))


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Migrate the database behind ``engine`` to ``revision`` (default: the newest), in
    one transaction holding the migration lock; safe to run from several processes at
    once (module docstring)."""
    from alembic import command

    cfg = alembic_config()
    with engine.connect() as conn:
        _lock(conn)
        if revision not in ("head", HEAD) or _revision(conn) != HEAD:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
        conn.commit()


def ensure_current(engine: sa.Engine) -> None:
    """Migrate to ``HEAD`` unless the database is there already (the cheap common case:
    one query, no lock)."""
    if not is_current(engine):
        upgrade(engine)


def is_current(engine: sa.Engine) -> bool:
    """True when the database is at the newest migration."""
    return current_revision(engine) == HEAD
