"""The Case Queue: queues and the cases (work items) in them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sopwatch.domain.enums import CaseStatus


@dataclass(frozen=True, kw_only=True, slots=True)
class Queue:
    """A Case Queue of a team; its name is unique within the team."""

    id: int
    team_id: int
    name: str
    description: str | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Case:
    """One work item in a queue; ``postponed_until`` (UTC) is set while postponed."""

    id: int
    queue_id: int
    status: CaseStatus
    created_at: datetime
    updated_at: datetime
    external_id: str | None = None
    title: str | None = None
    postponed_until: datetime | None = None
