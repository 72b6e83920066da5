"""The issue's must-shows on the bundled tau2 gpt-oss file, through the CLI, on both DBs."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import BUNDLED_DATA
from tests.e2e.conftest import Cli

GPT_OSS = next((BUNDLED_DATA / "tau2-bench").glob("gpt-oss-120b_*.json"))
TAU = BUNDLED_DATA / "tau-bench" / "gpt-4o-airline.json"
LOOP_JOBS = {"fcbc7985-6578-46b5-9c2e-1c07930258a2", "4aa56519-a7f7-450d-a084-99f48ef8926c"}


def test_check_reports_both_transfer_loops_and_exits_1(cli: Cli) -> None:
    ran = cli("import", str(GPT_OSS), "--assignment", "oss")
    assert ran.code == 0, ran.out + ran.err
    ran = cli("check", "oss", "--format", "json")
    assert ran.code == 1
    report = ran.json()
    assert set(report) == {"assignment", "window", "baseline", "findings"}
    loops = {
        f["evidence"]["job_ids"][0]: f
        for f in report["findings"]
        if f["kind"] == "tool_loop" and f["evidence"]["tool"] == "transfer_to_human_agents"
    }
    assert set(loops) >= LOOP_JOBS
    for job_id in LOOP_JOBS:
        finding = loops[job_id]
        assert finding["severity"] == "act"
        assert finding["evidence"]["count"] >= 90
        assert "transfer_to_human_agents" in finding["title"]
        assert set(finding) == {"kind", "severity", "title", "evidence", "response"}


def test_hand_offs_are_needs_input_never_completed(cli: Cli) -> None:
    assert cli("import", str(GPT_OSS), "--assignment", "oss").code == 0
    rows = cli("jobs", "oss", "--limit", "100", "--json").json()
    assert len(rows) == 25
    for row in rows:
        detail = cli("job", row["job_id"], "--json").json()
        hand_off = any(s["name"] == "transfer_to_human_agents" for s in detail["steps"])
        if hand_off:
            assert detail["status"] in {"needs_input", "failed"}, row["job_id"]
        if detail["status"] == "needs_input":
            assert [r["status"] for r in detail["human_requests"]][:1] == ["pending"]
    needs_input = cli("jobs", "oss", "--status", "needs_input", "--json").json()
    assert len(needs_input) == 11
    attention = cli("jobs", "oss", "--needs-attention", "--json").json()
    assert {r["status"] for r in attention} == {"needs_input", "failed"}
    assert len(attention) == 13


def test_import_is_idempotent(cli: Cli) -> None:
    first = cli("import", str(GPT_OSS), "--assignment", "oss", "--json").json()
    again = cli("import", str(GPT_OSS), "--assignment", "oss", "--json").json()
    assert (first["imported"], first["unchanged"]) == (25, 0)
    assert (again["imported"], again["unchanged"], again["steps"]) == (0, 25, 0)
    assert len(cli("jobs", "oss", "--limit", "1000", "--json").json()) == 25


def test_tau_runs_without_timestamps_are_spread(cli: Cli) -> None:
    ran = cli(
        "import", str(TAU), "--assignment", "tau", "--spread", "4d",
        "--end", "2025-11-25T00:00:00Z", "--json",
    )  # fmt: skip
    summary = ran.json()
    assert summary["laid_out"] == 200 and summary["errors"] == []
    rows = cli("jobs", "tau", "--limit", "1000", "--json").json()
    times = sorted(r["created_at"] for r in rows)
    assert times[-1].startswith("2025-11-25T00:00:00")
    assert times[0] > "2025-11-21T00:00:00"
    assert {r["status"] for r in rows} == {"completed", "needs_input"}
    assert sum(r["status"] == "needs_input" for r in rows) == 48


def test_default_window_of_imported_history_ends_at_newest_job(cli: Cli, tmp_path: Path) -> None:
    assert cli("import", str(GPT_OSS), "--assignment", "oss").code == 0
    report = cli("check", "oss", "--format", "json").json()
    assert report["window"]["end"].startswith("2025-11-26T")
    assert report["baseline"]["kind"] == "none"
