"""``sopwatch`` run as a program (docs/performance.md "Start-up"): a check loads no more
than it needs, a command leaves its database closed, and the start-up phase with the
garbage collector off ends when the command opens its store."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "data"
#: Runs ``sopwatch ARGV`` through the script's entry point, then prints, on stderr, the
#: top-level packages loaded among WATCHED and the garbage collector's state.
PROGRAM = """
import gc, sys
from sopwatch.cli.main import main
sys.argv = ["sopwatch", *{argv!r}]
try:
    main()
except SystemExit as exit:
    code = exit.code
watched = ("alembic", "genai_prices", "scipy.stats", "scipy.special", "sqlalchemy")
loaded = sorted(m for m in watched if m in sys.modules)
print(repr((code, loaded, gc.isenabled(), gc.get_freeze_count())), file=sys.stderr)
"""


def run(argv: list[str], database: Path) -> tuple[int, list[str], bool, int]:
    """(exit status, WATCHED packages loaded, collector on, objects frozen) of one
    command line run as the ``sopwatch`` script runs it, on the SQLite ``database``."""
    env = {**os.environ, "SOPWATCH_DATABASE_URL": f"sqlite:///{database}", "SOPWATCH_TEAM": "t"}
    ran = subprocess.run(
        [sys.executable, "-c", PROGRAM.format(argv=argv)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    found: tuple[int, list[str], bool, int] = ast.literal_eval(ran.stderr.splitlines()[-1])
    return found


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SQLite database holding the bundled tau-bench runs as assignment ``airline``."""
    path = tmp_path_factory.mktemp("start-up") / "sopwatch.db"
    runs = str(DATA / "tau-bench" / "gpt-4o-airline.json")
    code, loaded, *_ = run(["import", runs, "-a", "airline", "--end", "2025-11-25"], path)
    assert code == 0 and "sqlalchemy" in loaded
    return path


def test_a_check_loads_no_migrations_no_prices_no_scipy_stats(database: Path) -> None:
    code, loaded, *_ = run(["check", "airline", "--seed", "7"], database)
    assert code in (0, 1)
    assert loaded == ["scipy.special", "sqlalchemy"]


def test_a_command_leaves_its_sqlite_database_closed(database: Path) -> None:
    """SQLite removes the write-ahead log when the last connection closes: a command that
    left a connection open (the process then exits without closing it) leaves it."""
    for argv in (["check", "airline", "--seed", "7"], ["jobs", "airline"]):
        run(argv, database)
        assert not database.with_name(database.name + "-wal").exists(), argv


def test_the_start_up_phase_ends_when_the_command_opens_its_store(database: Path) -> None:
    _, _, collecting, frozen = run(["assignments", "list"], database)
    assert collecting and frozen > 10_000  # the modules loaded, never walked again
    _, _, collecting, frozen = run(["--version"], database)
    assert not collecting and frozen > 0  # nothing to collect: off to the end
