"""What every command shares: opening the store, parsing times, printing, failing cleanly."""

from __future__ import annotations

import functools
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NoReturn, ParamSpec

import sqlalchemy as sa
from pydantic import ValidationError
from rich.console import Console

from sopwatch.domain.errors import InvalidInput, SopwatchError
from sopwatch.settings import Settings, missing_sqlite_directory
from sopwatch.store.engine import make_engine
from sopwatch.store.migrate import ensure_current
from sopwatch.store.teams import ensure_team

P = ParamSpec("P")

# Piped output is not cut to 80 columns: ids and errors stay whole for grep and less.
console = Console(soft_wrap=True, width=None if sys.stdout.isatty() else 200)
err_console = Console(stderr=True, soft_wrap=True)

USAGE_ERROR = 2
#: Times given on the command line must fall in this range (our choice: agent runs exist
#: after 1970; windows and spreads of up to ten years stay inside ``datetime``).
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2200, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Store:
    """An open, migrated database and the team the CLI acts for."""

    engine: sa.Engine
    team_id: int
    settings: Settings


def open_store() -> Store:
    """Read settings, connect, migrate to the newest schema, and find (or create) the team."""
    try:
        settings = Settings()
    except ValidationError as exc:
        first = exc.errors()[0]
        field = "SOPWATCH_" + str(first["loc"][0]).upper()
        fail(f"{field}: {first['msg'].removeprefix('Value error, ')}")
    missing = missing_sqlite_directory(settings.database_url)
    if missing is not None:
        fail(f"SOPWATCH_DATABASE_URL: directory {missing} does not exist (create it first)")
    try:
        engine = make_engine(settings.database_url)
        ensure_current(engine)
        with engine.begin() as conn:
            team = ensure_team(conn, settings.team)
    except sa.exc.OperationalError as exc:
        fail(f"SOPWATCH_DATABASE_URL: cannot open the database: {str(exc.orig).strip()}")
    except sa.exc.ArgumentError as exc:
        fail(f"SOPWATCH_DATABASE_URL: {exc}")
    return Store(engine=engine, team_id=team.id, settings=settings)


def parse_time(text: str, field: str) -> datetime:
    """Parse an ISO 8601 time (``2025-11-26T02:00:00Z``; naive means UTC) or ``now``.

    Raises ``InvalidInput(field, ...)`` when it is neither, or lies outside 1970–2200 (a
    window or spread reaching past ``datetime``'s range would otherwise crash).
    """
    if text.strip().lower() == "now":
        return datetime.now(UTC)
    try:
        value = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            field, f"{text!r} is not an ISO 8601 time like 2025-11-26T02:00:00Z"
        ) from None
    if not EARLIEST.year <= value.year < LATEST.year:
        raise InvalidInput(field, f"{text!r} is outside {EARLIEST.year}–{LATEST.year}")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def format_span(span: timedelta) -> str:
    """``7d``, ``36h``, ``90m`` or ``30s``: the shortest exact unit."""
    seconds = int(span.total_seconds())
    for unit, size in (("d", 86_400), ("h", 3_600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{span.total_seconds():g}s"


def fail(message: str, code: int = USAGE_ERROR) -> NoReturn:
    """Print ``error: message`` to stderr and exit with ``code`` (2: usage error)."""
    err_console.print(f"[bold red]error:[/] {message}", highlight=False)
    sys.exit(code)


def user_errors(command: Callable[P, None]) -> Callable[P, None]:
    """Wrap a command so our errors (``InvalidInput``, ``NotFound``…) exit 2 with one line,
    never a traceback for a user mistake."""

    @functools.wraps(command)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> None:
        try:
            command(*args, **kwargs)
        except SopwatchError as exc:
            fail(str(exc))

    return wrapper


def print_json(data: Any) -> None:
    """Print ``data`` as indented JSON on stdout (datetimes as ISO 8601)."""
    sys.stdout.write(json.dumps(data, indent=2, default=_default, ensure_ascii=False) + "\n")


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    return str(value)
