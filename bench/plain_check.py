"""The plain check: the counts `sopwatch check` reports, from plain SQL with the plain driver.

The limit ``bench/limits.py`` compares ``sopwatch check`` with, run as its own process on
the database ``sopwatch import`` filled: seven queries through the indexes our migrations
create, with sqlite3 or psycopg (no SQLAlchemy), over the window ``[at - 24 h, at)`` and
the baseline, the 7 days before it (the product's trailing baseline):

1. jobs of the window and the baseline by status and source, with cost and duration sums
   and the model calls (and cut calls) of the window's jobs (job fact columns);
2. cost and duration quantiles (median, p95) of each, from a histogram grouped in SQL
   (exact; one row per distinct value);
3. pending human requests raised before the window's end, how many are stale (older than
   ``--stale-hours``, default 4 h) and the oldest, counted in SQL; the ``--listed`` oldest
   stale ones (default 20) loaded with their job;
4. human requests raised by the window's and the baseline's jobs;
5. the failing steps of the window's failed jobs (steps read only for those jobs), grouped
   by step, connection and error;
6. the window's jobs whose ``loop_calls`` fact reaches ``--loop-threshold`` (default 3);
7. the window's repeated write calls (``side_effects`` grouped by tool and arguments).

What it leaves out of the product's work: the per-model and per-tool step durations of the
window (``step_latency``), the spot-check sample, the statistical tests and the report.

Prints one JSON object of the figures (``seconds``: inside the process, after start-up).

    python bench/plain_check.py --database-url URL --at 2026-11-01T00:00:00Z
                                [--assignment bench] [--team default] [--stale-hours 4]
                                [--loop-threshold 3] [--listed 20]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

WINDOW = timedelta(hours=24)  # the product's default --window
BASELINE = timedelta(days=7)  # monitor/load.py TRAILING_BASELINE

COUNTS = """
SELECT created_at >= %s, status, source, count(*), count(cost_micros), sum(cost_micros),
       count(duration_ms), sum(duration_ms), sum(model_calls), sum(truncated_calls),
       sum(CASE WHEN cost_estimated THEN 1 ELSE 0 END)
FROM jobs WHERE team_id = %s AND assignment_id = %s AND created_at >= %s AND created_at < %s
GROUP BY 1, 2, 3"""
HISTOGRAM = """
SELECT created_at >= %s, {column}, count(*)
FROM jobs WHERE team_id = %s AND assignment_id = %s AND created_at >= %s AND created_at < %s
  AND {column} IS NOT NULL
GROUP BY 1, 2"""
PENDING = """
SELECT count(*), sum(CASE WHEN h.created_at < %s THEN 1 ELSE 0 END), min(h.created_at)
FROM human_requests h JOIN jobs j ON j.id = h.job_id
WHERE j.assignment_id = %s AND h.status = 'pending' AND h.created_at < %s"""
STALE_LISTED = """
SELECT j.external_id, h.gate, h.created_at
FROM human_requests h JOIN jobs j ON j.id = h.job_id
WHERE j.assignment_id = %s AND h.status = 'pending' AND h.created_at < %s
ORDER BY h.created_at LIMIT %s"""
RAISED = """
SELECT j.created_at >= %s, count(*)
FROM jobs j JOIN human_requests h ON h.job_id = j.id
WHERE j.team_id = %s AND j.assignment_id = %s AND j.created_at >= %s AND j.created_at < %s
GROUP BY 1"""
FAILING_STEPS = """
SELECT j.external_id, s.name, s.connection, s.error
FROM jobs j JOIN steps s ON s.job_id = j.id
WHERE j.team_id = %s AND j.assignment_id = %s AND j.created_at >= %s AND j.created_at < %s
  AND j.status = 'failed' AND s.status = 'error'"""
LOOPS = """
SELECT external_id, loop_calls
FROM jobs WHERE team_id = %s AND assignment_id = %s AND created_at >= %s AND created_at < %s
  AND loop_calls >= %s"""
REPEATED_WRITES = """
SELECT tool, digest, job_id, at FROM (
  SELECT tool, digest, job_id, at, count(*) OVER (PARTITION BY tool, digest) AS n
  FROM side_effects WHERE assignment_id = %s AND at >= %s AND at < %s
) w WHERE n > 1
ORDER BY tool, digest, at"""
#: The same write again in another job within this time is a duplicate (the product's
#: ``duplicate_interval_ms``, 1 h).
DUPLICATE_INTERVAL = timedelta(hours=1)


def quantile(histogram: dict[int, int], q: float) -> float | None:
    """The ``q`` quantile (0–1, linear between order statistics, as ``statistics`` and
    NumPy's default) of the values in ``histogram`` (value → how many); None when empty."""
    n = sum(histogram.values())
    if n == 0:
        return None
    rank = q * (n - 1)
    low, frac = int(rank), rank - int(rank)
    seen, below = 0, None
    for value in sorted(histogram):
        seen += histogram[value]
        if below is None and seen > low:
            below = value
            if frac == 0:
                return float(below)
        if below is not None and seen > low + 1:
            return below + frac * (value - below)
    return float(below) if below is not None else None


class Db:
    """One connection; queries written with ``%s`` (rewritten to ``?`` for sqlite3) and
    timestamps given as the database stores them."""

    def __init__(self, url: str) -> None:
        if url.startswith("sqlite:///"):
            import sqlite3

            self.sqlite = True
            self.conn: Any = sqlite3.connect(url.removeprefix("sqlite:///"))
        else:
            import psycopg

            self.sqlite = False
            self.conn = psycopg.connect("postgresql://" + url.split("://", 1)[1])

    def moment(self, at: datetime) -> Any:
        """SQLAlchemy's SQLite text for ``at`` (naive UTC), or ``at`` itself."""
        return at.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f") if self.sqlite else at

    def rows(self, query: str, *params: Any) -> list[Any]:
        """All rows of ``query``."""
        if self.sqlite:
            query = query.replace("%s", "?")
        return list(self.conn.execute(query, params).fetchall())


def check(db: Db, team: str, assignment: str, at: datetime, opts: argparse.Namespace) -> dict:
    """The figures (see the module docstring) of ``assignment``'s window ending ``at``."""
    start, base = at - WINDOW, at - WINDOW - BASELINE
    ws, we, bs = db.moment(start), db.moment(at), db.moment(base)
    team_id = db.rows("SELECT id FROM teams WHERE name = %s", team)[0][0]
    found = db.rows(
        "SELECT id FROM assignments WHERE team_id = %s AND name = %s", team_id, assignment
    )
    aid = found[0][0]
    span = (team_id, aid, bs, we)

    def period(in_window: Any) -> str:
        return "window" if in_window else "baseline"

    out: dict[str, Any] = {p: _empty() for p in ("window", "baseline")}
    for in_window, status, source, n, costed, cost, timed, took, calls, cut, est in db.rows(
        COUNTS, ws, *span
    ):
        part = out[period(in_window)]
        part["jobs"] += n
        part["by_status"][status] = part["by_status"].get(status, 0) + n
        part["by_source"][source] = part["by_source"].get(source, 0) + n
        part["jobs_with_cost"] += costed
        part["cost_micros"] += int(cost or 0)  # PostgreSQL's sum of bigint is numeric
        part["jobs_with_duration"] += timed
        part["duration_ms"] += int(took or 0)
        part["model_calls"] += int(calls or 0)
        part["cut_calls"] += int(cut or 0)
        part["cost_estimated_jobs"] += int(est or 0)
    for column in ("cost_micros", "duration_ms"):
        histograms: dict[str, dict[int, int]] = {"window": {}, "baseline": {}}
        for in_window, value, n in db.rows(HISTOGRAM.format(column=column), ws, *span):
            histograms[period(in_window)][value] = n
        for name, histogram in histograms.items():
            out[name][f"{column}_p50"] = quantile(histogram, 0.5)
            out[name][f"{column}_p95"] = quantile(histogram, 0.95)
    for part in out.values():
        jobs = part["jobs"]
        part["failed"] = part["by_status"].get("failed", 0)
        part["needs_input"] = part["by_status"].get("needs_input", 0)
        part["failed_rate"] = round(part["failed"] / jobs, 4) if jobs else None
        part["needs_input_rate"] = round(part["needs_input"] / jobs, 4) if jobs else None
    for in_window, n in db.rows(RAISED, ws, *span):
        out[period(in_window)]["requests_raised"] = n
    out["requests"] = _requests(db, aid, at, we, opts)
    out["failures"] = _failures(db.rows(FAILING_STEPS, team_id, aid, ws, we))
    loops = db.rows(LOOPS, team_id, aid, ws, we, opts.loop_threshold)
    out["loops"] = {"jobs": len(loops), "job_ids": sorted(row[0] for row in loops)}
    out["repeated_writes"] = _duplicates(db.rows(REPEATED_WRITES, aid, ws, we))
    return out


def _empty() -> dict[str, Any]:
    return {
        "jobs": 0, "by_status": {}, "by_source": {}, "jobs_with_cost": 0, "cost_micros": 0,
        "jobs_with_duration": 0, "duration_ms": 0, "model_calls": 0, "cut_calls": 0,
        "cost_estimated_jobs": 0, "requests_raised": 0,
    }  # fmt: skip


def _requests(db: Db, aid: int, at: datetime, we: Any, opts: argparse.Namespace) -> dict:
    stale_before = at - timedelta(hours=opts.stale_hours)
    pending, stale, oldest = db.rows(PENDING, db.moment(stale_before), aid, we)[0]
    listed = db.rows(STALE_LISTED, aid, db.moment(stale_before), opts.listed)
    if isinstance(oldest, str):
        oldest = datetime.fromisoformat(oldest).replace(tzinfo=UTC)
    age = None if oldest is None else round((at - oldest).total_seconds() / 3600, 1)
    return {
        "pending": pending,
        "stale": stale or 0,
        "oldest_hours": age,
        "listed": [row[0] for row in listed],
    }


def _failures(rows: list[Any]) -> list[dict[str, Any]]:
    """Failing steps grouped by (step, connection, error), most jobs first."""
    groups: dict[tuple[str, str | None, str | None], set[str]] = defaultdict(set)
    steps: dict[tuple[str, str | None, str | None], int] = defaultdict(int)
    for job, name, connection, error in rows:
        groups[(name, connection, error)].add(job)
        steps[(name, connection, error)] += 1
    return [
        {"step": k[0], "connection": k[1], "error": k[2], "jobs": len(v), "steps": steps[k]}
        for k, v in sorted(groups.items(), key=lambda kv: (-len(kv[1]), kv[0][0]))
    ]


def _duplicates(rows: list[Any]) -> dict[str, int]:
    """Writes (tool, arguments digest) made twice by one job or again within
    ``DUPLICATE_INTERVAL`` of the previous call: how many such writes, how many calls."""
    calls: dict[tuple[str, str], list[tuple[int, datetime]]] = defaultdict(list)
    for tool, digest, job_id, at in rows:
        when = datetime.fromisoformat(at) if isinstance(at, str) else at
        calls[(tool, digest)].append((job_id, when))
    groups = repeated = 0
    for made in calls.values():
        jobs = [job_id for job_id, _ in made]
        times = [when for _, when in made]  # in time order (the query's)
        close = any(b - a <= DUPLICATE_INTERVAL for a, b in pairwise(times))
        if close or len(set(jobs)) < len(jobs):
            groups += 1
            repeated += len(made)
    return {"writes": groups, "calls": repeated}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--at", required=True, help="end of the window (ISO 8601, UTC)")
    parser.add_argument("--assignment", default="bench")
    parser.add_argument("--team", default="default")
    parser.add_argument("--stale-hours", type=float, default=4.0)
    parser.add_argument("--loop-threshold", type=int, default=3)
    parser.add_argument("--listed", type=int, default=20)
    opts = parser.parse_args()
    started = time.perf_counter()
    at = datetime.fromisoformat(opts.at.replace("Z", "+00:00")).astimezone(UTC)
    db = Db(opts.database_url)
    figures = check(db, opts.team, opts.assignment, at, opts)
    db.conn.close()
    figures["seconds"] = round(time.perf_counter() - started, 4)
    print(json.dumps(figures, default=str))


if __name__ == "__main__":
    main()
