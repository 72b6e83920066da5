"""The synthetic JSONL jobs the benchmarks import (bench/import_and_check.py, bench/limits.py).

``make_line`` writes one job: model and tool steps alternating, ~4% failed (the last tool
call answers "HTTP 503 from crm"), ~3% needs input (one pending approval), 1% looping (the
same search with the same arguments every tool step), created uniformly over ``days`` days
before ``END``. ``generate`` writes a whole file from a fixed seed, so every run of a
benchmark imports the same jobs.
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

#: The end of the generated history (UTC): jobs are created in the ``days`` before it.
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


#: The generator's seed (our choice; any fixed value makes the files reproducible).
SEED = 42


def generate(path: Path, jobs: int, steps: int, days: int) -> None:
    """Write ``jobs`` JSONL lines of ``steps`` steps each to ``path`` (seed ``SEED``)."""
    rng = random.Random(SEED)
    with path.open("w") as fh:
        for i in range(jobs):
            fh.write(make_line(i, steps, days, rng) + "\n")
