"""Apply the Alembic migrations programmatically (one history for SQLite and PostgreSQL).

Alembic itself is imported only when the database is not yet at ``HEAD``, so an
up-to-date database costs one small query at start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import sqlalchemy as sa

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS = Path(__file__).with_name("migrations")
#: The newest migration's revision id; a test checks it is the one head of the history.
HEAD = "0003"


def alembic_config() -> Config:
    """An Alembic ``Config`` pointing at the packaged migrations."""
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def current_revision(engine: sa.Engine) -> str | None:
    """The database's migration revision, or None for an empty database."""
    with engine.connect() as conn:
        if not sa.inspect(conn).has_table("alembic_version"):
            return None
        return conn.execute(sa.text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(engine: sa.Engine, revision: str = "head") -> None:
    """Migrate the database behind ``engine`` to ``revision`` (default: the newest)."""
    from alembic import command

    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)


def ensure_current(engine: sa.Engine) -> None:
    """Migrate to ``HEAD`` unless the database is there already (the cheap common case)."""
    if not is_current(engine):
        upgrade(engine)


def is_current(engine: sa.Engine) -> bool:
    """True when the database is at the newest migration."""
    return current_revision(engine) == HEAD
