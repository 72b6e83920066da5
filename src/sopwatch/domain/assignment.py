"""The assignment aggregate: an assignment and its immutable numbered revisions."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sopwatch.domain.enums import Stage


@dataclass(frozen=True, kw_only=True, slots=True)
class Assignment:
    """An automation: what to do (SOP), with what (connections/tools), when (schedules,
    triggers).

    ``expected_runs_per_day`` is what the operator expects (seed: "run volume vs
    expected"); None when not set. ``testing_from``/``testing_until`` (UTC) bound the
    testing period that serves as the baseline when set (docs/architecture.md "baseline").
    ``read_tools`` names the tools that only read (never write) for this assignment, beyond
    those whose names read as reads (get, list, search, ...).
    """

    id: int
    team_id: int
    name: str
    stage: Stage
    created_at: datetime
    description: str | None = None
    expected_runs_per_day: float | None = None
    testing_from: datetime | None = None
    testing_until: datetime | None = None
    read_tools: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class Revision:
    """An immutable numbered snapshot of an assignment's SOP, model, tools, gates and limits.

    Exactly one revision of an assignment is ``live``; ``known_good`` marks revisions the
    operator may revert to (seed: "revert to the last known-good revision").
    """

    id: int
    assignment_id: int
    number: int
    created_at: datetime
    sop: str | None = None
    model: str | None = None
    config: dict[str, Any] = field(default_factory=dict)
    live: bool = False
    known_good: bool = False

    @property
    def max_duration_ms(self) -> int | None:
        """The revision's time limit for one job, in milliseconds: ``config["limits"]
        ["max_duration_ms"]`` when it is an integer > 0 (a float with no fraction counts as
        its integer, as in the JSONL format; a bool does not); else None (no limit set, or
        a value that is not a usable limit)."""
        limits = self.config.get("limits")
        if not isinstance(limits, dict):
            return None
        value = limits.get("max_duration_ms")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            return None
        return value
