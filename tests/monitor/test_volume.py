"""Run volume against the expectation or the baseline."""

from __future__ import annotations

from sopwatch.domain.enums import JobStatus, Severity
from sopwatch.domain.finding import Finding
from sopwatch.monitor.checks.volume import RESPONSE_TOO_FEW, RESPONSE_TOO_MANY, check_run_volume

from .builders import Ctx


def _jobs(ctx: Ctx, count: int) -> None:
    for i in range(count):
        ctx.job(at=(i * 24 / max(count, 1)))


def _check(count: int, per_day: float | None = None, baseline: int = 0) -> Finding:
    ctx = Ctx(expected_runs_per_day=per_day)
    if baseline:
        ctx.baseline(baseline)
    _jobs(ctx, count)
    return check_run_volume(ctx.build())[0]  # the count finding comes first


def test_no_expectation_tells_how_to_set_one() -> None:
    finding = _check(10)
    assert finding.severity == Severity.OK
    assert "--expected-runs-per-day" in finding.response


def test_on_target_is_ok() -> None:
    assert _check(28, per_day=30).severity == Severity.OK


def test_zero_jobs_is_act_only_when_poisson_makes_it_unlikely() -> None:
    finding = _check(0, per_day=30)
    assert finding.severity == Severity.ACT
    assert finding.response == RESPONSE_TOO_FEW
    # P(0 | 7) = 0.0009 < 0.001; P(0 | 6) = 0.0025: significant, so watch, not act.
    assert _check(0, per_day=7).severity == Severity.ACT
    assert _check(0, per_day=6).severity == Severity.WATCH
    # P(0 | 1) = e^-1 = 0.37: an empty window at 1 expected is ordinary chance.
    assert _check(0, per_day=1).severity == Severity.OK
    assert _check(0, per_day=0.5).severity == Severity.OK


def test_too_few_and_too_many_are_watch() -> None:
    few = _check(10, per_day=30)
    many = _check(60, per_day=30)
    assert few.severity == Severity.WATCH
    assert few.response == RESPONSE_TOO_FEW
    assert many.severity == Severity.WATCH
    assert many.response == RESPONSE_TOO_MANY


def test_tolerance_boundary() -> None:
    assert _check(16, per_day=30).severity == Severity.OK
    assert _check(14, per_day=30).severity == Severity.WATCH


def test_small_counts_need_significance() -> None:
    # 1 of 3 expected is 67% fewer, but Poisson(3) gives 1 or fewer 20% of the time.
    assert _check(1, per_day=3).severity == Severity.OK


def test_baseline_rate_is_the_fallback_expectation() -> None:
    finding = _check(5, baseline=140)  # 20 per day in the baseline
    assert finding.severity == Severity.WATCH
    assert finding.evidence["expected"] == 20.0
    assert finding.evidence["basis"].startswith("baseline")


def test_failed_count_is_reported() -> None:
    ctx = Ctx(expected_runs_per_day=2)
    ctx.job(JobStatus.FAILED)
    (finding,) = check_run_volume(ctx.build())  # no baseline schedule, no burst: one finding
    assert finding.evidence["failed"] == 1
