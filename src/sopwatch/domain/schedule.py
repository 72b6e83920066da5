"""Schedules: 5-field cron expressions in an IANA time zone that start jobs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class Schedule:
    """A recurring (or one-time) start of an assignment; ``timezone`` is an IANA name."""

    id: int
    assignment_id: int
    cron: str
    timezone: str
    enabled: bool
    recurring: bool
    created_at: datetime
    next_fire_at: datetime | None = None
