"""One typed settings tree, read from ``SOPWATCH_*`` environment variables.

- ``SOPWATCH_DATABASE_URL`` (default ``sqlite:///<user data dir>/sopwatch.db``): the
  SQLAlchemy URL; ``postgresql+psycopg://user@host/db`` works the same, and so do
  ``postgresql://`` and ``postgres://`` (rewritten to ``postgresql+psycopg://``).
- ``SOPWATCH_TEAM`` (default ``default``): the team (tenant) the CLI acts for.
- ``SOPWATCH_PAYLOAD_LIMIT_BYTES`` (default ``16384``): step arguments/results and job
  input/output longer than this (UTF-8 bytes) are truncated; the full size is recorded.
"""

from __future__ import annotations

from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

#: URL schemes read as PostgreSQL through psycopg 3 (the driver sopwatch ships with):
#: ``postgres://`` is what Heroku, Render and many ``DATABASE_URL``s use.
POSTGRES_SCHEMES = ("postgres://", "postgresql://")
PSYCOPG_SCHEME = "postgresql+psycopg://"


def default_database_url() -> str:
    """The embedded default: a SQLite file in the user's data directory (created on use)."""
    return f"sqlite:///{Path(user_data_dir('sopwatch')) / 'sopwatch.db'}"


class Settings(BaseSettings):
    """sopwatch's configuration; every field maps to ``SOPWATCH_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="SOPWATCH_", extra="ignore")

    database_url: str = Field(default_factory=default_database_url)
    team: str = Field(default="default", max_length=100)
    payload_limit_bytes: int = Field(default=16_384, ge=256)

    @field_validator("team")
    @classmethod
    def _team_named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()

    @field_validator("database_url")
    @classmethod
    def _known_backend(cls, value: str) -> str:
        value = normalise_database_url(value)
        if not value.startswith(("sqlite:", PSYCOPG_SCHEME)):
            given = f"got {display_url(value)!r}" if "://" in value else "got no scheme"
            raise ValueError(
                f"must start with sqlite:/// (a file) or postgresql:// (a server); {given}"
            )
        try:
            make_url(value)
        except (ArgumentError, ValueError) as exc:
            reason = "bad port" if "int()" in str(exc) else "cannot be parsed"
            raise ValueError(f"{display_url(value)!r} is not a database URL: {reason}") from None
        return value


def normalise_database_url(url: str) -> str:
    """``url`` with ``postgres://`` or ``postgresql://`` rewritten to
    ``postgresql+psycopg://`` (so every PostgreSQL URL uses psycopg 3); others unchanged."""
    for scheme in POSTGRES_SCHEMES:
        if url.startswith(scheme):
            return PSYCOPG_SCHEME + url.removeprefix(scheme)
    return url


def display_url(url: str) -> str:
    """``url`` safe to print: any password replaced by ``***``. A URL SQLAlchemy cannot
    parse is shown up to its scheme only (it might hold a password in an unknown place)."""
    if url.startswith("sqlite:"):
        return url  # a file name, which holds no password
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        scheme, sep, _ = url.partition("://")
        return f"{scheme}://…" if sep else "…"


def missing_sqlite_directory(url: str) -> Path | None:
    """For a SQLite file URL other than the default, the file's directory when it does not
    exist (so a typo is refused rather than creating a new, empty database); else None.
    The default location's directory is created on first use.
    """
    if not url.startswith("sqlite:") or url == default_database_url():
        return None
    database = make_url(url).database
    if not database or database == ":memory:":
        return None
    directory = Path(database).expanduser().parent
    return None if directory.is_dir() else directory
