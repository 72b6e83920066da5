"""CLI fixtures: run ``sopwatch`` commands in-process against a fresh database."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from typer.testing import CliRunner

from sopwatch.cli.main import app


@dataclass
class Ran:
    """What one command did: exit code, stdout, stderr."""

    code: int
    out: str
    err: str

    def json(self) -> Any:
        """stdout parsed as JSON."""
        return json.loads(self.out)


Cli = Callable[..., Ran]


@pytest.fixture
def cli(db_url: str, monkeypatch: pytest.MonkeyPatch) -> Cli:
    """``cli("check", "x", "--format", "json")`` → ``Ran``, on SQLite and on PostgreSQL;
    ``input=`` (bytes or text) is the command's standard input."""
    monkeypatch.setenv("SOPWATCH_DATABASE_URL", db_url)
    monkeypatch.setenv("SOPWATCH_TEAM", "e2e")
    runner = CliRunner()

    def run(*args: str, input: bytes | str | None = None) -> Ran:
        result = runner.invoke(app, list(args), input=input, catch_exceptions=False)
        return Ran(result.exit_code, result.stdout, result.stderr)

    return run
