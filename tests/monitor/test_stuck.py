"""Stuck jobs: running far longer than the assignment's jobs take."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from sopwatch.domain.enums import JobStatus, Severity, StepKind, StepStatus
from sopwatch.domain.job import Job, Step
from sopwatch.monitor.checks.stuck import (
    FALLBACK_BOUND_MS,
    FLOOR_MS,
    RESPONSE_OVER_LIMIT,
    RESPONSE_STUCK,
    baseline_bound,
    check_stuck_jobs,
)
from sopwatch.monitor.context import CheckContext

from .builders import WINDOW_START, Ctx, model, only, tool


def _timed(spec: dict[str, Any], start_hours: float, ms: int | None) -> dict[str, Any]:
    """A step spec started ``start_hours`` after the window start, lasting ``ms`` (None:
    still in progress)."""
    return spec | {"started_at": WINDOW_START + timedelta(hours=start_hours), "duration_ms": ms}


def _running(ctx: Ctx, at: float, steps: list[dict[str, Any]] | None = None, **fields: Any) -> Job:
    """A window job started ``at`` hours after the window start, still running."""
    start = WINDOW_START + timedelta(hours=at)
    return ctx.job(JobStatus.RUNNING, at=at, steps=steps or [], started_at=start, **fields)


def _fast_baseline(ctx: Ctx, count: int = 100) -> None:
    """Baseline jobs that take 3 s."""
    ctx.baseline(count, duration_ms=3_000)


def _stuck(built: CheckContext) -> Any:
    return only(check_stuck_jobs(built), "job_stuck")


def test_an_hour_in_an_http_step_when_jobs_take_3_s_is_act() -> None:
    ctx = Ctx()
    _fast_baseline(ctx)
    http = tool("http_get", '{"url":"https://carrier.example"}', connection="carrier-api")
    job = _running(ctx, 23, [_timed(model(), 23, 900), _timed(http, 23 + 1 / 3600, None)])
    finding = _stuck(ctx.build())
    assert finding.severity == Severity.ACT
    assert finding.response == RESPONSE_STUCK
    assert finding.evidence["job_ids"] == [job.label]
    assert finding.title.startswith(f"Job {job.label} running for 60.0 min (bound 15.0 min")
    assert "in tool step http_get (seq 2) since 23:00" in finding.title
    (row,) = finding.evidence["jobs"]
    assert (row["last_step"], row["last_step_kind"], row["last_step_seq"]) == (
        "http_get",
        "tool",
        2,
    )
    assert row["bound_basis"] == "baseline" and row["bound_minutes"] == 15.0
    assert row["since"] == (WINDOW_START + timedelta(hours=23, seconds=1)).isoformat()
    assert row["idle_minutes"] == 60.0


def test_jobs_within_the_bound_are_not_named() -> None:
    ctx = Ctx()
    _fast_baseline(ctx)
    long = _running(ctx, 22)  # 2 h
    _running(ctx, 23.9)  # 6 min: mid-run, under the 15 min floor
    ctx.job(JobStatus.COMPLETED, at=1, duration_ms=5 * 3_600_000)  # slow, but it finished
    ctx.job(JobStatus.NEEDS_INPUT, at=1)  # waits on a person: the Activity Inbox's business
    finding = _stuck(ctx.build())
    assert finding.severity == Severity.ACT
    assert finding.evidence["job_ids"] == [long.label]
    assert finding.evidence["running"] == 2


def test_the_bound_is_three_times_the_baseline_p99_above_the_floor() -> None:
    ctx = Ctx()
    ctx.baseline(100, duration_ms=10 * 60_000)  # jobs take 10 min: bound 30 min
    _running(ctx, 24 - 25 / 60)  # 25 min
    assert _stuck(ctx.build()).severity == Severity.OK
    late = _running(ctx, 24 - 35 / 60)  # 35 min
    finding = _stuck(ctx.build())
    assert finding.evidence["job_ids"] == [late.label]
    assert finding.evidence["jobs"][0]["bound_minutes"] == 30.0
    assert baseline_bound([3_000.0] * 20).ms == FLOOR_MS


def test_revision_time_limit_replaces_the_baseline_bound() -> None:
    ctx = Ctx()
    _fast_baseline(ctx)
    over = _running(ctx, 24 - 5 / 60, revision_id=7)  # 5 min against a 2 min limit
    within = _running(ctx, 22, revision_id=8)  # 2 h against a 3 h limit
    built = replace(ctx.build(), time_limits_ms={7: 120_000, 8: 3 * 3_600_000})
    finding = _stuck(built)
    assert finding.severity == Severity.ACT
    assert finding.evidence["job_ids"] == [over.label]
    assert within.label not in finding.evidence["job_ids"]
    assert finding.evidence["jobs"][0]["bound_basis"] == "limit"
    assert "the revision's time limit" in finding.title
    assert finding.response == RESPONSE_STUCK + RESPONSE_OVER_LIMIT


def test_without_a_baseline_the_fallback_bound_only_watches() -> None:
    ctx = Ctx()
    ctx.baseline(19, duration_ms=3_000)  # too few to say how long jobs take
    _running(ctx, 23.5)  # 30 min: under the 1 h fallback
    assert _stuck(ctx.build()).severity == Severity.OK
    job = _running(ctx, 21)  # 3 h
    finding = _stuck(ctx.build())
    assert finding.severity == Severity.WATCH
    assert finding.evidence["job_ids"] == [job.label]
    assert finding.evidence["jobs"][0]["bound_minutes"] == FALLBACK_BOUND_MS / 60_000
    assert "fewer than 20 baseline jobs with a duration" in finding.title


def test_a_job_from_before_the_window_is_judged_by_its_last_step() -> None:
    ctx = Ctx()
    _fast_baseline(ctx)
    old = replace(ctx.old_job(JobStatus.RUNNING, days_ago=2), external_id="old-run")
    moved = WINDOW_START - timedelta(days=2) + timedelta(seconds=5)
    last = Step(
        job_id=old.id,
        seq=40,
        kind=StepKind.MODEL,
        name="gpt-4o",
        status=StepStatus.OK,
        started_at=moved - timedelta(seconds=2),
        duration_ms=2_000,
    )
    built = replace(ctx.build(), running_before=(old,), last_steps={old.id: last})
    finding = _stuck(built)
    assert finding.severity == Severity.ACT
    assert finding.evidence["job_ids"] == ["old-run"]
    assert "idle after model step gpt-4o (seq 40) since 2025-11-24 00:00" in finding.title
    assert finding.evidence["jobs"][0]["since"] == moved.isoformat()
    assert finding.evidence["jobs"][0]["running_minutes"] == 3 * 24 * 60


def test_a_job_without_steps_has_not_moved_since_it_started() -> None:
    ctx = Ctx()
    _fast_baseline(ctx)
    _running(ctx, 20)
    finding = _stuck(ctx.build())
    assert "no step recorded since 20:00, 4.0 h without progress" in finding.title
    assert finding.evidence["jobs"][0]["last_step"] is None


def test_a_last_step_without_a_time_counts_from_the_job_start() -> None:
    ctx = Ctx()
    _fast_baseline(ctx)
    _running(ctx, 20, [model(), tool("lookup")])
    finding = _stuck(ctx.build())
    assert "no timed step since 20:00 (last: tool step lookup)" in finding.title
    assert finding.evidence["jobs"][0]["last_step"] == "lookup"


def test_several_stuck_jobs_longest_first() -> None:
    ctx = Ctx()
    _fast_baseline(ctx)
    second = _running(ctx, 20)
    first = _running(ctx, 10)
    finding = _stuck(ctx.build())
    assert finding.evidence["job_ids"] == [first.label, second.label]
    assert finding.title.startswith(f"2 jobs stuck; longest: {first.label} running for 14.0 h")


def test_nothing_running_is_ok() -> None:
    ctx = Ctx()
    ctx.job(JobStatus.COMPLETED)
    finding = _stuck(ctx.build())
    assert finding.severity == Severity.OK
    assert finding.title == "No job still running at the window end"
