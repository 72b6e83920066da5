"""Benchmark: how long sopwatch takes to start, as a person runs it (whole processes).

Times ``sopwatch --help``, ``sopwatch --version``, ``sopwatch check -h`` and ``sopwatch
check airline-support`` on the demo database against two yardsticks run in the same
rounds: ``python -c pass`` (the interpreter alone) and ``python -c "import sqlalchemy"``.
Each command runs once to warm up, then ``--runs`` times, the commands taking turns
(round 1: every command, round 2: every command, …) so that a machine growing busier
or quieter weighs on all of them alike. Prints, per command, the minimum and median
wall-clock seconds, the median CPU seconds (user + system, from the operating system's
accounting of the finished child) and the ratios of the median wall-clock time to the
yardsticks'. It never passes or fails on time (targets: docs/performance.md "Start-up").

The demo database is the one ``make demo`` writes (``.demo/sopwatch-demo.db``); when it
is missing it is created with the bundled runs ``make demo`` loads for
``airline-support`` (tau-bench GPT-4o as revision 1, tau2-bench gpt-oss-120b as revision
2, 30 runs expected per day). The commands run with Python's bytecode cache on, as an
installed sopwatch does, even when ``PYTHONDONTWRITEBYTECODE`` is set here.

    python bench/startup.py [--runs 10] [--database PATH]
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEMO_DB = ROOT / ".demo" / "sopwatch-demo.db"
DEMO = "airline-support"
PYTHON = sys.executable
SOPWATCH = str(Path(sys.executable).with_name("sopwatch"))
#: (label, command line); the first two are the yardsticks.
YARDSTICKS = ("python -c pass", 'python -c "import sqlalchemy"')


def commands() -> list[tuple[str, list[str]]]:
    """What is timed: the yardsticks, then sopwatch's command lines."""
    return [
        (YARDSTICKS[0], [PYTHON, "-c", "pass"]),
        (YARDSTICKS[1], [PYTHON, "-c", "import sqlalchemy"]),
        ("sopwatch --help", [SOPWATCH, "--help"]),
        ("sopwatch --version", [SOPWATCH, "--version"]),
        ("sopwatch check -h", [SOPWATCH, "check", "-h"]),
        (f"sopwatch check {DEMO}", [SOPWATCH, "check", DEMO, "--seed", "7"]),
    ]


def environment(database: Path) -> dict[str, str]:
    """The commands' environment: the demo database, the bytecode cache on."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["SOPWATCH_DATABASE_URL"] = f"sqlite:///{database}"
    return env


def make_demo(env: dict[str, str]) -> None:
    """Load ``make demo``'s runs of the demo assignment (see the module docstring)."""
    steps = [
        ["import", "data/tau-bench/gpt-4o-airline.json", "--assignment", DEMO,
         "--revision", "1", "--spread", "7d", "--end", "2025-11-25T00:00:00Z"],
        ["import", *sorted(str(p.relative_to(ROOT)) for p in
                           (ROOT / "data/tau2-bench").glob("gpt-oss-120b_*.json")),
         "--assignment", DEMO, "--revision", "2"],
        ["assignments", "set", DEMO, "--expected-runs-per-day", "30"],
    ]  # fmt: skip
    for args in steps:
        subprocess.run([SOPWATCH, *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def run_once(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall-clock seconds, CPU seconds) of one run of ``argv``, output discarded."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):  # check exits 1 when a finding is `act`
        raise SystemExit(f"{' '.join(argv)} failed ({done.returncode}): {done.stderr.decode()}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="timed runs of each command")
    parser.add_argument("--database", type=Path, default=DEMO_DB, help="the demo database")
    opts = parser.parse_args()
    env = environment(opts.database.resolve())
    if not opts.database.exists():
        opts.database.parent.mkdir(parents=True, exist_ok=True)
        print(f"creating the demo database {opts.database} …", flush=True)
        make_demo(env)
    todo = commands()
    for _, argv in todo:  # warm-up: bytecode and disk caches
        run_once(argv, env)
    walls: dict[str, list[float]] = {label: [] for label, _ in todo}
    cpus: dict[str, list[float]] = {label: [] for label, _ in todo}
    for _ in range(opts.runs):
        for label, argv in todo:
            wall, cpu = run_once(argv, env)
            walls[label].append(wall)
            cpus[label].append(cpu)
    if "PYTHONDONTWRITEBYTECODE" in os.environ:
        print("note: PYTHONDONTWRITEBYTECODE is set here; the commands ran without it")
    base = {label: statistics.median(walls[label]) for label in YARDSTICKS}
    print(f"{opts.runs} runs each, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print(
        f"{'command':<34} {'min s':>7} {'median s':>9} {'cpu s':>7} "
        f"{'× pass':>7} {'× sqlalchemy':>13}"
    )
    for label, _ in todo:
        median = statistics.median(walls[label])
        print(
            f"{label:<34} {min(walls[label]):>7.3f} {median:>9.3f} "
            f"{statistics.median(cpus[label]):>7.3f} {median / base[YARDSTICKS[0]]:>7.1f} "
            f"{median / base[YARDSTICKS[1]]:>13.2f}"
        )


if __name__ == "__main__":
    main()
