"""Triggers: signed webhooks (with a CEL filter and dedupe) and case triggers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sopwatch.domain.enums import TriggerKind


@dataclass(frozen=True, kw_only=True, slots=True)
class Trigger:
    """Starts jobs of an assignment on events (``webhook``) or on cases of a queue (``case``).

    ``concurrency`` caps parallel case jobs (None = unlimited); ``filter`` is a CEL
    expression over the event.
    """

    id: int
    assignment_id: int
    kind: TriggerKind
    name: str
    enabled: bool
    created_at: datetime
    filter: str | None = None
    queue_id: int | None = None
    concurrency: int | None = None
