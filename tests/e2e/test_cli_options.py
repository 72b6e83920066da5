"""Command-line options parse like the data does: times as the import reads timestamps
(``T``/``Z`` in either case, epoch seconds or milliseconds), spans, formats and statuses
in any case; a time more than a day ahead and a revision 0 are refused alike."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import Cli

AT = "2026-03-01T10:00:00Z"


@pytest.fixture
def imported(cli: Cli, tmp_path: Path) -> Cli:
    path = tmp_path / "runs.jsonl"
    rows = [{"id": f"r{i}", "status": "failed", "created_at": AT} for i in range(2)]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows))
    assert cli("import", str(path), "-a", "opt").code == 0
    return cli


@pytest.mark.parametrize(
    "at",
    ["2026-03-02T00:00:00Z", "2026-03-02t00:00:00z", "1772409600", "1772409600000", "2026-03-02"],
)
def test_at_takes_what_the_import_takes(imported: Cli, at: str) -> None:
    ran = imported("check", "opt", "--at", at, "--format", "json")
    assert ran.code in (0, 1), ran.err
    assert ran.json()["window"]["end"].startswith("2026-03-02T00:00:00")


def test_spans_formats_and_statuses_in_any_case(imported: Cli, tmp_path: Path) -> None:
    ran = imported("check", "opt", "--at", "2026-03-02T00:00Z", "--window", "24H", "--format",
                   "JSON", "--stale-after", "1H")  # fmt: skip
    assert ran.code in (0, 1), ran.err
    assert ran.json()["window"]["start"].startswith("2026-03-01T00:00:00")
    assert len(imported("jobs", "opt", "-s", "FAILED", "--json").json()) == 2
    assert len(imported("jobs", "opt", "-s", "Failed", "--json").json()) == 2
    tau = tmp_path / "tau.json"
    tau.write_text(json.dumps([{"task_id": 1, "trial": 0, "traj": []}]))
    loaded = imported("import", str(tau), "-a", "t", "--format", "TAU", "--spread", "1D",
                      "--end", "2026-03-01t00:00:00z", "--json")  # fmt: skip
    assert loaded.code == 0, loaded.err
    assert loaded.json()["laid_out"] == 1


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["check", "opt", "--at", "2100-01-01T00:00:00Z"],
         "error: --at: 2100-01-01T00:00:00Z is more than 1 day after now"),
        (["import", "x.jsonl", "-a", "opt", "--end", "2100-01-01"],
         "error: --end: 2100-01-01T00:00:00Z is more than 1 day after now"),
        (["check", "opt", "--at", "yesterday"], "error: --at: 'yesterday' is not an ISO 8601"),
        (["import", "x.jsonl", "-a", "opt", "--revision", "0"],
         "error: --revision: must be from 1 to 2,147,483,647; got 0"),
    ],
)  # fmt: skip
def test_refused_alike(imported: Cli, args: list[str], line: str) -> None:
    ran = imported(*args)
    assert ran.code == 2
    assert ran.err.startswith(line), ran.err


def test_a_jsonl_revision_0_is_refused_like_the_option(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_text(json.dumps({"id": "r", "revision": 0, "created_at": AT}) + "\n")
    ran = cli("import", str(path), "-a", "rev")
    assert ran.code == 1
    assert f"  error: {path}: line 1: field 'revision': must be at least 1; got 0" in ran.out
