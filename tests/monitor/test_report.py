"""Rendering a report as plain text and as Markdown."""

from __future__ import annotations

from sopwatch.domain.enums import Severity
from sopwatch.domain.finding import Finding
from sopwatch.monitor.daily_check import Report, run_daily_check
from sopwatch.monitor.report import render_markdown, render_text

from .builders import Ctx


def _report(findings: list[Finding]) -> Report:
    base = run_daily_check(Ctx().build(), checks=())
    return Report(
        assignment="airline-support",
        window=base.window,
        baseline=base.baseline,
        findings=findings,
    )


ACT = Finding(
    kind="failure_cluster",
    severity=Severity.ACT,
    title="PageDownTool fails | with the same error in 8 jobs",
    response="Fix the step.",
    evidence={
        "job_ids": [f"trace-{i}" for i in range(8)],
        "step": "PageDownTool",
        "step_count": 12,
        "jobs": [{"job_id": f"trace-{i}", "error": "E"} for i in range(7)],
        "gates": {"refund": 3},
    },
)
WATCH = Finding(
    kind="tool_loop",
    severity=Severity.WATCH,
    title="search called 3 times",
    response="Fix the step.",
    evidence={"job_ids": ["job-1"]},
)
OK = Finding(kind="run_volume", severity=Severity.OK, title="On target", response="Nothing.")


def test_text_header_and_one_line_per_finding() -> None:
    text = render_text(_report([ACT, WATCH, OK]))
    lines = text.splitlines()
    assert lines[0] == "Daily check: airline-support"
    assert lines[1] == "Window:   2025-11-26 00:00 → 2025-11-27 00:00 UTC (24 h)"
    assert lines[2].startswith("Baseline: none: no jobs")
    assert lines[3] == "Result:   ACT: 1 act, 1 watch, 1 ok"
    assert any(line.startswith("ACT    failure_cluster  PageDownTool fails") for line in lines)
    assert any(line.startswith("WATCH  tool_loop        search called 3 times") for line in lines)
    assert any(line.startswith("ok     run_volume       On target") for line in lines)


def test_text_shows_five_job_ids_and_the_response_under_act_and_watch_only() -> None:
    text = render_text(_report([ACT, WATCH, OK]))
    assert "jobs: trace-0, trace-1, trace-2, trace-3, trace-4 +3 more" in text
    assert "→ Fix the step." in text
    assert "→ same response as above" in text  # WATCH repeats ACT's response
    assert "Nothing." not in text
    assert "jobs: job-1\n" in text


def test_markdown_has_table_and_sections_for_act_and_watch() -> None:
    md = render_markdown(_report([ACT, WATCH, OK]))
    assert md.startswith("# Daily check: airline-support\n")
    assert "| Severity | Check | Finding |" in md
    assert "| ACT | failure_cluster | PageDownTool fails \\| with the same error in 8 jobs |" in md
    assert "| ok | run_volume | On target |" in md
    assert md.count("\n## ") == 2
    assert "## ACT — failure_cluster:" in md
    assert "- **job_ids** (8): `trace-0`, `trace-1`, `trace-2`, `trace-3`, `trace-4` +3 more" in md
    assert "- **step**: `PageDownTool`" in md
    assert "- **jobs** (7):" in md and "  - +2 more" in md
    assert "- **gates**: refund: 3" in md
    assert md.count("**Response:** Fix the step.") == 2


def test_real_report_renders() -> None:
    ctx = Ctx()
    ctx.job()
    report = run_daily_check(ctx.build())
    text = render_text(report)
    assert len(text.splitlines()) == 5 + len(report.findings)  # all ok: no extra lines
    assert render_markdown(report).count("\n## ") == 0


def test_text_lists_act_findings_first_under_act_now() -> None:
    lines = render_text(_report([WATCH, OK, ACT])).splitlines()
    start = lines.index("Act now:")
    assert start == 4
    assert lines[start + 1] == "  - PageDownTool fails | with the same error in 8 jobs"
    assert lines[start + 2] == ""
    assert "Act now:" not in render_text(_report([WATCH, OK]))
