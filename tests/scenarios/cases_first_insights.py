"""Scenarios of the first daily-check list (docs/daily-check.md), Team Insights and the
spot-check: latency drift, rejected outputs in the spot-check, run volume both ways, and
the source mix. The Activity Inbox, Case Queue and Jobs List are in ``cases_first``.

``run_volume``'s count finding names no job (a count has no culprit), so its scenarios
inject none: found means the finding at its severity.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from tests.scenarios.framework import Scenario
from tests.scenarios.weeks import (
    WINDOW_START,
    Run,
    Week,
    healthy_run,
    iso,
    quiet_week,
    slow_down,
)

# --- latency drift -------------------------------------------------------------------------


def _filing() -> Week:
    return quiet_week("invoice-latency", seed=81)


def _all_slower() -> tuple[list[Week], set[str]]:
    """The window's invoices are larger (real-world volumes): every step of every window
    job takes 2.5 times as long."""
    week = _filing()
    for run in week.window:
        slow_down(run, 2.5)
    return [week], {run["id"] for run in week.window}


# --- spot-check ----------------------------------------------------------------------------


def _daily_reports() -> Week:
    """Five reports a day (every 4.8 h), each reviewed and accepted."""
    return quiet_week("vendor-reports", seed=82, per_hour=5 / 24)


def _two_rejected() -> tuple[list[Week], set[str]]:
    """The reviewer rejects two of the window's five reports: too few for the rejection
    rate (which needs 3), so only the spot-check of the day's completed jobs shows them."""
    week = _daily_reports()
    rejected = week.window[1:4:2]
    for run in rejected:
        run["verdict"] = "rejected"
    return [week], {run["id"] for run in rejected}


# --- run volume ----------------------------------------------------------------------------


def _triggered(per_hour: float = 2) -> Week:
    """Runs started by an inbox trigger at random times, ``per_hour`` on average."""
    return quiet_week("invoice-inbox", seed=83, per_hour=per_hour, source="trigger")


def _stopped_at(hour: int) -> tuple[list[Week], set[str]]:
    """The trigger stops firing at ``hour`` o'clock of the window day."""
    week = _triggered()
    stop = iso(WINDOW_START + timedelta(hours=hour))
    week.runs = [run for run in week.runs if run["created_at"] < stop]
    return [week], set()


def _extra_events() -> tuple[list[Week], set[str]]:
    """The trigger also fires on invoice updates from the window's start: 1.5 more runs an
    hour at random times (about 2.5× the volume, never a burst)."""
    week = _triggered(per_hour=1)
    extra = quiet_week(
        "invoice-inbox",
        seed=84,
        per_hour=1.5,
        source="trigger",
        start=WINDOW_START,
        prefix="update",
    )
    week.runs = sorted(week.runs + extra.runs, key=lambda run: run["created_at"])
    return [week], set()


# --- source breakdown ----------------------------------------------------------------------


def _manual(week: Week, runs: list[Run], prefix: str, minutes: int) -> list[Run]:
    """A person re-runs each of ``runs`` by hand ``minutes`` after it, with its input."""
    rng = random.Random(f"{week.assignment}:{prefix}")
    added = []
    for run in runs:
        when = datetime.fromisoformat(run["created_at"].replace("Z", "+00:00"))
        when += timedelta(minutes=minutes)
        rerun = healthy_run(f"{prefix}-{run['id']}", when, rng=rng, source="manual")
        rerun["input"], rerun["input_type"] = run["input"], run["input_type"]
        added.append(rerun)
    week.runs = sorted(week.runs + added, key=lambda r: r["created_at"])
    return added


def _scheduled_with_a_rerun_a_day() -> Week:
    """An hourly scheduled assignment; a person re-runs one job a day by hand."""
    week = quiet_week("invoice-schedule", seed=85)
    _manual(week, week.runs[7::24], "rerun", 12)
    return week


def _manual_reruns() -> tuple[list[Week], set[str]]:
    """People stop trusting the output: 12 of the window's scheduled jobs are re-run by
    hand within the hour (13 manual runs of 37, against 1 a day)."""
    week = _scheduled_with_a_rerun_a_day()
    scheduled = [r for r in week.window if r["source"] == "scheduled"]
    added = _manual(week, scheduled[0:24:2], "distrust", 25)
    return [week], {run["id"] for run in added}


SCENARIOS = [
    Scenario(
        name="latency_drift_every_job_2_5x_slower",
        kind="latency_drift",
        severity="act",
        build=_all_slower,
        twin=lambda: [_filing()],
    ),
    Scenario(
        name="spot_check_two_of_five_reports_rejected",
        kind="spot_check",
        severity="watch",
        build=_two_rejected,
        twin=lambda: [_daily_reports()],
    ),
    Scenario(
        name="run_volume_trigger_stops_firing_at_07_00",
        kind="run_volume",
        severity="watch",
        build=lambda: _stopped_at(7),
        twin=lambda: [_triggered()],
    ),
    Scenario(
        name="run_volume_trigger_silent_all_day",
        kind="run_volume",
        severity="act",
        build=lambda: _stopped_at(0),
        twin=lambda: [_triggered()],
    ),
    Scenario(
        name="run_volume_trigger_fires_on_updates_too",
        kind="run_volume",
        severity="watch",
        build=_extra_events,
        twin=lambda: [_triggered(per_hour=1)],
    ),
    Scenario(
        name="source_breakdown_manual_reruns_of_a_schedule",
        kind="source_breakdown",
        severity="watch",
        build=_manual_reruns,
        twin=lambda: [_scheduled_with_a_rerun_a_day()],
    ),
]
