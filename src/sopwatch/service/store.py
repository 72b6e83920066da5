"""Opening the store: settings → engine → migrate to the newest schema → the team."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from pydantic import ValidationError

from sopwatch.domain.errors import InvalidInput
from sopwatch.settings import Settings, missing_sqlite_directory
from sopwatch.store.engine import make_engine
from sopwatch.store.migrate import ensure_current
from sopwatch.store.teams import ensure_team

DATABASE_URL = "SOPWATCH_DATABASE_URL"


@dataclass(frozen=True)
class Store:
    """An open database at the newest schema, and the team every action is for."""

    engine: sa.Engine
    team_id: int
    team: str
    settings: Settings


def load_settings() -> Settings:
    """The ``SOPWATCH_*`` settings. Raises ``InvalidInput("SOPWATCH_<FIELD>", problem)`` for
    the first bad value (never a silent default)."""
    try:
        return Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        field = "SOPWATCH_" + str(first["loc"][0]).upper()
        raise InvalidInput(field, first["msg"].removeprefix("Value error, ")) from None


def make_store_engine(settings: Settings) -> sa.Engine:
    """An engine for ``settings.database_url`` (nothing is connected yet).

    Raises ``InvalidInput("SOPWATCH_DATABASE_URL", ...)`` when a SQLite file's directory
    does not exist (a typo is refused rather than creating a new, empty database) or the
    URL cannot be parsed.
    """
    missing = missing_sqlite_directory(settings.database_url)
    if missing is not None:
        raise InvalidInput(DATABASE_URL, f"directory {missing} does not exist (create it first)")
    try:
        return make_engine(settings.database_url)
    except sa.exc.ArgumentError as exc:
        raise InvalidInput(DATABASE_URL, str(exc)) from None


def open_store(settings: Settings | None = None) -> Store:
    """Connect (``settings`` default: ``load_settings()``), migrate the schema to the
    newest revision when it is behind, and find or create the settings' team.

    Raises ``InvalidInput("SOPWATCH_…", ...)`` for bad settings or a database that cannot
    be opened (the driver's reason included).
    """
    settings = settings or load_settings()
    engine = make_store_engine(settings)
    try:
        ensure_current(engine)
        with engine.begin() as conn:
            team = ensure_team(conn, settings.team)
    except sa.exc.DatabaseError as exc:  # unreachable, refused, or not a database at all
        engine.dispose()
        raise InvalidInput(DATABASE_URL, cannot_open(exc)) from None
    return Store(engine=engine, team_id=team.id, team=team.name, settings=settings)


def cannot_open(exc: sa.exc.DatabaseError) -> str:
    """The one-line problem for a database that cannot be opened: the driver's reason,
    e.g. ``connection refused`` or, for a SQLite URL naming a file that is not a SQLite
    database, ``file is not a database``."""
    reason = " ".join(str(exc.orig).split())
    return f"cannot open the database: {reason}"
