"""A sampled window gives the same findings as a window read whole, but for the
per-model and per-tool tallies that rest on the sample.

When a window has more jobs than ``monitor.load.STEP_SAMPLE`` (and every job has its
facts), the check reads steps only for the jobs a finding may name and a sample, and the
duplicate check reads the repeated writes instead of steps. Here every scenario's faulty
week is checked with a sample of 2 jobs, so that path runs on small data, and its report
is compared with the whole read's (the golden snapshots' path), on SQLite and
PostgreSQL.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sopwatch.monitor.context import CheckSettings
from sopwatch.monitor.daily_check import run_daily_check
from sopwatch.monitor.load import load_context
from sopwatch.service.store import Store
from sopwatch.store.assignments import get_assignment
from tests.golden.regenerate import stores
from tests.scenarios.framework import Scenario, all_scenarios, load_weeks
from tests.scenarios.weeks import Week

#: Finding kinds whose figures come from the step sample (and may differ on it).
SAMPLED_KINDS = frozenset({"step_latency", "truncated_output", "cost_spike"})
SCENARIOS = all_scenarios()


def _findings(
    store: Store, assignment: str, at: datetime, window: timedelta, sample: int
) -> tuple[list[dict[str, Any]], bool]:
    """The check's findings but the sampled kinds, and whether the window was sampled
    (it is when it holds more than ``sample`` jobs)."""
    with store.engine.connect() as conn:
        found = get_assignment(conn, store.team_id, assignment)
        assert found is not None
        ctx = load_context(conn, found, at, window, CheckSettings(seed=1), step_sample=sample)
    report = run_daily_check(ctx)
    shown = [f.to_dict() for f in report.findings if f.kind not in SAMPLED_KINDS]
    assert (ctx.step_sample is not None) == (len(ctx.jobs) > sample)
    return shown, ctx.step_sample is not None


def _same(store: Store, week: Week, scenario: Scenario) -> None:
    whole, sampled_whole = _findings(store, week.assignment, scenario.at, scenario.window, 10**9)
    part, _ = _findings(store, week.assignment, scenario.at, scenario.window, 2)
    assert not sampled_whole
    assert part == whole


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_sampled_window_names_what_the_whole_one_does(
    scenario: Scenario, db_url: str, tmp_path: Path
) -> None:
    weeks, _ = scenario.build()
    store = stores(db_url)()
    load_weeks(store, weeks, tmp_path)
    for week in weeks:
        _same(store, week, scenario)
