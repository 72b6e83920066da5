"""The first daily-check scenarios end to end on SQLite and PostgreSQL, for what the suite's
judge does not read: the gate a Needs Input spike names, the spot-check finding what the
rejection rate cannot yet, and postponed cases taken back that are neither a rate nor
overdue."""

from __future__ import annotations

import itertools
from pathlib import Path

from sopwatch.domain.finding import Finding
from sopwatch.service.store import Store, open_store
from sopwatch.settings import Settings
from tests.scenarios import cases_first, cases_first_insights
from tests.scenarios.framework import Outcome, run_scenario

_teams = itertools.count()


def _run(name: str, db_url: str, tmp_path: Path) -> Outcome:
    def make() -> Store:
        return open_store(Settings(database_url=db_url, team=f"first-{next(_teams)}"))

    scenarios = cases_first.SCENARIOS + cases_first_insights.SCENARIOS
    (scenario,) = [s for s in scenarios if s.name == name]
    return run_scenario(make, scenario, tmp_path)


def _one(findings: list[Finding], kind: str) -> Finding:
    (found,) = [f for f in findings if f.kind == kind]
    return found


def test_the_needs_input_spike_names_the_gate_raising_most(db_url: str, tmp_path: Path) -> None:
    outcome = _run("inbox_needs_input_spike_at_one_gate", db_url, tmp_path)
    spike = _one(outcome.findings, "inbox_pending")
    assert spike.evidence["top_gate"] == cases_first.VENDOR_GATE
    assert spike.evidence["gates"] == {cases_first.VENDOR_GATE: 7, cases_first.AMOUNT_GATE: 2}
    twin = _one(outcome.twin_findings, "inbox_pending")
    assert (str(twin.severity), twin.evidence["raised_in_window"]) == ("ok", 2)


def test_two_rejected_of_five_are_the_spot_checks_not_the_rates(
    db_url: str, tmp_path: Path
) -> None:
    outcome = _run("spot_check_two_of_five_reports_rejected", db_url, tmp_path)
    spot = _one(outcome.findings, "spot_check")
    assert len(spot.evidence["rejected"]) == 2
    assert str(_one(outcome.findings, "rejection_rate").severity) == "ok"  # needs 3


def test_postponed_cases_taken_back_are_neither_a_rate_nor_overdue(
    db_url: str, tmp_path: Path
) -> None:
    reports = [r["case"]["status"] for r in cases_first._case_queue().baseline]
    assert reports.count("postponed") >= 3  # postponed in the baseline, then taken back
    outcome = _run("case_postponed_rate_erp_retry_later", db_url, tmp_path)
    rate = _one(outcome.findings, "case_postponed_rate")
    assert rate.evidence["baseline_count"] == 0  # the baseline's were all taken back
    assert str(_one(outcome.findings, "overdue_wait").severity) == "ok"  # due after the window
    assert str(_one(outcome.twin_findings, "overdue_wait").severity) == "ok"
