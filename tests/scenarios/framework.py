"""The scenario suite: each scenario is a generated production week with one injected
fault, the finding the check must report for it, and its clean twin (the same week
without the fault), on which the check must report no ``act`` finding.

Scenarios live in ``cases_*.py`` modules of this package, each with a ``SCENARIOS`` list;
``all_scenarios()`` collects them. ``run_scenario`` imports a week through the real
importer into a store and runs the real check (``service.check.run_check``) at the end of
the window day; ``judge`` scores the report. ``bench/scenarios.py`` prints recall and
precision over the suite (docs/monitoring.md); ``test_scenarios.py`` asserts each one on
SQLite and PostgreSQL.
"""

from __future__ import annotations

import copy
import importlib
import json
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from sopwatch.domain.finding import Finding
from sopwatch.service.assignments import set_assignment
from sopwatch.service.check import CheckRun, run_check
from sopwatch.service.runs import import_runs
from sopwatch.service.store import Store
from tests.scenarios.weeks import WINDOW_END, Week

#: Severity rank: a finding "at the expected severity" may be more severe, never less.
_RANK = {"ok": 0, "watch": 1, "act": 2}


@dataclass
class Scenario:
    """One injected fault and what the check must say about it.

    ``build()`` returns the faulty weeks (one per assignment; most scenarios have one)
    and the external ids of the injected jobs; ``twin()`` returns the clean weeks. The
    check runs for every assignment in ``checked`` (default: each week's) at ``at`` over
    ``window``. Found when a finding of ``kind`` at ``severity`` or worse names every
    injected job (``job_ids`` ⊇ injected; an empty injected set needs only the finding),
    on every checked assignment. ``absent`` lists finding kinds that must not be reported
    at ``watch`` or worse (e.g. a cause folded into another finding).
    """

    name: str
    kind: str
    severity: str
    build: Callable[[], tuple[list[Week], set[str]]]
    twin: Callable[[], list[Week]]
    at: datetime = WINDOW_END
    window: timedelta = timedelta(hours=24)
    absent: tuple[str, ...] = ()
    check_options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    """How one scenario came out: ``found`` on the faulty weeks, ``false_acts`` (findings
    at act on the clean twin, as ``kind: title``), and the reports' findings."""

    scenario: Scenario
    found: bool
    why: str
    false_acts: list[str]
    findings: list[Finding]
    twin_findings: list[Finding]


def all_scenarios() -> list[Scenario]:
    """Every scenario of every ``cases_*`` module of this package, by module then order."""
    found: list[Scenario] = []
    package = Path(__file__).parent
    for info in sorted(pkgutil.iter_modules([str(package)]), key=lambda m: m.name):
        if info.name.startswith("cases_"):
            module = importlib.import_module(f"tests.scenarios.{info.name}")
            found.extend(module.SCENARIOS)
    return found


def load_weeks(store: Store, weeks: list[Week], folder: Path) -> None:
    """Import ``weeks`` (deep-copied JSONL runs) into ``store`` and set each assignment's
    expected runs per day; raises AssertionError when a run is refused."""
    for week in weeks:
        path = folder / f"{week.assignment}.jsonl"
        path.write_text("".join(json.dumps(run) + "\n" for run in copy.deepcopy(week.runs)))
        summary = import_runs(store, [path], assignment=week.assignment, fmt="jsonl")
        assert summary.result.errors == [], [str(e) for e in summary.result.errors[:3]]
        if week.expected_runs_per_day is not None:
            set_assignment(
                store,
                week.assignment,
                expected_runs_per_day=week.expected_runs_per_day,
                actor="scenario",
            )


def check_week(store: Store, scenario: Scenario, week: Week) -> CheckRun:
    """The check of one week's assignment, at the scenario's moment and window (seed 1)."""
    return run_check(
        store,
        week.assignment,
        at=scenario.at,
        window=scenario.window,
        seed=1,
        **scenario.check_options,
    )


def check_all(store: Store, scenario: Scenario, weeks: list[Week]) -> list[Finding]:
    """The findings of the check of every week's assignment, concatenated."""
    findings: list[Finding] = []
    for week in weeks:
        findings.extend(check_week(store, scenario, week).report.findings)
    return findings


def judge(scenario: Scenario, findings: list[Finding], injected: set[str]) -> tuple[bool, str]:
    """``(found, why not)`` for the faulty weeks' findings (module rules)."""
    matching = [
        f
        for f in findings
        if f.kind == scenario.kind and _RANK[str(f.severity)] >= _RANK[scenario.severity]
    ]
    if not matching:
        seen = sorted({f"{f.kind}:{f.severity}" for f in findings if f.kind == scenario.kind})
        return False, f"no {scenario.kind} at {scenario.severity} or worse (saw {seen})"
    named = set().union(*(set(map(str, f.evidence.get("job_ids", []))) for f in matching))
    missing = injected - named
    if missing:
        return False, f"{scenario.kind} does not name {sorted(missing)[:5]}"
    for kind in scenario.absent:
        extra = [f.title for f in findings if f.kind == kind and str(f.severity) != "ok"]
        if extra:
            return False, f"{kind} should be folded, but reports: {extra[0][:120]}"
    return True, ""


def false_acts(findings: list[Finding]) -> list[str]:
    """The act findings of a clean twin, as ``kind: title``."""
    return [f"{f.kind}: {f.title}" for f in findings if str(f.severity) == "act"]


def run_scenario(make_store: Callable[[], Store], scenario: Scenario, folder: Path) -> Outcome:
    """Run ``scenario`` on two fresh stores from ``make_store`` (faulty weeks, then the
    clean twin), each loaded from JSONL files written under ``folder``."""
    weeks, injected = scenario.build()
    faulty = make_store()
    (folder / "faulty").mkdir(parents=True, exist_ok=True)
    load_weeks(faulty, weeks, folder / "faulty")
    findings = check_all(faulty, scenario, weeks)
    found, why = judge(scenario, findings, injected)
    clean_weeks = scenario.twin()
    clean = make_store()
    (folder / "twin").mkdir(parents=True, exist_ok=True)
    load_weeks(clean, clean_weeks, folder / "twin")
    twin_findings = check_all(clean, scenario, clean_weeks)
    return Outcome(scenario, found, why, false_acts(twin_findings), findings, twin_findings)
