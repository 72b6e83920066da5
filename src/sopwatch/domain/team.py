"""Teams: the tenant every row belongs to."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, kw_only=True, slots=True)
class Team:
    """A tenant; no request sees another team's rows. ``name`` is unique."""

    id: int
    name: str
    created_at: datetime
