"""The baseline's lean rows and ``default_at`` on real SQLite and PostgreSQL: the same
fields as the full jobs, and the window's end from the newest imported job."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sopwatch.domain.enums import JobStatus, Source, Verdict
from sopwatch.domain.job import BaselineJob
from sopwatch.monitor.context import CheckSettings
from sopwatch.monitor.load import FINISH_LOOKBACK, default_at, load_context
from sopwatch.service.assignments import require_assignment
from sopwatch.service.runs import import_runs
from sopwatch.service.store import open_store
from sopwatch.settings import Settings
from sopwatch.store.window import window_jobs

END = datetime(2026, 3, 10, tzinfo=UTC)
NOW = datetime(2027, 1, 1, tzinfo=UTC)


def _run(i: int, at: datetime, **extra: Any) -> dict[str, Any]:
    run: dict[str, Any] = {"id": f"r{i}", "created_at": at.isoformat(), "steps": []}
    return run | extra


def _import(db_url: str, tmp_path: Path, team: str, runs: list[dict[str, Any]]) -> Any:
    path = tmp_path / "runs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in runs))
    store = open_store(Settings(database_url=db_url, team=team))
    import_runs(store, [path], assignment="a", fmt="jsonl")
    return store


def test_baseline_rows_hold_the_fields_of_the_full_jobs(db_url: str, tmp_path: Path) -> None:
    start = END - timedelta(days=8)
    runs = [
        _run(0, start + timedelta(hours=1), status="failed", error="boom", duration_ms=700),
        _run(1, start + timedelta(hours=2), verdict="rejected", cost_usd=0.25),
        _run(2, start + timedelta(hours=3), source="scheduled", trigger_key="tick"),
        _run(3, start + timedelta(hours=3), verdict="accepted", cost_usd=0.5, duration_ms=9),
        _run(4, END - timedelta(hours=1)),  # the window's job
    ]
    store = _import(db_url, tmp_path, "lean", runs)
    with store.engine.connect() as conn:
        assignment = require_assignment(conn, store.team_id, "a")
        ctx = load_context(conn, assignment, END, timedelta(days=1), CheckSettings())
        base = ctx.baseline
        full, _ = window_jobs(conn, store.team_id, assignment.id, base.start, base.end)
    store.engine.dispose()
    assert ctx.baseline.jobs == tuple(BaselineJob.of(job) for job in full)
    by_label = {job.label: job for job in ctx.baseline.jobs}
    assert sorted(by_label) == ["r0", "r1", "r2", "r3"]
    assert by_label["r0"].status == JobStatus.FAILED and by_label["r0"].duration_ms == 700
    assert by_label["r1"].verdict == Verdict.REJECTED and by_label["r1"].cost_micros == 250_000
    assert by_label["r2"].source == Source.SCHEDULED and by_label["r2"].trigger_key == "tick"
    assert by_label["r3"].created_at == start + timedelta(hours=3)
    assert by_label["r3"].created_at.tzinfo == UTC


def test_default_at_ends_after_the_latest_start_or_finish(db_url: str, tmp_path: Path) -> None:
    newest = END - timedelta(hours=1)
    runs = [
        # finished after the newest job's start, created within FINISH_LOOKBACK of it
        _run(0, newest - timedelta(hours=3), finished_at=(newest + timedelta(hours=2)).isoformat()),
        _run(1, newest, finished_at=(newest + timedelta(minutes=5)).isoformat()),
    ]
    store = _import(db_url, tmp_path, "at", runs)
    with store.engine.connect() as conn:
        assignment = require_assignment(conn, store.team_id, "a")
        at = default_at(conn, assignment, NOW)
    store.engine.dispose()
    assert at == newest + timedelta(hours=2, milliseconds=1)


def test_default_at_looks_for_finishes_one_day_back(db_url: str, tmp_path: Path) -> None:
    newest = END - timedelta(hours=1)
    late = (newest + timedelta(hours=5)).isoformat()
    runs = [
        _run(0, newest - FINISH_LOOKBACK - timedelta(hours=1), finished_at=late),  # too old
        _run(1, newest),
    ]
    store = _import(db_url, tmp_path, "back", runs)
    with store.engine.connect() as conn:
        assignment = require_assignment(conn, store.team_id, "a")
        at = default_at(conn, assignment, NOW)
    store.engine.dispose()
    assert at == newest + timedelta(milliseconds=1)  # the bound, documented
