"""Regressions found by a newcomer trying to break the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sopwatch.cli.main import app
from tests.e2e.conftest import Cli


def _jsonl(path: Path, rows: list[dict[str, object]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (["check", "x", "--window", "99999999999d"], "--window"),
        (["check", "x", "--at", "0001-01-01"], "--at"),
        (["import", "README.md", "-a", "x", "--spread", "999999999999d"], "--spread"),
        (["import", "README.md", "-a", "x", "--end", "9999-01-01T00:00Z"], "--end"),
        (["assignments", "set", "x", "--expected-runs-per-day", "inf"], "--expected-runs-per-day"),
    ],
)
def test_out_of_range_values_are_usage_errors(cli: Cli, args: list[str], field: str) -> None:
    ran = cli(*args)
    assert ran.code == 2, ran.out + ran.err
    assert field in ran.err


def test_default_window_follows_imported_history_whatever_its_source(
    cli: Cli, tmp_path: Path
) -> None:
    rows = [
        {"id": f"r{i}", "source": "trigger", "status": "completed",
         "created_at": f"2026-03-0{1 + i % 7}T10:00:00Z",
         "finished_at": f"2026-03-0{1 + i % 7}T10:05:00Z"}
        for i in range(30)
    ]  # fmt: skip
    assert cli("import", str(_jsonl(tmp_path / "r.jsonl", rows)), "-a", "syn").code == 0
    report = cli("check", "syn", "--format", "json").json()
    assert report["window"]["end"].startswith("2026-03-07T10:05:00.001")
    volume = next(f for f in report["findings"] if f["kind"] == "run_volume")
    assert "0 jobs" not in volume["title"]


def test_external_id_wins_over_our_id(cli: Cli, tmp_path: Path) -> None:
    rows = [
        {"id": name, "status": "completed", "created_at": "2026-03-01T10:00:00Z"}
        for name in ("first", "1", "job-1")
    ]
    assert cli("import", str(_jsonl(tmp_path / "ids.jsonl", rows)), "-a", "amb").code == 0
    for key in ("1", "job-1", "first"):
        shown = cli("job", key, "-a", "amb", "--json")
        assert shown.code == 0, shown.err
        assert shown.json()["job_id"] == key


def test_testing_period_overlapping_the_window_is_cut_at_its_start(
    cli: Cli, tmp_path: Path
) -> None:
    rows = [
        {"id": f"r{i}", "status": "failed" if i % 4 == 0 else "completed",
         "created_at": f"2026-03-{1 + i // 4:02d}T{i % 4 * 5:02d}:00:00Z"}
        for i in range(40)
    ]  # fmt: skip
    assert cli("import", str(_jsonl(tmp_path / "r.jsonl", rows)), "-a", "t").code == 0
    set_ran = cli(
        "assignments", "set", "t", "--testing-from", "2026-03-01", "--testing-until", "2026-04-01"
    )
    assert set_ran.code == 0
    report = cli("check", "t", "--at", "2026-03-10T16:00Z", "--format", "json").json()
    assert report["baseline"]["kind"] == "testing"
    assert report["baseline"]["end"] == report["window"]["start"]
    assert report["baseline"]["jobs"] == 36


def test_missing_sqlite_directory_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOPWATCH_DATABASE_URL", f"sqlite:///{tmp_path}/typo/x.db")
    result = CliRunner().invoke(app, ["assignments", "list"])
    assert result.exit_code == 2
    assert "SOPWATCH_DATABASE_URL" in result.stderr and "does not exist" in result.stderr
    assert not (tmp_path / "typo").exists()


def test_blank_team_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOPWATCH_DATABASE_URL", f"sqlite:///{tmp_path}/x.db")
    monkeypatch.setenv("SOPWATCH_TEAM", "  ")
    result = CliRunner().invoke(app, ["assignments", "list"])
    assert result.exit_code == 2
    assert "SOPWATCH_TEAM: must not be blank" in result.stderr


def test_job_by_unique_prefix_of_its_external_id(cli: Cli, tmp_path: Path) -> None:
    rows = [
        {"id": name, "status": "completed", "created_at": "2026-03-01T10:00:00Z"}
        for name in ("86ffe650-aaaa", "86ffe650-bbbb", "4aa56519-cccc", "50%_off-dddd")
    ]
    assert cli("import", str(_jsonl(tmp_path / "ids.jsonl", rows)), "-a", "pre").code == 0
    assert cli("job", "4aa56519", "--json").json()["job_id"] == "4aa56519-cccc"
    assert cli("job", "50%_off", "--json").json()["job_id"] == "50%_off-dddd"
    ambiguous = cli("job", "86ffe650")
    assert ambiguous.code == 2 and "names 2 jobs" in ambiguous.err
    assert cli("job", "50%").code == 2  # too short to be a prefix


def test_a_run_with_only_finished_at_is_placed_there(cli: Cli, tmp_path: Path) -> None:
    rows = [{"id": "f", "status": "completed", "finished_at": "2026-03-01T10:00:00Z"}]
    summary = cli("import", str(_jsonl(tmp_path / "f.jsonl", rows)), "-a", "fin", "--json")
    assert summary.json()["laid_out"] == 0
    (job,) = cli("jobs", "fin", "--json").json()
    assert job["created_at"].startswith("2026-03-01T10:00:00")


def test_a_directory_import_reports_each_broken_link_and_loads_the_rest(
    cli: Cli, tmp_path: Path
) -> None:
    folder = tmp_path / "runs"
    folder.mkdir()
    _jsonl(folder / "GOOD.JSONL", [{"id": "a", "created_at": "2026-03-01T10:00:00Z"}])
    _jsonl(folder / ".hidden.jsonl", [{"id": "h", "created_at": "2026-03-01T10:00:00Z"}])
    for name in ("x.jsonl", "y.json"):
        (folder / name).symlink_to(tmp_path / "moved" / name)
    ran = cli("import", str(folder), "-a", "links", "--json")
    assert ran.code == 1
    summary = ran.json()
    assert (summary["files"], summary["imported"], summary["file_errors"]) == (3, 1, 2)
    assert summary["errors"] == [
        f"{folder / name}: a broken symbolic link (to {tmp_path / 'moved' / name}): nothing to read"
        for name in ("x.jsonl", "y.json")
    ]


def test_an_id_in_two_assignments_and_an_id_starting_with_a_dash(cli: Cli, tmp_path: Path) -> None:
    rows = [{"id": name, "created_at": "2026-03-01T10:00:00Z"} for name in ("c5", "-1")]
    for assignment in ("blue", "green"):
        assert cli("import", str(_jsonl(tmp_path / "ids.jsonl", rows)), "-a", assignment).code == 0
    both = cli("job", "c5")
    assert (both.code, both.err) == (
        2,
        "error: JOB_ID: 'c5' is the id of jobs in 2 assignments: blue, green; give --assignment\n",
    )
    assert cli("job", "c5", "-a", "green", "--json").json()["assignment"] == "green"
    dash = cli("job", "-1")
    assert (dash.code, dash.err) == (
        2,
        "error: -1: no such option; a value starting with '-' goes after `--`: "
        "`sopwatch job -- -1`\n",
    )
    assert cli("job", "-a", "blue", "--json", "--", "-1").json()["job_id"] == "-1"
