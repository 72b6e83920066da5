"""The golden cases: the daily check's whole report on fixed data, as JSON snapshots.

Each case loads data into fresh stores through the service functions the CLI calls,
runs ``service.check.run_check`` with a seed (so the spot-check picks the same jobs) and
returns its reports as ``snapshot()`` dicts. ``tests/golden/test_golden.py`` compares them
with the files under ``tests/golden/snapshots/`` on SQLite and on PostgreSQL (one snapshot
for both); ``python -m tests.golden.regenerate`` rewrites the files (docs/monitoring.md
"Golden snapshots"). The cases:

- ``demo``: the Makefile's ``demo`` target, same imports with the same options, and its
  ``check airline-support --seed 7``;
- ``trail``: the bundled TRAIL GAIA traces (data/trail/GAIA) as one assignment, checked
  over 30 days;
- ``scenario-<name>``: every scenario of ``tests/scenarios`` on its faulty weeks and on
  its clean twin, checked as the scenario suite checks them (``framework.check_all``,
  seed 1).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from sopwatch.monitor.daily_check import Report
from sopwatch.monitor.report import render_text
from sopwatch.service.assignments import set_assignment
from sopwatch.service.check import run_check
from sopwatch.service.runs import import_runs
from sopwatch.service.store import Store
from sopwatch.service.values import parse_span, parse_time
from tests.conftest import BUNDLED_DATA
from tests.scenarios.framework import Scenario, all_scenarios, check_week, load_weeks

SNAPSHOTS = Path(__file__).parent / "snapshots"
#: A store factory: each call opens a store on a database (or team) no other call sees.
MakeStore = Callable[[], Store]


@dataclass(frozen=True)
class GoldenCase:
    """One snapshot: ``run(make_store, folder)`` returns ``{label: snapshot(report)}``."""

    name: str
    run: Callable[[MakeStore, Path], dict[str, dict[str, Any]]]

    @property
    def path(self) -> Path:
        """The snapshot's file."""
        return SNAPSHOTS / f"{self.name}.json"


def snapshot(report: Report) -> dict[str, Any]:
    """What is compared: the JSON report (every finding's kind, severity, title, evidence
    with its named jobs, response) and the text report's lines, as JSON values."""
    return {
        "report": json.loads(json.dumps(report.to_dict(), default=str, ensure_ascii=False)),
        "text": render_text(report).splitlines(),
    }


def _demo(make_store: MakeStore, folder: Path) -> dict[str, dict[str, Any]]:
    """The Makefile's ``demo`` target, through the service functions its commands call."""
    store = make_store()
    tau2 = BUNDLED_DATA / "tau2-bench"
    imports: list[tuple[list[Path], dict[str, Any]]] = [
        (
            [BUNDLED_DATA / "tau-bench" / "gpt-4o-airline.json"],
            {
                "assignment": "airline-support",
                "revision": 1,
                "spread": parse_span("7d", "--spread"),
                "end": parse_time("2025-11-25T00:00:00Z", "--end"),
            },
        ),
        (
            sorted(tau2.glob("gpt-oss-120b_*.json")),
            {"assignment": "airline-support", "revision": 2},
        ),
        (sorted(tau2.glob("claude-sonnet-4-5_*.json")), {"assignment": "airline-claude"}),
        (sorted(tau2.glob("ironshell-*.json")), {"assignment": "airline-gpt54"}),
        (sorted(tau2.glob("toolorchestra_*.json")), {"assignment": "retail-toolorchestra"}),
        ([BUNDLED_DATA / "trail" / "GAIA"], {"assignment": "gaia"}),
    ]
    for paths, options in imports:
        summary = import_runs(store, paths, **options)
        assert summary.result.errors == [], [str(e) for e in summary.result.errors[:3]]
    set_assignment(store, "airline-support", expected_runs_per_day=30, actor="golden")
    ran = run_check(store, "airline-support", seed=7)
    return {"airline-support": snapshot(ran.report)}


def _trail(make_store: MakeStore, folder: Path) -> dict[str, dict[str, Any]]:
    """TRAIL GAIA as one assignment, checked over 30 days (``tests/e2e/test_cli_trail.py``)."""
    store = make_store()
    summary = import_runs(store, [BUNDLED_DATA / "trail" / "GAIA"], assignment="gaia")
    assert summary.result.errors == [], [str(e) for e in summary.result.errors[:3]]
    ran = run_check(store, "gaia", window=timedelta(days=30), seed=7)
    return {"gaia": snapshot(ran.report)}


def _scenario(scenario: Scenario) -> Callable[[MakeStore, Path], dict[str, dict[str, Any]]]:
    """The scenario's faulty weeks and its clean twin, each in a store of its own."""

    def run(make_store: MakeStore, folder: Path) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        for label, weeks in (("faulty", scenario.build()[0]), ("twin", scenario.twin())):
            store = make_store()
            (folder / label).mkdir(parents=True, exist_ok=True)
            load_weeks(store, weeks, folder / label)
            for week in weeks:
                ran = check_week(store, scenario, week)
                found[f"{label}/{week.assignment}"] = snapshot(ran.report)
        return found

    return run


def golden_cases() -> list[GoldenCase]:
    """Every golden case: the demo, TRAIL, then the scenarios in suite order."""
    return [
        GoldenCase("demo", _demo),
        GoldenCase("trail", _trail),
        *(GoldenCase(f"scenario-{s.name}", _scenario(s)) for s in all_scenarios()),
    ]


def write_snapshot(case: GoldenCase, found: dict[str, dict[str, Any]]) -> None:
    """Write ``found`` as the case's snapshot (indented, keys in order, UTF-8)."""
    SNAPSHOTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(found, indent=1, ensure_ascii=False, sort_keys=True)
    case.path.write_text(text + "\n", encoding="utf-8")


def read_snapshot(case: GoldenCase) -> dict[str, Any]:
    """The case's committed snapshot."""
    loaded: dict[str, Any] = json.loads(case.path.read_text(encoding="utf-8"))
    return loaded
