"""User mistakes give a clear one-line error and exit 2, never a traceback; nothing is lost."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sopwatch.cli.main import app
from tests.conftest import BUNDLED_DATA
from tests.e2e.conftest import Cli

GPT_OSS = next((BUNDLED_DATA / "tau2-bench").glob("gpt-oss-120b_*.json"))


def test_unknown_assignment(cli: Cli) -> None:
    ran = cli("check", "nope")
    assert ran.code == 2
    assert ran.err.startswith("error: assignment: 'nope' not found")


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["check", "x", "--window", "1 day"], "--window"),
        (["check", "x", "--at", "yesterday"], "--at"),
        (["import", "nowhere.json", "-a", "x"], "PATH"),
        (["import", "README.md", "-a", "x", "--format", "csv"], "--format"),
        (["assignments", "set", "x", "--testing-from", "2025-01-01"], "--testing-from"),
    ],
)
def test_bad_options_name_the_field(cli: Cli, args: list[str], field: str) -> None:
    ran = cli(*args)
    assert ran.code == 2
    assert field in ran.err
    assert "Traceback" not in ran.err + ran.out


def test_bad_database_url_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOPWATCH_DATABASE_URL", "mysql://x")
    result = CliRunner().invoke(app, ["assignments", "list"])
    assert result.exit_code == 2
    assert "SOPWATCH_DATABASE_URL" in result.stderr


def test_malformed_files_report_per_record_and_lose_nothing(cli: Cli, tmp_path: Path) -> None:
    assert cli("import", str(GPT_OSS), "--assignment", "mixed").code == 0
    truncated = tmp_path / "truncated.json"
    truncated.write_text(GPT_OSS.read_text()[:5000])
    lines = tmp_path / "runs.jsonl"
    good = {"id": "ok-1", "status": "completed", "created_at": "2025-11-26T03:00:00Z"}
    bad = {"id": "bad-1", "status": "done"}
    lines.write_text(json.dumps(good) + "\n{not json\n" + json.dumps(bad) + "\n")
    ran = cli("import", str(truncated), str(lines), "--assignment", "mixed", "--json")
    assert ran.code == 1
    summary = ran.json()
    assert summary["imported"] == 1
    errors = summary["errors"]
    assert len(errors) == 3
    assert any("truncated.json" in e and "JSON" in e for e in errors)
    assert any("line 2" in e for e in errors)
    assert any("line 3" in e and "status" in e and "done" in e for e in errors)
    assert len(cli("jobs", "mixed", "--limit", "1000", "--json").json()) == 26


def test_a_directory_without_run_files_names_what_is_looked_for(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("not runs")
    ran = cli("import", str(tmp_path), "-a", "x")
    assert ran.code == 2
    assert "no run files" in ran.err
    assert "*.ndjson" in ran.err and "*.jsonl.gz" in ran.err
