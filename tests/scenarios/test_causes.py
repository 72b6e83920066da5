"""The scenarios of ``cases_causes`` say what the brief asks of them, beyond being found:
one finding per cause with its class and response, the other views folded into it, and
concentration claims worded as counted. Through the real import and check, on SQLite and
PostgreSQL."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest

from sopwatch.domain.finding import Finding
from sopwatch.monitor.checks._causes import (
    RESPONSE_INVALID_INPUT,
    RESPONSE_MODEL_NOT_FOUND,
    RESPONSE_RATE_LIMIT,
    RESPONSE_REAUTHORIZE,
)
from sopwatch.monitor.checks.clusters import RESPONSE_MANY_CONNECTIONS
from sopwatch.service.check import run_check
from sopwatch.service.store import open_store
from sopwatch.settings import Settings
from tests.scenarios.cases_causes import SCENARIOS
from tests.scenarios.framework import Scenario, load_weeks

_teams = itertools.count()
_FAILURES = ("needs_attention", "failure_cluster", "connection_auth", "status_contradiction")
Reports = dict[str, list[Finding]]


def _reports(db_url: str, scenario: Scenario, folder: Path) -> tuple[Reports, set[str]]:
    """The faulty weeks' findings per assignment, and the injected job ids."""
    store = open_store(Settings(database_url=db_url, team=f"causes-{next(_teams)}"))
    weeks, injected = scenario.build()
    load_weeks(store, weeks, folder)
    reports = {
        w.assignment: run_check(store, w.assignment, at=scenario.at, seed=1).report.findings
        for w in weeks
    }
    return reports, injected


def _loud(findings: list[Finding]) -> list[Finding]:
    """The watch/act findings about failures (volume, cost and the rest aside)."""
    return [f for f in findings if f.kind in _FAILURES and str(f.severity) != "ok"]


def _one(findings: list[Finding]) -> Finding:
    """The one watch/act finding about failures besides the ``needs_attention`` overview."""
    (finding,) = [f for f in _loud(findings) if f.kind != "needs_attention"]
    return finding


def _crm(reports: Reports, injected: set[str]) -> None:
    assert len(reports) == 3
    for findings in reports.values():
        finding = _one(findings)
        assert (finding.kind, str(finding.severity)) == ("connection_auth", "act")
        assert set(finding.evidence["job_ids"]) <= injected
        assert finding.evidence["connection"] == "crm-oauth"
        assert finding.evidence["error_class"] == "auth"
        assert finding.response == RESPONSE_REAUTHORIZE
        assert {v["view"] for v in finding.evidence["also"]} == {"cause", "hour"}
    named = {j for fs in reports.values() for f in _loud(fs) for j in f.evidence["job_ids"]}
    assert len(injected) == 40 and injected <= named


def _model_gone(reports: Reports, injected: set[str]) -> None:
    (findings,) = reports.values()
    finding = _one(findings)
    assert finding.evidence["error_class"] == "model_not_found"
    assert set(finding.evidence["job_ids"]) == injected and len(injected) == 40
    assert finding.response == RESPONSE_MODEL_NOT_FOUND
    assert len(finding.evidence["fingerprints"]) == 4
    classed = [f for f in findings if f.evidence.get("error_class") == "model_not_found"]
    assert classed == [finding]


def _rate_limit(reports: Reports, injected: set[str]) -> None:
    finding = _one(next(iter(reports.values())))
    assert finding.evidence["error_class"] == "rate_limit"
    assert finding.response.startswith(RESPONSE_RATE_LIMIT)
    assert [v["view"] for v in finding.evidence["also"]] == ["hour"]


def _context(reports: Reports, injected: set[str]) -> None:
    finding = _one(next(iter(reports.values())))
    assert finding.evidence["error_class"] == "context_overflow"
    assert finding.evidence["largest_output_step"] == "fetch_document"
    assert finding.evidence["largest_output_bytes"] > 300_000  # the full size, not the kept
    assert "the largest here: fetch_document" in finding.response


def _bad_input(reports: Reports, injected: set[str]) -> None:
    finding = _one(next(iter(reports.values())))
    assert finding.evidence["error_class"] == "invalid_input"
    assert finding.response == RESPONSE_INVALID_INPUT


def _pdf(reports: Reports, injected: set[str]) -> None:
    loud = _loud(next(iter(reports.values())))
    (finding,) = [f for f in loud if f.evidence.get("dimension") == "input_type"]
    assert str(finding.severity) == "act"
    assert finding.title.startswith("8 of 8 failed jobs have input type pdf, against ")
    assert finding.response.startswith("Failures only on input type pdf")
    assert finding.evidence["p_value"] < 0.05


def _outage(reports: Reports, injected: set[str]) -> None:
    loud = _loud(next(iter(reports.values())))
    (finding,) = [f for f in loud if f.evidence.get("dimension") == "hour"]
    assert (str(finding.severity), finding.evidence["hour_utc"]) == ("act", 14)
    assert "outage" in finding.response


def _sop(reports: Reports, injected: set[str]) -> None:
    finding = _one(next(iter(reports.values())))
    assert finding.evidence["dimension"] == "connections"
    assert finding.response == RESPONSE_MANY_CONNECTIONS
    assert set(finding.evidence["connections"]) == {"crm", "helpdesk", "gmail", "sheets"}


CHECKS: dict[str, Callable[[Reports, set[str]], None]] = {
    "connection_auth_crm_oauth_three_assignments": _crm,
    "model_not_found_40_jobs": _model_gone,
    "rate_limit_burst": _rate_limit,
    "context_overflow_largest_output": _context,
    "invalid_input_first_step": _bad_input,
    "failures_on_one_input_type": _pdf,
    "failures_in_one_hour_outage": _outage,
    "failures_spread_over_connections_sop_logic": _sop,
}


def test_every_scenario_of_the_module_is_checked_here() -> None:
    assert {s.name for s in SCENARIOS} == set(CHECKS)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario_says_what_it_should(scenario: Scenario, db_url: str, tmp_path: Path) -> None:
    reports, injected = _reports(db_url, scenario, tmp_path)
    CHECKS[scenario.name](reports, injected)
