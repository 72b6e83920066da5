"""Alerts: anomalies that stay open until resolved, deduplicated by (assignment, kind, key)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sopwatch.domain.enums import AlertStatus, Severity


@dataclass(frozen=True, kw_only=True, slots=True)
class Alert:
    """An open, acknowledged or resolved anomaly on an assignment."""

    id: int
    team_id: int
    assignment_id: int
    kind: str
    key: str
    severity: Severity
    status: AlertStatus
    title: str
    opened_at: datetime
    acknowledged_at: datetime | None = None
    resolved_at: datetime | None = None
