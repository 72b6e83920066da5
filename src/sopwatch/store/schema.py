"""Imports every table module so ``metadata`` is complete (for Alembic and tests)."""

from sopwatch.store import (  # noqa: F401
    alerts,
    assignments,
    audit,
    cases,
    connections,
    facts,
    jobs,
    schedules,
    teams,
    triggers,
)
from sopwatch.store.base import metadata

__all__ = ["metadata"]
