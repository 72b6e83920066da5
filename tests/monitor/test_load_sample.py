"""The baseline step sample on real SQLite and PostgreSQL: bounded, evenly spaced, figures
only, and in the context the check reads."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sopwatch.domain.enums import StepKind
from sopwatch.monitor.context import CheckSettings, StepFigures
from sopwatch.monitor.load import evenly_spaced, load_baseline_steps, load_context
from sopwatch.service.assignments import require_assignment
from sopwatch.service.runs import import_runs
from sopwatch.service.store import open_store
from sopwatch.settings import Settings

END = datetime(2026, 3, 10, tzinfo=UTC)


def _run(i: int, at: datetime) -> dict[str, Any]:
    steps: list[dict[str, Any]] = [
        {"kind": "model", "name": "draft", "model": "gpt-4o", "duration_ms": 900 + i,
         "input_tokens": 1000 + i, "output_tokens": 100, "cost_usd": 0.002,
         "finish_reason": "length", "max_tokens": 100},
        {"kind": "tool", "name": "lookup", "arguments": {"n": i}, "result": "x" * 50,
         "duration_ms": 120, "error": "boom"},
    ]  # fmt: skip
    return {"id": f"r{i}", "created_at": at.isoformat(), "steps": steps if i % 10 else []}


def test_the_sample_is_bounded_evenly_spaced_and_holds_figures_only(
    db_url: str, tmp_path: Path
) -> None:
    runs = [_run(i, END - timedelta(days=7) + timedelta(hours=i)) for i in range(30)]
    runs.append(_run(99, END - timedelta(hours=1)))  # the window's one job
    path = tmp_path / "runs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in runs))
    store = open_store(Settings(database_url=db_url, team="sample"))
    import_runs(store, [path], assignment="a", fmt="jsonl")
    with store.engine.connect() as conn:
        assignment = require_assignment(conn, store.team_id, "a")
        ctx = load_context(conn, assignment, END, timedelta(days=1), CheckSettings())
        assert len(ctx.baseline.jobs) == 30
        assert set(ctx.baseline_steps) == {job.id for job in ctx.baseline.jobs}  # ≤ 500: all
        sample = load_baseline_steps(conn, ctx.baseline.jobs, limit=10)
    store.engine.dispose()
    picked = [job.external_id for job in ctx.baseline.jobs if job.id in sample]
    assert picked == [f"r{i}" for i in range(0, 30, 3)]  # every third, oldest first
    assert sample[ctx.baseline.jobs[0].id] == ()  # r0 has no steps
    job_id = ctx.baseline.jobs[3].id
    assert set(sample[job_id]) == {  # figures only: no arguments, result or error
        StepFigures(job_id, StepKind.MODEL, "draft", "gpt-4o", 903, 1003, 100, 2000, "length", 100),
        StepFigures(job_id, StepKind.TOOL, "lookup", None, 120, None, None, None, None, None),
    }


def test_evenly_spaced_keeps_everything_under_the_limit() -> None:
    items: list[Any] = list(range(7))
    assert evenly_spaced(items, 10) == items
    assert evenly_spaced(items, 3) == [0, 2, 4]
    assert evenly_spaced(items, 0) == []
