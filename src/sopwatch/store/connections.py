"""Connections: authorized accounts on external services."""

from __future__ import annotations

import sqlalchemy as sa

from sopwatch.domain.enums import ConnectionStatus
from sopwatch.store.base import Id, UtcDateTime, metadata, utcnow

connections = sa.Table(
    "connections",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("team_id", Id, sa.ForeignKey("teams.id"), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("provider", sa.String(100)),
    sa.Column("status", sa.String(20), nullable=False, default=ConnectionStatus.AUTHORIZED.value),
    sa.Column("last_error", sa.Text()),
    sa.Column("created_at", UtcDateTime(), nullable=False, default=utcnow),
    sa.Column("updated_at", UtcDateTime(), nullable=False, default=utcnow, onupdate=utcnow),
    sa.UniqueConstraint("team_id", "name"),
)
