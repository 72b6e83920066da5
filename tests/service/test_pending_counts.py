"""The check's pending requests, counted in SQL and listed in bounds (``monitor.load.
load_pending``): with fewer rows listed than are stale or expired, the counts and the
gates still cover every pending request, and the rows listed are the oldest ones, on
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sopwatch.monitor.context import CheckSettings, Window, summarize_pending
from sopwatch.monitor.load import load_pending
from sopwatch.service.store import Store
from sopwatch.store.assignments import get_assignment
from sopwatch.store.jobs import human_requests, request_from_row
from tests.service.conftest import AT, load, run

GATES = ["refund", "refund", None, "credit", "", "refund", "credit", None, "limit", "credit"]


def _needs_input(i: int) -> dict[str, Any]:
    """Job ``r<i>`` waiting on one pending request raised ``i`` hours after ``AT``."""
    raised = AT + timedelta(hours=i)
    request: dict[str, Any] = {"type": "approval", "created_at": raised.isoformat()}
    if GATES[i] is not None:
        request["gate"] = GATES[i]
    if i % 3 == 0:
        request["expires_at"] = (raised + timedelta(hours=1)).isoformat()
    return run(i, status="needs_input", created_at=raised.isoformat(), human_requests=[request])


def test_counts_cover_every_pending_request_and_list_the_oldest(
    store: Store, tmp_path: Path
) -> None:
    load(store, tmp_path, "inbox", [_needs_input(i) for i in range(len(GATES))])
    settings = CheckSettings(stale_after_ms=4 * 3_600_000)
    window = Window(start=AT + timedelta(hours=12), end=AT + timedelta(hours=12))
    with store.engine.connect() as conn:
        assignment = get_assignment(conn, store.team_id, "inbox")
        assert assignment is not None
        everything = load_pending(conn, assignment, window, settings, limit=100)
        bounded = load_pending(conn, assignment, window, settings, limit=2)
        stored = conn.execute(human_requests.select()).all()
    # Raised at AT + 0 … 9 h, the window ends at AT + 12 h: ages 12 … 3 h, so 8 are older
    # than 4 h (request 8, exactly 4 h old, is not); requests 0, 3, 6 and 9 expired an
    # hour after they were raised.
    assert len(stored) == 10
    assert (everything[0].count, everything[0].stale, everything[0].expired) == (10, 8, 4)
    assert bounded[0] == everything[0]
    assert everything[0].stale_gates == (("refund", 3), (None, 3), ("credit", 2))
    requests = [request_from_row(row) for row in stored]
    assert (
        summarize_pending(requests, window.end, settings.stale_after_ms, 300_000) == (everything[0])
    )
    listed = [(job.label, request.gate) for request, job in bounded[1]]
    assert listed == [("r0", "refund"), ("r1", "refund"), ("r0", "refund"), ("r3", "credit")]
