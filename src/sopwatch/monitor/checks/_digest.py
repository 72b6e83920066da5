"""Times shared by the repeat checks (duplicate side effects, repeated input). Private to
``sopwatch.monitor.checks``."""

from __future__ import annotations

from datetime import datetime


def minutes(start: datetime, end: datetime) -> float:
    """``end - start`` in minutes."""
    return (end - start).total_seconds() / 60
