"""Numbers people read: a check window's length in its largest whole unit, with thousands
separators; money in limit errors with separators and no trailing zeros; a number too
large to store said so; notes that agree in number."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.e2e.conftest import Cli


@pytest.fixture
def one_run(cli: Cli, tmp_path: Path) -> Cli:
    path = tmp_path / "runs.jsonl"
    path.write_text(json.dumps({"id": "r", "created_at": "2026-03-01T10:00:00Z"}) + "\n")
    assert cli("import", str(path), "-a", "num").code == 0
    return cli


@pytest.mark.parametrize(
    ("window", "shown"),
    [("24h", "(24 h)"), ("400d", "(400 d)"), ("3650d", "(3,650 d)"), ("30s", "(30 s)"),
     ("90m", "(90 min)"), ("36h", "(36 h)"), ("2d", "(2 d)")],
)  # fmt: skip
def test_the_window_line_shows_its_length_readably(one_run: Cli, window: str, shown: str) -> None:
    ran = one_run("check", "num", "--at", "2026-03-02T00:00:00Z", "--window", window)
    (line,) = [line for line in ran.out.splitlines() if line.startswith("Window:")]
    assert line.endswith(f"UTC {shown}"), line


@pytest.mark.parametrize(
    ("run", "problem"),
    [
        ({"cost_usd": 9.3e12},
         "field 'cost_usd': 9,300,000,000,000 USD is more than the maximum "
         "9,223,372,036,854.775807 USD"),
        ({"steps": [{"kind": "model", "name": "m", "cost_usd": 9e12}] * 2},
         "field 'steps[].cost_usd': the steps' sum 18,000,000,000,000 USD is more than the "
         "maximum 9,223,372,036,854.775807 USD"),
    ],
)  # fmt: skip
def test_money_in_limit_errors_is_readable(
    cli: Cli, tmp_path: Path, run: dict[str, object], problem: str
) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_text(json.dumps({"id": "r", "created_at": "2026-03-01T10:00:00Z"} | run) + "\n")
    ran = cli("import", str(path), "-a", "num")
    assert f"  error: {path}: line 1: {problem}" in ran.out, ran.out


def test_a_number_too_large_to_store_is_said_so(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "runs.jsonl"
    path.write_text('{"id": "r", "created_at": "2026-03-01T10:00:00Z", "cost_usd": 1e400}\n')
    ran = cli("import", str(path), "-a", "num")
    assert (
        "field 'cost_usd': must be a finite number; got a number too large to store "
        "(1e400 or Infinity)"
    ) in ran.out
    assert "got number Infinity" not in ran.out


def test_tau2_notes_agree_in_number(cli: Cli, tmp_path: Path) -> None:
    simulations = [
        {"id": f"s{i}", "messages": [{"role": "user", "content": "hi"}],
         "start_time": "2026-03-01T10:00:00Z"}
        for i in range(14)
    ]  # fmt: skip
    del simulations[0]["start_time"]
    path = tmp_path / "sims.json"
    path.write_text(json.dumps({"simulations": simulations}))
    ran = cli("import", str(path), "-a", "num")
    assert "1 of 14 simulations has no times at all" in ran.out
    assert "14 of 14 simulations have no termination_reason" in ran.out
