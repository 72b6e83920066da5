"""Issue #6's must-shows of the repeats slice, end to end through the import and the
check (SQLite and PostgreSQL): what the findings say, beyond found / not found."""

from __future__ import annotations

import itertools
from pathlib import Path

from sopwatch.domain.finding import Finding
from sopwatch.service.store import Store, open_store
from sopwatch.settings import Settings
from tests.scenarios.cases_repeats import SCENARIOS
from tests.scenarios.framework import Outcome, run_scenario

_teams = itertools.count()


def _run(name: str, db_url: str, tmp_path: Path) -> Outcome:
    def make() -> Store:
        return open_store(Settings(database_url=db_url, team=f"repeats-{next(_teams)}"))

    (scenario,) = [s for s in SCENARIOS if s.name == name]
    return run_scenario(make, scenario, tmp_path)


def _of(findings: list[Finding], kind: str) -> list[Finding]:
    return [f for f in findings if f.kind == kind]


def test_the_report_sent_three_times_says_3_times_and_reads_are_no_duplicates(
    db_url: str, tmp_path: Path
) -> None:
    outcome = _run("duplicate_report_sent_3_times_15_min_apart", db_url, tmp_path)
    (finding,) = _of(outcome.findings, "duplicate_side_effect")
    assert finding.title.startswith("send_report succeeded 3 times with the same arguments")
    assert finding.title.endswith("across 3 jobs within 30.0 min")
    assert finding.evidence["arguments"] == '{"report":"weekly-ops","to":"ops@x"}'
    (twin,) = _of(outcome.twin_findings, "duplicate_side_effect")
    assert str(twin.severity) == "ok"


def test_six_failing_reads_cost_0_24_and_polling_until_done_is_no_loop(
    db_url: str, tmp_path: Path
) -> None:
    outcome = _run("tool_loop_six_failing_reads_cost_0_24", db_url, tmp_path)
    (loop,) = _of(outcome.findings, "tool_loop")
    assert loop.evidence["count"] == 6
    assert loop.evidence["cost_usd"] == 0.24
    assert "$0.2400" in loop.title
    assert loop.evidence["outcome"] == "404 Not Found"
    (twin,) = _of(outcome.twin_findings, "tool_loop")
    assert str(twin.severity) == "ok", twin.title


def test_a_replayed_trigger_key_names_the_key_and_the_rate(db_url: str, tmp_path: Path) -> None:
    outcome = _run("repeated_input_replayed_trigger_key", db_url, tmp_path)
    (finding,) = _of(outcome.findings, "repeated_input")
    assert finding.title == "Trigger key 'record 42' started 6 jobs within 4.2 min (1.4 a minute)"
    (twin,) = _of(outcome.twin_findings, "repeated_input")
    assert str(twin.severity) == "ok"
