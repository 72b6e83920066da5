"""No baseline: every comparison check says it skipped its comparison, the report prints
one line naming them, and severities rest on absolute rules only (the seed's failed rate
under 5%)."""

from __future__ import annotations

from typing import Any

from sopwatch.domain.enums import CaseStatus, JobStatus, Severity, Source, Verdict
from sopwatch.monitor.daily_check import Report, run_daily_check
from sopwatch.monitor.report import render_markdown, render_text

from .builders import tool
from .sampled import SampledCtx, call, use

#: Every comparison a check makes with the baseline, by finding kind.
COMPARISONS = [
    "inbox_pending",
    "case_failed_rate",
    "case_needs_input_rate",
    "case_postponed_rate",
    "needs_attention",
    "cost_spike",
    "latency_drift",
    "step_latency",
    "rejection_rate",
    "truncated_output",
    "source_breakdown",
    "run_volume",
]


def _steps(i: int) -> list[dict[str, Any]]:
    cut = i % 4 == 0  # a quarter of the answers cut at the limit
    answer = call(ms=900, finish_reason="length" if cut else "stop", tokens_out=1024)
    return [answer | {"max_tokens": 1024}, use("lookup", ms=300)]


def _busy_day(ctx: SampledCtx) -> None:
    """20 jobs: 2 failed (10%), 1 waiting on a request, 6 rejected, cases, costs, times."""
    for i in range(20):
        status = JobStatus.FAILED if i < 2 else JobStatus.COMPLETED
        job = ctx.job(
            JobStatus.NEEDS_INPUT if i == 2 else status,
            at=i,
            cost=0.02 * (1 + i % 3),
            steps=_steps(i) + ([tool("lookup", error="HTTP 500")] if i < 2 else []),
            case=CaseStatus.FAILED if i < 2 else CaseStatus.COMPLETED,
            duration_ms=1200 + 10 * i,
            verdict=Verdict.REJECTED if 3 <= i < 9 else Verdict.ACCEPTED,
            source=Source.SCHEDULED,
            external_id=f"r{i}",
        )
        if i == 2:
            ctx.request(job, age_hours=1)


def _baseline(ctx: SampledCtx) -> None:
    """A baseline with every figure the comparisons read."""
    ctx.baseline_with_steps(
        84,
        _steps(1),
        cost=0.04,
        case=CaseStatus.COMPLETED,
        duration_ms=1300,
        verdict=Verdict.ACCEPTED,
    )
    ctx.baseline_requests = 4


def _report(with_baseline: bool) -> Report:
    ctx = SampledCtx()
    _busy_day(ctx)
    if with_baseline:
        _baseline(ctx)
    return run_daily_check(ctx.build())


def test_without_a_baseline_every_comparison_says_it_was_skipped() -> None:
    report = _report(with_baseline=False)
    assert report.baseline.kind == "none"
    assert list(report.skipped) == ["no baseline jobs"]
    assert sorted(report.skipped["no baseline jobs"]) == sorted(COMPARISONS)
    assert report.to_dict()["baseline"]["skipped"] == report.skipped


def test_without_a_baseline_severity_rests_on_absolute_rules_only() -> None:
    report = _report(with_baseline=False)
    acts = {f.kind for f in report.findings if f.severity == Severity.ACT}
    assert acts == {"needs_attention", "case_failed_rate"}  # the seed's "under 5%"
    for finding in report.findings:
        if finding.kind not in ("needs_attention", "case_failed_rate", "truncated_output"):
            assert finding.severity == Severity.OK or "skipped" not in finding.evidence, finding
    cut = next(f for f in report.findings if f.kind == "truncated_output")
    assert cut.severity == Severity.WATCH  # 25% cut: act needs the baseline's share


def test_the_report_says_so_in_one_line() -> None:
    report = _report(with_baseline=False)
    text = render_text(report)
    assert text.count("Skipped:  compared with nothing, so judged on absolute rules only:") == 1
    assert "inbox_pending, case_failed_rate" in text
    markdown = render_markdown(report)
    assert "- **Skipped:** compared with nothing, so judged on absolute rules only: " in markdown


def test_with_a_baseline_nothing_is_skipped() -> None:
    report = _report(with_baseline=True)
    assert report.skipped == {}
    assert "Skipped:" not in render_text(report)
    assert "**Skipped:**" not in render_markdown(report)


def test_a_baseline_without_a_figure_skips_only_that_comparison() -> None:
    ctx = SampledCtx()
    _busy_day(ctx)
    ctx.baseline(84, case=CaseStatus.COMPLETED, verdict=Verdict.ACCEPTED, duration_ms=1300)
    report = run_daily_check(ctx.build())
    assert report.skipped == {
        "no baseline cost": ["cost_spike"],
        "no baseline call durations": ["step_latency"],
        "no baseline calls of gpt-4o": ["truncated_output"],
    }
