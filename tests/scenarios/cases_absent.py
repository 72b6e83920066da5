"""Scenarios of issue #6, "what is absent or too old": stuck jobs, overdue waits, missed
scheduled runs and bursts, plus an empty hour that must not be act."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from tests.scenarios.framework import Scenario
from tests.scenarios.weeks import (
    BASELINE_START,
    WINDOW_START,
    Run,
    Week,
    healthy_run,
    iso,
    quiet_week,
)


def _at(run: Run) -> datetime:
    return datetime.fromisoformat(run["created_at"].replace("Z", "+00:00"))


def _stuck_in(run: Run, at: datetime, step: Run) -> Run:
    """``run`` started at ``at``, its model call done, then hanging in ``step`` (started
    a second later, no duration, no result): still running, no finish, no output."""
    model = dict(run["steps"][0], started_at=iso(at))
    run.update(created_at=iso(at), started_at=iso(at), status="running")
    for key in ("finished_at", "output", "verdict"):
        run.pop(key, None)
    run["steps"] = [model, step | {"started_at": iso(at + timedelta(seconds=1))}]
    return run


# --- job_stuck ---------------------------------------------------------------------------


def _stuck_week() -> Week:
    return quiet_week("stuck", seed=3, step_ms=1_000)  # three steps: jobs take about 3 s


def _stuck_http() -> tuple[list[Week], set[str]]:
    """The window's 22:30 run starts at 23:00 instead and hangs in an HTTP call: an hour
    without progress at the window end, when jobs take 3 s."""
    week = _stuck_week()
    run = week.window[-2]
    http: Run = {"kind": "tool", "name": "http_get", "connection": "carrier-api"}
    http["arguments"] = {"url": "https://carrier.example/track/8812"}
    _stuck_in(run, WINDOW_START + timedelta(hours=23), http)
    return [week], {run["id"]}


def _stuck_before_window() -> tuple[list[Week], set[str]]:
    """A run of two days before the window still hangs in its model call: it is not a
    window job, so only the load of running jobs whatever their age finds it."""
    week = _stuck_week()
    run = week.baseline[-48]
    call: Run = {"kind": "model", "name": "gpt-4o", "model": "gpt-4o"}
    _stuck_in(run, _at(run), call)
    return [week], {run["id"]}


# --- overdue_wait ------------------------------------------------------------------------


def _case_week(*, taken_back: bool) -> Week:
    """The 10:30 run postpones case C-77 until 12:00; with ``taken_back`` the 12:30 run
    takes it up and completes it."""
    week = quiet_week("postponed", seed=4)
    first, later = week.window[10], week.window[12]
    first["case"] = {"id": "C-77", "queue": "refunds", "status": "postponed"}
    first["case"]["postponed_until"] = iso(WINDOW_START + timedelta(hours=12))
    if taken_back:
        later["case"] = {"id": "C-77", "queue": "refunds", "status": "completed"}
    return week


def _overdue_case() -> tuple[list[Week], set[str]]:
    week = _case_week(taken_back=False)
    return [week], {week.window[10]["id"]}


def _request_week(expires: timedelta) -> Week:
    """The 20:30 run waits at a refund gate on a request raised then, expiring ``expires``
    later (3.5 h old at the window end: not yet stale)."""
    week = quiet_week("expiry", seed=5)
    run = week.window[20]
    raised = _at(run)
    for key in ("finished_at", "output", "verdict"):
        run.pop(key, None)
    run["status"] = "needs_input"
    run["steps"].append({"kind": "gate", "name": "refund_over_500", "started_at": iso(raised)})
    run["human_requests"] = [
        {
            "type": "approval",
            "gate": "refund_over_500",
            "question": "Refund $620?",
            "created_at": iso(raised),
            "expires_at": iso(raised + expires),
            "step": len(run["steps"]),
        }
    ]
    return week


def _expired_request() -> tuple[list[Week], set[str]]:
    week = _request_week(timedelta(hours=1))
    return [week], {week.window[20]["id"]}


# --- run_volume --------------------------------------------------------------------------


def _five_minute_week() -> Week:
    """Scheduled every 5 minutes on the clock (00:00, 00:05, …) for 8 days."""
    start = BASELINE_START - timedelta(minutes=2.5)  # quiet_week starts half a gap in
    return quiet_week("every5", seed=6, per_hour=12, start=start)


def _schedule_gap() -> tuple[list[Week], set[str]]:
    """Silent from 17:55 to 20:15 (27 runs missed), one manual run at 19:00."""
    week = _five_minute_week()
    silent_from = WINDOW_START + timedelta(hours=17, minutes=55)
    silent_to = WINDOW_START + timedelta(hours=20, minutes=15)
    last = next(r for r in week.runs if _at(r) == silent_from)
    week.runs = [r for r in week.runs if not silent_from < _at(r) < silent_to]
    manual_at = WINDOW_START + timedelta(hours=19)
    manual = healthy_run("manual-1", manual_at, rng=random.Random(6), source="manual")
    week.runs.append(manual)
    week.runs.sort(key=lambda r: r["created_at"])
    return [week], {last["id"]}


def _burst_week() -> Week:
    return quiet_week("burst", seed=7, per_hour=20 / 24, source="trigger")  # 20 a day


def _burst() -> tuple[list[Week], set[str]]:
    """400 runs within 5 minutes from 14:00, against 20 a day."""
    week = _burst_week()
    rng = random.Random(7)
    start = WINDOW_START + timedelta(hours=14)
    burst = [
        healthy_run(f"storm-{i}", start + timedelta(seconds=0.75 * i), rng=rng, source="trigger")
        for i in range(400)
    ]
    week.runs = sorted(week.runs + burst, key=lambda r: r["created_at"])
    return [week], {r["id"] for r in burst}


def _hourly_missing_one() -> tuple[list[Week], set[str]]:
    """Scheduled every hour at :30; the 12:30 run of the window day is missing."""
    week = quiet_week("hourly", seed=8)
    gone = week.window[12]
    week.runs.remove(gone)
    return [week], {week.window[11]["id"]}


def _hourly_trigger_empty_hour() -> Week:
    """About one triggered run an hour at random times; none from 12:00 to 13:00."""
    week = quiet_week("random-hourly", seed=9, source="trigger")
    hour = WINDOW_START + timedelta(hours=12)
    week.runs = [r for r in week.runs if not hour <= _at(r) < hour + timedelta(hours=1)]
    return week


SCENARIOS = [
    Scenario(
        name="job_stuck_in_http_step_for_an_hour",
        kind="job_stuck",
        severity="act",
        build=_stuck_http,
        twin=lambda: [_stuck_week()],
    ),
    Scenario(
        name="job_stuck_since_before_the_window",
        kind="job_stuck",
        severity="act",
        build=_stuck_before_window,
        twin=lambda: [_stuck_week()],
    ),
    Scenario(
        name="postponed_case_never_taken_back",
        kind="overdue_wait",
        severity="act",
        build=_overdue_case,
        twin=lambda: [_case_week(taken_back=True)],
    ),
    Scenario(
        name="pending_request_past_its_expiry",
        kind="overdue_wait",
        severity="act",
        build=_expired_request,
        twin=lambda: [_request_week(timedelta(days=2))],
    ),
    Scenario(
        name="schedule_every_5_min_silent_17_55_to_20_15",
        kind="run_volume",
        severity="act",
        build=_schedule_gap,
        twin=lambda: [_five_minute_week()],
    ),
    Scenario(
        name="burst_of_400_jobs_in_5_minutes",
        kind="run_volume",
        severity="act",
        build=_burst,
        twin=lambda: [_burst_week()],
    ),
    # Twin-only style: the "fault" is an empty hour at 1 run an hour, which must not be act.
    # The twin is the faulty week itself, so the suite fails on any act finding in it.
    Scenario(
        name="one_missed_hourly_run_is_watch_not_act",
        kind="run_volume",
        severity="watch",
        build=_hourly_missing_one,
        twin=lambda: _hourly_missing_one()[0],
    ),
    Scenario(
        name="empty_hour_at_one_an_hour_is_not_act",
        kind="run_volume",
        severity="ok",
        build=lambda: ([_hourly_trigger_empty_hour()], set()),
        twin=lambda: [_hourly_trigger_empty_hour()],
        at=WINDOW_START + timedelta(hours=13),
        window=timedelta(hours=1),
    ),
]
