"""Triggers: signed webhooks with a CEL filter and dedupe, and case triggers on a queue."""

from __future__ import annotations

import sqlalchemy as sa

from sopwatch.store.base import Id, UtcDateTime, metadata, utcnow

triggers = sa.Table(
    "triggers",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("assignment_id", Id, sa.ForeignKey("assignments.id"), nullable=False),
    sa.Column("kind", sa.String(20), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("enabled", sa.Boolean(), nullable=False, default=True),
    sa.Column("filter", sa.Text()),
    sa.Column("queue_id", Id, sa.ForeignKey("queues.id")),
    sa.Column("concurrency", sa.Integer()),
    sa.Column("secret", sa.String(200)),
    sa.Column("created_at", UtcDateTime(), nullable=False, default=utcnow),
    sa.Column("updated_at", UtcDateTime(), nullable=False, default=utcnow, onupdate=utcnow),
    sa.UniqueConstraint("assignment_id", "name"),
)

# Deliveries already turned into jobs, so a repeated event starts nothing (dedupe).
trigger_deliveries = sa.Table(
    "trigger_deliveries",
    metadata,
    sa.Column("trigger_id", Id, sa.ForeignKey("triggers.id"), primary_key=True),
    sa.Column("dedupe_key", sa.String(200), primary_key=True),
    sa.Column("job_id", Id, sa.ForeignKey("jobs.id")),
    sa.Column("received_at", UtcDateTime(), nullable=False, default=utcnow),
)
