"""``sopwatch assignments delete/rename`` and "did you mean" in every command, on both DBs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import Cli

AT = "2026-03-01T10:00:00Z"
PENDING = {"type": "question", "status": "pending", "question": "ok?", "step": 1}


def _runs(tmp_path: Path, name: str, count: int) -> str:
    rows = [
        {"id": f"{name}-{i}", "status": "completed", "created_at": AT, "revision": 1 + i % 2,
         "case": {"id": f"c{i}", "queue": "inbox", "status": "completed"},
         "steps": [{"kind": "tool", "name": "t", "arguments": {"i": i}}],
         "human_requests": [PENDING]}
        for i in range(count)
    ]  # fmt: skip
    path = tmp_path / f"{name}.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return str(path)


@pytest.fixture
def two(cli: Cli, tmp_path: Path) -> Cli:
    """Assignments ``doomed`` (3 jobs) and ``kept`` (2 jobs) imported."""
    assert cli("import", _runs(tmp_path, "doomed", 3), "-a", "doomed").code == 0
    assert cli("import", _runs(tmp_path, "kept", 2), "-a", "kept").code == 0
    return cli


def test_delete_without_yes_refuses_and_says_what_would_go(two: Cli) -> None:
    ran = two("assignments", "delete", "doomed")
    assert ran.code == 2
    assert ran.err == (
        "error: --yes: deleting assignment 'doomed' would remove 3 jobs, 3 steps, "
        "3 human requests and 2 revisions (3 cases stay in their queues); nothing was "
        "deleted: run again with --yes to delete\n"
    )
    assert len(two("jobs", "doomed", "--json").json()) == 3


def test_delete_with_yes_deletes_and_counts(two: Cli) -> None:
    before = two("db", "info", "--json").json()["counts"]
    ran = two("assignments", "delete", "doomed", "--yes")
    assert ran.code == 0, ran.err
    assert ran.out == (
        "Deleted assignment 'doomed': 3 jobs, 3 steps, 3 human requests and 2 revisions. "
        "3 cases stay in their queues.\n"
    )
    after = two("db", "info", "--json").json()["counts"]
    assert after["jobs"] == before["jobs"] - 3 == 2
    assert after["steps"] == before["steps"] - 3
    assert after["human_requests"] == before["human_requests"] - 3
    assert after["revisions"] == before["revisions"] - 2
    assert after["cases"] == before["cases"]
    assert after["audit_events"] == before["audit_events"] + 1
    assert two("jobs", "doomed").code == 2
    assert len(two("jobs", "kept", "--json").json()) == 2
    assert [a["name"] for a in two("assignments", "list", "--json").json()] == ["kept"]


def test_delete_json(two: Cli) -> None:
    dry = two("assignments", "delete", "doomed", "--json")
    assert dry.code == 2 and dry.json()["deleted"] is False and dry.json()["jobs"] == 3
    done = two("assignments", "delete", "doomed", "--yes", "--json").json()
    assert (done["deleted"], done["jobs"], done["steps"], done["cases_linked"]) == (True, 3, 3, 3)


def test_rename(two: Cli) -> None:
    ran = two("assignments", "rename", "doomed", "saved")
    assert (ran.code, ran.out) == (0, "Renamed assignment 'doomed' to 'saved'.\n")
    assert len(two("jobs", "saved", "--json").json()) == 3
    assert two("check", "saved", "--format", "json").code in (0, 1)
    taken = two("assignments", "rename", "saved", "kept")
    assert (taken.code, taken.err) == (
        2,
        "error: NEW: assignment 'kept' already exists; choose a free name\n",
    )
    blank = two("assignments", "rename", "saved", " ")
    assert blank.code == 2 and blank.err == "error: NEW: must not be blank\n"


@pytest.mark.parametrize(
    "args",
    [
        ["check", "doomd"],
        ["jobs", "doomd"],
        ["job", "doomed-1", "--assignment", "doomd"],
        ["assignments", "set", "doomd", "--expected-runs-per-day", "3"],
        ["assignments", "delete", "doomd", "--yes"],
        ["assignments", "rename", "doomd", "other"],
    ],
)
def test_every_command_suggests_the_assignment_meant(two: Cli, args: list[str]) -> None:
    ran = two(*args)
    assert ran.code == 2
    assert ran.err == "error: assignment: 'doomd' not found; did you mean 'doomed'?\n"


def test_no_assignments_yet_says_how_to_import(cli: Cli) -> None:
    ran = cli("jobs", "triage")
    assert ran.code == 2
    assert ran.err == (
        "error: assignment: 'triage' not found; there are no assignments yet: import runs "
        "with `sopwatch import PATH --assignment triage`\n"
    )


def test_set_prints_what_is_now_stored(two: Cli) -> None:
    ran = two(
        "assignments", "set", "kept", "--expected-runs-per-day", "12500",
        "--testing-from", "2026-02-01", "--testing-until", "2026-03-01",
    )  # fmt: skip
    assert ran.code == 0, ran.err
    assert ran.out == (
        "kept  stage testing  expected runs/day 12,500  testing period 2026-02-01 00:00 to "
        "2026-03-01 00:00 UTC\n"
    )
    nothing = two("assignments", "set", "kept")
    assert nothing.code == 2 and nothing.err.startswith("error: options: nothing to set")


def test_set_read_tools_shows_them_and_the_check_stops_counting_their_calls(
    two: Cli, tmp_path: Path
) -> None:
    runs = [
        {"id": f"p-{i}", "status": "completed", "created_at": f"2026-03-01T10:0{i}:00Z",
         "steps": [{"kind": "tool", "name": "ping", "arguments": {"host": "crm"}}]}
        for i in range(3)
    ]  # fmt: skip
    path = tmp_path / "pings.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in runs))
    assert two("import", str(path), "-a", "pinger").code == 0

    def duplicates() -> list[str]:
        ran = two("check", "pinger", "--format", "json")
        found = ran.json()["findings"]
        return [f["severity"] for f in found if f["kind"] == "duplicate_side_effect"]

    assert duplicates() == ["act"]
    ran = two("assignments", "set", "pinger", "--read-tools", "ping, lookupVendor")
    assert ran.code == 0, ran.err
    assert ran.out.endswith("  read tools ping, lookupVendor\n")
    listed = two("assignments", "list", "--json").json()
    assert [a["read_tools"] for a in listed if a["name"] == "pinger"] == [["ping", "lookupVendor"]]
    assert duplicates() == ["ok"]
    assert two("assignments", "set", "pinger", "--read-tools", "").code == 0
    assert "read tools" not in two("assignments", "list").out
    assert duplicates() == ["act"]
    blank = two("assignments", "set", "pinger", "--read-tools", "ping,,x")
    assert (blank.code, blank.err) == (2, "error: --read-tools: tool name '': must not be blank\n")


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("multi\nline", "a control character (U+000A) at position 5; a name is one line of text"),
        ("bell\x07", "a control character (U+0007) at position 4"),
        ("esc\x1b[2J", "a control character (U+001B) at position 3"),
        (" padded ", "' padded ' starts or ends with a blank; give the name without it"),
        ("padded\t", "a control character (U+0009) at position 6"),
        ("trailing ", "'trailing ' starts or ends with a blank"),
    ],
)
def test_a_name_is_one_line_without_padding(
    two: Cli, tmp_path: Path, name: str, problem: str
) -> None:
    given = two("import", _runs(tmp_path, "x", 1), "-a", name)
    assert (given.code, given.out) == (2, "")
    assert given.err.startswith(f"error: --assignment: {problem}")
    renamed = two("assignments", "rename", "kept", name)
    assert renamed.code == 2 and renamed.err.startswith(f"error: NEW: {problem}")
    path = tmp_path / "own.jsonl"
    path.write_text(json.dumps({"id": "o", "created_at": AT, "assignment": name}) + "\n")
    own = two("import", str(path))
    assert own.code == 1
    assert f"{path}: line 1: field 'assignment': {problem}" in own.out
    listed = two("assignments", "list", "--json").json()
    assert [a["name"] for a in listed] == ["doomed", "kept"]
