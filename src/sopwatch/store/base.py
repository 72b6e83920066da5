"""The shared ``MetaData`` (with a naming convention) and column types used by every table.

Timestamps go through ``UtcDateTime``: always timezone-aware UTC on the way out, on SQLite
(which stores naive text) and PostgreSQL (``timestamptz``) alike; naive input is refused.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)

# Surrogate keys: BIGINT on PostgreSQL, INTEGER on SQLite (only ``INTEGER PRIMARY KEY``
# is SQLite's auto-incrementing rowid alias).
Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp column that only accepts and only returns timezone-aware UTC datetimes.

    Raises ``ValueError`` when given a naive datetime (a programming error upstream).
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        moment: datetime = datetime.fromisoformat(value) if isinstance(value, str) else value
        if moment.tzinfo is None:
            return moment.replace(tzinfo=UTC)
        return moment.astimezone(UTC)


def utcnow() -> datetime:
    """The current time, timezone-aware UTC."""
    return datetime.now(UTC)


def created_at() -> sa.Column[datetime]:
    """A ``created_at`` column defaulting to now (UTC)."""
    return sa.Column("created_at", UtcDateTime(), nullable=False, default=utcnow)
