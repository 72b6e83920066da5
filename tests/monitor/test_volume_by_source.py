"""Run volume, Poisson-aware and by source: missed scheduled runs, bursts, empty windows."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta

from sopwatch.domain.enums import JobStatus, Severity, Source
from sopwatch.domain.finding import Finding
from sopwatch.domain.job import BaselineJob, Job
from sopwatch.monitor.checks.schedule import RESPONSE_SCHEDULE_GAP, infer_cadence
from sopwatch.monitor.checks.volume import RESPONSE_BURST, check_run_volume
from sopwatch.monitor.context import Baseline, CheckContext, Window

from .builders import BASELINE_START, WINDOW_END, WINDOW_START, Ctx

FIVE_MIN = timedelta(minutes=5)


def _every(start: datetime, end: datetime, gap: timedelta) -> list[datetime]:
    times, at = [], start
    while at < end:
        times.append(at)
        at += gap
    return times


def _base_job(ctx: Ctx, at: datetime, source: Source = Source.SCHEDULED) -> None:
    ctx.baseline_jobs.append(
        Job(
            id=ctx._id(),
            team_id=1,
            assignment_id=1,
            status=JobStatus.COMPLETED,
            source=source,
            created_at=at,
        )
    )


def _hours(at: datetime) -> float:
    return (at - WINDOW_START).total_seconds() / 3600


def _schedule(gap: timedelta, *, skip: tuple[datetime, datetime] | None = None) -> Ctx:
    """Scheduled every ``gap`` on the clock for the 7 baseline days and the window day,
    without the window runs strictly inside ``skip``."""
    ctx = Ctx(expected_runs_per_day=timedelta(days=1) / gap)
    for at in _every(BASELINE_START, WINDOW_START, gap):
        _base_job(ctx, at)
    for at in _every(WINDOW_START, WINDOW_END, gap):
        if skip is None or not skip[0] < at < skip[1]:
            ctx.job(at=_hours(at), external_id=f"s-{at:%H%M}")
    return ctx


def _pattern(findings: list[Finding], pattern: str) -> Finding | None:
    found = [f for f in findings if f.evidence.get("pattern") == pattern]
    assert len(found) <= 1
    return found[0] if found else None


def _gap(built: CheckContext) -> Finding:
    finding = _pattern(check_run_volume(built), "schedule_gap")
    assert finding is not None
    return finding


def test_cadence_is_the_median_gap_of_a_regular_schedule() -> None:
    times = _every(BASELINE_START, BASELINE_START + timedelta(hours=2), FIVE_MIN)
    cadence = infer_cadence(times)
    assert cadence is not None and cadence.every_ms == 300_000 and cadence.regular_share == 1.0
    assert infer_cadence(times[:5]) is None  # 4 gaps: too few


def test_random_arrivals_have_no_cadence() -> None:
    rng = random.Random(3)
    times, at = [], BASELINE_START
    for _ in range(200):
        at += timedelta(hours=rng.expovariate(1.0))
        times.append(at)
    assert infer_cadence(times) is None


def test_a_schedule_silent_17_55_to_20_15_with_a_manual_run_is_act() -> None:
    silence = (
        WINDOW_START + timedelta(hours=17, minutes=55),
        WINDOW_START + timedelta(hours=20.25),
    )
    ctx = _schedule(FIVE_MIN, skip=silence)
    ctx.job(at=19, source=Source.MANUAL, external_id="manual-19")
    finding = _gap(ctx.build())
    assert finding.severity == Severity.ACT
    assert finding.response == RESPONSE_SCHEDULE_GAP
    assert finding.title.startswith(
        "27 scheduled runs missed since 17:55 (the last scheduled run), until 20:15: the "
        "schedule runs every 5.0 min; 27.0 runs expected then by the baseline"
    )
    assert finding.title.endswith("; 1 run from another source in between does not count")
    assert finding.evidence["job_ids"] == ["s-1755", "s-2015"]
    assert finding.evidence["missed"] == 27
    assert finding.evidence["other_runs_in_silence"] == {"manual": 1}
    assert finding.evidence["cadence_minutes"] == 5.0
    # The count alone sees nothing wrong: 262 of 288 is within tolerance.
    assert check_run_volume(ctx.build())[0].severity == Severity.OK


def test_manual_runs_neither_fill_nor_hide_the_gap() -> None:
    silence = (
        WINDOW_START + timedelta(hours=17, minutes=55),
        WINDOW_START + timedelta(hours=20.25),
    )
    ctx = _schedule(FIVE_MIN, skip=silence)
    for minute in range(0, 140, 5):  # a person runs it by hand every 5 minutes instead
        ctx.job(at=17 + 57.5 / 60 + minute / 60, source=Source.MANUAL)
    built = ctx.build()
    assert check_run_volume(built)[0].severity == Severity.OK  # the count is full
    finding = _gap(built)
    assert finding.severity == Severity.ACT
    assert finding.evidence["missed"] == 27


def test_one_missed_hourly_run_is_watch_not_act() -> None:
    hour = timedelta(hours=1)
    ctx = _schedule(
        hour, skip=(WINDOW_START + timedelta(hours=11), WINDOW_START + timedelta(hours=13))
    )
    finding = _gap(ctx.build())
    assert finding.severity == Severity.WATCH  # P(none | 1 expected) = e^-1 = 0.37
    assert finding.evidence["missed"] == 1
    assert finding.evidence["p_value"] == 0.368
    assert "(Poisson P(none) = 0.37)" in finding.title


def test_an_empty_hour_at_one_job_an_hour_is_not_act() -> None:
    ctx = Ctx(expected_runs_per_day=24)
    hour = Window(start=WINDOW_END - timedelta(hours=1), end=WINDOW_END)
    findings = check_run_volume(replace(ctx.build(), window=hour))
    assert [f.severity for f in findings] == [Severity.OK]
    assert findings[0].evidence["expected"] == 1.0
    assert findings[0].evidence["p_value"] == 0.367879  # P(0 | 1) = e^-1


def test_a_schedule_on_time_is_ok_and_says_its_cadence() -> None:
    finding = _gap(_schedule(FIVE_MIN).build())
    assert finding.severity == Severity.OK
    assert finding.title.startswith("Scheduled runs every 5.0 min (baseline cadence): none missed")


def test_nights_the_schedule_always_skips_are_not_missed_runs() -> None:
    ctx = Ctx()
    for day in range(8):
        start = BASELINE_START + timedelta(days=day, hours=9)
        for at in _every(start, start + timedelta(hours=8), FIVE_MIN):
            if at < WINDOW_START:
                _base_job(ctx, at)
            else:
                ctx.job(at=_hours(at))
    finding = _gap(ctx.build())
    assert finding.severity == Severity.OK  # 16 h silences each night, as every night


def test_a_stopped_schedule_is_act_with_none_since() -> None:
    ctx = _schedule(timedelta(hours=1), skip=(WINDOW_START + timedelta(hours=6), WINDOW_END))
    finding = _gap(ctx.build())
    assert finding.severity == Severity.ACT
    assert finding.title.startswith(
        "17 scheduled runs missed since 06:00 (the last scheduled run), none since"
    )
    assert finding.evidence["job_ids"] == ["s-0600"]


def test_a_testing_baseline_far_back_counts_silences_from_the_window_start() -> None:
    ctx = _schedule(timedelta(hours=1))
    built = ctx.build()
    gap = WINDOW_START - timedelta(days=30)
    testing = Baseline(
        kind="testing",
        start=BASELINE_START - timedelta(days=30),
        end=gap,
        jobs=tuple(
            BaselineJob.of(replace(j, created_at=j.created_at - timedelta(days=30)))
            for j in ctx.baseline_jobs
        ),
    )
    finding = _gap(replace(built, baseline=testing))
    assert finding.severity == Severity.OK  # not "30 days of runs missed"
    late = replace(built, baseline=testing, jobs=built.jobs[5:])  # first run at 05:00
    finding = _gap(late)
    assert finding.severity == Severity.WATCH
    assert "missed since 00:00 (the window start), until 05:00" in finding.title


def test_no_schedule_finding_without_a_scheduled_baseline() -> None:
    ctx = Ctx(expected_runs_per_day=24)
    ctx.baseline(168, source=Source.TRIGGER)
    ctx.job(at=3)
    assert _pattern(check_run_volume(ctx.build()), "schedule_gap") is None


def _burst(count: int, per_day: float, seconds_apart: float = 0.75) -> Finding | None:
    ctx = Ctx(expected_runs_per_day=per_day)
    for i in range(count):
        ctx.job(at=14 + i * seconds_apart / 3600, source=Source.TRIGGER, external_id=f"b-{i}")
    ctx.job(at=2, source=Source.TRIGGER)
    return _pattern(check_run_volume(ctx.build()), "burst")


def test_400_jobs_in_5_minutes_against_20_a_day_is_act() -> None:
    finding = _burst(400, 20)
    assert finding is not None
    assert finding.severity == Severity.ACT
    assert finding.response == RESPONSE_BURST
    assert finding.evidence["job_ids"] == [f"b-{i}" for i in range(400)]
    assert finding.evidence["jobs_in_burst"] == 400
    assert finding.evidence["sources"] == {"trigger": 400}
    assert finding.title.startswith("400 jobs within 5 min from 14:00, against about 0.07")


def test_a_small_burst_is_watch_and_a_handful_is_nothing() -> None:
    watch = _burst(8, 30, seconds_apart=20)  # fewer than the window's 30 expected
    assert watch is not None and watch.severity == Severity.WATCH
    assert _burst(4, 30, seconds_apart=20) is None
    spread = _burst(40, 30, seconds_apart=600)  # 40 jobs over 6.5 h: not a burst
    assert spread is None


def test_a_busy_schedule_is_no_burst() -> None:
    findings = check_run_volume(_schedule(FIVE_MIN).build())
    assert _pattern(findings, "burst") is None
