"""Source breakdown against the baseline."""

from __future__ import annotations

from sopwatch.domain.enums import Severity, Source
from sopwatch.monitor.checks.sources import RESPONSE_MANUAL, RESPONSE_SHIFT, check_sources

from .builders import Ctx


def _window(ctx: Ctx, counts: dict[Source, int]) -> None:
    for source, count in counts.items():
        for i in range(count):
            ctx.job(at=i % 24, source=source)


def test_same_mix_is_ok() -> None:
    ctx = Ctx()
    ctx.baseline(90, source=Source.SCHEDULED)
    ctx.baseline(10, source=Source.MANUAL)
    _window(ctx, {Source.SCHEDULED: 18, Source.MANUAL: 2})
    (finding,) = check_sources(ctx.build())
    assert finding.kind == "source_breakdown"
    assert finding.severity == Severity.OK
    assert finding.evidence["window"] == {"scheduled": 18, "manual": 2}
    assert finding.evidence["baseline"] == {"scheduled": 90, "manual": 10}


def test_manual_runs_on_a_scheduled_assignment_is_watch() -> None:
    ctx = Ctx()
    ctx.baseline(100, source=Source.SCHEDULED)
    _window(ctx, {Source.SCHEDULED: 14, Source.MANUAL: 6})
    (finding,) = check_sources(ctx.build())
    assert finding.severity == Severity.WATCH
    assert finding.response == RESPONSE_MANUAL
    assert len(finding.evidence["job_ids"]) == 6
    assert "manual 30.0% (baseline 0.0%)" in finding.title


def test_other_shift_gets_the_generic_response() -> None:
    ctx = Ctx()
    ctx.baseline(100, source=Source.SCHEDULED)
    _window(ctx, {Source.SCHEDULED: 10, Source.API: 10})
    (finding,) = check_sources(ctx.build())
    assert finding.severity == Severity.WATCH
    assert finding.response == RESPONSE_SHIFT


def test_shift_under_twenty_points_is_ok() -> None:
    ctx = Ctx()
    ctx.baseline(1000, source=Source.SCHEDULED)
    _window(ctx, {Source.SCHEDULED: 850, Source.MANUAL: 150})  # 15 points, significant
    assert check_sources(ctx.build())[0].severity == Severity.OK


def test_tiny_window_is_not_significant() -> None:
    ctx = Ctx()
    ctx.baseline(20, source=Source.SCHEDULED)
    _window(ctx, {Source.SCHEDULED: 2, Source.MANUAL: 1})
    assert check_sources(ctx.build())[0].severity == Severity.OK


def test_no_jobs_or_no_baseline_is_ok() -> None:
    assert check_sources(Ctx().build())[0].severity == Severity.OK
    ctx = Ctx()
    _window(ctx, {Source.MANUAL: 5})
    (finding,) = check_sources(ctx.build())
    assert finding.severity == Severity.OK
    assert "no baseline" in finding.title
