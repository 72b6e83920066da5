"""Audit events: every state change with who and why."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import sqlalchemy as sa

from sopwatch.store.base import Id, UtcDateTime, metadata, utcnow

audit_events = sa.Table(
    "audit_events",
    metadata,
    sa.Column("id", Id, primary_key=True, autoincrement=True),
    sa.Column("team_id", Id, sa.ForeignKey("teams.id"), nullable=False),
    sa.Column("at", UtcDateTime(), nullable=False, default=utcnow),
    sa.Column("actor", sa.String(200), nullable=False),
    sa.Column("action", sa.String(100), nullable=False),
    sa.Column("entity", sa.String(50), nullable=False),
    sa.Column("entity_id", Id),
    sa.Column("from_status", sa.String(20)),
    sa.Column("to_status", sa.String(20)),
    sa.Column("reason", sa.Text()),
    sa.Column("details", sa.JSON(), nullable=False, default=dict),
    sa.Index(None, "team_id", "at"),
)


def record_event(
    conn: sa.Connection,
    *,
    team_id: int,
    actor: str,
    action: str,
    entity: str,
    entity_id: int | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append one audit event (``at`` = now, UTC)."""
    conn.execute(
        sa.insert(audit_events).values(
            team_id=team_id,
            at=utcnow(),
            actor=actor,
            action=action,
            entity=entity,
            entity_id=entity_id,
            reason=reason,
            details=details or {},
        )
    )


def record_events(
    conn: sa.Connection,
    *,
    team_id: int,
    actor: str,
    action: str,
    entity: str,
    reason: str | None = None,
    events: Sequence[Mapping[str, Any]],
) -> None:
    """Append one audit event per item of ``events`` (``at`` = now, UTC), in one
    ``executemany``. Each item holds ``entity_id``, ``from_status``, ``to_status`` (either
    may be None) and ``details``."""
    if not events:
        return
    at = utcnow()
    rows = [
        {
            "team_id": team_id,
            "at": at,
            "actor": actor,
            "action": action,
            "entity": entity,
            "entity_id": e["entity_id"],
            "from_status": e.get("from_status"),
            "to_status": e.get("to_status"),
            "reason": reason,
            "details": e.get("details") or {},
        }
        for e in events
    ]
    conn.execute(sa.insert(audit_events), rows)
