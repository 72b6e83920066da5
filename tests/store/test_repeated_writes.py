"""The window's repeated writes on real SQLite and PostgreSQL: with the duplicate
interval, only the writes that one job made twice or two jobs made close together."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from sopwatch.service.assignments import require_assignment
from sopwatch.service.runs import import_runs
from sopwatch.service.store import open_store
from sopwatch.settings import Settings
from sopwatch.store.window import repeated_writes

T = datetime(2026, 3, 10, 8, tzinfo=UTC)
HOUR_MS = 3_600_000


def _run(name: str, at: datetime, *recipients: str) -> dict[str, Any]:
    steps = [
        {"kind": "tool", "name": "send_email", "arguments": {"to": to}, "result": "sent",
         "started_at": (at + timedelta(seconds=i)).isoformat()}
        for i, to in enumerate(recipients)
    ]  # fmt: skip
    return {"id": name, "created_at": at.isoformat(), "steps": steps}


def test_only_writes_that_can_be_duplicates_come_back(db_url: str, tmp_path: Path) -> None:
    runs = [
        _run("close-1", T, "a"),
        _run("close-2", T + timedelta(minutes=30), "a"),  # 30 min after: kept
        _run("far-1", T, "b"),
        _run("far-2", T + timedelta(hours=5), "b"),  # 5 h after: never a duplicate
        _run("retry", T + timedelta(hours=1), "c", "c"),  # one job twice: kept
        _run("once", T, "d"),  # written once: never returned
    ]
    path = tmp_path / "runs.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in runs))
    store = open_store(Settings(database_url=db_url, team="writes"))
    import_runs(store, [path], assignment="a", fmt="jsonl")
    with store.engine.connect() as conn:
        assignment = require_assignment(conn, store.team_id, "a")
        ids = {
            job_id: name
            for job_id, name in conn.execute(sa.text("select id, external_id from jobs"))
        }
        start, end = T - timedelta(hours=1), T + timedelta(hours=6)
        every = repeated_writes(conn, store.team_id, assignment.id, start, end)
        close = repeated_writes(conn, store.team_id, assignment.id, start, end, within_ms=HOUR_MS)
    store.engine.dispose()
    assert sorted(ids[row[0]] for row in every) == sorted(
        ["close-1", "close-2", "far-1", "far-2", "retry", "retry"]
    )
    assert sorted(ids[row[0]] for row in close) == ["close-1", "close-2", "retry", "retry"]
    assert {json.loads(row[3])["to"] for row in close} == {"a", "c"}
