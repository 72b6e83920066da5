"""The scenario suite's recall and precision (docs/monitoring.md).

Runs every scenario of ``tests/scenarios`` (a generated production week with one injected
fault, and its clean twin) through the real importer and check, and prints per scenario
whether the fault was found at its severity naming the injected jobs, and which act
findings the clean twin raised. Recall = found / scenarios; precision = found / (found +
clean twins with any act finding). Targets (issue #6): recall 1.0, precision ≥ 0.95.
Prints figures; never passes or fails.

    python bench/scenarios.py [--database-url URL] [--only NAME-SUBSTRING]
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
import time
from pathlib import Path

from sopwatch.service.store import Store, open_store
from sopwatch.settings import Settings

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the suite lives with the tests
from tests.scenarios.framework import all_scenarios, run_scenario


def main() -> None:
    """Parse the options, run the suite, print the table and the two figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="default: a temporary SQLite file")
    parser.add_argument("--only", default="", help="run the scenarios whose name has this")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = args.database_url or f"sqlite:///{Path(tmp) / 'scenarios.db'}"
        teams = itertools.count()

        def make() -> Store:
            return open_store(
                Settings(database_url=url, team=f"bench-{time.time_ns()}-{next(teams)}")
            )

        scenarios = [s for s in all_scenarios() if args.only in s.name]
        found = twins_with_act = 0
        started = time.perf_counter()
        for n, scenario in enumerate(scenarios):
            outcome = run_scenario(make, scenario, Path(tmp) / str(n))
            found += outcome.found
            twins_with_act += bool(outcome.false_acts)
            mark = "found" if outcome.found else f"MISSED ({outcome.why})"
            print(f"{scenario.name:<48} {scenario.kind:<22} {scenario.severity:<5} {mark}")
            for act in outcome.false_acts:
                print(f"{'':<48} clean twin act: {act[:100]}")
        seconds = time.perf_counter() - started
    total = len(scenarios)
    recall = found / total if total else 0.0
    precision = found / (found + twins_with_act) if found + twins_with_act else 0.0
    print(
        f"\n{total} scenarios in {seconds:.1f} s: recall {recall:.3f} ({found}/{total}), "
        f"precision {precision:.3f} ({twins_with_act} clean twins with an act finding)"
    )


if __name__ == "__main__":
    main()
