"""Benchmark: import 100,000 jobs with 1,000,000 steps, then run the daily check.

Prints the import rate (steps/s) and the check time; never passes or fails on time.
Targets on a 2-core machine with SQLite (issue #2): import ≥ 20,000 steps/s, check < 2 s.

    python bench/import_and_check.py [--jobs 100000] [--steps 10] [--days 30]
                                     [--database-url URL]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from _data import END, generate

from sopwatch.ingest.importer import ImportOptions, import_paths
from sopwatch.monitor.context import CheckSettings
from sopwatch.monitor.daily_check import run_daily_check
from sopwatch.monitor.load import load_context
from sopwatch.store.assignments import get_assignment
from sopwatch.store.engine import make_engine
from sopwatch.store.migrate import upgrade
from sopwatch.store.teams import ensure_team


def main() -> None:
    """Generate, import, check; print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100_000)
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--days", type=int, default=30)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "bench.jsonl"
        t0 = time.perf_counter()
        generate(data, args.jobs, args.steps, args.days)
        print(
            f"generated {args.jobs:,} jobs x {args.steps} steps in {time.perf_counter() - t0:.1f} s"
        )
        engine = make_engine(args.database_url or f"sqlite:///{tmp}/bench.db")
        upgrade(engine)
        with engine.begin() as conn:
            team = ensure_team(conn, "bench")
        options = ImportOptions(team_id=team.id, assignment="bench", fmt="jsonl",
                                spread=timedelta(days=7), end=END)  # fmt: skip
        t0 = time.perf_counter()
        result = import_paths(engine, [data], options)
        seconds = time.perf_counter() - t0
        print(f"import: {result.imported:,} jobs, {result.steps:,} steps in {seconds:.1f} s "
              f"= {result.steps / seconds:,.0f} steps/s ({len(result.errors)} errors)")  # fmt: skip
        with engine.connect() as conn:
            assignment = get_assignment(conn, team.id, "bench")
            for label in ("cold", "warm"):
                t0 = time.perf_counter()
                ctx = load_context(
                    conn, assignment, END, timedelta(hours=24), CheckSettings(seed=1)
                )
                loaded = time.perf_counter() - t0
                report = run_daily_check(ctx)
                total = time.perf_counter() - t0
                print(f"check ({label}): {total:.2f} s (load {loaded:.2f} s) over "
                      f"{len(ctx.jobs):,} window jobs, {len(ctx.baseline.jobs):,} baseline jobs, "
                      f"{len(report.findings)} findings")  # fmt: skip
        engine.dispose()


if __name__ == "__main__":
    main()
