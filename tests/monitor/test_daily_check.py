"""The daily check: every check in the seed's order, the report's JSON shape, exit code."""

from __future__ import annotations

import json

from sopwatch.domain.enums import JobStatus, Severity
from sopwatch.domain.finding import Finding
from sopwatch.monitor.checks import ALL_CHECKS
from sopwatch.monitor.context import CheckContext
from sopwatch.monitor.daily_check import Report, run_daily_check

from .builders import WINDOW_END, WINDOW_START, Ctx, model, synthetic, tool

CHECKLIST = [
    "check_inbox",
    "check_cases",
    "check_overdue_waits",
    "check_needs_attention",
    "check_stuck_jobs",
    "check_status_contradictions",
    "check_failure_clusters",
    "check_connections",
    "check_cost",
    "check_latency",
    "check_step_latency",
    "check_tool_loops",
    "check_duplicate_side_effects",
    "check_spot_check",
    "check_rejection_rate",
    "check_truncated_output",
    "check_run_volume",
    "check_repeated_input",
    "check_sources",
]


def test_all_checks_in_seed_order() -> None:
    assert [check.__name__ for check in ALL_CHECKS] == CHECKLIST


def test_empty_window_never_raises_and_every_item_reports_ok() -> None:
    report = run_daily_check(Ctx().build())
    kinds = [f.kind for f in report.findings]
    assert kinds == [
        "inbox_pending",
        "inbox_stale",
        "case_queue",
        "overdue_wait",
        "needs_attention",
        "job_stuck",
        "status_contradiction",
        "failure_cluster",
        "connection_auth",
        "cost_spike",
        "latency_drift",
        "step_latency",
        "tool_loop",
        "duplicate_side_effect",
        "spot_check",
        "rejection_rate",
        "truncated_output",
        "run_volume",
        "repeated_input",
        "source_breakdown",
    ]
    assert all(f.severity == Severity.OK for f in report.findings)
    assert report.exit_code == 0


def test_to_dict_has_exactly_the_documented_fields() -> None:
    ctx = Ctx()
    ctx.baseline(3)
    ctx.job(steps=[model(), tool("search", "{}")])
    report = run_daily_check(ctx.build())
    data = report.to_dict()
    assert list(data) == ["assignment", "window", "baseline", "findings"]
    assert data["assignment"] == "airline-support"
    assert data["window"] == {"start": WINDOW_START.isoformat(), "end": WINDOW_END.isoformat()}
    assert set(data["baseline"]) == {"kind", "start", "end", "jobs", "description", "skipped"}
    assert data["baseline"]["skipped"] == {}
    assert data["baseline"]["kind"] == "trailing_7d"
    assert data["baseline"]["jobs"] == 3
    assert data["baseline"]["description"].startswith("the 7 days before the window")
    for finding in data["findings"]:
        assert list(finding) == ["kind", "severity", "title", "evidence", "response"]
        assert finding["severity"] in {"ok", "watch", "act"}
        assert "job_ids" in finding["evidence"]
    json.dumps(data)  # JSON-serialisable as it is


def test_exit_code_is_one_only_with_an_act_finding() -> None:
    ctx = Ctx()
    ctx.job(JobStatus.FAILED, steps=[tool("x", error="E")])  # failed rate 100%, no baseline
    report = run_daily_check(ctx.build())
    assert report.severity == Severity.ACT
    assert report.exit_code == 1
    watch_only = Report(
        assignment="a",
        window=report.window,
        baseline=report.baseline,
        findings=[Finding(kind="k", severity=Severity.WATCH, title="t", response="r")],
    )
    assert watch_only.exit_code == 0


def test_a_crashing_check_becomes_an_act_finding() -> None:
    def broken(ctx: CheckContext) -> list[Finding]:
        raise RuntimeError("bug")

    report = run_daily_check(Ctx().build(), checks=(broken, *ALL_CHECKS[:1]))
    assert report.findings[0].kind == "check_error"
    assert report.findings[0].severity == Severity.ACT
    assert "RuntimeError: bug" in report.findings[0].title
    assert [f.kind for f in report.findings[1:]] == ["inbox_pending", "inbox_stale"]


def test_busy_day_finds_the_planted_problems() -> None:
    # Speed is measured by bench/import_and_check.py, never asserted in a test.
    report = run_daily_check(synthetic())
    kinds = {f.kind for f in report.findings if f.severity == Severity.ACT}
    assert {"failure_cluster", "connection_auth"} <= kinds
    assert any(f.kind == "tool_loop" and f.severity != Severity.OK for f in report.findings)
    page_down = [f for f in report.findings if f.evidence.get("tool") == "PageDownTool"]
    assert page_down and page_down[0].evidence["job_count"] > 100
