"""What database sopwatch is using and what is in it (``sopwatch db info``).

Read only: nothing is created or migrated, so pointing at the wrong database by mistake
changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from sopwatch.domain.errors import InvalidInput
from sopwatch.service.store import DATABASE_URL, cannot_open, load_settings, make_store_engine
from sopwatch.settings import Settings, display_url
from sopwatch.store.info import row_counts
from sopwatch.store.migrate import HEAD, current_revision
from sopwatch.store.teams import find_team


@dataclass(frozen=True, kw_only=True, slots=True)
class DbInfo:
    """The database behind the settings.

    ``url``: the normalised URL with any password shown as ``***``; ``backend``:
    ``sqlite`` or ``postgresql``; ``exists``: False for a SQLite file not created yet;
    ``revision``: its schema (migration) revision, None before the first migration;
    ``newest``: the newest revision this sopwatch knows; ``team``: the settings' team and
    ``team_exists`` whether it has been created; ``counts``: table → rows (all teams).
    """

    url: str
    backend: str
    exists: bool
    revision: str | None
    newest: str
    team: str
    team_exists: bool
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def current(self) -> bool:
        """True when the schema is at the newest revision."""
        return self.revision == self.newest


def info(settings: Settings | None = None) -> DbInfo:
    """Describe the database of ``settings`` (default: ``load_settings()``).

    Raises ``InvalidInput("SOPWATCH_…", ...)`` for bad settings or a database that cannot
    be opened.
    """
    settings = settings or load_settings()
    url = settings.database_url
    described = DbInfo(
        url=display_url(url),
        backend=make_url(url).get_backend_name(),
        exists=False,
        revision=None,
        newest=HEAD,
        team=settings.team,
        team_exists=False,
    )
    if _sqlite_file_missing(url):
        return described
    engine = make_store_engine(settings)
    try:
        revision = current_revision(engine)
        with engine.connect() as conn:
            counts = row_counts(conn)
            team = find_team(conn, settings.team) if "teams" in counts else None
    except sa.exc.DatabaseError as exc:  # unreachable, refused, or not a database at all
        raise InvalidInput(DATABASE_URL, cannot_open(exc)) from None
    finally:
        engine.dispose()
    return replace(
        described, exists=True, revision=revision, team_exists=team is not None, counts=counts
    )


def _sqlite_file_missing(url: str) -> bool:
    """True for a SQLite URL naming a file that does not exist (yet)."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return False
    return not Path(parsed.database).expanduser().exists()
