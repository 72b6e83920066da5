"""Several ``sopwatch`` processes at once on a brand-new database (cron, parallel CI): the
first migrates the schema under the migration lock, the others wait and find it current;
the team and an assignment they share are created once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa

from sopwatch.store.engine import make_engine
from sopwatch.store.migrate import HEAD, current_revision

PROCESSES = 6


def _runs(path: Path) -> Path:
    rows = [
        {"id": f"r{i}", "status": "completed", "created_at": f"2026-01-0{i + 1}T00:00:00Z"}
        for i in range(3)
    ]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    return path


def _import_at_once(db_url: str, runs: Path, assignments: list[str]) -> list[tuple[int, str]]:
    """Start one ``python -m sopwatch import`` per assignment at the same time; (exit
    status, stdout + stderr) of each."""
    env = {**os.environ, "SOPWATCH_DATABASE_URL": db_url, "SOPWATCH_TEAM": "race"}
    command = [sys.executable, "-m", "sopwatch", "import", str(runs), "--json", "-a"]
    procs = [
        subprocess.Popen(
            [*command, name], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for name in assignments
    ]
    done = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        done.append((proc.returncode, out + err))
    return done


def _count(db_url: str, table: str) -> int:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        count = conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one()
    engine.dispose()
    return int(count)


def test_imports_started_together_on_a_new_database_all_succeed(
    db_url: str, tmp_path: Path
) -> None:
    runs = _runs(tmp_path / "runs.jsonl")
    names = [f"race{i}" for i in range(PROCESSES)]
    for code, output in _import_at_once(db_url, runs, names):
        assert code == 0, output
        assert "Traceback" not in output
        assert json.loads(output)["imported"] == 3
    engine = make_engine(db_url)
    assert current_revision(engine) == HEAD
    engine.dispose()
    assert (_count(db_url, "teams"), _count(db_url, "assignments")) == (1, PROCESSES)
    assert _count(db_url, "jobs") == 3 * PROCESSES


def test_imports_of_one_assignment_together_store_each_run_once(
    db_url: str, tmp_path: Path
) -> None:
    runs = _runs(tmp_path / "runs.jsonl")
    results = _import_at_once(db_url, runs, ["shared"] * PROCESSES)
    summaries = []
    for code, output in results:
        assert code == 0, output
        summaries.append(json.loads(output))
    assert sum(s["imported"] for s in summaries) == 3
    assert all(s["imported"] + s["unchanged"] == 3 and not s["errors"] for s in summaries)
    assert (_count(db_url, "assignments"), _count(db_url, "jobs")) == (1, 3)
