"""The signals scenarios end to end on SQLite and PostgreSQL, for what the suite's judge
does not read: the words of the cost explanation, job latency missing what step latency
finds, a volume rise that is no cost spike, and the no-baseline line."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

from sopwatch.domain.finding import Finding
from sopwatch.monitor.report import render_text
from sopwatch.service.check import run_check
from sopwatch.service.store import Store, open_store
from sopwatch.settings import Settings
from tests.scenarios import cases_signals
from tests.scenarios.framework import Scenario, load_weeks, run_scenario
from tests.scenarios.weeks import WINDOW_END

_teams = itertools.count()


def _stores(db_url: str) -> Callable[[], Store]:
    """Fresh stores on one database, a new team each."""
    return lambda: open_store(Settings(database_url=db_url, team=f"signals-{next(_teams)}"))


def _scenario(name: str) -> Scenario:
    return next(s for s in cases_signals.SCENARIOS if s.name == name)


def _one(findings: list[Finding], kind: str) -> Finding:
    (found,) = [f for f in findings if f.kind == kind]
    return found


def test_the_prompt_spike_names_step_model_and_tokens_and_volume_is_no_spike(
    db_url: str, tmp_path: Path
) -> None:
    outcome = run_scenario(
        _stores(db_url), _scenario("cost_spike_prompt_tokens_8k_to_65k"), tmp_path
    )
    spike = _one(outcome.findings, "cost_spike")
    assert spike.title.endswith(
        "; most of the rise: model step gpt-4o $0.0200 → $0.1623 per job (prompt tokens 8k → 65k)"
    )
    twin = _one(outcome.twin_findings, "cost_spike")  # twice the jobs, same cost per job
    assert str(twin.severity) == "ok"
    volume = [f for f in outcome.twin_findings if f.kind == "run_volume"]
    assert str(volume[0].severity) == "watch"  # the count finding comes first


def test_the_revision_spike_says_where_it_began(db_url: str, tmp_path: Path) -> None:
    outcome = run_scenario(
        _stores(db_url), _scenario("cost_spike_begins_with_new_revision"), tmp_path
    )
    spike = _one(outcome.findings, "cost_spike")
    assert "; began with revision 2, new in the window (16 of 24 jobs from 08:30 UTC" in spike.title
    assert "revision" not in _one(outcome.twin_findings, "cost_spike").title


def test_the_24_dollar_job_is_named(db_url: str, tmp_path: Path) -> None:
    outcome = run_scenario(
        _stores(db_url), _scenario("cost_one_24_dollar_job_among_3_cent_jobs"), tmp_path
    )
    spike = _one(outcome.findings, "cost_spike")
    assert spike.evidence["job_ids"] == ["run-175"]
    assert "far above the baseline (over 10× its median and 3× its p99): run-175 $24.0000" in (
        spike.title
    )


def test_job_latency_misses_the_slower_model_that_step_latency_finds(
    db_url: str, tmp_path: Path
) -> None:
    scenario = _scenario("step_latency_model_4x_slower_under_slow_tools")
    outcome = run_scenario(_stores(db_url), scenario, tmp_path)
    assert str(_one(outcome.findings, "latency_drift").severity) == "ok"
    slower = _one(outcome.findings, "step_latency")
    assert slower.title.startswith("Model gpt-4o calls slower: median 803 ms → 3.3 s (4.1×)")


def test_the_first_day_report_says_which_comparisons_it_skipped(
    db_url: str, tmp_path: Path
) -> None:
    scenario = _scenario("no_baseline_failed_rate_over_5_percent")
    weeks, _ = scenario.build()
    store = open_store(Settings(database_url=db_url, team="first-day"))
    load_weeks(store, weeks, tmp_path)
    report = run_check(store, weeks[0].assignment, at=WINDOW_END, seed=1).report
    store.engine.dispose()
    assert report.baseline.kind == "none"
    assert report.skipped == {
        "no baseline jobs": [
            "needs_attention",
            "cost_spike",
            "latency_drift",
            "step_latency",
            "rejection_rate",
            "source_breakdown",
        ]
    }
    text = render_text(report)
    assert (
        "Skipped:  compared with nothing, so judged on absolute rules only: needs_attention,"
        in (text)
    )
