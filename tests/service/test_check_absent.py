"""What is absent or too old, loaded from the store and checked, on both databases: running
jobs of any age with their last step, revision time limits, postponed cases of recent
jobs, and pending requests past their expiry."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from sopwatch.domain.enums import Severity
from sopwatch.domain.finding import Finding
from sopwatch.monitor.context import CheckContext, CheckSettings
from sopwatch.monitor.load import load_context
from sopwatch.service.assignments import set_assignment
from sopwatch.service.check import run_check
from sopwatch.service.store import Store
from sopwatch.store.assignments import get_assignment, revisions
from sopwatch.store.unfinished import running_jobs_before
from tests.service.conftest import load

END = datetime(2026, 3, 10, tzinfo=UTC)


def _iso(at: datetime) -> str:
    return at.isoformat()


def _row(name: str, at: datetime, **extra: Any) -> dict[str, Any]:
    """A completed run created at ``at`` with one model step."""
    row: dict[str, Any] = {
        "id": name,
        "status": "completed",
        "created_at": _iso(at),
        "started_at": _iso(at),
        "finished_at": _iso(at + timedelta(seconds=3)),
        "steps": [{"kind": "model", "name": "m", "started_at": _iso(at), "duration_ms": 900}],
    }
    return row | extra


def _running(name: str, at: datetime, **extra: Any) -> dict[str, Any]:
    """A run started at ``at`` and still running, three steps, the last an HTTP call."""
    steps = [
        {"kind": "model", "name": "m", "started_at": _iso(at), "duration_ms": 900},
        {"kind": "tool", "name": "lookup", "started_at": _iso(at), "duration_ms": 100},
        {"kind": "tool", "name": "http_get", "started_at": _iso(at + timedelta(seconds=1))},
    ]
    row = _row(name, at, status="running", steps=steps)
    row.pop("finished_at")
    return row | extra


def _context(store: Store, assignment: str) -> CheckContext:
    with store.engine.connect() as conn:
        found = get_assignment(conn, store.team_id, assignment)
        return load_context(conn, found, END, timedelta(hours=24), CheckSettings())


def _findings(store: Store, assignment: str, kind: str) -> list[Finding]:
    report = run_check(store, assignment, at=END).report
    return [f for f in report.findings if f.kind == kind]


def test_running_jobs_of_any_age_are_loaded_with_their_last_step(
    store: Store, tmp_path: Path
) -> None:
    rows = [
        _running("old-run", END - timedelta(days=20)),
        _running("older-run", END - timedelta(days=30)),
        _row("old-done", END - timedelta(days=20)),
        _running("window-run", END - timedelta(hours=1)),
    ]
    load(store, tmp_path, "a", rows)
    load(store, tmp_path, "other", [_running("elsewhere", END - timedelta(days=3))])
    ctx = _context(store, "a")
    assert [j.label for j in ctx.running_before] == ["older-run", "old-run"]
    assert [j.label for j in ctx.jobs] == ["window-run"]
    last = {j.label: ctx.last_steps[j.id] for j in ctx.running_before}
    assert {(s.seq, s.name) for s in last.values()} == {(3, "http_get")}
    with store.engine.connect() as conn:
        oldest = running_jobs_before(conn, ctx.assignment.id, END, limit=1)
    assert [j.label for j in oldest] == ["older-run"]
    (stuck,) = _findings(store, "a", "job_stuck")
    assert stuck.severity == Severity.WATCH  # no baseline durations: the fallback bound
    assert stuck.evidence["job_ids"] == ["older-run", "old-run"]
    assert "in tool step http_get (seq 3)" in stuck.title


def test_a_revision_time_limit_is_read_from_its_config(store: Store, tmp_path: Path) -> None:
    rows = [
        _running("limited", END - timedelta(minutes=5), revision=2),
        _running("unlimited", END - timedelta(minutes=5), revision=1),
    ]
    load(store, tmp_path, "a", rows)
    with store.engine.begin() as conn:
        assignment = get_assignment(conn, store.team_id, "a")
        for number, config in ((1, {"limits": {"max_duration_ms": "soon"}}),
                               (2, {"limits": {"max_duration_ms": 60_000}})):  # fmt: skip
            conn.execute(
                sa.update(revisions)
                .where(revisions.c.assignment_id == assignment.id, revisions.c.number == number)
                .values(config=config)
            )
    ctx = _context(store, "a")
    assert list(ctx.time_limits_ms.values()) == [60_000]
    (stuck,) = _findings(store, "a", "job_stuck")
    assert stuck.severity == Severity.ACT
    assert stuck.evidence["job_ids"] == ["limited"]
    assert stuck.evidence["jobs"][0]["bound_basis"] == "limit"


def _postponed(case: str, until: datetime) -> dict[str, Any]:
    return {"id": case, "queue": "refunds", "status": "postponed", "postponed_until": _iso(until)}


@pytest.mark.parametrize("baseline", ["trailing", "testing"])
def test_postponed_cases_of_recent_jobs_are_loaded_and_overdue_ones_named(
    store: Store, tmp_path: Path, baseline: str
) -> None:
    rows = [
        _row("r1", END - timedelta(days=3), case=_postponed("P1", END - timedelta(days=2))),
        _row("r2", END - timedelta(days=10), case=_postponed("P2", END - timedelta(days=9))),
        _row("r3", END - timedelta(days=2), case=_postponed("P3", END - timedelta(days=1.5))),
        _row("r4", END - timedelta(days=1), case={"id": "P3", "queue": "refunds",
                                                  "status": "completed"}),
        _row("r5", END - timedelta(hours=4), case=_postponed("P4", END + timedelta(days=1))),
    ]  # fmt: skip
    load(store, tmp_path, "a", rows)
    if baseline == "testing":  # the lookback is then read from the store, not the baseline
        period = {
            "testing_from": END - timedelta(days=40),
            "testing_until": END - timedelta(days=30),
        }
        set_assignment(store, "a", actor="test", **period)
    ctx = _context(store, "a")
    assert ctx.baseline.kind == ("testing" if baseline == "testing" else "trailing_7d")
    by_name = {case.external_id: case for case in ctx.postponed_cases.values()}
    assert sorted(by_name) == ["P1", "P4"]  # P2: too old for the lookback; P3: taken up
    assert [j.label for j in ctx.postponed_case_jobs[by_name["P1"].id]] == ["r1"]
    (overdue,) = _findings(store, "a", "overdue_wait")
    assert overdue.severity == Severity.ACT
    assert overdue.evidence["wait"] == "case"
    assert overdue.evidence["job_ids"] == ["r1"]
    assert overdue.title.startswith("Postponed case P1 (job r1) due back at 2026-03-08 00:00")


def test_a_pending_request_past_its_expiry_is_named(store: Store, tmp_path: Path) -> None:
    raised = END - timedelta(days=3)
    request = {"type": "approval", "gate": "refund", "created_at": _iso(raised)}
    request["expires_at"] = _iso(raised + timedelta(days=1))
    load(store, tmp_path, "a", [_row("waits", raised, status="needs_input",
                                     human_requests=[request])])  # fmt: skip
    (overdue,) = _findings(store, "a", "overdue_wait")
    assert overdue.severity == Severity.ACT
    assert overdue.evidence["wait"] == "request"
    assert overdue.evidence["job_ids"] == ["waits"]
    assert overdue.evidence["waits"][0]["overdue_minutes"] == 2 * 24 * 60
