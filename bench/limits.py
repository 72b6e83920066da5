"""Benchmark: sopwatch side by side with the plain-driver limit, in one run (issue #7).

For each database (SQLite: a file in the work directory; PostgreSQL: a fresh database on
the server, dropped after) and each size (``--sizes`` jobs of 10 steps over 30 days, plus
the largest size over ``--long-days`` days), on the same generated file (bench/_data.py,
fixed seed, generated once per size into the work directory):

1. ``sopwatch import FILE --assignment bench --json``, the whole command, into a fresh
   database migrated beforehand; wall-clock time and steps/s. The rate of the first and
   the last tenth of the jobs comes from the database: a thread of this process reads
   ``max(id)`` of ``jobs`` every ``POLL_SECONDS`` through the primary key (the importer
   commits every 500 jobs and prints no progress off a terminal), so the rates are those
   of committed batches, to the resolution of a batch and a poll.
2. ``bench/plain_import.py``, its own process, the same file into another fresh database
   (same tables and indexes, sqlite3 ``executemany`` / psycopg ``COPY``), timed and polled
   the same way.
3. ``sopwatch check bench --at END --seed 7``, the whole command, and
   ``bench/plain_check.py`` (the same counts from plain SQL) on the database the product
   filled: once each to warm the caches, then ``--runs`` times taking turns; the minimum.
4. ``sopwatch --help`` against ``python -c "import sqlalchemy"`` and ``sopwatch check
   airline-support`` on the demo database (``.demo/sopwatch-demo.db``; skipped with a note
   when absent), timed as bench/startup.py does (its functions), the minimum of ``--runs``.

Prints one table, ``work | sopwatch | plain | ratio | target`` (targets: issue #7), as
aligned text or, with ``--markdown``, as Markdown for docs/performance.md; progress goes
to standard error. Never passes or fails on time.

    python bench/limits.py [--sizes 10000,100000,1000000] [--long-days 300] [--quick]
                           [--databases sqlite,postgresql] [--workdir DIR] [--runs 3]
                           [--postgres-url URL] [--markdown] [--no-startup]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from _data import END, generate
from _figures import change, percent, ratio, render, seconds, size_label, tenth_rates

BENCH = Path(__file__).resolve().parent
PYTHON = sys.executable
SOPWATCH = str(Path(sys.executable).with_name("sopwatch"))
STEPS = 10  # steps per generated job
AT = END.strftime("%Y-%m-%dT%H:%M:%SZ")  # the checks' window end: the generated history's
POLL_SECONDS = 0.02  # how often the import's committed jobs are read (our choice)
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
TEAM = "default"


# --- databases -------------------------------------------------------------------------


def say(text: str) -> None:
    """Progress, on standard error (standard output holds the table)."""
    print(text, file=sys.stderr, flush=True)


class Databases:
    """Fresh migrated databases of one kind, removed by ``close``."""

    def __init__(self, kind: str, workdir: Path, admin: str) -> None:
        self.kind, self.workdir, self.admin = kind, workdir, admin
        self.made: list[str] = []

    def fresh(self, label: str) -> str:
        """The SQLAlchemy URL of a new database at our newest schema with the team."""
        from sopwatch.store.engine import make_engine
        from sopwatch.store.migrate import upgrade
        from sopwatch.store.teams import ensure_team

        name = f"limits_{os.getpid()}_{len(self.made)}_{label}"
        if self.kind == "sqlite":
            url = f"sqlite:///{self.workdir / (name + '.db')}"
        else:
            self._admin(f'CREATE DATABASE "{name}"')
            url = "postgresql+psycopg://" + self.admin.split("://", 1)[1].rsplit("/", 1)[0]
            url += f"/{name}"
        self.made.append(name)
        engine = make_engine(url)
        upgrade(engine)
        with engine.begin() as conn:
            ensure_team(conn, TEAM)
        engine.dispose()
        return url

    def close(self) -> None:
        """Drop every database made (SQLite: delete the files)."""
        for name in self.made:
            if self.kind == "sqlite":
                for suffix in (".db", ".db-wal", ".db-shm"):
                    (self.workdir / (name + suffix)).unlink(missing_ok=True)
            else:
                self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.made.clear()

    def _admin(self, statement: str) -> None:
        import psycopg

        with psycopg.connect(self.admin, autocommit=True) as conn:
            conn.execute(statement)  # type: ignore[arg-type]


def unreachable(admin: str) -> str | None:
    """Why the PostgreSQL server at ``admin`` cannot be used, or None when it can."""
    import psycopg

    try:
        psycopg.connect(admin, connect_timeout=5).close()
    except psycopg.Error as exc:
        return f"cannot connect to {admin}: {str(exc).strip().splitlines()[0]}"
    return None


def committed_jobs(url: str) -> Callable[[], int]:
    """A reader of how many jobs are committed (``max(id)``, a fresh database)."""
    if url.startswith("sqlite:///"):
        import sqlite3

        conn: Any = sqlite3.connect(url.removeprefix("sqlite:///"), check_same_thread=False)
    else:
        import psycopg

        conn = psycopg.connect("postgresql://" + url.split("://", 1)[1], autocommit=True)
    return lambda: conn.execute("SELECT coalesce(max(id), 0) FROM jobs").fetchone()[0]


@dataclass
class Timed:
    """One whole process: wall-clock seconds, its standard output, the rates of its
    first and last tenth (jobs/s) when polled."""

    seconds: float
    out: str
    tenths: tuple[float, float] | None = None


def run(argv: list[str], env: dict[str, str], poll: str | None = None, total: int = 0) -> Timed:
    """Run ``argv`` to its end (exit 0, or 1 for a check with an act finding); with
    ``poll``, read the committed jobs of that database while it runs."""
    samples: list[tuple[float, int]] = []
    stop = threading.Event()
    read = committed_jobs(poll) if poll else None
    started = time.perf_counter()

    def watch() -> None:
        while read is not None and not stop.is_set():
            samples.append((time.perf_counter() - started, read()))
            stop.wait(POLL_SECONDS)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    done = subprocess.run(argv, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - started
    stop.set()
    watcher.join()
    if read is not None:
        samples.append((wall, read()))
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr}")
    return Timed(wall, done.stdout, tenth_rates(samples, total) if poll else None)


# --- one case ----------------------------------------------------------------------------


@dataclass
class Case:
    """The figures of one database and size."""

    kind: str
    jobs: int
    days: int
    product_import: Timed | None = None
    plain_import: Timed | None = None
    product_check: list[float] = field(default_factory=list)
    plain_check: list[float] = field(default_factory=list)

    @property
    def label(self) -> str:
        return size_label(self.jobs, self.days)


def data_file(workdir: Path, jobs: int, days: int) -> Path:
    """The generated file of ``jobs`` jobs over ``days`` days (made once, then reused)."""
    path = workdir / f"jobs-{jobs}-{days}d.jsonl"
    if not path.exists():
        say(f"generating {jobs:,} jobs over {days} days …")
        partial = path.with_suffix(".partial")
        generate(partial, jobs, STEPS, days)
        partial.rename(path)
    return path


def environment(url: str) -> dict[str, str]:
    """The product's environment: the database, the team, the bytecode cache on."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(SOPWATCH_DATABASE_URL=url, SOPWATCH_TEAM=TEAM)
    return env


def run_case(case: Case, dbs: Databases, path: Path, runs: int) -> None:
    """Import with both, check with both (see the module docstring); fills ``case``."""
    product = dbs.fresh("product")
    env = environment(product)
    say(f"{case.kind} {case.label}: sopwatch import …")
    case.product_import = run([SOPWATCH, "import", str(path), "--assignment", "bench", "--json"],
                              env, poll=product, total=case.jobs)  # fmt: skip
    summary = json.loads(case.product_import.out)
    if summary["imported"] != case.jobs or summary["errors"]:
        say(f"  warning: sopwatch imported {summary['imported']:,} jobs, {summary['errors'][:3]}")
    plain = dbs.fresh("plain")
    say(f"{case.kind} {case.label}: plain import …")
    plain_argv = [PYTHON, str(BENCH / "plain_import.py"), str(path), "--database-url", plain]
    case.plain_import = run(plain_argv, env, poll=plain, total=case.jobs)
    wrote = json.loads(case.plain_import.out)
    if (wrote["jobs"], wrote["steps"]) != (summary["imported"], summary["steps"]):
        say(f"  warning: plain import wrote {wrote}, sopwatch {summary['steps']:,} steps")
    say(f"{case.kind} {case.label}: checks …")
    check = [SOPWATCH, "check", "bench", "--at", AT, "--seed", "7"]
    plain_check = [PYTHON, str(BENCH / "plain_check.py"), "--database-url", product, "--at", AT]
    run(check, env), run(plain_check, env)  # warm-up: bytecode and page caches
    for _ in range(runs):
        case.product_check.append(run(check, env).seconds)
        case.plain_check.append(run(plain_check, env).seconds)
    dbs.close()


# --- the table ---------------------------------------------------------------------------

NAMES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
IMPORT_TARGET = {"sqlite": "≤ 2×", "postgresql": "≤ 3×"}


def case_rows(case: Case) -> list[list[str]]:
    """Import, flatness and check rows of one case."""
    name, steps = NAMES[case.kind], case.jobs * STEPS
    ours, limit = case.product_import, case.plain_import
    assert ours is not None and limit is not None

    def rate(timed: Timed) -> str:
        return f"{seconds(timed.seconds)}, {steps / timed.seconds:,.0f} steps/s"

    def flat(timed: Timed) -> str:
        if timed.tenths is None:
            return "—"
        first, last = timed.tenths
        return f"{percent(last, first)} ({first * STEPS:,.0f} → {last * STEPS:,.0f} steps/s)"

    check_target = "≤ 3×" + ("; ≤ 1 s" if case.jobs >= 1_000_000 and case.days <= 30 else "")
    best, plain_best = min(case.product_check), min(case.plain_check)
    return [
        [f"{name} import, {case.label}", rate(ours), rate(limit),
         ratio(ours.seconds, limit.seconds), IMPORT_TARGET[case.kind]],
        [f"{name} import, last tenth's rate / first's, {case.label}", flat(ours), flat(limit),
         "", "≥ 90%"],
        [f"{name} check, {case.label}", seconds(best), seconds(plain_best),
         ratio(best, plain_best), check_target],
    ]  # fmt: skip


def cross_rows(cases: list[Case]) -> tuple[list[list[str]], list[str]]:
    """PostgreSQL's check against SQLite's, and 10× more history; plus notes."""
    by = {(c.kind, c.jobs, c.days): c for c in cases}
    rows: list[list[str]] = []
    notes: list[str] = []
    for (kind, jobs, days), pg in by.items():
        lite = by.get(("sqlite", jobs, days))
        if kind == "postgresql" and lite is not None:
            a, b = min(pg.product_check), min(lite.product_check)
            rows.append([f"check, PostgreSQL / SQLite, {pg.label}", f"PostgreSQL {seconds(a)}",
                         f"SQLite {seconds(b)}", ratio(a, b), "≤ 1.5×"])  # fmt: skip
    for (kind, jobs, days), long in by.items():
        # the same jobs per day over 30 days: the same window and baseline, less history
        short = by.get((kind, jobs * 30 // days, 30)) if days > 30 else None
        if short is not None:
            rows.append([
                f"{NAMES[kind]} check, {days // 30}× the history: {long.label} vs {short.label}",
                f"{seconds(min(long.product_check))} vs {seconds(min(short.product_check))}",
                f"{seconds(min(long.plain_check))} vs {seconds(min(short.plain_check))}",
                change(min(long.product_check), min(short.product_check)), "≤ +20%",
            ])  # fmt: skip
        same = by.get((kind, jobs, 30)) if days != 30 else None
        if same is not None:
            notes.append(
                f"{NAMES[kind]} check, {same.label} → {long.label}: sopwatch "
                f"{change(min(long.product_check), min(same.product_check))}, plain "
                f"{change(min(long.plain_check), min(same.plain_check))} (the window and "
                f"baseline hold {days // 30}× fewer jobs; the history target compares "
                "equal windows, the row above)"
            )
    return rows, notes


def startup_rows(runs: int) -> tuple[list[list[str]], list[str]]:
    """``--help`` against ``import sqlalchemy``; the check on the demo (bench/startup.py)."""
    import startup

    env = startup.environment(startup.DEMO_DB)
    todo = {label: argv for label, argv in startup.commands()}
    wanted = [startup.YARDSTICKS[1], "sopwatch --help"]
    check = f"sopwatch check {startup.DEMO}"
    notes = []
    if startup.DEMO_DB.exists():
        wanted.append(check)
    else:
        notes.append(f"no demo database ({startup.DEMO_DB}): `make demo` makes it")
    walls: dict[str, list[float]] = {label: [] for label in wanted}
    for label in wanted:  # warm-up
        startup.run_once(todo[label], env)
    for _ in range(max(runs, 5)):
        for label in wanted:
            walls[label].append(startup.run_once(todo[label], env)[0])
    best = {label: min(times) for label, times in walls.items()}
    base = best[startup.YARDSTICKS[1]]
    rows = [["`sopwatch --help`", seconds(best["sopwatch --help"]),
             f"`import sqlalchemy` {seconds(base)}", ratio(best["sopwatch --help"], base),
             "≤ 0.15 s"]]  # fmt: skip
    if check in best:
        rows.append([f"`{check}` (demo)", seconds(best[check]), "—", "—", "≤ 0.5 s"])
    return rows, notes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="jobs, comma-separated")
    parser.add_argument("--long-days", type=int, default=300,
                        help="the largest size again over this many days (0: not)")  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="10,000 jobs only")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--workdir", type=Path, help="keep generated files here (reused)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each check")
    parser.add_argument("--postgres-url", default=PG_ADMIN, help="server's admin database")
    parser.add_argument("--markdown", action="store_true", help="the table as Markdown")
    parser.add_argument("--no-startup", action="store_true", help="leave out --help and demo")
    opts = parser.parse_args()
    sizes = [10_000] if opts.quick else [int(s) for s in opts.sizes.split(",")]
    shapes = [(n, 30) for n in sizes]
    if opts.long_days and not opts.quick:
        shapes.append((max(sizes), opts.long_days))
    kinds = [k.strip() for k in opts.databases.split(",")]
    skipped = []
    if "postgresql" in kinds and (problem := unreachable(opts.postgres_url)) is not None:
        kinds.remove("postgresql")
        skipped.append(f"PostgreSQL left out: {problem}")
    with tempfile.TemporaryDirectory(prefix="sopwatch-limits-") as tmp:
        workdir = opts.workdir or Path(tmp)
        workdir.mkdir(parents=True, exist_ok=True)
        cases: list[Case] = []
        started = time.perf_counter()
        for kind in kinds:
            dbs = Databases(kind, workdir, opts.postgres_url)
            try:
                for jobs, days in shapes:
                    case = Case(kind, jobs, days)
                    run_case(case, dbs, data_file(workdir, jobs, days), opts.runs)
                    cases.append(case)
            finally:
                dbs.close()
    rows = [row for case in cases for row in case_rows(case)]
    extra, notes = cross_rows(cases)
    notes = skipped + notes
    if not opts.no_startup:
        more, startup_notes = startup_rows(opts.runs)
        extra, notes = extra + more, notes + startup_notes
    print(render(rows + extra, opts.markdown))
    print()
    for note in notes:
        print(f"- {note}" if opts.markdown else note)
    print(f"{'- ' if opts.markdown else ''}{os.cpu_count()} CPUs, load average "
          f"{os.getloadavg()[0]:.2f} at the end; {time.perf_counter() - started:,.0f} s in all; "
          f"checks: min of {opts.runs} whole commands")  # fmt: skip


if __name__ == "__main__":
    main()
