"""Benchmark: import 100,000 jobs with 1,000,000 steps, then run the daily check.

Prints the import rate (steps/s) and the check time; never passes or fails on time.
Targets on a 2-core machine with SQLite (issue #2): import ≥ 20,000 steps/s, check < 2 s.

    python bench/import_and_check.py [--jobs 100000] [--steps 10] [--days 30]
                                     [--database-url URL]
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sopwatch.ingest.importer import ImportOptions, import_paths
from sopwatch.monitor.context import CheckSettings
from sopwatch.monitor.daily_check import run_daily_check
from sopwatch.monitor.load import load_context
from sopwatch.store.assignments import get_assignment
from sopwatch.store.engine import make_engine
from sopwatch.store.migrate import upgrade
from sopwatch.store.teams import ensure_team

END = datetime(2026, 11, 1, tzinfo=UTC)
TOOLS = ["search_orders", "get_customer", "update_record", "send_email", "lookup_invoice"]


def make_line(i: int, steps: int, days: int, rng: random.Random) -> str:
    """One JSONL job: model/tool steps alternating; ~4% failed, ~3% needs input, some loops."""
    created = END - timedelta(seconds=rng.uniform(0, days * 86_400))
    roll = rng.random()
    status = "failed" if roll < 0.04 else "needs_input" if roll < 0.07 else "completed"
    looping = rng.random() < 0.01
    out = []
    for seq in range(1, steps + 1):
        if seq % 2:
            out.append(
                {
                    "seq": seq,
                    "kind": "model",
                    "name": "gpt-4o",
                    "duration_ms": 900,
                    "input_tokens": 1200,
                    "output_tokens": 150,
                    "cost_usd": 0.0045,
                }
            )
            continue
        tool = TOOLS[0] if looping else rng.choice(TOOLS)
        args = {"q": "same"} if looping else {"id": rng.randrange(10_000)}
        failed = status == "failed" and seq == steps
        out.append(
            {
                "seq": seq,
                "kind": "tool",
                "name": tool,
                "arguments": args,
                "connection": "crm",
                "status": "error" if failed else "ok",
                "error": "HTTP 503 from crm" if failed else None,
                "result": "ok",
                "duration_ms": 120,
            }
        )
    record = {
        "id": f"bench-{i}",
        "status": status,
        "created_at": created.isoformat(),
        "source": "trigger",
        "input_type": rng.choice(["email", "pdf"]),
        "output": "done",
        "steps": out,
    }
    if status == "needs_input":
        record["human_requests"] = [
            {
                "gate": "refund_over_500",
                "type": "approval",
                "status": "pending",
                "created_at": created.isoformat(),
            }
        ]
    return json.dumps(record)  # fmt: skip


def generate(path: Path, jobs: int, steps: int, days: int) -> None:
    """Write ``jobs`` JSONL lines of ``steps`` steps each to ``path``."""
    rng = random.Random(42)
    with path.open("w") as fh:
        for i in range(jobs):
            fh.write(make_line(i, steps, days, rng) + "\n")


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
