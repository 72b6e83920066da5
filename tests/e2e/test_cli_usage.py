"""The command line a person expects: one style for every usage error (ours and Click's),
--version, -h everywhere, python -m sopwatch, exit statuses 0/1/2."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from sopwatch import __version__
from sopwatch.cli.main import app
from tests.e2e.conftest import Ran

BOX = ("╭", "│", "╰", "Usage:")
#: The ``sopwatch`` script of this environment.
SCRIPT = str(Path(sys.executable).with_name("sopwatch"))


def cli(*args: str) -> Ran:
    """Run a command that fails before it opens a database (so once, not per database)."""
    result = CliRunner().invoke(app, list(args), catch_exceptions=False)
    return Ran(result.exit_code, result.stdout, result.stderr)


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["check"], "error: ASSIGNMENT: missing; see `sopwatch check -h`"),
        (["job"], "error: JOB_ID: missing; see `sopwatch job -h`"),
        (["import"], "error: PATH: missing; see `sopwatch import -h`"),
        (["assignments", "rename", "a"], "error: NEW: missing; see `sopwatch assignments rename"),
        (["check", "x", "--format", "xml"], "error: --format: 'xml' is not one of 'text', 'json'"),
        (["jobs", "x", "--limit", "abc"], "error: --limit: must be a valid integer"),
        (["jobs", "x", "--limit", "0"], "error: --limit: must be greater than or equal to 1"),
        (["jobs", "x", "--status", "done"], "error: --status: 'done' is not one of 'pending'"),
        (["check", "x", "--loop-threshold", "1"], "error: --loop-threshold: must be greater than"),
        (["check", "x", "--at"], "error: --at: needs a value"),
        (["check", "x", "--jsn"], "error: --jsn: no such option"),
        (["-x"], "error: -x: no such option"),
        (["chek", "x"], "error: COMMAND: no such command 'chek'; did you mean 'check'?"),
        (["assignments", "nope"], "error: COMMAND: no such command 'nope'"),
        (["jobs", "a", "b"], "error: sopwatch jobs: got unexpected extra argument"),
        (["check", "x", "--window", "1 day"], "error: --window: '1 day' is not a span"),
    ],
)  # fmt: skip
def test_usage_errors_are_one_line_and_exit_2(args: list[str], line: str) -> None:
    ran = cli(*args)
    assert ran.code == 2, ran.out + ran.err
    assert ran.err.startswith(line), ran.err
    assert ran.err.count("\n") == 1, ran.err
    assert ran.out == ""
    assert not any(mark in ran.err for mark in BOX)


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["check", "x", "--windw", "2h"], "--windw: no such option; did you mean '--window'?"),
        (["import", "x", "--jsn"], "--jsn: no such option; did you mean '--end' or '--json'?"),
        (["assignments", "st"], "COMMAND: no such command 'st'; did you mean 'set' or 'list'?"),
        (["db", "inf"], "COMMAND: no such command 'inf'; did you mean 'info'?"),
    ],
)  # fmt: skip
def test_typos_are_suggested_in_one_style(args: list[str], line: str) -> None:
    """Options and commands as assignments are: ``did you mean 'a', 'b' or 'c'?``."""
    ran = cli(*args)
    assert ran.code == 2
    assert ran.err == f"error: {line}\n"


def test_version() -> None:
    result = CliRunner().invoke(app, ["--version"])
    assert (result.exit_code, result.stdout) == (0, f"sopwatch {__version__}\n")


def _commands() -> list[list[str]]:
    return [
        [], ["import"], ["check"], ["jobs"], ["job"], ["assignments"], ["assignments", "list"],
        ["assignments", "set"], ["assignments", "rename"], ["assignments", "delete"], ["db"],
        ["db", "info"],
    ]  # fmt: skip


@pytest.mark.parametrize("command", _commands(), ids=lambda c: " ".join(c) or "sopwatch")
def test_dash_h_is_help_on_every_command(command: list[str]) -> None:
    short = CliRunner().invoke(app, [*command, "-h"])
    long = CliRunner().invoke(app, [*command, "--help"])
    assert short.exit_code == long.exit_code == 0
    assert short.stdout == long.stdout
    assert "Usage:" in short.stdout and "-h" in short.stdout


def test_every_command_is_covered_above() -> None:
    group = get_command(app)
    names = set(group.commands)
    assert names == {c[0] for c in _commands() if c}


def test_no_arguments_prints_help_once_and_exits_0() -> None:
    for args in ([], ["assignments"], ["db"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0 and result.stdout.count("Usage:") == 1, args
    ran = subprocess.run([sys.executable, "-m", "sopwatch"], capture_output=True, text=True)
    assert (ran.returncode, ran.stdout.count("Usage:"), ran.stderr) == (0, 1, "")


@pytest.mark.parametrize("command", _commands(), ids=lambda c: " ".join(c) or "sopwatch")
def test_help_names_values_as_people_do(command: list[str]) -> None:
    """No Python types (``<str>``, ``<bool>``, ``<list[Path]>``), no ``{PATH}``."""
    shown = CliRunner().invoke(app, [*command, "-h"], env={"COLUMNS": "200"}).stdout
    assert re.search(r"<(str|bool|int|float|list|Path)|\{", shown) is None, shown


def _help(args: list[str], columns: int) -> list[str]:
    """The lines of ``sopwatch ARGS`` run as a person runs it (not under CliRunner, which
    forces 80 columns) in a terminal ``columns`` wide."""
    env = {**os.environ, "COLUMNS": str(columns)}
    ran = subprocess.run([SCRIPT, *args], capture_output=True, text=True, env=env)
    assert (ran.returncode, ran.stderr) == (0, "")
    return ran.stdout.splitlines()


def test_help_paragraphs_wrap_at_the_terminal_not_mid_sentence() -> None:
    lines = _help(["import", "-h"], 200)
    assert "Usage: sopwatch import [OPTIONS] PATH..." in lines
    assert (
        "  Exit status 0 when every record was stored (notes are not errors), 1 when any was "
        "refused, 2 on a usage error."
    ) in lines
    folded = [" ".join(line.split()) for line in lines]
    assert "-a, --assignment NAME Assignment for every run." in folded
    assert "--json Print the summary as JSON." in folded
    narrow = _help(["import", "-h"], 60)
    assert max(len(line) for line in narrow) <= 60
    assert (
        "Exit status 0 when every record was stored (notes are not errors), 1 when any was "
        "refused, 2 on a usage error."
    ) in " ".join(" ".join(narrow).split())


def test_a_group_lists_each_command_with_its_whole_first_sentence() -> None:
    lines = _help(["-h"], 200)
    assert (
        "  check        Run the daily check: exit 0 when nothing needs action, 1 when a "
        "finding is `act`."
    ) in lines
    narrow = " ".join(" ".join(_help(["-h"], 60)).split())
    assert "import Import agent runs (tau, tau2, openinference, jsonl) as jobs, idempotently." in (
        narrow
    )


def test_python_dash_m_sopwatch() -> None:
    ran = subprocess.run(
        [sys.executable, "-m", "sopwatch", "--version"], capture_output=True, text=True
    )
    assert (ran.returncode, ran.stdout) == (0, f"sopwatch {__version__}\n")
    bad = subprocess.run([sys.executable, "-m", "sopwatch", "jobs"], capture_output=True, text=True)
    assert bad.returncode == 2
    assert bad.stderr.startswith("error: ASSIGNMENT: missing")
