"""The daily check of one assignment (``sopwatch check``).

Importing this module loads the monitor (and SciPy under it, ~0.4 s): a face imports it
when a check is asked for, not when it starts (the CLI, inside ``sopwatch check``), so
``--help`` and the other commands do not pay for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sopwatch.domain.errors import InvalidInput
from sopwatch.domain.options import DEFAULT_LOOP_THRESHOLD, DEFAULT_STALE_AFTER, DEFAULT_WINDOW
from sopwatch.monitor.context import CheckSettings
from sopwatch.monitor.daily_check import Report, run_daily_check
from sopwatch.monitor.load import default_at, load_context
from sopwatch.service.assignments import require_assignment
from sopwatch.service.store import Store


@dataclass(frozen=True, kw_only=True, slots=True)
class CheckRun:
    """A finished check: the ``report``; ``followed_history`` is True when no ``at`` was
    given and the window was made to end just after the newest imported job (not now)."""

    report: Report
    followed_history: bool


def run_check(
    store: Store,
    assignment: str,
    *,
    at: datetime | None = None,
    window: timedelta = DEFAULT_WINDOW,
    stale_after: timedelta = DEFAULT_STALE_AFTER,
    loop_threshold: int = DEFAULT_LOOP_THRESHOLD,
    seed: int | None = None,
) -> CheckRun:
    """Check ``assignment`` over the ``window`` ending at ``at`` (UTC; default now, or just
    after the newest job when that job was imported) against its baseline.

    ``stale_after``: a pending human request older than this is stale; ``loop_threshold``
    (≥ 2): the same tool with the same arguments and result this many times in one job
    is a loop;
    ``seed`` makes the spot-check reproducible.

    Raises ``UnknownName`` for an unknown assignment, ``InvalidInput`` for a
    ``loop_threshold`` below 2 or a span that is not positive.
    """
    if loop_threshold < 2:
        raise InvalidInput("--loop-threshold", f"must be 2 or more; got {loop_threshold}")
    for field, span in (("--window", window), ("--stale-after", stale_after)):
        if span <= timedelta(0):
            raise InvalidInput(field, "must be longer than zero")
    settings = CheckSettings(
        stale_after_ms=int(stale_after.total_seconds() * 1000),
        loop_min_repeats=loop_threshold,
        seed=seed,
    )
    with store.engine.connect() as conn:
        found = require_assignment(conn, store.team_id, assignment)
        now = datetime.now(UTC)
        end = at or default_at(conn, found, now)
        context = load_context(conn, found, end, window, settings)
    return CheckRun(report=run_daily_check(context), followed_history=at is None and end != now)
