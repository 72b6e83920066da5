"""Audit events: who changed what, when and why."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True, kw_only=True, slots=True)
class AuditEvent:
    """One recorded change; ``entity`` is e.g. ``job``, ``assignment``; statuses optional."""

    id: int
    team_id: int
    at: datetime
    actor: str
    action: str
    entity: str
    entity_id: int | None = None
    from_status: str | None = None
    to_status: str | None = None
    reason: str | None = None
    details: dict[str, Any] = field(default_factory=dict)
