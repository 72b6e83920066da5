"""Case Queue health: failed, Needs Input and postponed case rates."""

from __future__ import annotations

from sopwatch.domain.enums import CaseStatus, Severity
from sopwatch.monitor.checks._common import RESPONSE_FAILED_SPIKE
from sopwatch.monitor.checks.cases import check_cases

from .builders import Ctx, kinds, only


def _window(ctx: Ctx, counts: dict[CaseStatus, int]) -> None:
    for status, count in counts.items():
        for i in range(count):
            ctx.job(at=i % 24, case=status)


def test_not_applicable_without_cases() -> None:
    ctx = Ctx()
    ctx.job()
    findings = check_cases(ctx.build())
    assert kinds(findings) == ["case_queue"]
    assert findings[0].severity == Severity.OK
    assert "not applicable: no cases" in findings[0].title


def test_healthy_queue_is_ok() -> None:
    ctx = Ctx()
    ctx.baseline(100, case=CaseStatus.COMPLETED)
    _window(ctx, {CaseStatus.COMPLETED: 49, CaseStatus.FAILED: 1})
    findings = check_cases(ctx.build())
    assert kinds(findings) == ["case_failed_rate", "case_needs_input_rate", "case_postponed_rate"]
    assert all(f.severity == Severity.OK for f in findings)


def test_failed_spike_above_five_percent_and_baseline_is_act() -> None:
    ctx = Ctx()
    ctx.baseline(98, case=CaseStatus.COMPLETED)
    ctx.baseline(2, case=CaseStatus.FAILED)
    _window(ctx, {CaseStatus.COMPLETED: 40, CaseStatus.FAILED: 10})
    finding = only(check_cases(ctx.build()), "case_failed_rate")
    assert finding.severity == Severity.ACT
    assert finding.evidence["rate"] == 0.2
    assert finding.evidence["baseline_rate"] == 0.02
    assert len(finding.evidence["job_ids"]) == 10
    assert finding.response == RESPONSE_FAILED_SPIKE


def test_failed_above_five_percent_without_baseline_is_act() -> None:
    ctx = Ctx()
    _window(ctx, {CaseStatus.COMPLETED: 18, CaseStatus.FAILED: 2})
    assert only(check_cases(ctx.build()), "case_failed_rate").severity == Severity.ACT


def test_failed_above_five_percent_but_at_baseline_is_watch() -> None:
    ctx = Ctx()
    ctx.baseline(90, case=CaseStatus.COMPLETED)
    ctx.baseline(10, case=CaseStatus.FAILED)
    _window(ctx, {CaseStatus.COMPLETED: 45, CaseStatus.FAILED: 5})
    assert only(check_cases(ctx.build()), "case_failed_rate").severity == Severity.WATCH


def test_failed_significantly_above_baseline_but_under_five_percent_is_watch() -> None:
    ctx = Ctx()
    ctx.baseline(2000, case=CaseStatus.COMPLETED)
    _window(ctx, {CaseStatus.COMPLETED: 960, CaseStatus.FAILED: 40})  # 4% vs 0%
    assert only(check_cases(ctx.build()), "case_failed_rate").severity == Severity.WATCH


def test_rising_needs_input_and_postponed_are_watch() -> None:
    ctx = Ctx()
    ctx.baseline(100, case=CaseStatus.COMPLETED)
    _window(ctx, {CaseStatus.COMPLETED: 30, CaseStatus.NEEDS_INPUT: 10, CaseStatus.POSTPONED: 10})
    findings = check_cases(ctx.build())
    needs = only(findings, "case_needs_input_rate")
    postponed = only(findings, "case_postponed_rate")
    assert needs.severity == Severity.WATCH and "SOP gap" in needs.response
    assert postponed.severity == Severity.WATCH and "upstream system" in postponed.response


def test_stable_needs_input_is_ok() -> None:
    ctx = Ctx()
    ctx.baseline(80, case=CaseStatus.COMPLETED)
    ctx.baseline(20, case=CaseStatus.NEEDS_INPUT)
    _window(ctx, {CaseStatus.COMPLETED: 40, CaseStatus.NEEDS_INPUT: 10})
    assert only(check_cases(ctx.build()), "case_needs_input_rate").severity == Severity.OK
