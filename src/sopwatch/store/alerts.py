"""Alerts: open anomalies, deduplicated by (assignment, kind, key)."""

from __future__ import annotations

import sqlalchemy as sa

from sopwatch.store.base import Id, UtcDateTime, metadata, utcnow

alerts = sa.Table(
    "alerts",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("team_id", Id, sa.ForeignKey("teams.id"), nullable=False),
    sa.Column("assignment_id", Id, sa.ForeignKey("assignments.id"), nullable=False),
    sa.Column("kind", sa.String(50), nullable=False),
    sa.Column("key", sa.String(300), nullable=False),
    sa.Column("severity", sa.String(10), nullable=False),
    sa.Column("status", sa.String(20), nullable=False),
    sa.Column("title", sa.Text(), nullable=False),
    sa.Column("evidence", sa.JSON(), nullable=False, default=dict),
    sa.Column("opened_at", UtcDateTime(), nullable=False, default=utcnow),
    sa.Column("acknowledged_at", UtcDateTime()),
    sa.Column("resolved_at", UtcDateTime()),
    sa.Column("updated_at", UtcDateTime(), nullable=False, default=utcnow, onupdate=utcnow),
    sa.Index(None, "assignment_id", "kind", "key", "status"),
)
