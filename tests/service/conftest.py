"""Service fixtures: an open store on real SQLite and real PostgreSQL, and runs to import."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sopwatch.service.runs import import_runs
from sopwatch.service.store import Store, open_store
from sopwatch.settings import Settings

AT = datetime(2026, 3, 1, 10, tzinfo=UTC)


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """``open_store`` on each database, for the team ``svc``."""
    opened = open_store(Settings(database_url=db_url, team="svc"))
    yield opened
    opened.engine.dispose()


def run(i: int, **extra: Any) -> dict[str, Any]:
    """A JSONL run with two steps (a model call and a tool call) on case ``c<i>``."""
    row: dict[str, Any] = {
        "id": f"r{i}",
        "status": "completed",
        "revision": 1 + i % 2,
        "created_at": (AT + timedelta(minutes=i)).isoformat(),
        "case": {"id": f"c{i}", "queue": "inbox", "status": "completed"},
        "steps": [
            {"kind": "model", "name": "m", "input_tokens": 10},
            {"kind": "tool", "name": "lookup", "arguments": {"n": i}},
        ],
    }
    return row | extra


def load(store: Store, tmp_path: Path, assignment: str, rows: list[dict[str, Any]]) -> None:
    """Import ``rows`` (JSONL) into ``assignment``; every row must be stored."""
    path = tmp_path / f"{assignment}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    summary = import_runs(store, [path], assignment=assignment)
    assert summary.result.errors == []
    assert summary.result.imported == len(rows)
