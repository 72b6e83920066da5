"""Planner statistics during a long import: ``ANALYZE`` on PostgreSQL when the import has
written its first jobs and each time the tables doubled; nothing on SQLite."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from sopwatch.ingest import importer
from sopwatch.ingest.importer import ImportOptions, import_paths
from sopwatch.store import planner
from sopwatch.store.planner import Statistics
from sopwatch.store.teams import ensure_team


def _analyzed(engine: sa.Engine) -> int:
    """How many times ``jobs`` was analyzed by hand (PostgreSQL's own count)."""
    query = "SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'jobs'"
    with engine.connect() as conn:
        return int(conn.exec_driver_sql(query).scalar_one())


def test_an_import_analyzes_as_the_tables_double(
    engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(planner, "FIRST_ANALYZE", 4)
    monkeypatch.setattr(importer, "BATCH_SIZE", 3)
    with engine.begin() as conn:
        team = ensure_team(conn, "t")
    runs = [{"id": f"r{i}", "status": "completed", "created_at": "2026-03-01T10:00:00Z"}
            for i in range(30)]  # fmt: skip
    path = tmp_path / "r.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in runs))
    end = datetime(2026, 3, 2, tzinfo=UTC)
    options = ImportOptions(
        team_id=team.id, assignment="a", fmt=None, spread=timedelta(days=1), end=end
    )
    assert import_paths(engine, [path], options).imported == 30
    if engine.dialect.name != "postgresql":
        return
    # After 6 jobs (the first 4 were due), then 6 more (jobs held 6), then 12 more.
    assert _analyzed(engine) == 3
    with engine.connect() as conn:
        estimate = conn.exec_driver_sql("SELECT reltuples FROM pg_class WHERE relname = 'jobs'")
        assert estimate.scalar_one() == 24


def test_statistics_leave_sqlite_alone(engine: sa.Engine) -> None:
    statistics = Statistics()
    statistics.written(engine, 10**6)
    assert statistics.runs == (1 if engine.dialect.name == "postgresql" else 0)
