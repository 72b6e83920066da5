"""Latency drift: consistent (the median moved) or isolated (slow runs beyond chance)."""

from __future__ import annotations

from sopwatch.domain.enums import Severity
from sopwatch.monitor.checks.latency import RESPONSE_CONSISTENT, RESPONSE_ISOLATED, check_latency

from .builders import Ctx


def _baseline(ctx: Ctx) -> None:
    for seconds in (4, 5, 5, 6):
        ctx.baseline(25, duration_ms=seconds * 1000)


def _window(ctx: Ctx, seconds: list[float]) -> None:
    for i, s in enumerate(seconds):
        ctx.job(at=i % 24, duration_ms=int(s * 1000), external_id=f"run-{i}")


def test_no_durations_says_so() -> None:
    ctx = Ctx()
    ctx.job()
    (finding,) = check_latency(ctx.build())
    assert (finding.kind, finding.severity) == ("latency_drift", Severity.OK)
    assert finding.title == "No durations recorded for jobs in the window"


def test_steady_durations_are_ok() -> None:
    ctx = Ctx()
    _baseline(ctx)
    _window(ctx, [4, 5, 5, 6, 5, 4, 6, 5] * 5)
    (finding,) = check_latency(ctx.build())
    assert finding.severity == Severity.OK
    assert finding.evidence["pattern"] == "none"


def test_consistent_drift_is_act_with_the_seed_response() -> None:
    ctx = Ctx()
    _baseline(ctx)
    _window(ctx, [38, 40, 41, 39] * 10)
    (finding,) = check_latency(ctx.build())
    assert finding.severity == Severity.ACT
    assert finding.evidence["pattern"] == "consistent"
    assert finding.evidence["window_median_seconds"] == 39.5
    assert finding.evidence["baseline_median_seconds"] == 5.0
    assert finding.response == RESPONSE_CONSISTENT
    assert finding.evidence["job_ids"][0] == "run-2"  # the slowest first


def test_a_few_slow_runs_beyond_chance_are_isolated_watch() -> None:
    ctx = Ctx()
    _baseline(ctx)
    _window(ctx, [5] * 35 + [60, 70, 80, 90, 100])
    (finding,) = check_latency(ctx.build())
    assert finding.severity == Severity.WATCH
    assert finding.evidence["pattern"] == "isolated"
    assert finding.evidence["jobs_above_baseline_p95"] == 5
    assert finding.response == RESPONSE_ISOLATED


def test_two_slow_runs_are_not_a_pattern() -> None:
    ctx = Ctx()
    _baseline(ctx)
    _window(ctx, [5] * 38 + [60, 70])
    assert check_latency(ctx.build())[0].severity == Severity.OK


def test_a_drift_names_every_job_above_the_bar_slowest_first() -> None:
    # 12 of 40 jobs are slow; the finding names all 12 (as cost_spike names its jobs), not
    # just the five slowest, and none of the 28 at the baseline's pace.
    ctx = Ctx()
    _baseline(ctx)
    _window(ctx, [5] * 28 + [60 + s for s in range(12)])
    (finding,) = check_latency(ctx.build())
    assert finding.severity == Severity.WATCH
    assert finding.evidence["job_ids"] == [f"run-{i}" for i in range(39, 27, -1)]
    assert len(finding.evidence["slowest"]) == 5


def test_an_ok_finding_names_only_the_five_slowest() -> None:
    ctx = Ctx()
    _baseline(ctx)
    _window(ctx, [4, 5, 5, 6, 5, 4, 6, 5] * 5)
    (finding,) = check_latency(ctx.build())
    assert finding.severity == Severity.OK
    assert len(finding.evidence["job_ids"]) == 5
