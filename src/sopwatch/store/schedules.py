"""Schedules: 5-field cron plus an IANA time zone."""

from __future__ import annotations

import sqlalchemy as sa

from sopwatch.store.base import Id, UtcDateTime, metadata, utcnow

schedules = sa.Table(
    "schedules",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("assignment_id", Id, sa.ForeignKey("assignments.id"), nullable=False),
    sa.Column("cron", sa.String(100), nullable=False),
    sa.Column("timezone", sa.String(64), nullable=False, default="UTC"),
    sa.Column("enabled", sa.Boolean(), nullable=False, default=True),
    sa.Column("recurring", sa.Boolean(), nullable=False, default=True),
    sa.Column("next_fire_at", UtcDateTime()),
    sa.Column("created_at", UtcDateTime(), nullable=False, default=utcnow),
    sa.Column("updated_at", UtcDateTime(), nullable=False, default=utcnow, onupdate=utcnow),
    sa.Index(None, "enabled", "next_fire_at"),
)
