"""Every scenario of the suite, on SQLite and PostgreSQL: the injected fault is found at
its severity naming the injected jobs, and its clean twin raises no act finding."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from pathlib import Path

import pytest

from sopwatch.service.store import Store, open_store
from sopwatch.settings import Settings
from tests.scenarios.framework import Scenario, all_scenarios, run_scenario

SCENARIOS = all_scenarios()
_teams = itertools.count()


def _stores(db_url: str) -> Callable[[], Store]:
    """Fresh stores on one database: a new team each (teams never see each other's rows)."""

    def make() -> Store:
        return open_store(Settings(database_url=db_url, team=f"scenario-{next(_teams)}"))

    return make


@pytest.mark.parametrize("scenario", SCENARIOS, ids=[s.name for s in SCENARIOS])
def test_scenario(scenario: Scenario, db_url: str, tmp_path: Path) -> None:
    outcome = run_scenario(_stores(db_url), scenario, tmp_path)
    assert outcome.found, outcome.why
    assert outcome.false_acts == [], outcome.false_acts


def test_every_scenario_has_a_unique_name() -> None:
    names = [s.name for s in SCENARIOS]
    assert len(names) == len(set(names)) and names
